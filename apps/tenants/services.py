"""Writes for organizations, establishments, sites, memberships and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.core.models import AuditEvent
from apps.core.services import audit_log, ensure_same_organization, model_update
from apps.core.tasks import enqueue_on_commit
from apps.tenants.defaults import organization_defaults_ensure
from apps.tenants.models import Establishment, Invitation, Membership, Organization, Site
from apps.tenants.roles import Role
from apps.tenants.validators import normalize_finess

if TYPE_CHECKING:
    from apps.accounts.models import User

ORGANIZATION_FIELDS = ["name", "kind", "region", "ecare_number", "candidacy_submitted_on", "declaration_submitted_on",
                       "mfa_required", "language"]
WEIGHT_FIELDS = ["activity_share", "activity_share_basis", "activity_share_date", "absent_perimeters",
                 "absent_perimeters_reason"]
ESTABLISHMENT_FIELDS = ["name", "short_name", "finess_ej", "legal_status", *WEIGHT_FIELDS]
SITE_FIELDS = ["establishment", "name", "finess_eg", "city", *WEIGHT_FIELDS]


@transaction.atomic
def organization_create(*, actor: User | None, name: str, slug: str, kind: str, region: str = "",
                        ecare_number: str = "", mfa_required: bool = False,
                        creator_role: str | None = Role.ADMINISTRATOR) -> Organization:
    """Create a candidate organization with its defaults (``apps.tenants.defaults``); its creator
    becomes a member with ``creator_role`` (its first administrator by default; ``None``: not a member, as a
    platform administrator who onboards a client, ``apps.onboarding``)."""
    organization = Organization(
        name=name, slug=slug, kind=kind, region=region, ecare_number=ecare_number, mfa_required=mfa_required
    )
    organization.full_clean()
    organization.save()
    organization_defaults_ensure(organization=organization)
    if actor is not None and creator_role is not None:
        membership = Membership(organization=organization, user=actor, role=creator_role)
        membership.full_clean()
        membership.save()
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor: User | None, data: dict[str, Any],
                        request: HttpRequest | None = None) -> Organization:
    before = {f: getattr(organization, f) for f in ORGANIZATION_FIELDS}
    organization, changed = model_update(instance=organization, data=data, fields=ORGANIZATION_FIELDS)
    if changed:
        diff = {f: [str(before[f]), str(getattr(organization, f))] for f in ORGANIZATION_FIELDS
                if before[f] != getattr(organization, f)}
        audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=organization,
                  target=organization.name, details=diff, request=request)
    return organization


def _clean_finess(data: dict[str, Any], key: str) -> dict[str, Any]:
    if data.get(key):
        data = {**data, key: normalize_finess(data[key])}
    return data


@transaction.atomic
def establishment_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> Establishment:
    data = _clean_finess(data, "finess_ej")
    establishment = Establishment(organization=organization, **{f: data[f] for f in ESTABLISHMENT_FIELDS if f in data})
    establishment.full_clean()
    establishment.save()
    return establishment


@transaction.atomic
def establishment_update(*, establishment: Establishment, actor: User | None, data: dict[str, Any]) -> Establishment:
    data = _clean_finess(data, "finess_ej")
    establishment, _changed = model_update(instance=establishment, data=data, fields=ESTABLISHMENT_FIELDS)
    return establishment


def _check_site_establishment(organization: Organization, establishment: Establishment) -> None:
    ensure_same_organization(organization, {"establishment": establishment})


@transaction.atomic
def site_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> Site:
    data = _clean_finess(data, "finess_eg")
    _check_site_establishment(organization, data["establishment"])
    site = Site(organization=organization, **{f: data[f] for f in SITE_FIELDS if f in data})
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_update(*, site: Site, actor: User | None, data: dict[str, Any]) -> Site:
    data = _clean_finess(data, "finess_eg")
    if "establishment" in data:
        _check_site_establishment(site.organization, data["establishment"])
    site, _changed = model_update(instance=site, data=data, fields=SITE_FIELDS)
    return site


# --- Members and invitations --------------------------------------------------------------------

def _set_establishment_grants(*, membership: Membership, restricted: bool,
                              establishments: Iterable[Establishment]) -> None:
    """Guardian grants for a restricted member; always limited to the member's organization."""
    organization_establishments = list(Establishment.objects.filter(organization=membership.organization))
    wanted = {e.pk for e in establishments if e.organization_id == membership.organization_id} if restricted else set()
    for establishment in organization_establishments:
        if establishment.pk in wanted:
            assign_perm("tenants.view_establishment", membership.user, establishment)
        else:
            remove_perm("tenants.view_establishment", membership.user, establishment)


def _administrator_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.ADMINISTRATOR).count()


@transaction.atomic
def invitation_create(*, organization: Organization, actor: User | None, email: str, role: str,
                      establishments: Iterable[Establishment] = (), request: HttpRequest | None = None) -> Invitation:
    """Invite someone by e-mail; the worker sends it once the transaction commits."""
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organization.")})
    Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation(organization=organization, email=email, role=role, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    invitation.establishments.set([e for e in establishments if e.organization_id == organization.id])
    audit_log(action=AuditEvent.Action.MEMBER_INVITED, actor=actor, organization=organization, target=email,
              details={"role": role}, request=request)
    from apps.tenants.tasks import send_invitation

    enqueue_on_commit(send_invitation, organization, invitation.pk, user=actor)
    return invitation


def invitation_send(*, organization: Organization, invitation_id: int) -> bool:
    """E-mail the invitation with its acceptance link (the worker's job, in the inviter's language).

    Nothing is sent for an invitation revoked or accepted before the worker got to it.
    """
    invitation = (Invitation.objects.filter(organization=organization, pk=invitation_id)
                  .select_related("organization", "invited_by").first())
    if invitation is None or not invitation.is_pending:
        return False
    accept_url = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", kwargs={"token": invitation.token})
    context = {"invitation": invitation, "accept_url": accept_url}
    subject = _("Invitation to join %(org)s on Resilis") % {"org": organization.name}
    body = render_to_string("tenants/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    return True


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, request: HttpRequest | None = None) -> Membership:
    """Turn a pending invitation into a membership for ``user`` (whose e-mail must match)."""
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer valid."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    establishments = list(invitation.establishments.all())
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    if created:
        membership.restricted_to_establishments = bool(establishments)
        membership.save(update_fields=["restricted_to_establishments"])
        _set_establishment_grants(membership=membership, restricted=bool(establishments), establishments=establishments)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_log(action=AuditEvent.Action.INVITATION_ACCEPTED, actor=user, organization=invitation.organization,
              target=user.email, details={"role": membership.role}, request=request)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None, request: HttpRequest | None = None) -> Invitation:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_log(action=AuditEvent.Action.INVITATION_REVOKED, actor=actor, organization=invitation.organization,
              target=invitation.email, request=request)
    return invitation


@transaction.atomic
def membership_update(*, membership: Membership, actor: User | None, role: str, restricted: bool,
                      establishments: Iterable[Establishment], request: HttpRequest | None = None) -> Membership:
    """Change a member's role and establishment restriction; an organization keeps an administrator."""
    organization = membership.organization
    if membership.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR and _administrator_count(organization) <= 1:
        raise ValidationError({"role": _("The organization must keep at least one administrator.")})
    establishments = list(establishments)
    if restricted and not establishments:
        raise ValidationError({"establishments": _("Choose at least one establishment, or remove the limitation.")})
    old_role = membership.role
    membership.role = role
    membership.restricted_to_establishments = restricted
    membership.full_clean()
    membership.save(update_fields=["role", "restricted_to_establishments", "updated_at"])
    _set_establishment_grants(membership=membership, restricted=restricted, establishments=establishments)
    if old_role != role:
        audit_log(action=AuditEvent.Action.ROLE_CHANGED, actor=actor, organization=organization,
                  target=membership.user.email, details={"from": old_role, "to": role}, request=request)
    audit_log(action=AuditEvent.Action.ACCESS_RESTRICTED, actor=actor, organization=organization,
              target=membership.user.email,
              details={"restricted": restricted, "establishments": [str(e) for e in establishments]}, request=request)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User | None, request: HttpRequest | None = None) -> None:
    organization = membership.organization
    if membership.role == Role.ADMINISTRATOR and _administrator_count(organization) <= 1:
        raise ValidationError(_("The organization must keep at least one administrator."))
    _set_establishment_grants(membership=membership, restricted=False, establishments=[])
    email = membership.user.email
    membership.delete()
    audit_log(action=AuditEvent.Action.MEMBER_REMOVED, actor=actor, organization=organization, target=email,
              request=request)
