"""Checks on uploaded evidence files: size, and a type proven by the content's magic bytes.

The extension alone proves nothing (a renamed executable is still an executable): the first bytes
must match a known signature of the family the extension claims.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → (family, MIME type served on download)
ALLOWED_EXTENSIONS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
    "docx": ("ooxml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ooxml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ("odf", "application/vnd.oasis.opendocument.text"),
    "ods": ("odf", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odf", "application/vnd.oasis.opendocument.presentation"),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "ppt": ("ole", "application/vnd.ms-powerpoint"),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


def sniff_family(head: bytes) -> str | None:
    """The file family proven by the first bytes, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_family(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return "ooxml"
            if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                return "odf"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def validate_evidence_file(upload: UploadedFile) -> str:
    """Raise ValidationError unless the file is an allowed, genuine document; return its MIME type."""
    limit = settings.RESILIS_UPLOAD_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: PDF, office documents (Word, Excel, PowerPoint, "
              "OpenDocument) and images (PNG, JPEG, GIF, WebP)."),
            code="extension",
        )
    expected, mime_type = ALLOWED_EXTENSIONS[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    family = sniff_family(head)
    if family == "zip":
        family = _zip_family(upload)
    if family != expected:
        raise ValidationError(
            _("The content of the file does not match its extension (.%(ext)s).") % {"ext": extension},
            code="content",
        )
    return mime_type
