"""The declaration in the dossier: the signature page (order 990) and the worker's document that freezes a
signed version (``ExportJob.Kind.DECLARATION``, see ``apps.declaration.freeze``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from apps.declaration import bundle, freeze, services, snapshot
from apps.exports.registry import Document, PdfSection, register_document, register_pdf_section

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def signature_context(organization: Organization) -> dict[str, Any]:
    """The version being signed (inside the freeze), else the latest signed one, else a draft to sign."""
    version = freeze.CURRENT.get() or services.latest_signed(organization=organization)
    if version is not None:
        return {"version": version, "checksum": version.content_sha256, "text": version.text}
    content = snapshot.take(organization=organization)
    return {"version": None, "checksum": snapshot.checksum(content), "text": services.default_text(organization)}


register_pdf_section(PdfSection(
    key="signature", order=990, title=_("Declaration and signature"), template="declaration/exports/signature.html",
    context=signature_context,
))
register_document(Document(kind="declaration", render=freeze.render, filename=freeze.filename))
register_document(Document(kind="bundle_zip", render=bundle.render, filename=bundle.filename))
