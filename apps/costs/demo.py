"""Demo expense lines for the GHT: one per category, each with its invoice (a minimal PDF), through the services.

Internal staff time rests on the RPCRA's lettre de mission, uploaded first. Runs after the actions demo
(INSTALLED_APPS order), whose cost estimates the totals page shows beside these real costs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from apps.compliance.services import evidence_upload
from apps.costs import services
from apps.costs.models import Category

if TYPE_CHECKING:
    from apps.tenants.demo import DemoContext

# (category, label, supplier, invoice, engaged on, HT, TTC, objectives, establishment key)
LINES = [
    (Category.EXTERNAL_SERVICE, "Accompagnement à la conduite des BIA et à la rédaction des PCA",
     "Cabinet Continuité Conseil", "CC-2025-118", datetime.date(2025, 9, 22), "38500.00", "46200.00",
     ["D2.O1.C", "D2.O1.D"], "chu"),
    (Category.SMCA_TOOL, "Abonnement annuel à l'outil de management de la continuité", "Resilis SAS",
     "RS-2025-0042", datetime.date(2025, 10, 1), "12000.00", "14400.00", ["D2.O1.A", "D2.O1.C"], "chu"),
    (Category.BACKUP_SYSTEM, "Baie de sauvegarde immuable hors ligne (copie 3-2-1-1-0)", "Stocka Infra",
     "SI-88731", datetime.date(2025, 11, 14), "64800.00", "77760.00", ["D2.O3.C", "D2.O4"], "chu"),
    (Category.INTERNAL_STAFF, "Temps du RPCRA consacré au PCRA (0,5 ETP, septembre–décembre 2025)",
     "Direction du système d'information", "", datetime.date(2025, 9, 1), "21000.00", "21000.00",
     ["D2.P2", "D2.O1.C"], "chu"),
    (Category.OTHER, "Impression et reliure des kits de crise papier", "Imprimerie de la Loire", "IL-2026-007",
     datetime.date(2026, 1, 12), "1450.00", "1740.00", ["D2.O1.B"], "ch"),
]


def seed(ctx: DemoContext) -> None:
    ght = ctx.organizations.get("ght")
    actor = ctx.users.get("rpcra")
    if ght is None or actor is None:
        return
    with scope(organization=ght):
        letter = evidence_upload(
            organization=ght, actor=actor, upload=SimpleUploadedFile("lettre-de-mission-rpcra.pdf", minimal_pdf(),
                                                                     "application/pdf"),
            title="Lettre de mission du RPCRA", document_date=datetime.date(2025, 8, 28),
            kind=Evidence.Kind.MISSION_LETTER, requirement_ids=["D2.P2"])
        for category, label, supplier, invoice, engaged_on, ht, ttc, objectives, establishment in LINES:
            if establishment not in ctx.establishments:
                continue
            services.cost_line_create(
                organization=ght, actor=actor,
                data={"engaged_on": engaged_on, "category": category, "label": label, "supplier": supplier,
                      "invoice_reference": invoice, "amount_ht": Decimal(ht), "amount_ttc": Decimal(ttc),
                      "requirement_ids": objectives, "establishment": ctx.establishments[establishment],
                      "mission_letter": letter if category == Category.INTERNAL_STAFF else None},
                proof_upload=SimpleUploadedFile(f"facture-{invoice or 'rh'}.pdf", minimal_pdf(), "application/pdf")
                if category != Category.INTERNAL_STAFF else None)
