from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    return "\n".join(delimiter.join("" if c is None else str(c) for c in row) for row in rows).encode(encoding)


class Importer:
    """Drives the import pages as a user does: upload, mapping (as guessed unless told), preview, apply."""

    def __init__(self, client, org) -> None:
        self.client, self.org = client, org

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"org_slug": self.org.slug, **kwargs})

    def upload(self, data: bytes, *, kind: str = "resources", name: str = "inventaire.xlsx", resource_kind: str = ""):
        return self.client.post(self.url("imports:start"), {
            "kind": kind, "resource_kind": resource_kind, "file": _named(data, name)})

    def run(self):
        from apps.imports.models import ImportRun

        return ImportRun._base_manager.filter(organization=self.org).order_by("-created_at").first()

    def map(self, run, mapping: dict[str, str] | None = None):
        data = dict(run.mapping if mapping is None else mapping)
        return self.client.post(self.url("imports:mapping", pk=run.pk), data)

    def apply(self, run):
        return self.client.post(self.url("imports:apply", pk=run.pk))


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def importer(org, client_for, member_factory):
    from apps.tenants.roles import Role

    return Importer(client_for(member_factory(org, Role.RPCRA)), org)
