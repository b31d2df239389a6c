"""Kwargs factories for the tenants app's URLs (see tests/isolation.py)."""

from tests.establishments import target_establishment
from tests.factories import EstablishmentFactory, MembershipFactory, SiteFactory


def _establishment_in(org):
    return target_establishment() or EstablishmentFactory(organization=org)


def _establishment(org):
    return {"pk": _establishment_in(org).pk}


def _site(org):
    return {"pk": SiteFactory(organization=org, establishment=_establishment_in(org)).pk}


def _member(org):
    return {"pk": MembershipFactory(organization=org, role="reader").pk}


def _invitation(org):
    from apps.tenants.models import Invitation

    return {"pk": Invitation.objects.create(organization=org, email="invite@hopital.example").pk}


def _history(org):
    return {"model": "tenants.establishment", "pk": _establishment_in(org).pk}


URL_KWARGS = {
    "tenants:establishment-update": _establishment,
    "tenants:site-update": _site,
    "tenants:member-update": _member,
    "tenants:member-remove": _member,
    "tenants:invitation-revoke": _invitation,
    "tenants:history": _history,
}

# Objects that belong to no establishment (members and invitations are the organization's).
ORG_WIDE = {"tenants:member-update", "tenants:member-remove", "tenants:invitation-revoke"}
