"""Reads about organizations and memberships.

Memberships are the tenant boundary itself, so the look-ups below run outside any tenant scope
on purpose (``scopes_disabled``) and always filter by the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, QuerySet, Value, When
from django_scopes import scopes_disabled
from guardian.shortcuts import get_objects_for_user

from apps.tenants.models import Establishment, Invitation, Membership, Organization, Site

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User


#: How many organizations the header's switcher lists (the current one always among them). A consultant may
#: have hundreds: the portfolio lists them all, with search and pages.
SWITCHER_SIZE = 10


@dataclass(frozen=True)
class Switcher:
    """The header's organization switcher: at most ``SWITCHER_SIZE`` memberships, by organization name."""

    memberships: list[Membership]
    more: bool  # the user has other organizations (the portfolio lists them)


def membership_with_switcher(*, user: User, org_slug: str | None) -> tuple[Membership | None, Switcher]:
    """The user's membership of ``org_slug`` (``None`` if they have none) and the switcher's entries, in one
    query: the memberships ordered current organization first, then by name, ``SWITCHER_SIZE + 1`` rows at most."""
    order: list[Any] = ["organization__name", "organization_id"]
    if org_slug:
        order.insert(0, Case(When(organization__slug=org_slug, then=Value(0)), default=Value(1)).asc())
    with scopes_disabled():
        rows = list(Membership.objects.filter(user=user).select_related("organization")
                    .order_by(*order)[: SWITCHER_SIZE + 1])
    membership = rows[0] if rows and org_slug and rows[0].organization.slug == org_slug else None
    shown = sorted(rows[:SWITCHER_SIZE], key=lambda m: (m.organization.name, m.organization_id))
    return membership, Switcher(memberships=shown, more=len(rows) > SWITCHER_SIZE)


def switcher_for(*, user: User | AnonymousUser | None) -> Switcher:
    """The switcher of a page outside any organization (the portfolio, the profile)."""
    if user is None or not user.is_authenticated:
        return Switcher(memberships=[], more=False)
    return membership_with_switcher(user=user, org_slug=None)[1]  # type: ignore[arg-type]


def portfolio_memberships(*, user: User, query: str = "", region: str = "", kind: str = "") -> QuerySet[Membership]:
    """The user's memberships (one per organization), filtered for « Mon portefeuille »."""
    with scopes_disabled():
        qs = Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
        if query:
            qs = qs.filter(organization__name__icontains=query)
        if region:
            qs = qs.filter(organization__region=region)
        if kind:
            qs = qs.filter(organization__kind=kind)
        return qs


def portfolio_rows(*, memberships: list[Membership]) -> list[dict[str, Any]]:
    """One row per membership with the organization's establishment and member counts (two queries)."""
    org_ids = [m.organization_id for m in memberships]
    with scopes_disabled():
        est_counts = dict(
            Establishment.objects.filter(organization_id__in=org_ids)
            .values("organization_id")
            .annotate(n=Count("id"))
            .values_list("organization_id", "n")
        )
        member_counts = dict(
            Membership.objects.filter(organization_id__in=org_ids)
            .values("organization_id")
            .annotate(n=Count("id"))
            .values_list("organization_id", "n")
        )
    return [
        {
            "membership": m,
            "organization": m.organization,
            "establishments": est_counts.get(m.organization_id, 0),
            "members": member_counts.get(m.organization_id, 0),
        }
        for m in memberships
    ]


def establishment_list(*, organization: Organization, membership: Membership | None = None) -> QuerySet[Establishment]:
    """The organization's establishments the member may see (guardian narrows restricted members)."""
    qs = Establishment.objects.filter(organization=organization)
    if membership is not None and membership.restricted_to_establishments:
        # Guardian only narrows inside the organization; never trust a global permission here.
        qs = get_objects_for_user(membership.user, "tenants.view_establishment", klass=qs, accept_global_perms=False)
    return qs.annotate(site_count=Count("sites")).order_by("name")


def site_list(*, organization: Organization, establishment_ids: list[int] | None = None) -> QuerySet[Site]:
    qs = Site.objects.filter(organization=organization).select_related("establishment")
    if establishment_ids is not None:
        qs = qs.filter(establishment_id__in=establishment_ids)
    return qs


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organization=organization, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .prefetch_related("establishments")
    )


def granted_establishment_ids(*, membership: Membership) -> set[int]:
    """The establishments guardian grants this member (whatever ``restricted_to_establishments`` says); read
    through ``Membership.allowed_establishment_ids``, which applies the restriction flag."""
    scope_qs = Establishment.objects.filter(organization_id=membership.organization_id)
    qs = get_objects_for_user(membership.user, "tenants.view_establishment", klass=scope_qs, accept_global_perms=False)
    return set(qs.values_list("id", flat=True))


def limit_names(*, organization: Organization) -> str | None:
    """The establishments the current scope is limited to, as one line (« CH de Saint-Aubin, … »), or ``None``
    when it is not limited: what the banner of every page and the exports' perimeter say."""
    from apps.core import tenancy

    if not tenancy.is_limited():
        return None
    names = Establishment.objects.filter(organization=organization).order_by("name")  # the limited manager
    return ", ".join(str(e) for e in names) or "—"

