"""The guided onboarding form (an organization, its establishments and sites, its first administrator) and the
template copy form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from apps.onboarding.templates_copy import Template
from apps.tenants.forms import WEIGHT_WIDGETS, WeightFieldsMixin, _finess_field
from apps.tenants.models import Establishment, Organization, Region, Site
from apps.tenants.validators import normalize_finess, validate_finess


class OnboardOrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organization"), max_length=200,
                           help_text=_("The GHT or the legal entity that applies to CaRE."))
    slug = forms.SlugField(label=_("Short name in addresses"), max_length=60, required=False,
                           help_text=_("Optional: derived from the name when left empty."))
    kind = forms.ChoiceField(label=_("Kind of candidate"), choices=Organization.Kind.choices,
                             initial=Organization.Kind.LEGAL_ENTITY)
    region = forms.ChoiceField(label=_("Region (ARS)"), choices=[("", "—"), *Region.choices], required=False)
    first_admin_email = forms.EmailField(
        label=_("E-mail of its first administrator"),
        help_text=_("They receive an invitation to join the organization as administrator."))

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        if slug and Organization.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This short name is already used by another organization."))
        return slug


class _RowForm(WeightFieldsMixin):
    """A row of a formset: the model form's fields, checked without the organization (it does not exist yet)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["absent_perimeters"]
        # Shown empty (not « 0 »): a row left blank is ignored, an empty share counts as 0.
        self.initial.pop("activity_share", None)
        self.fields["activity_share"].initial = None

    def validate_unique(self) -> None:  # the service checks uniqueness inside the new organization
        pass


class EstablishmentRowForm(_RowForm):
    finess_ej = _finess_field(_("FINESS EJ"))

    class Meta:
        model = Establishment
        fields = ["name", "short_name", "finess_ej", "legal_status", "activity_share", "activity_share_basis",
                  "activity_share_date"]
        widgets = WEIGHT_WIDGETS

    def clean_finess_ej(self) -> str:
        value = normalize_finess(self.cleaned_data["finess_ej"])
        validate_finess(value)
        return value


class SiteRowForm(_RowForm):
    establishment_finess = forms.CharField(
        label=_("FINESS EJ of its establishment"), max_length=20,
        help_text=_("The FINESS EJ of one of the establishments above."))
    finess_eg = _finess_field(_("FINESS EG"))

    class Meta:
        model = Site
        fields = ["name", "finess_eg", "city", "activity_share", "activity_share_basis", "activity_share_date"]
        widgets = WEIGHT_WIDGETS

    field_order = ["establishment_finess", "name", "finess_eg", "city"]

    def clean_finess_eg(self) -> str:
        value = normalize_finess(self.cleaned_data["finess_eg"])
        validate_finess(value)
        return value

    def clean_establishment_finess(self) -> str:
        return normalize_finess(self.cleaned_data["establishment_finess"])


class _RowFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    finess_field = ""
    duplicate_message = _("This FINESS number is typed twice.")

    def clean(self) -> None:
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms):
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            number = form.cleaned_data.get(self.finess_field)
            if number and number in seen:
                form.add_error(self.finess_field, self.duplicate_message)
            elif number:
                seen[number] = index

    def rows(self) -> list[dict[str, Any]]:
        """The filled rows' data (rows left empty are ignored)."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


class EstablishmentFormSet(_RowFormSet):
    finess_field = "finess_ej"

    def clean(self) -> None:
        super().clean()
        if not any(f.has_changed() for f in self.forms):
            raise forms.ValidationError(_("Add at least one establishment (FINESS EJ)."))
        # The 66 % rule's weights: when shares are given for the establishments, they total 100 %.
        shares = [f.cleaned_data.get("activity_share") or Decimal("0") for f in self.forms
                  if f.has_changed() and hasattr(f, "cleaned_data")]
        total = sum(shares, Decimal("0"))
        if len(shares) > 1 and total and total != Decimal("100"):
            raise forms.ValidationError(_("The establishments' shares total %(total)s %%: they must total 100 %% "
                                          "(or leave them all empty for now).") % {"total": total})


class SiteFormSet(_RowFormSet):
    finess_field = "finess_eg"


EstablishmentRows = formset_factory(EstablishmentRowForm, formset=EstablishmentFormSet, extra=1, max_num=50,
                                    validate_max=True)
SiteRows = formset_factory(SiteRowForm, formset=SiteFormSet, extra=1, max_num=200, validate_max=True)


class CopyForm(forms.Form):
    """Which client to copy from, what, and which establishment receives the activities."""

    source = forms.ChoiceField(label=_("Copy from"), help_text=_("Only the organizations you are a consultant of."))
    kinds = forms.MultipleChoiceField(label=_("What to copy"), choices=Template.choices,
                                      widget=forms.CheckboxSelectMultiple)
    establishment = forms.ModelChoiceField(
        label=_("Establishment receiving the activities and plan perimeters"), queryset=Establishment.objects.none(),
        required=False, help_text=_("Needed for the activity catalogue; plans that had an establishment get this one."))

    def __init__(self, *args: Any, sources: list[Organization], organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = {o.slug: o for o in sources}
        cast(forms.ChoiceField, self.fields["source"]).choices = [("", "—"), *((o.slug, o.name) for o in sources)]
        cast(forms.ModelChoiceField, self.fields["establishment"]).queryset = Establishment.objects.filter(
            organization=organization)

    def source_organization(self) -> Organization:
        return self.sources[self.cleaned_data["source"]]
