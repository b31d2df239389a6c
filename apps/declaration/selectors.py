"""Reads of the declaration for its reviewers (« relecteurs », ``apps.declaration.models.ReviewerGrant``).

A reviewer reads only the **signed** versions (``DeclarationVersion.Status.SIGNED``): a version whose files are
still being produced, or could not be, is not the declaration the direction filed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import CharField, Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django_scopes import scopes_disabled

from apps.core.models import AuditEvent
from apps.declaration.models import DeclarationVersion, ReviewerGrant

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

# What counts as one access of a reviewer (``services.reviewer_access_record``).
ACCESS_ACTIONS = (AuditEvent.Action.REVIEWER_VIEWED, AuditEvent.Action.DOWNLOAD)


def _accesses() -> QuerySet[AuditEvent]:
    return (AuditEvent.objects.filter(organization=OuterRef("organization"), action__in=ACCESS_ACTIONS)
            .alias(grant_id=KeyTextTransform("grant", "details"))
            .filter(grant_id=Cast(OuterRef("pk"), CharField())).order_by())


def reviewer_grant_list(*, organization: Organization) -> QuerySet[ReviewerGrant]:
    """The organization's reviewer accesses, newest first, each with ``access_count`` and ``last_access_at``
    derived from the audit log (two subqueries: one query whatever the number of accesses)."""
    accesses = _accesses()
    return (ReviewerGrant.objects.filter(organization=organization).select_related("user", "invited_by", "revoked_by")
            .annotate(access_count=Coalesce(Subquery(accesses.values("organization").annotate(n=Count("pk"))
                                                     .values("n")[:1], output_field=IntegerField()), Value(0)),
                      last_access_at=Subquery(accesses.order_by("-created_at").values("created_at")[:1])))


def reviewer_grants_for(*, user: User) -> list[ReviewerGrant]:
    """Every access bound to ``user``, in every organization (the reviewer's home), with the organization and the
    number of signed versions; outside any tenant scope by nature, hence read with scopes disabled."""
    with scopes_disabled():
        signed = (DeclarationVersion.objects.filter(organization=OuterRef("organization"),
                                                    status=DeclarationVersion.Status.SIGNED)
                  .order_by().values("organization").annotate(n=Count("pk")).values("n")[:1])
        return list(ReviewerGrant.objects.filter(user=user).select_related("organization")
                    .annotate(signed_count=Coalesce(Subquery(signed, output_field=IntegerField()), Value(0)))
                    .order_by("organization__name", "-expires_at"))


def reviewer_has_access(*, user: User) -> bool:
    """Does ``user`` hold a running reviewer access somewhere (the portfolio sends such a non-member home)?"""
    with scopes_disabled():
        return ReviewerGrant.objects.filter(ReviewerGrant.running(), user=user).exists()


def reviewer_grant_of(*, user: User, grant_id: int) -> ReviewerGrant | None:
    """The access ``grant_id`` if it is bound to ``user`` (else None, whatever its state)."""
    with scopes_disabled():
        return ReviewerGrant.objects.select_related("organization").filter(pk=grant_id, user=user).first()


def reviewer_versions(*, grant: ReviewerGrant) -> QuerySet[DeclarationVersion]:
    """The signed versions the grant's reviewer may read, newest first (run inside the organization's scope)."""
    if not grant.is_active:
        return DeclarationVersion.objects.none()
    return DeclarationVersion.objects.filter(organization=grant.organization, status=DeclarationVersion.Status.SIGNED)
