"""The third axis of the isolation matrix: establishments inside one organization (a GHT).

In a GHT the establishments are separate legal entities. A member limited to « CH de Saint-Aubin »:
- gets 404, on GET and POST, for every URL whose object belongs to another establishment (every URL
  with objects except those an app lists in ``ORG_WIDE``), and reaches the same URL for an object of
  their own establishment (so the 404 is the limit, not a broken factory);
- never reads a row of the other establishment: every page (lists, JSON, history, journey, requirements,
  exports page) is fetched and searched for the marker carried by the other establishment's rows;
- cannot create, change or delete anything of the other establishment through the services either;
- gets exports of their own establishments only, and the documents say so;
- gets 403 on the URLs an app lists in ``WHOLE_ORGANIZATION`` (the signed declaration's files cover every
  establishment).
New views are covered automatically (URLconf introspection, as in tests/test_isolation.py).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.core import tenancy
from apps.tenants.roles import Role
from tests.establishments import limited_member, objects_in, populate, role_with
from tests.factories import EstablishmentFactory, OrganizationFactory
from tests.isolation import kwargs_factories, org_wide_urls, tenant_urls, whole_organization_urls

URLS = tenant_urls()
MARKER = "ZQXVALMONT"
BOUND = [u for u in URLS if u.kwargs and u.name not in org_wide_urls()]


class Ght:
    def __init__(self) -> None:
        self.org = OrganizationFactory(name="GHT Rives de Loire", slug="ght-rives", kind="ght")
        self.home = EstablishmentFactory(organization=self.org, name="CH de Saint-Aubin")
        self.other = EstablishmentFactory(organization=self.org, name=f"{MARKER} CHU de Valmont")

    def url(self, url, kwargs: dict) -> str:
        return reverse(url.name, kwargs={"org_slug": self.org.slug, **kwargs})


@pytest.fixture
def ght(db) -> Ght:
    return Ght()


def test_org_wide_lists_name_real_urls() -> None:
    names = {u.name for u in URLS}
    assert org_wide_urls() <= names, sorted(org_wide_urls() - names)
    assert len(BOUND) >= 25, "the establishment axis lost its URLs"


@pytest.mark.django_db
@pytest.mark.parametrize("url", BOUND, ids=str)
def test_object_of_another_establishment_gets_404(url, ght, client_for) -> None:
    client = client_for(limited_member(ght.org, role_with(url.capability), ght.home))
    with objects_in(ght.other):
        target = ght.url(url, kwargs_factories()[url.name](ght.org))
    for method in url.methods:
        assert getattr(client, method)(target).status_code == 404, f"{method.upper()} {target}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", BOUND, ids=str)
def test_object_of_own_establishment_is_reachable(url, ght, client_for) -> None:
    client = client_for(limited_member(ght.org, role_with(url.capability), ght.home))
    with objects_in(ght.home):
        target = ght.url(url, kwargs_factories()[url.name](ght.org))
    method = "get" if "get" in url.methods else "post"
    status = getattr(client, method)(target).status_code
    assert status in (200, 302, 400), f"{method.upper()} {target} → {status}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in URLS if "get" in u.methods], ids=str)
def test_pages_never_name_another_establishment(url, ght, client_for) -> None:
    from tests.bia.factories import ResourceFactory

    shared = ResourceFactory(organization=ght.org, name="Dossier patient informatisé", establishment=None)
    populate(ght.org, ght.home, "Saint-Aubin", shared=shared)
    populate(ght.org, ght.other, MARKER, shared=shared)
    client = client_for(limited_member(ght.org, role_with(url.capability), ght.home))
    kwargs = {}
    if url.kwargs:
        with objects_in(ght.home):
            kwargs = kwargs_factories()[url.name](ght.org)
    response = client.get(ght.url(url, kwargs))
    if url.name in whole_organization_urls():
        assert response.status_code == 403, response.status_code  # the whole organization's data: refused
    else:
        assert response.status_code in (200, 302, 400), response.status_code
    body = b"".join(response) if response.streaming else response.content
    assert MARKER.encode() not in body, f"{url.name} names a row of another establishment"


@pytest.mark.django_db
def test_limited_member_sees_own_rows(ght, client_for) -> None:
    populate(ght.org, ght.home, "Saint-Aubin")
    populate(ght.org, ght.other, MARKER)
    client = client_for(limited_member(ght.org, Role.CONTRIBUTOR, ght.home))
    for name in ("bia:activities", "continuity:plans", "bia:resources"):
        body = client.get(reverse(name, kwargs={"org_slug": ght.org.slug})).content.decode()
        assert "Saint-Aubin" in body and MARKER not in body, name
        assert "Votre accès est limité à : CH de Saint-Aubin." in body  # every page says what it covers


@pytest.mark.django_db
def test_services_refuse_writes_outside_the_limit(ght) -> None:
    """Crafted calls that bypass the forms: create, change, move and delete are all refused, nothing changes."""
    from apps.bia import services as bia_services
    from apps.bia.models import Activity

    theirs = populate(ght.org, ght.other, MARKER)
    ours = populate(ght.org, ght.home, "Saint-Aubin")
    member = limited_member(ght.org, Role.CONTRIBUTOR, ght.home)
    with tenancy.tenant_scope(ght.org, establishments={ght.home.pk}):
        assert not Activity.objects.filter(pk=theirs["activity"].pk).exists()
        with pytest.raises(ValidationError, match="vos établissements"):
            bia_services.activity_create(organization=ght.org, actor=member, data={
                "name": "Intrusion", "establishment": ght.other})
        activity = Activity.objects.get(pk=ours["activity"].pk)
        activity.establishment = ght.other  # moving a row out of the limit
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            activity.save()
        foreign = Activity._base_manager.get(pk=theirs["activity"].pk)
        foreign.name = "Renommée"
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            foreign.save()
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            foreign.delete()
    with scopes_disabled():
        assert Activity.objects.get(pk=theirs["activity"].pk).name == f"{MARKER} activité"
        assert Activity.objects.get(pk=ours["activity"].pk).establishment_id == ght.home.pk
        assert not Activity.objects.filter(name="Intrusion").exists()


@pytest.mark.django_db
def test_plan_spanning_two_establishments_is_read_only(ght, client_for) -> None:
    from apps.continuity import services as plan_services
    from apps.continuity.models import Plan
    from tests.continuity.factories import plan_in, scenario

    ours = populate(ght.org, ght.home, "Saint-Aubin")
    theirs = populate(ght.org, ght.other, MARKER)
    plan = plan_in(ght.org, title="PCA commun", activities=[ours["activity"], theirs["activity"]])
    member = limited_member(ght.org, Role.CONTRIBUTOR, ght.home)
    with tenancy.tenant_scope(ght.org, establishments={ght.home.pk}):
        visible = Plan.objects.get(pk=plan.pk)
        assert not Plan.objects.writable().filter(pk=plan.pk).exists()
        visible.title = "Renommé"
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            visible.save()
        with pytest.raises(ValidationError, match="vos établissements"):
            plan_services.plan_create(organization=ght.org, actor=member, title="Intrusion",
                                      care_perimeter="none", activities=[theirs["activity"]],
                                      scenarios=[scenario(ght.org)])
    body = client_for(member).get(reverse("continuity:plan-detail", kwargs={
        "org_slug": ght.org.slug, "pk": plan.pk})).content.decode()
    assert "PCA commun" in body and MARKER not in body


@pytest.mark.django_db
def test_form_refuses_another_establishment(ght, client_for) -> None:
    from apps.bia.models import Activity

    client = client_for(limited_member(ght.org, Role.CONTRIBUTOR, ght.home))
    url = reverse("bia:activity-create", kwargs={"org_slug": ght.org.slug})
    assert f'value="{ght.other.pk}"'.encode() not in client.get(url).content  # not offered
    response = client.post(url, {"name": "Intrusion", "establishment": ght.other.pk, "care_perimeter": "none"})
    assert response.status_code == 400
    assert "establishment" in response.context["form"].errors
    assert not Activity._base_manager.filter(name="Intrusion").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["workbook_xlsx", "dossier_pdf"])
def test_export_of_a_limited_member_holds_their_establishments_only(kind, ght, client_for, tmp_path) -> None:
    from pathlib import Path

    import openpyxl
    from django.conf import settings
    from django.utils import translation
    from django_scopes import scope

    from apps.exports import services as export_services
    from apps.exports.models import ExportJob
    from tests.exports.conftest import pdf_text

    populate(ght.org, ght.home, "Saint-Aubin")
    populate(ght.org, ght.other, MARKER)
    client = client_for(limited_member(ght.org, Role.CONTRIBUTOR, ght.home))
    client.post(reverse("exports:request", kwargs={"org_slug": ght.org.slug}), {"kind": kind})
    job = ExportJob._base_manager.get(organization=ght.org, kind=kind)
    assert job.establishment_ids == [ght.home.pk]
    with scope(organization=ght.org), translation.override("fr"):  # what the worker's task does
        assert export_services.export_run(organization=ght.org, job_id=str(job.pk))
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.file_path  # the local storage of the tests
    if kind == "workbook_xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        text = "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
                         if c is not None)
    else:
        text = pdf_text(path)
    assert "Saint-Aubin activité" in text
    assert MARKER not in text
    assert "Limité aux établissements" in text and "CH de Saint-Aubin" in " ".join(text.split())
    # An unlimited member's export of the whole organization is not theirs to see or download.
    with scope(organization=ght.org):
        whole = export_services.export_job_create(organization=ght.org, actor=None, kind=kind)
    assert whole.establishment_ids is None
    status = client.get(reverse("exports:status", kwargs={"org_slug": ght.org.slug, "pk": whole.pk}))
    assert status.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bia:gaps", "backups:overview", "bia:map-data"])
def test_cached_analysis_never_crosses_the_limit(name, ght, client_for) -> None:
    """The BIA analysis is cached per organization: a limited computation is never served to the whole
    organization, nor the whole organization's to a limited member, whichever comes first."""
    from tests.bia.factories import ResourceFactory
    from tests.factories import MembershipFactory

    shared = ResourceFactory(organization=ght.org, name="Dossier patient informatisé", establishment=None,
                             rto_capability_hours=72)
    populate(ght.org, ght.home, "Saint-Aubin", shared=shared)
    populate(ght.org, ght.other, MARKER, shared=shared)
    everyone = client_for(MembershipFactory(organization=ght.org, role=Role.RPCRA).user)
    limited = client_for(limited_member(ght.org, Role.RPCRA, ght.home))
    url = reverse(name, kwargs={"org_slug": ght.org.slug})
    assert MARKER in everyone.get(url).content.decode()
    assert MARKER not in limited.get(url).content.decode()
    assert MARKER in everyone.get(url).content.decode()


@pytest.mark.django_db
def test_business_owner_links_only_activities_of_their_establishments(ght, client_for) -> None:
    """In an unlimited GHT membership, a chef de service still only picks upstream activities of the
    establishments of their own activities."""
    from apps.bia.models import ActivityLink
    from apps.bia.services import activity_assign_owner
    from tests.factories import MembershipFactory

    ours = populate(ght.org, ght.home, "Saint-Aubin")
    theirs = populate(ght.org, ght.other, MARKER)
    owner = MembershipFactory(organization=ght.org, role=Role.BUSINESS_OWNER).user
    activity_assign_owner(activity=ours["activity"], actor=None, owner=owner)
    client = client_for(owner)
    url = reverse("bia:questionnaire", kwargs={"org_slug": ght.org.slug, "pk": ours["activity"].pk, "step": 4})
    page = client.get(url)
    assert page.status_code == 200
    assert MARKER not in page.content.decode()
    client.post(url, {"action": "add_link", "depends_on": theirs["activity"].pk})
    assert not ActivityLink.objects.filter(activity=ours["activity"]).exists()


@pytest.mark.django_db
def test_the_export_list_says_which_jobs_are_limited(ght, client_for) -> None:  # noqa: ANN001
    """An RPCRA of the whole GHT sees a limited member's export for what it is, not as the full dossier."""
    from tests.exports.factories import ExportJobFactory
    from tests.factories import MembershipFactory

    ExportJobFactory(organization=ght.org, establishment_ids=[ght.home.pk])
    ExportJobFactory(organization=ght.org, establishment_ids=None)
    client = client_for(MembershipFactory(organization=ght.org, role=Role.RPCRA).user)
    body = client.get(reverse("exports:list", kwargs={"org_slug": ght.org.slug})).content.decode()
    assert body.count("limité à : CH de Saint-Aubin") == 1


@pytest.mark.django_db
def test_the_limit_check_of_a_service_does_not_grow_with_the_objects(ght) -> None:  # noqa: ANN001
    """ensure_same_organization checks a plan's perimeter in one query per model, not one per activity."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.services import ensure_same_organization
    from tests.bia.factories import ActivityFactory

    few = [ActivityFactory(organization=ght.org, establishment=ght.home) for _ in range(2)]
    many = [ActivityFactory(organization=ght.org, establishment=ght.home) for _ in range(20)]
    theirs = ActivityFactory(organization=ght.org, establishment=ght.other)
    counts = []
    with tenancy.tenant_scope(ght.org, establishments={ght.home.pk}):
        for objects in (few, many):
            with CaptureQueriesContext(connection) as queries:
                ensure_same_organization(ght.org, [ght.home, *objects])
            counts.append(len(queries))
        with pytest.raises(ValidationError, match="vos établissements"):
            ensure_same_organization(ght.org, [*many, theirs])
    assert counts[0] == counts[1] == 2  # establishments, activities


def test_the_activity_log_of_a_limited_member_holds_their_establishments_only(ght, client_for) -> None:  # noqa: ANN001
    """The organization-wide events (others' logins, role changes, the whole dossier's exports) stay hidden
    from an administrator limited to one establishment; events recorded inside their limit, and their own,
    are listed."""
    from apps.core.models import AuditEvent
    from apps.core.services import audit_log
    from tests.factories import MembershipFactory

    admin = MembershipFactory(organization=ght.org, role=Role.ADMINISTRATOR).user
    audit_log(action=AuditEvent.Action.ROLE_CHANGED, actor=admin, organization=ght.org, target=f"{MARKER} whole")
    with tenancy.tenant_scope(ght.org, establishments={ght.other.pk}):
        audit_log(action=AuditEvent.Action.UPLOAD, actor=admin, organization=ght.org, target=f"{MARKER} other")
    with tenancy.tenant_scope(ght.org, establishments={ght.home.pk}):
        audit_log(action=AuditEvent.Action.UPLOAD, actor=admin, organization=ght.org, target="Saint-Aubin upload")
    limited = limited_member(ght.org, Role.ADMINISTRATOR, ght.home)
    audit_log(action=AuditEvent.Action.LOGIN, actor=limited, organization=ght.org, target="own login")
    body = client_for(limited).get(reverse("tenants:audit", kwargs={"org_slug": ght.org.slug})).content.decode()
    assert "Saint-Aubin upload" in body and "own login" in body
    assert MARKER not in body
    whole = client_for(admin).get(reverse("tenants:audit", kwargs={"org_slug": ght.org.slug})).content.decode()
    assert whole.count(MARKER) >= 2
