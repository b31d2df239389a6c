"""Forms shared by every app: the renderer, and the organization-bound form bases.

``OrgModelForm`` and ``OrgForm`` take ``organization=`` and narrow every model choice field to it: the
queryset is rebuilt from the model's default manager filtered by the organization, and inside a limited
scope that manager only returns the member's establishments (``apps.core.tenancy``), so a form never
offers — and never accepts — another organization's or another establishment's row. ``choice_refinements``
(by model label) adds what a form needs on top (only systems, only live evidence…).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F as Column
from django.db.models import Func, Model, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.widgets import QuickCheckboxSelectMultiple, QuickSelect, SearchSelect

if TYPE_CHECKING:
    from apps.tenants.models import Organization

Refinement = Callable[[QuerySet[Any]], QuerySet[Any]]
F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's ``name`` field as the class it is declared with (``form.fields`` only says ``Field``)."""
    return cast(F, form.fields[name])


class MemberChoiceField(forms.ModelChoiceField):
    """Members of the organization, labelled with their name (or e-mail)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.user.get_full_name() or obj.user.email

Row = tuple[Any, ...]


class RowChoiceField(forms.Field):
    """One row of ``queryset``, offered from ``values_list`` — plain tuples, never one model object per option.

    On a large establishment the BIA drop-downs list 400–1,600 resources and 300–1,200 activities; a
    ``ModelChoiceField`` builds a model instance for each option on every page view, which was most of the
    questionnaire's dependencies step. Here the options are ``queryset.values_list("pk", *columns)``:
    ``option_label(row)`` labels each option (``row[0]`` is the pk) and ``group_label(row)``, when given, puts
    consecutive rows in ``<optgroup>`` (order the queryset by it). The submitted value is looked up in the same
    queryset (one query), so the cleaned value is the model instance, and a row outside it (another
    organization, an establishment the member cannot see) is refused like any invalid choice.
    """

    widget: type[forms.Widget] = QuickSelect
    default_error_messages = {
        "invalid_choice": _("Select a valid choice. That choice is not one of the available choices."),
    }

    def __init__(self, *, queryset: QuerySet[Any], columns: Sequence[str] = ("name",),
                 option_label: Callable[[Row], str] | None = None, group_label: Callable[[Row], str] | None = None,
                 empty_label: str | None = "---------", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = tuple(columns)
        self.option_label = option_label or (lambda row: str(row[1]))
        self.group_label = group_label
        self.empty_label = empty_label
        self.queryset = queryset

    @property
    def queryset(self) -> QuerySet[Any]:
        return self._queryset

    @queryset.setter
    def queryset(self, queryset: QuerySet[Any]) -> None:
        self._queryset = queryset
        self._choices: list[tuple[Any, Any]] | None = None
        self.widget.choices = self.row_choices  # type: ignore[attr-defined,assignment]  # a callable, read at render time

    def __deepcopy__(self, memo: dict[int, Any]) -> RowChoiceField:
        result = cast(RowChoiceField, super().__deepcopy__(memo))
        result.queryset = self._queryset.all()  # rebinds the copy's widget to the copy
        return result

    def row_choices(self) -> list[tuple[Any, Any]]:
        """The options, read once per form (the widget asks twice: ``required`` looks at the first option)."""
        if self._choices is None:
            self._choices = self.choices_from(self._queryset.values_list("pk", *self.columns))
        return self._choices

    def choices_from(self, rows: Iterable[Row]) -> list[tuple[Any, Any]]:
        choices: list[tuple[Any, Any]] = [("", self.empty_label)] if self.empty_label is not None else []
        if self.group_label is None:
            choices += [(row[0], self.option_label(row)) for row in rows]
        else:
            for group, members in groupby(rows, key=self.group_label):
                choices.append((group, [(row[0], self.option_label(row)) for row in members]))
        return choices

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, Model) else value

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            value = value.pk
        try:
            return cast(Model, self._queryset.get(pk=value))
        except (ValueError, TypeError, ValidationError, self._queryset.model.DoesNotExist):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(self.prepare_value(data) or "")


def rows_matching(queryset: QuerySet[Any], columns: Sequence[str], query: str) -> QuerySet[Any]:
    """The rows where every word of ``query`` appears in one of ``columns``, accents and case ignored
    (PostgreSQL ``unaccent`` on both sides, the extension of ``apps/search`` migration 0001)."""
    words = query.split()[:8]
    if not words:
        return queryset
    folded = {f"_folded_{i}": Upper(Func(Column(column), function="unaccent")) for i, column in enumerate(columns)}
    queryset = queryset.alias(**folded)
    for word in words:
        needle = Upper(Func(Value(word), function="unaccent"))
        match = Q()
        for alias in folded:
            match |= Q(**{f"{alias}__contains": needle})
        queryset = queryset.filter(match)
    return queryset


class SearchChoiceField(RowChoiceField):
    """A ``RowChoiceField`` for lists that grow with the data (resources, activities of a large GHT).

    Up to ``threshold`` rows the form shows the usual drop-down (every option from ``values_list``). Beyond,
    the widget (``SearchSelect``) is a search field. To know, the page asks whether a row exists past the
    threshold (one query on the unordered rows: no sort, no join, no label read); a long list then reads no
    row at all until something is typed (at most ``limit`` matches, one query), and the endpoint at
    ``search_url`` (``apps.core.views.SearchOptionsView``) answers the typed text from this same field, so
    the search offers exactly what the form accepts: the organization's rows, inside the member's
    establishments. A short list costs one more query than the drop-down alone: it is short, so both are
    cheap. ``search_columns`` are matched word by word, accents and case ignored.
    """

    widget = SearchSelect

    def __init__(self, *, search_columns: Sequence[str] = ("name",), threshold: int = 200, limit: int = 20,
                 **kwargs: Any) -> None:
        self.search_columns = tuple(search_columns)
        self.threshold = threshold
        self.limit = limit
        self.search_url: str | None = None
        self._long: bool | None = None
        super().__init__(**kwargs)

    @RowChoiceField.queryset.setter  # type: ignore[attr-defined,untyped-decorator]
    def queryset(self, queryset: QuerySet[Any]) -> None:
        RowChoiceField.queryset.fset(self, queryset)  # type: ignore[attr-defined]
        self._long = None
        self.widget.source = self  # type: ignore[attr-defined]

    def row_choices(self) -> list[tuple[Any, Any]]:
        """Every option when the list is short; only the empty one when it is long (the widget searches)."""
        if self._choices is None:
            rows = [] if self.is_long() else self._queryset.values_list("pk", *self.columns)[: self.threshold]
            self._choices = self.choices_from(rows)
        return self._choices

    def validate(self, value: Any) -> None:
        if value in self.empty_values and getattr(self.widget, "searched", False):
            raise ValidationError(_("Choose one of the results below, then submit again."), code="required")
        super().validate(value)

    def is_long(self) -> bool:
        """Whether the queryset has more than ``threshold`` rows (asked once per form)."""
        if self._long is None:
            self._long = self._queryset.order_by()[self.threshold : self.threshold + 1].exists()
        return self._long

    def row_label(self, value: Any) -> tuple[Any, str] | None:
        """The chosen row's (pk, label), if it is in the queryset."""
        value = value.pk if isinstance(value, Model) else value
        try:
            row = self._queryset.filter(pk=value).values_list("pk", *self.columns).first()
        except (ValueError, TypeError, ValidationError):
            return None
        return None if row is None else (row[0], self.option_label(row))

    def search_options(self, query: str) -> tuple[list[tuple[Any, str]], bool]:
        """At most ``limit`` (pk, label) matching ``query`` (the first ones without a query), and whether
        there are more."""
        rows = list(rows_matching(self._queryset, self.search_columns, query.strip())
                    .values_list("pk", *self.columns)[: self.limit + 1])
        return [(row[0], self.option_label(row)) for row in rows[: self.limit]], len(rows) > self.limit


class RowMultipleChoiceField(RowChoiceField):
    """Several rows of ``queryset``, offered from ``values_list`` like ``RowChoiceField`` (a plan's perimeter
    lists every activity of the organization); cleaned to the queryset of the chosen rows, every one of them
    inside ``queryset`` or the whole choice is refused."""

    widget = QuickCheckboxSelectMultiple
    default_error_messages = {
        "invalid_choice": _("Select a valid choice. That choice is not one of the available choices."),
        "list": _("Enter a list of values."),
    }

    def __init__(self, *, empty_label: str | None = None, **kwargs: Any) -> None:
        super().__init__(empty_label=empty_label, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple, QuerySet)):
            return [item.pk if isinstance(item, Model) else item for item in value]
        return super().prepare_value(value)

    def to_python(self, value: Any) -> QuerySet[Any]:  # type: ignore[override]  # a queryset, not one row
        if not value:
            return self._queryset.none()
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["list"], code="list")
        try:
            keys = {int(item.pk if isinstance(item, Model) else item) for item in value}
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        chosen = self._queryset.filter(pk__in=keys)
        if set(chosen.values_list("pk", flat=True)) != keys:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return chosen

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial: Any, data: Any) -> bool:
        def keys(value: Any) -> set[str]:
            return {str(v) for v in (self.prepare_value(value) or [])}

        return keys(initial) != keys(data)


# How a choice list of these models is always shown, whatever the form.
DEFAULT_REFINEMENTS: dict[str, Refinement] = {
    "compliance.Evidence": lambda qs: qs.alive(),  # type: ignore[attr-defined]  # an EvidenceQuerySet
    "tenants.Membership": lambda qs: qs.select_related("user"),
    "governance.GovernanceMember": lambda qs: qs.select_related("member__user"),
}


FORM_TOKEN = "form_token"  # noqa: S105 - a field name, not a secret


class OrgFormMixin:
    """Binds a form to its organization (see the module docstring).

    Every such form also carries a hidden one-time ``form_token``: ``apps.core.views.OrgFormView`` accepts
    each token once, so a double click or two identical POSTs at once create one row, not two.
    """

    choice_refinements: ClassVar[dict[str, Refinement]] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        refinements = {**DEFAULT_REFINEMENTS, **self.choice_refinements}
        for field in self.fields.values():
            field.label = capfirst(field.label)  # model verbose names are lowercase
            if isinstance(field, (forms.ModelChoiceField, RowChoiceField)) and field.queryset is not None:
                model = field.queryset.model
                if any(f.name == "organization" for f in model._meta.concrete_fields):
                    queryset = model._default_manager.filter(organization=organization)
                    refine = refinements.get(model._meta.label)
                    field.queryset = refine(queryset) if refine else queryset
        self.fields[FORM_TOKEN] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64,
                                                  initial=uuid.uuid4().hex)
        self.form_token = ""

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        # Taken out before clean() and the services see the data: the token is the view's business.
        self.form_token = str(self.cleaned_data.pop(FORM_TOKEN, "") or "")  # type: ignore[attr-defined]


class OrgModelForm(OrgFormMixin, forms.ModelForm):
    """A ModelForm of a tenant-owned model: the instance belongs to the organization before validation, so the
    per-organization unique constraints give a French error next to the form instead of a database error."""

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        if any(f.name == "organization" for f in self.instance._meta.concrete_fields):
            self.instance.organization = organization

    def validate_unique(self) -> None:
        try:
            self.instance.validate_constraints()
        except forms.ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # Django's own (private, not in the stubs)


class OrgForm(OrgFormMixin, forms.Form):
    """A plain form bound to an organization, optionally editing ``instance`` (its values become the initial data)."""

    def __init__(self, *args: Any, organization: Organization, instance: Model | None = None, **kwargs: Any) -> None:
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            for name in self.base_fields:
                if name in initial:
                    continue
                value: Any = getattr(instance, name, None)
                if hasattr(value, "all"):
                    value = list(value.all())
                initial[name] = value
        super().__init__(*args, organization=organization, **kwargs)
        self.instance = instance
