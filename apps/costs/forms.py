"""Forms of the expense lines: choices narrowed to the organization (and the member's establishments) by the kit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.core.forms import OrgModelForm, Refinement, form_field
from apps.core.widgets import QuickSelect
from apps.costs import selectors
from apps.costs.models import Category, CostLine
from apps.tenants.models import Establishment

if TYPE_CHECKING:
    from apps.tenants.models import Organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def requirement_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.id} — {r.label}") for r in current_catalogue().requirements]


class CostLineForm(OrgModelForm):
    requirement_ids = forms.MultipleChoiceField(label=_("objectives served"), widget=forms.CheckboxSelectMultiple,
                                                required=False)
    establishment = forms.ModelChoiceField(label=_("establishment"), queryset=Establishment.objects.none())
    mission_letter = forms.ModelChoiceField(
        label=_("lettre de mission"), queryset=Evidence.objects.none(), required=False,
        help_text=_("A lettre de mission of the evidence library (kind « Lettre de mission »)."))
    proof_upload = forms.FileField(label=_("invoice (new file)"), required=False,
                                   help_text=_("PDF, image or office document; stored in the evidence library, "
                                               "linked to this line."))
    mission_letter_upload = forms.FileField(label=_("lettre de mission (new file)"), required=False,
                                            help_text=_("Needed for internal staff time, if not chosen above."))

    choice_refinements: ClassVar[dict[str, Refinement]] = {
        "tenants.Establishment": lambda qs: qs.order_by("name"),
        "compliance.Evidence": lambda qs: qs.filter(deleted_at__isnull=True,kind=Evidence.Kind.MISSION_LETTER).order_by("-created_at"),
    }

    class Meta:
        model = CostLine
        fields = ["engaged_on", "category", "label", "supplier", "invoice_reference", "amount_ht", "amount_ttc",
                  "requirement_ids", "establishment", "mission_letter", "note"]
        widgets = {"engaged_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 3})}
        localized_fields = ["amount_ht", "amount_ttc"]  # « 12 500,50 »

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "requirement_ids", forms.MultipleChoiceField).choices = requirement_choices()
        self.fields["engaged_on"].help_text = _("Costs engaged before 16/07/2025 (start of the operational phase) "
                                                "are not eligible.")

    def _post_clean(self) -> None:
        # The service validates and saves (``services.cost_line_create`` / ``cost_line_update``).
        pass


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(widget=QuickSelect, label=_("category"), required=False)
    establishment = forms.TypedChoiceField(widget=QuickSelect, label=_("establishment"), required=False, coerce=int,
                                           empty_value=None)
    requirement = forms.ChoiceField(widget=QuickSelect, label=_("objective"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "category", forms.ChoiceField).choices = [("", _("Every category")), *Category.choices]
        form_field(self, "establishment", forms.TypedChoiceField).choices = [("", _("Every establishment")), *[
            (e.pk, str(e)) for e in Establishment.objects.filter(organization=organization).order_by("name")]]
        form_field(self, "requirement", forms.ChoiceField).choices = [("", _("Every objective")),
                                                                      *requirement_choices()]

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return selectors.Filters(q=(data.get("q") or "").strip(), category=data.get("category") or "",
                                 establishment=data.get("establishment"), requirement=data.get("requirement") or "")
