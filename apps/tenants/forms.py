from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from apps.tenants.models import Establishment, Organization, Site
from apps.tenants.roles import Role
from apps.tenants.validators import normalize_finess

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "region", "ecare_number", "candidacy_submitted_on", "declaration_submitted_on",
                  "mfa_required", "language"]
        widgets = {"candidacy_submitted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "declaration_submitted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        candidacy, declaration = data.get("candidacy_submitted_on"), data.get("declaration_submitted_on")
        if candidacy and declaration and declaration < candidacy:
            self.add_error("declaration_submitted_on", _("The declaration cannot be filed before the candidacy."))
        return data


WEIGHT_FIELDS = ["activity_share", "activity_share_basis", "activity_share_date", "absent_perimeters",
                 "absent_perimeters_reason"]
WEIGHT_WIDGETS = {"activity_share_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class WeightFieldsMixin(forms.ModelForm):
    """The entity's weight in the 66 % rule, its basis and date, and the minimum perimeters it does not have."""

    absent_perimeters = forms.MultipleChoiceField(
        label=_("Minimum perimeters it does not have"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("CaRE asks for the minimum perimeters « s'ils existent »: tick one only if this entity really "
                    "has none (e.g. no plateau technique), and say why."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.bia.models import CarePerimeter
        from apps.compliance.catalogue import minimum_perimeters

        cast(forms.MultipleChoiceField, self.fields["absent_perimeters"]).choices = [
            (p, CarePerimeter(p).label) for p in minimum_perimeters()]
        self.fields["activity_share"].required = False

    def clean_activity_share(self) -> Decimal:
        value = self.cleaned_data.get("activity_share")
        return Decimal("0") if value is None else value


def _finess_field(label: StrOrPromise) -> forms.CharField:
    # Accepts "75 071 2184" or "75.071.2184": normalised before the model's 9-character validation.
    return forms.CharField(label=label, max_length=20, help_text=_("9 characters, e.g. 750712184."))


class EstablishmentForm(WeightFieldsMixin):
    finess_ej = _finess_field(_("FINESS EJ"))

    class Meta:
        model = Establishment
        fields = ["name", "short_name", "finess_ej", "legal_status", *WEIGHT_FIELDS]
        widgets = WEIGHT_WIDGETS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization

    def clean_finess_ej(self) -> str:
        return normalize_finess(self.cleaned_data["finess_ej"])

    def validate_unique(self) -> None:
        # Uniqueness per organization is checked by the service's full_clean with the organization set.
        try:
            self.instance.validate_constraints()
        except forms.ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # Django's own (private, not in the stubs)


class SiteForm(WeightFieldsMixin):
    # Declared explicitly: the default queryset would query outside the tenant scope at import.
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.none())
    finess_eg = _finess_field(_("FINESS EG"))

    class Meta:
        model = Site
        fields = ["establishment", "name", "finess_eg", "city", *WEIGHT_FIELDS]
        widgets = WEIGHT_WIDGETS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        cast(forms.ModelChoiceField, self.fields["establishment"]).queryset = Establishment.objects.filter(
            organization=organization)

    def clean_finess_eg(self) -> str:
        return normalize_finess(self.cleaned_data["finess_eg"])

    def validate_unique(self) -> None:
        try:
            self.instance.validate_constraints()
        except forms.ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # Django's own (private, not in the stubs)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)
    establishments = forms.ModelMultipleChoiceField(
        label=_("Limit to these establishments"),
        queryset=Establishment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to give access to every establishment."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        establishments = cast(forms.ModelMultipleChoiceField, self.fields["establishments"])
        establishments.queryset = Establishment.objects.filter(organization=organization)
        if organization.kind != Organization.Kind.GHT and not establishments.queryset.count() > 1:
            del self.fields["establishments"]


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    restricted = forms.BooleanField(
        label=_("Limit this member to some establishments"), required=False,
        help_text=_("Useful in a GHT: a member of one hospital only sees that hospital's data."),
    )
    establishments = forms.ModelMultipleChoiceField(
        label=_("Establishments this member may see"), queryset=Establishment.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["establishments"]).queryset = Establishment.objects.filter(
            organization=organization)


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        if p1:
            from apps.accounts.models import User

            candidate = User(email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

