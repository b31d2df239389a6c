"""Onboarding a client organization: who may, and the one all-or-nothing write.

« The right to create organizations »: a platform administrator (``is_staff``), or a user granted the model
permission ``tenants.add_organization`` by a platform administrator (admin › Utilisateurs › Permissions), i.e. a
consultant firm's account trusted to open its clients. The created organization gets the defaults every
organization starts with (``apps.tenants.defaults``), its establishments (FINESS EJ) and sites (FINESS EG) with
their weights in the 66 % rule, and an invitation to its first administrator. A consultant who creates it becomes
its consultant member; a platform administrator does not become a member (they reach no client data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.tenancy import tenant_scope
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import establishment_create, invitation_create, organization_create, site_create
from apps.tenants.validators import normalize_finess

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User

CREATE_PERMISSION = "tenants.add_organization"


def can_create_organizations(user: User | AnonymousUser) -> bool:
    """Platform administrators, and the users a platform administrator granted ``tenants.add_organization``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.has_perm(CREATE_PERMISSION))


def unique_slug(name: str, wanted: str = "") -> str:
    """The address of a new organization: the one typed, else derived from the name (« -2 », « -3 » if taken)."""
    if wanted:
        return wanted
    base = (slugify(name) or "organisation")[:55].strip("-")
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """A row's errors under the row's form prefix (``establishments-0-finess_ej``) so the page puts each one
    next to its field."""
    if hasattr(error, "error_dict"):
        return ValidationError({f"{prefix}-{field}" if field != "__all__" else prefix: errors
                                for field, errors in error.error_dict.items()})
    return ValidationError({prefix: error.messages})


@transaction.atomic
def organization_onboard(*, actor: User, organization: dict[str, Any], establishments: list[dict[str, Any]],
                         sites: list[dict[str, Any]], first_admin_email: str,
                         request: HttpRequest | None = None) -> Organization:
    """Create a client organization in one transaction: nothing is created if any part is refused.

    ``organization``: name, slug (optional), kind, region. ``establishments``: the fields of
    ``apps.tenants.services.establishment_create``. ``sites``: those of ``site_create`` with, instead of the
    establishment, ``establishment_finess`` — the FINESS EJ of one of ``establishments``. Errors raised for a
    row are keyed ``establishments-<i>-<field>`` / ``sites-<i>-<field>``.
    """
    if not can_create_organizations(actor):
        raise PermissionDenied
    if not establishments:
        raise ValidationError({"establishments": _("Add at least one establishment (FINESS EJ).")})
    creator_role = None if actor.is_staff else Role.CONSULTANT
    name = organization["name"].strip()
    org = organization_create(
        actor=actor, name=name, slug=unique_slug(name, organization.get("slug") or ""),
        kind=organization["kind"], region=organization.get("region") or "", creator_role=None)
    # Everything below runs in the new organization's scope (a page outside /o/<slug>/ has none).
    with tenant_scope(org):
        if creator_role is not None:
            membership = Membership(organization=org, user=actor, role=creator_role)
            membership.full_clean()
            membership.save()
        by_finess: dict[str, Establishment] = {}
        for index, data in enumerate(establishments):
            try:
                establishment = establishment_create(organization=org, actor=actor, data=data)
            except ValidationError as error:
                raise _prefixed(error, f"establishments-{index}") from error
            by_finess[establishment.finess_ej] = establishment
        for index, data in enumerate(sites):
            parent = by_finess.get(normalize_finess(data.get("establishment_finess", "")))
            if parent is None:
                raise ValidationError({f"sites-{index}-establishment_finess": _(
                    "No establishment above has this FINESS EJ.")})
            try:
                site_create(organization=org, actor=actor,
                            data={**{k: v for k, v in data.items() if k != "establishment_finess"},
                                  "establishment": parent})
            except ValidationError as error:
                raise _prefixed(error, f"sites-{index}") from error
        try:
            invitation_create(organization=org, actor=actor, email=first_admin_email, role=Role.ADMINISTRATOR,
                              request=request)
        except ValidationError as error:
            raise ValidationError({"first_admin_email": error.messages}) from error
        audit_log(action=AuditEvent.Action.ORGANIZATION_CREATED, actor=actor, organization=org, target=org.name,
                  details={"establishments": len(establishments), "sites": len(sites),
                           "creator_role": creator_role or ""}, request=request)
    return org
