"""A NUL character anywhere in the query string or a form field is answered 400, never a 500.

PostgreSQL refuses NUL in text; ``apps.core.middleware.RejectNulMiddleware`` stops it for every view.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.compliance import selectors as compliance_selectors
from apps.compliance.pdf import minimal_pdf

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "La requête contient un caractère interdit (NUL). Retirez-le et réessayez."

LIST_URLS = ["bia:resources", "compliance:evidence-list", "tenants:members", "bia:activities"]


@pytest.mark.parametrize("name", LIST_URLS)
def test_nul_in_the_search_of_a_list_is_a_400_in_french(org, admin_user, client_for, name) -> None:
    client = client_for(admin_user)
    url = reverse(name, kwargs={"org_slug": org.slug})
    response = client.get(url + "?q=%00")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    assert client.get(url, {"q": "urgences"}).status_code == 200  # a normal search is unaffected


def test_nul_in_a_query_key_or_a_value_of_another_parameter_is_refused(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    url = reverse("bia:resources", kwargs={"org_slug": org.slug})
    assert client.get(url + "?a%00b=1").status_code == 400
    assert client.get(url + "?page=2%00").status_code == 400
    assert client.get(reverse("portfolio") + "?q=%00").status_code == 400  # outside a tenant too


def test_nul_in_a_posted_form_field_is_refused_and_nothing_is_saved(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    url = reverse("compliance:evidence-upload", kwargs={"org_slug": org.slug})
    pdf = SimpleUploadedFile("pssi.pdf", minimal_pdf("PSSI"), content_type="application/pdf")
    response = client.post(url, {"file": pdf, "title": "PSSI\x00v3"})
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert not compliance_selectors.evidence_list(organization=org).exists()
    # A urlencoded form too (the login form, before any authentication).
    response = client.post(reverse("account_login"), {"login": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def test_nul_bytes_inside_an_uploaded_file_are_not_checked(org, admin_user, client_for) -> None:
    """Only text fields are checked: binary contents (PDF, XLSX, images) legitimately hold NUL bytes."""
    client = client_for(admin_user)
    url = reverse("compliance:evidence-upload", kwargs={"org_slug": org.slug})
    content = minimal_pdf("PSSI") + b"\n%\x00\x00\x01binary\x00"
    assert b"\x00" in content
    pdf = SimpleUploadedFile("pssi.pdf", content, content_type="application/pdf")
    response = client.post(url, {"file": pdf, "title": "PSSI v3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(compliance_selectors.evidence_list(organization=org).values_list("title", flat=True)) == ["PSSI v3"]
    # A NUL in the file's name: Django's upload handling already cleans the name, no error either.
    pdf = SimpleUploadedFile("pss\x00i.pdf", minimal_pdf("PSSI"), content_type="application/pdf")
    assert client.post(url, {"file": pdf, "title": "PSSI v4"}).status_code == 302
    names = compliance_selectors.evidence_list(organization=org).values_list("original_name", flat=True)
    assert not any("\x00" in name for name in names)
