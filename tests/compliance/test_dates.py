"""The CaRE dates requirements are measured against (apps.compliance.dates): D2.O2.A runs up to the declaration."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from apps.backups import checks, services
from apps.compliance.dates import declaration_reference_date
from apps.compliance.pdf import minimal_pdf
from apps.compliance.registry import CheckResult

pytestmark = pytest.mark.django_db

DECLARATION = datetime.date(2026, 3, 31)


def _policy_status(org, admin_user, validated_on) -> str:
    with scope(organization=org):
        services.policy_save(organization=org, actor=admin_user, data={"validated_on": validated_on},
                             upload=SimpleUploadedFile("p.pdf", minimal_pdf("P"), content_type="application/pdf"))
        return checks.policy_check(org).status


def test_until_the_declaration_is_filed_the_reference_is_today(org) -> None:
    assert declaration_reference_date(org) == timezone.localdate()
    org.declaration_submitted_on = DECLARATION
    assert declaration_reference_date(org) == DECLARATION


@pytest.mark.parametrize(("validated_on", "expected"), [
    (DECLARATION, CheckResult.MET),  # updated on the declaration day
    (DECLARATION + datetime.timedelta(days=1), CheckResult.NOT_MET),  # after the declaration: not the one declared
])
def test_backup_policy_updated_up_to_the_declaration_date(org, admin_user, validated_on, expected) -> None:
    org.declaration_submitted_on = DECLARATION
    org.save(update_fields=["declaration_submitted_on"])
    assert _policy_status(org, admin_user, validated_on) == expected


def test_the_declaration_cannot_precede_the_candidacy(org) -> None:
    from apps.tenants.forms import OrganizationForm

    form = OrganizationForm({"name": org.name, "kind": org.kind, "region": org.region, "ecare_number": "",
                             "candidacy_submitted_on": "2025-10-31", "declaration_submitted_on": "2025-10-30"},
                            instance=org)
    assert not form.is_valid() and "declaration_submitted_on" in form.errors
