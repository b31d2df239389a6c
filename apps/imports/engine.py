"""The import engine: what each kind of import accepts, the column mapping guessed from the file's headers,
and the row-by-row check that gives the preview (new, updated, unchanged, refused with the reason).

Names and codes are matched with accents, case, punctuation and spacing ignored (``normalise``: Unicode
NFKD, combining marks dropped, casefolded): « Dossier Patient Informatisé » in the file is the resource
« dossier patient informatise » already in Resilis. Every cell is checked here whatever the file's own tool
allowed; the writes themselves go through the BIA services (``apps.imports.services.import_apply``), which
validate again.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia.models import (
    MAX_HOURS,
    Activity,
    ActivityDependency,
    ActivityLink,
    CarePerimeter,
    Resource,
    ResourceDependency,
)
from apps.core import spreadsheets
from apps.core.text import normalise
from apps.imports.models import ImportKind
from apps.tenants.models import Establishment, Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

NEW, UPDATED, UNCHANGED, REFUSED = "new", "updated", "unchanged", "refused"
STATUS_LABELS = {NEW: gettext_lazy("New"), UPDATED: gettext_lazy("Updated"),
                 UNCHANGED: gettext_lazy("Unchanged"), REFUSED: gettext_lazy("Refused")}


@dataclass(frozen=True)
class Field:
    key: str
    label: StrPromise
    type: str  # text, hours, int, bool, date, kind, establishment, perimeter, end
    required: bool = False
    synonyms: tuple[str, ...] = ()
    max_length: int = 4000

    def names(self) -> set[str]:
        return {normalise(self.key), normalise(str(self.label))} | {normalise(s) for s in self.synonyms}


FIELDS: dict[str, list[Field]] = {
    ImportKind.RESOURCES: [
        Field("name", gettext_lazy("Name"), "text", True, ("nom", "libelle", "intitule", "designation", "application",
                                                   "logiciel", "nom de l application", "nom application",
                                                   "ressource", "fournisseur", "resource"), 200),
        Field("catalogue_code", gettext_lazy("Code"), "text", False, ("code", "reference", "ref", "identifiant", "id",
                                                            "code application", "code ressource"), 60),
        Field("kind", gettext_lazy("Kind of resource"), "kind", False, ("type", "categorie", "category", "nature",
                                                              "type de ressource")),
        Field("description", gettext_lazy("Description"), "text", False, ("commentaire", "comment", "fonction", "usage")),
        Field("vendor", gettext_lazy("Vendor / product"), "text", False, ("editeur", "vendor", "produit", "fabricant",
                                                               "editeur produit", "solution"), 200),
        Field("establishment", gettext_lazy("Establishment"), "establishment", False, ("etablissement", "finess",
                                                                             "finess ej", "entite")),
        Field("is_saas", gettext_lazy("SaaS or outsourced hosting"), "bool", False, ("saas", "heberge", "hebergement externe",
                                                                          "externalise", "cloud")),
        Field("rto_capability_hours", gettext_lazy("Promised recovery time (RTO, hours)"), "hours", False,
              ("rto", "rto h", "rto heures", "duree de reprise", "delai de reprise")),
        Field("rpo_capability_hours", gettext_lazy("Promised data loss (RPO, hours)"), "hours", False,
              ("rpo", "rpo h", "rpo heures", "perte de donnees")),
        Field("contract_reference", gettext_lazy("Contract reference"), "text", False, ("contrat", "reference contrat",
                                                                              "n contrat", "numero de contrat"), 120),
        Field("contract_end", gettext_lazy("Contract end"), "date", False, ("fin de contrat", "echeance", "date de fin",
                                                                  "fin contrat")),
        Field("sla", gettext_lazy("Service level agreement (SLA)"), "text", False, ("sla", "niveau de service"), 255),
        Field("contact_24_7", gettext_lazy("24/7 contact"), "text", False, ("contact", "astreinte", "contact 24 7",
                                                                  "support"), 255),
    ],
    ImportKind.ACTIVITIES: [
        Field("name", gettext_lazy("Name"), "text", True, ("nom", "activite", "activity", "libelle", "intitule",
                                                   "nom de l activite"), 200),
        Field("catalogue_code", gettext_lazy("Code"), "text", False, ("code", "reference", "identifiant", "id",
                                                            "code activite"), 60),
        Field("establishment", gettext_lazy("Establishment"), "establishment", False, ("etablissement", "finess",
                                                                             "finess ej", "entite")),
        Field("pole", gettext_lazy("Pôle"), "text", False, ("pole", "pole d activite"), 200),
        Field("service", gettext_lazy("Service / functional unit"), "text", False, ("service", "uf", "unite fonctionnelle",
                                                                           "unite"), 200),
        Field("process", gettext_lazy("Process"), "text", False, ("processus", "macro processus"), 200),
        Field("description", gettext_lazy("Description"), "text", False, ("commentaire", "comment")),
        Field("care_perimeter", gettext_lazy("CaRE perimeter"), "perimeter", False, ("perimetre", "perimetre care", "care")),
        Field("recovery_priority", gettext_lazy("Recovery priority"), "int", False, ("priorite", "priorite de reprise",
                                                                           "ordre de reprise")),
    ],
    ImportKind.DEPENDENCIES: [
        Field("source", gettext_lazy("Depends (activity or resource)"), "end", True,
              ("source", "de", "from", "activite", "element", "qui depend", "depend", "activite ou ressource")),
        Field("source_type", gettext_lazy("Kind of the dependent item"), "endtype", False, ("type source", "type de la source",
                                                                                  "nature source")),
        Field("source_establishment", gettext_lazy("Establishment of the dependent activity"), "establishment", False,
              ("etablissement", "etablissement source", "finess")),
        Field("target", gettext_lazy("On (resource or activity)"), "end", True,
              ("cible", "target", "to", "vers", "depend de", "ressource", "resource", "dependance", "application")),
        Field("target_type", gettext_lazy("Kind of the item depended on"), "endtype", False, ("type cible",
                                                                                    "type de la cible")),
        Field("target_establishment", gettext_lazy("Establishment of the activity depended on"), "establishment", False,
              ("etablissement cible",)),
        Field("workaround_exists", gettext_lazy("A workaround exists (yes/no)"), "bool", False,
              ("contournement", "mode degrade", "workaround", "solution de contournement")),
        Field("workaround_note", gettext_lazy("Workaround"), "text", False, ("description du contournement",
                                                                    "mode degrade description", "note")),
        Field("workaround_hours", gettext_lazy("Degraded mode holds (hours)"), "hours", False,
              ("duree du mode degrade", "tenue du mode degrade", "autonomie", "autonomie h")),
    ],
}

RESOURCE_KIND_SYNONYMS = {
    Resource.Kind.APPLICATION: ("application", "logiciel", "appli", "software", "progiciel"),
    Resource.Kind.INFRASTRUCTURE: ("infrastructure", "infra", "serveur", "server", "reseau", "network",
                                   "stockage", "materiel informatique"),
    Resource.Kind.BIOMEDICAL: ("biomedical", "equipement biomedical", "dispositif medical"),
    Resource.Kind.SUPPLIER: ("fournisseur", "supplier", "prestataire", "vendor"),
    Resource.Kind.PREMISES: ("locaux", "premises", "batiment", "local"),
    Resource.Kind.SKILL: ("competence", "skill", "personnel"),
}
END_ACTIVITY, END_RESOURCE = "activity", "resource"
END_TYPE_SYNONYMS = {END_ACTIVITY: ("activite", "activity", "processus", "a"),
                     END_RESOURCE: ("ressource", "resource", "r", *{s for v in RESOURCE_KIND_SYNONYMS.values() for s in v})}
YES = {"oui", "yes", "o", "y", "vrai", "true", "1", "x"}
NO = {"non", "no", "n", "faux", "false", "0"}


def fields_of(kind: str) -> list[Field]:
    return FIELDS[kind]


def _score(names: set[str], header: str) -> float:
    """How well a header names a field: 3 for one of its names exactly, else 1 + a share of the longest name whose
    words all appear in the header (« Code appli » → code, « Hébergé en SaaS » → saas), else 0."""
    if header in names:
        return 3.0
    words = set(header.split())
    best = max((len(n.split()) for n in names if n and set(n.split()) <= words), default=0)
    return 1 + best / 10 if best else 0.0


def guess_mapping(kind: str, headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Resilis field → header: the remembered mapping where its header is still in the file (compared
    normalised), then the best-named header for each field (``_score``), each header used once."""
    by_norm = {normalise(h): h for h in headers}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    keys = {f.key for f in fields_of(kind)}
    for key, header in (remembered or {}).items():
        found = by_norm.get(normalise(header))
        if found and found not in used and key in keys:
            mapping[key] = found
            used.add(found)
    candidates = sorted(((score, -position, f.key, header)
                         for position, f in enumerate(fields_of(kind)) if f.key not in mapping
                         for norm, header in by_norm.items() if (score := _score(f.names(), norm)) > 0),
                        reverse=True)
    for _score_value, _position, key, header in candidates:
        if key not in mapping and header not in used:
            mapping[key] = header
            used.add(header)
    return mapping


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def _number(value: Any, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.datetime)):
        raise CellError
    if isinstance(value, (int, float)):
        try:
            if float(value) != int(value):  # not whole
                raise CellError
        except (OverflowError, ValueError) as error:  # infinity, NaN
            raise CellError from error
        number = int(value)
    else:
        text = str(value).strip().lower().replace("\u00a0", " ")
        text = re.sub(r"\s*(h|heures?|hours?)$", "", text).replace(" ", "")
        if text.endswith((".0", ",0")):
            text = text[:-2]
        if not text.isdigit() or len(text) > 9:
            raise CellError
        number = int(text)
    if not low <= number <= high:
        raise CellError
    return number


def _bool(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool):
        return value
    text = normalise(_text(value))
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError


def _date(value: Any) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError


def _choice(value: Any, table: dict[str, str]) -> str | None:
    text = normalise(_text(value))
    if not text:
        return None
    if text in table:
        return table[text]
    raise CellError


def _expected(f: Field) -> str:
    return {
        "hours": _("Expected a whole number of hours from 1 to 8,760 (a year), or an empty cell."),
        "int": _("Expected a whole number from 0 to 32,767, or an empty cell."),
        "bool": _("Expected « oui » or « non »."),
        "date": _("Expected a date (dd/mm/yyyy)."),
        "kind": _("Unknown kind of resource (application, infrastructure, biomedical equipment, supplier, "
                  "premises, skill)."),
        "perimeter": _("Unknown CaRE perimeter."),
        "endtype": _("Expected « activité » or « ressource »."),
        "establishment": _("Unknown establishment (give its name, short name or FINESS EJ)."),
    }.get(f.type, _("Expected text."))


@dataclass
class Context:
    """What the rows are checked against, loaded once per file (a handful of queries whatever its size)."""

    organization: Organization
    establishments: dict[str, Establishment]  # normalised name / short name / FINESS → establishment
    allowed: frozenset[int] | None  # the member's establishment limit (None: all)
    resource_kind: str = ""
    resources_by_name: dict[tuple[str, str], Resource] = field(default_factory=dict)  # (kind, normalised name)
    resources_by_code: dict[str, list[Resource]] = field(default_factory=dict)
    resources_any: dict[str, list[Resource]] = field(default_factory=dict)  # normalised name → resources
    hidden_resource_names: set[tuple[str, str]] = field(default_factory=set)
    activities_by_name: dict[str, list[Activity]] = field(default_factory=dict)
    activities_by_code: dict[str, list[Activity]] = field(default_factory=dict)
    hidden_activity_names: set[tuple[int, str]] = field(default_factory=set)
    links: dict[tuple[str, int, int], Any] = field(default_factory=dict)


def _index(rows: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in rows:
        k = key(row)
        if k:
            out.setdefault(k, []).append(row)
    return out


def load_context(*, organization: Organization, allowed: frozenset[int] | None, kind: str,
                 resource_kind: str = "") -> Context:
    establishments: dict[str, Establishment] = {}
    for est in Establishment.objects.filter(organization=organization):
        if allowed is not None and est.pk not in allowed:
            continue
        for key in (est.name, est.short_name, est.finess_ej):
            if normalise(key):
                establishments.setdefault(normalise(key), est)
    ctx = Context(organization=organization, establishments=establishments, allowed=allowed,
                  resource_kind=resource_kind)
    resources = list(Resource.objects.filter(organization=organization).select_related("establishment"))
    ctx.resources_by_name = {(r.kind, normalise(r.name)): r for r in resources}
    ctx.resources_by_code = _index(resources, lambda r: normalise(r.catalogue_code))
    ctx.resources_any = _index(resources, lambda r: normalise(r.name))
    if allowed is not None:
        visible = {r.pk for r in resources}
        ctx.hidden_resource_names = {(k, normalise(n)) for pk, k, n in Resource._base_manager.filter(
            organization=organization).values_list("pk", "kind", "name") if pk not in visible}
    activities = list(Activity.objects.filter(organization=organization).select_related("establishment", "unit"))
    ctx.activities_by_name = _index(activities, lambda a: normalise(a.name))
    ctx.activities_by_code = _index(activities, lambda a: normalise(a.catalogue_code))
    if kind == ImportKind.ACTIVITIES and allowed is not None:
        visible_activities = {a.pk for a in activities}
        ctx.hidden_activity_names = {(e, normalise(n)) for pk, e, n in Activity._base_manager.filter(
            organization=organization).values_list("pk", "establishment_id", "name") if pk not in visible_activities}
    if kind == ImportKind.DEPENDENCIES:
        for model, prefix, a, b in ((ActivityDependency, "AR", "activity_id", "resource_id"),
                                    (ResourceDependency, "RR", "resource_id", "depends_on_id"),
                                    (ActivityLink, "AA", "activity_id", "depends_on_id")):
            for link in model.objects.filter(organization=organization):
                ctx.links[(prefix, getattr(link, a), getattr(link, b))] = link
    return ctx


@dataclass
class Row:
    row: int
    status: str
    label: str
    message: str = ""
    # What apply does: ("create"|"update"|"link", payload); never stored (rebuilt from the file on apply).
    action: tuple[str, dict[str, Any]] | None = None
    changes: list[str] = field(default_factory=list)

    def as_report(self) -> dict[str, Any]:
        return {"row": self.row, "status": self.status, "label": self.label[:300],
                "message": (self.message or "; ".join(self.changes))[:1000]}


def _values(f_list: list[Field], mapping: dict[str, str], headers: list[str], cells: list[Any],
            number: int, formulas: set[tuple[int, int]]) -> tuple[dict[str, Any], list[str]]:
    """The mapped cells of a row, checked by type: (values by field, error messages)."""
    position = {h: i for i, h in enumerate(headers)}
    values: dict[str, Any] = {}
    errors: list[str] = []
    for f in f_list:
        header = mapping.get(f.key)
        if not header or header not in position:
            continue
        index = position[header]
        if (number, index) in formulas:
            errors.append(_("« %(column)s »: formulas are not allowed; type the value itself.") % {"column": header})
            continue
        raw = cells[index] if index < len(cells) else None
        try:
            values[f.key] = _convert(f, raw)
        except CellError:
            errors.append(f"« {header} » : {_expected(f)}")
            continue
        if isinstance(values[f.key], str) and len(values[f.key]) > f.max_length:
            errors.append(_("« %(column)s »: the text is too long (more than %(max)s characters).")
                          % {"column": header, "max": f.max_length})
        if f.required and values[f.key] in ("", None):
            errors.append(_("« %(column)s » is empty: this column is required.") % {"column": header})
    return values, errors


def _convert(f: Field, raw: Any) -> Any:
    if f.type in ("text", "end"):
        text = _text(raw)
        return text
    if f.type == "hours":
        return _number(raw, 1, MAX_HOURS)
    if f.type == "int":
        return _number(raw, 0, 32767)
    if f.type == "bool":
        return _bool(raw)
    if f.type == "date":
        return _date(raw)
    if f.type == "kind":
        table = {normalise(v): v for v in Resource.Kind.values}
        table |= {normalise(str(label)): v for v, label in Resource.Kind.choices}
        table |= {normalise(s): k for k, syn in RESOURCE_KIND_SYNONYMS.items() for s in syn}
        return _choice(raw, table)
    if f.type == "perimeter":
        table = {normalise(v): v for v in CarePerimeter.values}
        table |= {normalise(str(label)): v for v, label in CarePerimeter.choices}
        table |= {"aucun": CarePerimeter.NONE, "": CarePerimeter.NONE}
        return _choice(raw, table) or CarePerimeter.NONE
    if f.type == "endtype":
        return _choice(raw, {normalise(s): k for k, syn in END_TYPE_SYNONYMS.items() for s in syn})
    if f.type == "establishment":
        return _text(raw)  # resolved with the context
    raise CellError  # pragma: no cover - every type is listed above


def _establishment(ctx: Context, name: str) -> Establishment | None:
    """The establishment a cell names; ``CellError`` when unknown or outside the member's limit."""
    if not name:
        return None
    est = ctx.establishments.get(normalise(name))
    if est is None:
        raise CellError
    return est


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Model):
        return str(value)
    return str(value)


def _diff(instance: Model, data: dict[str, Any], labels: dict[str, str]) -> list[str]:
    changes = []
    for key, value in data.items():
        current = getattr(instance, key)
        if isinstance(current, Model) or isinstance(value, Model):
            same = getattr(current, "pk", None) == getattr(value, "pk", None)
        else:
            same = current == value
        if not same:
            changes.append(_("%(field)s: %(before)s → %(after)s") % {
                "field": labels.get(key, key), "before": _display(current)[:80], "after": _display(value)[:80]})
    return changes


def check(*, kind: str, table: spreadsheets.Table, mapping: dict[str, str], ctx: Context) -> list[Row]:
    """Every row of the file, checked and compared with what Resilis holds."""
    missing = [f for f in fields_of(kind) if f.required and f.key not in mapping]
    if missing:
        raise ValueError(_("Map a column to « %(field)s »: it is required.") % {"field": missing[0].label})
    checkers: dict[str, Callable[..., Row]] = {ImportKind.RESOURCES: _resource_row,
                                               ImportKind.ACTIVITIES: _activity_row,
                                               ImportKind.DEPENDENCIES: _dependency_row}
    checker = checkers[kind]
    labels = {f.key: str(f.label) for f in fields_of(kind)}
    seen: dict[Any, int] = {}
    rows: list[Row] = []
    for number, cells in table.rows:
        values, errors = _values(fields_of(kind), mapping, table.headers, cells, number, table.formula_cells)
        label = str(values.get("name") or values.get("source") or "")[:200]
        if values.get("target"):
            label = f"{label} → {str(values['target'])[:200]}"
        if errors:
            rows.append(Row(number, REFUSED, label, " ; ".join(errors)))
            continue
        rows.append(checker(number, values, ctx, labels, seen))
    return rows


def _duplicate(seen: dict[Any, int], key: Any, number: int) -> str:
    if key in seen:
        return _("Appears twice in the file (already on row %(row)s).") % {"row": seen[key]}
    seen[key] = number
    return ""


def _resource_row(number: int, values: dict[str, Any], ctx: Context, labels: dict[str, str],
                  seen: dict[Any, int]) -> Row:
    name = values["name"]
    given_kind = values.pop("kind", None)
    kind = given_kind or ctx.resource_kind
    if not kind:
        return Row(number, REFUSED, name, _("The kind of resource is missing: map a « kind » column or choose a "
                                            "kind for the whole file."))
    try:
        if "establishment" in values:
            values["establishment"] = _establishment(ctx, values["establishment"])
    except CellError:
        return Row(number, REFUSED, name, _("Unknown establishment, or outside your establishments: « %(name)s ».")
                   % {"name": values["establishment"]})
    code = normalise(values.get("catalogue_code", ""))
    existing: Resource | None = None
    if code and len(ctx.resources_by_code.get(code, [])) == 1:
        existing = ctx.resources_by_code[code][0]
    if existing is None:
        existing = ctx.resources_by_name.get((kind, normalise(name)))
    key = ("r", existing.pk) if existing else ("r", kind, normalise(name))
    if message := _duplicate(seen, key, number) or (_duplicate(seen, ("code", code), number) if code else ""):
        return Row(number, REFUSED, name, message)
    data = dict(values)
    if existing is None:
        if (kind, normalise(name)) in ctx.hidden_resource_names:
            return Row(number, REFUSED, name, _("This name is already used by a resource you cannot see."))
        if ctx.allowed is not None and data.get("establishment") is None and len(ctx.allowed) == 1:
            data["establishment"] = next(iter(ctx.establishments.values()), None)
        data["kind"] = kind
        return Row(number, NEW, name, action=("create", data))
    if given_kind:  # a kind column changes the kind; without one, a resource found by its code keeps its own
        data["kind"] = given_kind
    if normalise(existing.name) == normalise(name):
        data.pop("name")  # matched with accents and case ignored: the spelling in Resilis is kept
    changes = _diff(existing, data, labels | {"kind": str(labels.get("kind", "kind"))})
    if not changes:
        return Row(number, UNCHANGED, name)
    return Row(number, UPDATED, name, action=("update", {"pk": existing.pk, **data}), changes=changes)


def _activity_row(number: int, values: dict[str, Any], ctx: Context, labels: dict[str, str],
                  seen: dict[Any, int]) -> Row:
    name = values["name"]
    try:
        est = _establishment(ctx, values.pop("establishment", ""))
    except CellError:
        return Row(number, REFUSED, name, _("Unknown establishment, or outside your establishments."))
    if est is None:
        choices = list({e.pk: e for e in ctx.establishments.values()}.values())
        if len(choices) != 1:
            return Row(number, REFUSED, name, _("Say which establishment the activity belongs to (map the "
                                                "« Establishment » column)."))
        est = choices[0]
    code = normalise(values.get("catalogue_code", ""))
    candidates = [a for a in ctx.activities_by_code.get(code, []) if a.establishment_id == est.pk] if code else []
    if len(candidates) != 1:
        candidates = [a for a in ctx.activities_by_name.get(normalise(name), []) if a.establishment_id == est.pk]
    existing = candidates[0] if len(candidates) == 1 else None
    key = ("a", existing.pk) if existing else ("a", est.pk, normalise(name))
    if message := _duplicate(seen, key, number):
        return Row(number, REFUSED, name, message)
    pole, service = values.pop("pole", None), values.pop("service", None)
    data = {**values, "establishment": est}
    unit = {"pole": pole or "", "service": service or ""} if (pole is not None or service is not None) else None
    if existing is None:
        if (est.pk, normalise(name)) in ctx.hidden_activity_names:
            return Row(number, REFUSED, name, _("This name is already used by an activity you cannot see."))
        return Row(number, NEW, f"{name} ({est})", action=("create", {**data, "unit": unit}))
    if normalise(existing.name) == normalise(name):
        data.pop("name")
    changes = _diff(existing, data, labels)
    if unit is not None:
        current = existing.unit.name if existing.unit_id and existing.unit else ""
        wanted = unit["service"] or unit["pole"]
        if normalise(current) != normalise(wanted):
            changes.append(_("%(field)s: %(before)s → %(after)s") % {
                "field": labels["service"], "before": _display(current), "after": _display(wanted)})
    if not changes:
        return Row(number, UNCHANGED, f"{name} ({est})")
    return Row(number, UPDATED, f"{name} ({est})", action=("update", {"pk": existing.pk, **data, "unit": unit}),
               changes=changes)


def _end(ctx: Context, name: str, code_type: str | None, establishment: Establishment | None,
         default: str) -> tuple[str, Any] | str:
    """The activity or resource a dependency cell names (by name or code), or the reason it cannot be found."""
    key = normalise(name)
    activities = [a for a in ctx.activities_by_code.get(key, []) + ctx.activities_by_name.get(key, [])
                  if establishment is None or a.establishment_id == establishment.pk]
    activities = list({a.pk: a for a in activities}.values())
    resources = list({r.pk: r for r in ctx.resources_by_code.get(key, []) + ctx.resources_any.get(key, [])}.values())
    wanted = code_type or (default if (activities and resources) else None)
    if wanted == END_ACTIVITY or (wanted is None and activities and not resources):
        if len(activities) == 1:
            return END_ACTIVITY, activities[0]
        if activities:
            return _("Several activities are named « %(name)s »: map the establishment column.") % {"name": name}
        return _("No activity named « %(name)s » in your establishments.") % {"name": name}
    if len(resources) == 1:
        return END_RESOURCE, resources[0]
    if resources:
        return _("Several resources are named « %(name)s » (of different kinds): use their code.") % {"name": name}
    return _("Nothing named « %(name)s »: import the resource or the activity first.") % {"name": name}


def _dependency_row(number: int, values: dict[str, Any], ctx: Context, labels: dict[str, str],
                    seen: dict[Any, int]) -> Row:
    label = f"{values['source']} → {values['target']}"
    ends = []
    for side, default in (("source", END_ACTIVITY), ("target", END_RESOURCE)):
        try:
            est = _establishment(ctx, values.get(f"{side}_establishment", ""))
        except CellError:
            return Row(number, REFUSED, label, _("Unknown establishment, or outside your establishments."))
        found = _end(ctx, values[side], values.get(f"{side}_type"), est, default)
        if isinstance(found, str):
            return Row(number, REFUSED, label, found)
        ends.append(found)
    (source_type, source), (target_type, target) = ends
    if source_type == END_RESOURCE and target_type == END_ACTIVITY:
        return Row(number, REFUSED, label, _("A resource cannot depend on an activity: swap the two columns."))
    if source.pk == target.pk and source_type == target_type:
        return Row(number, REFUSED, label, _("An item cannot depend on itself."))
    prefix = {(END_ACTIVITY, END_RESOURCE): "AR", (END_RESOURCE, END_RESOURCE): "RR",
              (END_ACTIVITY, END_ACTIVITY): "AA"}[(source_type, target_type)]
    if message := _duplicate(seen, (prefix, source.pk, target.pk), number):
        return Row(number, REFUSED, label, message)
    exists = bool(values.get("workaround_exists", False))
    hours = values.get("workaround_hours")
    if hours is not None and not exists:
        if "workaround_exists" in values:
            return Row(number, REFUSED, label, _("A duration needs a workaround: answer « oui » in the workaround "
                                                 "column, or empty the duration."))
        exists = True
    data = {"workaround_exists": exists, "workaround_note": values.get("workaround_note", ""),
            "workaround_hours": hours if exists else None}
    link = ctx.links.get((prefix, source.pk, target.pk))
    action = ("link", {"prefix": prefix, "source": source.pk, "target": target.pk, **data})
    if link is None:
        return Row(number, NEW, label, action=action)
    given = {k: v for k, v in data.items() if k in values}
    if "workaround_exists" in values or "workaround_hours" in values:
        given["workaround_exists"] = exists
    changes = _diff(link, given, labels)
    if not changes:
        return Row(number, UNCHANGED, label)
    merged = {"workaround_exists": link.workaround_exists, "workaround_note": link.workaround_note,
              "workaround_hours": link.workaround_hours, **given}
    return Row(number, UPDATED, label, action=("link", {**action[1], **merged}), changes=changes)
