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
from django.utils.translation import gettext as _

from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.declaration import snapshot
from apps.declaration.models import DeclarationVersion
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
