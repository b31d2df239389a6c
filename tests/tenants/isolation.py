"""Kwargs factories for the tenants app's URLs (see tests/isolation.py)."""

from tests.factories import EstablishmentFactory, MembershipFactory, SiteFactory


def _establishment(org):  # noqa: ANN001, ANN202
    return {"pk": EstablishmentFactory(organization=org).pk}


def _site(org):  # noqa: ANN001, ANN202
    establishment = EstablishmentFactory(organization=org)
    return {"pk": SiteFactory(organization=org, establishment=establishment).pk}


def _member(org):  # noqa: ANN001, ANN202
    return {"pk": MembershipFactory(organization=org, role="reader").pk}


def _invitation(org):  # noqa: ANN001, ANN202
    from apps.tenants.models import Invitation

    return {"pk": Invitation.objects.create(organization=org, email="invite@hopital.example").pk}


def _history(org):  # noqa: ANN001, ANN202
    return {"model": "tenants.establishment", "pk": EstablishmentFactory(organization=org).pk}


URL_KWARGS = {
    "tenants:establishment-update": _establishment,
    "tenants:site-update": _site,
    "tenants:member-update": _member,
    "tenants:member-remove": _member,
    "tenants:invitation-revoke": _invitation,
    "tenants:history": _history,
}
