"""Writes of the declaration: sign (MFA re-authentication required) and freeze the signed files.

Signing (``declaration_sign``) is the direction's act (capability ``declaration.sign``). It is refused unless the
signatory has an MFA authenticator (TOTP or WebAuthn) **and** re-authenticated with it within
``SIGN_REAUTH_SECONDS`` (allauth's « mfa_reauthenticate » records it in the session). It records the version
(text, name, function, date, snapshot and its checksum) and asks the export worker for the files
(``ExportJob.Kind.DECLARATION``, rendered by ``apps.declaration.freeze``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.declaration import snapshot
from apps.declaration.models import DeclarationVersion, ReviewerGrant
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.accounts.models import User

SIGN_REAUTH_SECONDS = 300
MFA_METHOD = "mfa"


class SignatureRefused(PermissionDenied):
    """The signatory lacks MFA or a fresh MFA re-authentication (the message says which)."""

    def __init__(self, message: str, *, needs_reauth: bool) -> None:
        super().__init__(message)
        self.message = message
        self.needs_reauth = needs_reauth


def recent_mfa(request: HttpRequest, user: User, *, within: int = SIGN_REAUTH_SECONDS) -> bool:
    """Whether the session holds an MFA authentication of ``user`` less than ``within`` seconds old."""
    from allauth.account.internal.flows.login import get_authentication_records

    now = time.time()
    return any(record.get("method") == MFA_METHOD and now - float(record.get("at", 0)) <= within
               for record in get_authentication_records(request, user))


def check_signatory(*, request: HttpRequest, user: User) -> None:
    if not user.has_mfa:
        raise SignatureRefused(_("Signing the declaration requires two-factor authentication: set it up in your "
                                 "profile first, then come back to sign."), needs_reauth=False)
    if not recent_mfa(request, user):
        raise SignatureRefused(_("Confirm your identity with your second factor (a code from your application "
                                 "or your security key) just before signing."), needs_reauth=True)


def default_text(organization: Organization) -> str:
    return _("I, the undersigned, legal representative of %(name)s, declare that the objectives of the CaRE "
             "Domaine 2 programme marked as reached in this dossier are reached, and certify that the costs listed "
             "were really engaged from 16/07/2025 for these objectives.") % {"name": organization.name}


@transaction.atomic
def declaration_sign(*, organization: Organization, actor: User, request: HttpRequest, signer_function: str,
                     text: str) -> DeclarationVersion:
    """Freeze a declaration version signed by ``actor`` (see the module: MFA re-authentication required)."""
    from apps.core import tenancy
    from apps.exports.models import ExportJob
    from apps.exports.services import export_job_create

    if tenancy.is_limited():  # the declaration covers the whole candidate, never a member's establishments
        raise PermissionDenied(_("Only a member who sees every establishment can sign the declaration."))
    check_signatory(request=request, user=actor)
    if not signer_function.strip():
        raise ValidationError({"signer_function": _("Give the function in which you sign.")})
    if not text.strip():
        raise ValidationError({"text": _("The declaration text cannot be empty.")})
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    number = (DeclarationVersion.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0) + 1
    content = snapshot.take(organization=organization)
    version = DeclarationVersion(
        organization=organization, number=number, text=text.strip(), signer=actor,
        signer_name=actor.get_full_name() or actor.email, signer_function=signer_function.strip(),
        signed_at=timezone.now(), snapshot=content, content_sha256=snapshot.checksum(content))
    version.full_clean(exclude=["job"])
    version.save()
    version.job = export_job_create(organization=organization, actor=actor, kind=ExportJob.Kind.DECLARATION,
                                    parameters={"declaration": version.pk})
    version.save(update_fields=["job", "updated_at"])
    audit_log(action=AuditEvent.Action.EXPORT_REQUESTED, actor=actor, organization=organization,
              target=str(version), details={"declaration": version.pk, "signed": True,
                                            "content_sha256": version.content_sha256}, request=request)
    return version


def latest_signed(*, organization: Organization) -> DeclarationVersion | None:
    return (DeclarationVersion.objects.filter(organization=organization, status=DeclarationVersion.Status.SIGNED)
            .order_by("-number").first())


def changes_since(*, organization: Organization, version: DeclarationVersion | None) -> list[str]:
    if version is None:
        return []
    return snapshot.diff(version.snapshot, snapshot.take(organization=organization))


def describe(version: DeclarationVersion) -> dict[str, Any]:
    return {"version": version, "files": version.files}


# --- The reviewer's access (« relecteur ») -------------------------------------------------------------------
# Who invites: the holders of ``declaration.sign`` (the direction, the administrator). The signatory answers to
# the ARS for the declaration, so they decide who outside the organization reads it; ``org.manage`` alone
# (the administrator) would leave out the director, who is the ARS's counterpart.

def _access_days(days: int) -> int:
    from apps.declaration.models import REVIEW_DAYS_MAX

    if not 1 <= days <= REVIEW_DAYS_MAX:
        raise ValidationError({"days": _("Choose between 1 and %(max)d days.") % {"max": REVIEW_DAYS_MAX}})
    return days


@transaction.atomic
def reviewer_invite(*, organization: Organization, actor: User, email: str, days: int,
                    request: HttpRequest | None = None) -> ReviewerGrant:
    """Invite an external reviewer by e-mail to read the signed declaration for ``days`` days (1 to 90, counted
    from now: the link and the access end together). The worker sends the e-mail once the transaction commits.

    Refused for a member (they already read it) and while the same address holds a pending or active access
    (revoke it first: one access per person at a time keeps the list and the audit readable).
    """
    from datetime import timedelta

    from apps.core.tasks import enqueue_on_commit
    from apps.tenants.models import Membership

    email = email.strip().lower()
    days = _access_days(days)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is a member of the organization: they already read the "
                                          "declaration.")})
    current = ReviewerGrant.objects.filter(ReviewerGrant.running(), organization=organization,
                                           email__iexact=email).first()
    if current is not None:
        raise ValidationError({"email": _("This address already has a reviewer access until %(date)s: revoke it "
                                          "first to give a new one.") % {
            "date": date_format(timezone.localtime(current.expires_at), "SHORT_DATE_FORMAT")}})
    grant = ReviewerGrant(organization=organization, email=email, days=days, invited_by=actor,
                          expires_at=timezone.now() + timedelta(days=days))
    grant.full_clean()
    grant.save()
    audit_log(action=AuditEvent.Action.REVIEWER_INVITED, actor=actor, organization=organization, target=email,
              details={"grant": grant.pk, "days": days}, request=request)
    from apps.declaration.tasks import send_reviewer_invitation

    enqueue_on_commit(send_reviewer_invitation, organization, grant.pk, user=actor)
    return grant


def reviewer_invitation_send(*, organization: Organization, grant_id: int) -> bool:
    """E-mail the invitation with its single-use link (the worker's job, in the inviter's language).

    Nothing is sent for an access revoked, expired or accepted before the worker got to it.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse


    grant = (ReviewerGrant.objects.filter(organization=organization, pk=grant_id)
             .select_related("organization", "invited_by").first())
    if grant is None or not grant.is_pending:
        return False
    accept_url = settings.SITE_URL.rstrip("/") + reverse("review:accept", kwargs={"token": grant.token})
    body = render_to_string("declaration/email/reviewer_invitation.txt", {"grant": grant, "accept_url": accept_url})
    subject = _("Read the signed declaration of %(org)s on Resilis") % {"org": organization.name}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [grant.email])
    return True


@transaction.atomic
def reviewer_accept(*, grant: ReviewerGrant, user: User, request: HttpRequest | None = None) -> ReviewerGrant:
    """Bind a pending access to ``user``, whose e-mail must be the invited one. The link works once."""

    # Locked: two clicks on the link at once bind it once.
    grant = ReviewerGrant.objects.select_for_update().get(organization=grant.organization, pk=grant.pk)
    if not grant.is_pending:
        raise ValidationError(_("This invitation is no longer valid."))
    if user.email.lower() != grant.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    grant.user, grant.accepted_at = user, timezone.now()
    grant.save(update_fields=["user", "accepted_at", "updated_at"])
    audit_log(action=AuditEvent.Action.REVIEWER_ACCEPTED, actor=user, organization=grant.organization,
              target=user.email, details={"grant": grant.pk}, request=request)
    return grant


@transaction.atomic
def reviewer_revoke(*, grant: ReviewerGrant, actor: User, request: HttpRequest | None = None) -> ReviewerGrant:
    """End an access now (pending or active); an access already ended is left as it is."""
    if grant.revoked_at is not None or grant.expires_at <= timezone.now():
        raise ValidationError(_("This access has already ended."))
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_log(action=AuditEvent.Action.REVIEWER_REVOKED, actor=actor, organization=grant.organization,
              target=grant.email, details={"grant": grant.pk}, request=request)
    return grant


def reviewer_access_record(*, grant: ReviewerGrant, request: HttpRequest, version: DeclarationVersion | None = None,
                           file: dict[str, Any] | None = None) -> AuditEvent:
    """Audit one access of a reviewer: a page view (``REVIEWER_VIEWED``) or a file download (``DOWNLOAD``, with
    the file's name and checksum), each carrying the grant's id (``apps.declaration.selectors`` counts them)."""
    details: dict[str, Any] = {"grant": grant.pk, "reviewer": grant.email}
    if version is not None:
        details["declaration"] = version.pk
    if file is not None:
        details["sha256"] = file["sha256"]
        return audit_log(action=AuditEvent.Action.DOWNLOAD, actor=grant.user, organization=grant.organization,
                         target=file["name"], details=details, request=request)
    return audit_log(action=AuditEvent.Action.REVIEWER_VIEWED, actor=grant.user, organization=grant.organization,
                     target=grant.email, details=details, request=request)
