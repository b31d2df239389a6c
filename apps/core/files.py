"""Private files (evidence uploads, export files) through Django's storage API, never through paths.

``storages["default"]`` is a local folder (one host, the embedded run, the tests) or an S3-compatible
bucket shared by every web and worker host (``RESILIS_STORAGE``, resilis/settings.py). Names are
relative and derived from ids (``evidence/<organization>/<random>.pdf``, ``exports/<organization>/<job>.pdf``),
never from user input, and the same with both backends: files written before the bucket existed keep
their names. No URL serves them: a file leaves the server only through a view that checked the
organization and the capability first, then calls ``download_response``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


def private_storage() -> Storage:
    """Where evidence and export files live (``STORAGES["default"]``)."""
    return storages["default"]


def is_inside(name: str, *folder: str) -> bool:
    """``name`` is a plain relative name inside ``folder`` (no ``..``, not absolute, not the folder itself)."""
    path = PurePosixPath(name)
    parts = path.parts
    return (bool(name) and not path.is_absolute() and ".." not in parts and "\\" not in name
            and parts[:len(folder)] == folder and len(parts) > len(folder))


def save_exactly(name: str, content: File, *, storage: Storage | None = None) -> str:
    """Store ``content`` under ``name`` itself, replacing an earlier file of that name (a re-rendered export).

    ``Storage.save`` would pick another name when one exists (the local backend appends a suffix), so the
    old file goes first. The S3 backend writes an object in one request: a reader sees the old one or the new one.
    """
    storage = storage or private_storage()
    storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:  # another writer recreated it in between: keep theirs, drop ours
        storage.delete(saved)
        raise FileExistsError(name)
    return saved


def delete_quietly(name: str, *, storage: Storage | None = None) -> None:
    """Delete a stored file; a file already gone is not an error."""
    if name:
        (storage or private_storage()).delete(name)


def open_stream(name: str, *, storage: Storage | None = None) -> tuple[IO[bytes], int | None]:
    """An open binary stream over the stored file and its size in bytes; ``FileNotFoundError`` if it is gone.

    django-storages' S3 file downloads the whole object into a temporary file on its first read; its
    object's body is streamed instead, so memory stays flat and the first bytes leave at once.
    """
    storage = storage or private_storage()
    handle = storage.open(name, "rb")
    s3_object = getattr(handle, "obj", None)  # storages.backends.s3.S3File (after a HEAD: the object exists)
    if s3_object is None:
        return cast(IO[bytes], handle), handle.size
    from botocore.exceptions import ClientError

    try:
        reply = s3_object.get()
    except ClientError as error:  # deleted between the HEAD and the GET
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(name) from error
        raise
    return reply["Body"], reply.get("ContentLength")


def download_response(name: str, *, filename: str, content_type: str, storage: Storage | None = None) -> HttpResponseBase:
    """The stored file as an attachment, for a view that has already checked who asks. ``Http404`` if it is gone.

    Streamed through this process by default. With ``RESILIS_SIGNED_DOWNLOADS`` (S3 only), a redirect to a
    signed URL valid for ``S3_URL_EXPIRE_SECONDS``, carrying the same name, type and cache headers.
    """
    storage = storage or private_storage()
    if not name:
        raise Http404
    if settings.RESILIS_SIGNED_DOWNLOADS:
        if not storage.exists(name):
            raise Http404
        url = cast(Any, storage).url(name, parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        })
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Referrer-Policy"] = "no-referrer"
    else:
        try:
            stream, size = open_stream(name, storage=storage)
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
        if size is not None:
            response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
