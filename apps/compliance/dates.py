"""The candidate's CaRE dates that requirements are measured against, read in one place.

* D2.P1: the PSSI review lies between 16/07/2022 and the **candidacy** deposit date
  (``Organization.candidacy_submitted_on``, eCaRE).
* D2.O2.A (and the end of the operational phase, D2.O1.D, D2.O4): up to the deposit of the **declaration** of
  objectives reached (``Organization.declaration_submitted_on``); while it is not filed yet, up to today.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def candidacy_date(organization: Organization) -> date | None:
    return organization.candidacy_submitted_on


def declaration_reference_date(organization: Organization) -> date:
    """The declaration deposit date, or today while the declaration is not filed."""
    return organization.declaration_submitted_on or timezone.localdate()
