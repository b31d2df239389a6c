"""Forms shared by every app: the renderer, and the organization-bound form bases.

``OrgModelForm`` and ``OrgForm`` take ``organization=`` and narrow every model choice field to it: the
queryset is rebuilt from the model's default manager filtered by the organization, and inside a limited
scope that manager only returns the member's establishments (``apps.core.tenancy``), so a form never
offers — and never accepts — another organization's or another establishment's row. ``choice_refinements``
(by model label) adds what a form needs on top (only systems, only live evidence…).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django import forms
from django.db.models import Model, QuerySet
from django.forms.renderers import DjangoTemplates
from django.utils.text import capfirst

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

# How a choice list of these models is always shown, whatever the form.
DEFAULT_REFINEMENTS: dict[str, Refinement] = {
    "compliance.Evidence": lambda qs: qs.alive(),  # type: ignore[attr-defined]  # an EvidenceQuerySet
    "tenants.Membership": lambda qs: qs.select_related("user"),
    "governance.GovernanceMember": lambda qs: qs.select_related("member__user"),
}


class ResilisFormRenderer(DjangoTemplates):
    """Django's renderer, with single checkboxes drawn inside their label (``core/forms/field.html``)."""

    field_template_name = "core/forms/field.html"


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
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
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
