"""Writes of the expense lines: create, update, delete — keyword-only, atomic, validated, audited.

The eligibility rule (DOMAIN.md §10, ANS FAQ): only real costs engaged during the operational phase, that is
from the publication of the arrêté (``Catalogue.operational_phase_start``, 16/07/2025, accepted itself) count.
Internal staff time rests on a lettre de mission: a line of that category needs one. The invoice and the
lettre de mission are evidence files (``apps.compliance.services.evidence_upload``: size and real type
checked, SHA-256, audited upload), linked to the line so that the evidence library's establishment limit
applies to them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.compliance.services import evidence_upload
from apps.costs.models import Category, CostLine

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.accounts.models import User
    from apps.tenants.models import Organization

FIELDS = ("engaged_on", "category", "label", "supplier", "invoice_reference", "amount_ht", "amount_ttc",
          "requirement_ids", "establishment", "proof", "mission_letter", "note")


def eligibility_start() -> Any:
    """The first eligible day: the start of the operational phase, from the catalogue in force."""
    return current_catalogue().operational_phase_start


def _validate(line: CostLine, *, mission_letter_coming: bool = False) -> None:
    errors: dict[str, list[str]] = {}
    start = eligibility_start()
    if line.engaged_on and line.engaged_on < start:
        errors.setdefault("engaged_on", []).append(_(
            "Only costs engaged from %(date)s (publication of the arrêté of 3 July 2025, start of the operational "
            "phase) are eligible to CaRE Domaine 2: this cost cannot be declared.") % {
            "date": formats.date_format(start, "SHORT_DATE_FORMAT")})
    if line.amount_ht is not None and line.amount_ht < 0:
        errors.setdefault("amount_ht", []).append(_("An amount cannot be negative."))
    if line.amount_ttc is not None and line.amount_ttc < 0:
        errors.setdefault("amount_ttc", []).append(_("An amount cannot be negative."))
    elif line.amount_ttc is not None and line.amount_ht is not None and line.amount_ttc < line.amount_ht:
        errors.setdefault("amount_ttc", []).append(_("The amount including VAT cannot be lower than the amount "
                                                     "excluding VAT."))
    known = [r.id for r in current_catalogue().requirements]
    unknown = [r for r in line.requirement_ids if r not in known]
    if unknown:
        errors.setdefault("requirement_ids", []).append(
            _("Unknown CaRE requirement: %(ids)s.") % {"ids": ", ".join(unknown)})
    elif not line.requirement_ids:
        errors.setdefault("requirement_ids", []).append(_("Name at least one objective this cost serves."))
    line.requirement_ids = [r for r in known if r in line.requirement_ids]
    if line.category == Category.INTERNAL_STAFF and not line.mission_letter_id and not mission_letter_coming:
        errors.setdefault("mission_letter", []).append(_(
            "Internal staff time is eligible on the lettre de mission it rests on: choose or upload it."))
    for name in ("proof", "mission_letter"):
        evidence = getattr(line, name)
        if evidence is not None and (evidence.organization_id != line.organization_id or evidence.is_deleted):
            errors.setdefault(name, []).append(_("Unknown evidence file."))
    if errors:
        raise ValidationError(errors)


def _apply(line: CostLine, data: dict[str, Any]) -> list[str]:
    changed = []
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("supplier", "invoice_reference", "label", "note"):
            value = (value or "").strip()
        if name == "requirement_ids":
            value = list(value or [])
        if name in ("establishment", "proof", "mission_letter"):
            current: Any = getattr(line, f"{name}_id")
            compared = value.pk if value is not None else None
        else:
            current, compared = getattr(line, name), value
        if current != compared:
            setattr(line, name, value)
            changed.append(name)
    return changed


def _attach_files(*, line: CostLine, actor: User | None, proof_upload: UploadedFile | None,
                  mission_letter_upload: UploadedFile | None, request: HttpRequest | None) -> None:
    """Store the files as evidence; a refused file is reported next to its own field."""
    for field_name, upload in (("proof_upload", proof_upload), ("mission_letter_upload", mission_letter_upload)):
        if upload is None:
            continue
        try:
            _attach_one(line=line, actor=actor, field_name=field_name, upload=upload, request=request)
        except ValidationError as error:
            raise ValidationError({field_name: error.messages}) from error


def _attach_one(*, line: CostLine, actor: User | None, field_name: str, upload: UploadedFile,
                request: HttpRequest | None) -> None:
    proof_upload = upload if field_name == "proof_upload" else None
    mission_letter_upload = upload if field_name == "mission_letter_upload" else None
    if proof_upload is not None:
        line.proof = evidence_upload(
            organization=line.organization, actor=actor, upload=proof_upload,
            title=_("Invoice %(reference)s") % {"reference": line.invoice_reference or line.label},
            document_date=line.engaged_on, kind=Evidence.Kind.OTHER, linked_object=line, request=request)
    if mission_letter_upload is not None:
        line.mission_letter = evidence_upload(
            organization=line.organization, actor=actor, upload=mission_letter_upload,
            title=_("Lettre de mission — %(label)s") % {"label": line.label}, document_date=line.engaged_on,
            kind=Evidence.Kind.MISSION_LETTER, linked_object=line, request=request)


@transaction.atomic
def cost_line_create(*, organization: Organization, actor: User | None, data: dict[str, Any],
                     proof_upload: UploadedFile | None = None, mission_letter_upload: UploadedFile | None = None,
                     request: HttpRequest | None = None) -> CostLine:
    """Record a cost engaged for CaRE D2 objectives (refused before the operational phase, see the module)."""
    line = CostLine(organization=organization, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _apply(line, data)
    _validate(line, mission_letter_coming=mission_letter_upload is not None)
    line.full_clean()
    line.save()  # the files are linked to the saved line
    if proof_upload is not None or mission_letter_upload is not None:
        _attach_files(line=line, actor=actor, proof_upload=proof_upload,
                      mission_letter_upload=mission_letter_upload, request=request)
        line.save(update_fields=["proof", "mission_letter", "updated_at"])
    return line


@transaction.atomic
def cost_line_update(*, line: CostLine, actor: User | None, data: dict[str, Any],
                     proof_upload: UploadedFile | None = None, mission_letter_upload: UploadedFile | None = None,
                     request: HttpRequest | None = None) -> CostLine:
    _apply(line, data)
    _attach_files(line=line, actor=actor, proof_upload=proof_upload, mission_letter_upload=mission_letter_upload,
                  request=request)
    _validate(line)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def cost_line_delete(*, line: CostLine, actor: User | None) -> None:
    """The row goes (its history stays, pghistory); its invoice stays in the evidence library."""
    line.delete()


def money(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"))
