"""Demo evidence files: small generated PDFs stored like real uploads (checked, random names, audited)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from apps.compliance.services import evidence_upload

if TYPE_CHECKING:
    from apps.tenants.demo import DemoContext

# (organization key, uploader key, title, file name, document date, requirements); the kind is in KINDS.
FILES: list[tuple[str, str, str, str, date | None, list[str]]] = [
    ("ght", "rpcra", "PSSI du GHT Rives de Loire v3 (signée)", "pssi-ght-v3.pdf", date(2024, 3, 12), ["D2.P1"]),
    ("ght", "rpcra", "Lettre de mission du RPCRA — Julien Moreau", "lettre-mission-rpcra.pdf", date(2025, 9, 1),
     ["D2.P2"]),
    ("ght", "rpcra", "Lettre de mission — Karim Benali, RSSI", "lettre-mission-rssi.pdf", date(2025, 9, 1), ["D2.P2"]),
    ("ght", "rpcra", "Lettre de mission — Dr Élise Caron, médecin DIM", "lettre-mission-dim.pdf", date(2025, 9, 8),
     ["D2.P2"]),
    ("ght", "rpcra", "Plan blanc du GHT — volet cyber (2025)", "plan-blanc-volet-cyber.pdf", date(2025, 6, 30),
     ["D2.O1.B"]),
    ("ght", "dsi", "Procédures de gestion de crise cyber", "procedures-crise-cyber.pdf", date(2025, 10, 15),
     ["D2.O1.B"]),
    ("ght", "rpcra", "Compte rendu du COPIL PCRA du 14/10/2025", "cr-copil-2025-10-14.pdf", date(2025, 10, 14),
     ["D2.O1.A"]),
    ("clinic", "clinique_rpcra", "PSSI de la Clinique du Parc (2021)", "pssi-clinique-2021.pdf", date(2021, 5, 10),
     ["D2.P1"]),
]


# The kind of each file by the start of its title (D2.P1 accepts only a PSSI); the others are « Other document ».
KINDS = {"PSSI": Evidence.Kind.PSSI, "Lettre de mission": Evidence.Kind.MISSION_LETTER,
         "Plan blanc": Evidence.Kind.PLAN_BLANC, "Procédures de gestion de crise": Evidence.Kind.CRISIS_PROCEDURE,
         "Compte rendu": Evidence.Kind.MINUTES}


def _kind(title: str) -> str:
    return next((kind for start, kind in KINDS.items() if title.startswith(start)), Evidence.Kind.OTHER)


def seed(ctx: DemoContext) -> None:
    for org_key, user_key, title, name, doc_date, requirements in FILES:
        organization = ctx.organizations[org_key]
        with scope(organization=organization):
            evidence_upload(
                organization=organization, actor=ctx.users[user_key],
                upload=SimpleUploadedFile(name, minimal_pdf(title.encode("ascii", "replace").decode()),
                                          content_type="application/pdf"),
                title=title, document_date=doc_date, requirement_ids=requirements, kind=_kind(title),
            )
