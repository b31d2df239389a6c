"""Forms of the action plan: choices narrowed to the organization (and the member's establishments) by the kit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.actions import selectors
from apps.actions.models import Action, SourceKind, Status
from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.core.forms import MemberChoiceField, OrgForm, OrgModelForm, Refinement, form_field
from apps.core.widgets import QuickCheckboxSelectMultiple, QuickSelect
from apps.tenants.models import Establishment, Membership

if TYPE_CHECKING:
    from apps.tenants.models import Organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def requirement_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.id} — {r.label}") for r in current_catalogue().requirements]


class ActionForm(OrgModelForm):
    """What an action says: title, why, for which requirements and establishments, who, by when, how urgent."""

    requirement_ids = forms.MultipleChoiceField(label=_("CaRE requirements"), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    establishments = forms.ModelMultipleChoiceField(
        label=_("establishments"), queryset=Establishment.objects.none(), required=False,
        widget=QuickCheckboxSelectMultiple(search=_("Filter the list…")),
        help_text=_("None: the action concerns the whole organization."))
    owner_member = MemberChoiceField(label=_("owner (member)"), queryset=Membership.objects.none(), required=False,
                                     help_text=_("Or name a person outside Resilis below, with their e-mail."))

    choice_refinements: ClassVar[dict[str, Refinement]] = {
        "tenants.Establishment": lambda qs: qs.order_by("name"),
        "tenants.Membership": lambda qs: qs.select_related("user").order_by("user__last_name", "user__first_name",
                                                                            "user__email"),
    }

    class Meta:
        model = Action
        fields = ["title", "description", "requirement_ids", "owner_member", "owner_name", "owner_email",
                  "due_date", "retro_entered", "priority", "cost_estimate"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "due_date": DATE_WIDGET}
        localized_fields = ["cost_estimate"]  # « 12 500,50 »

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "requirement_ids", forms.MultipleChoiceField).choices = requirement_choices()
        self.fields["due_date"].required = True
        if self.instance.pk and "establishments" not in self.initial:
            self.initial["establishments"] = list(self.instance.establishments.all())

    def _post_clean(self) -> None:
        # The services validate and save (``services.action_create`` / ``action_update``); the model's own
        # validation of the instance would run before them, on a half-filled row.
        pass


class SourceForm(ActionForm):
    """The creation form: the source travels in hidden fields and is resolved again on submit."""

    source_kind = forms.ChoiceField(choices=SourceKind.choices, required=False, widget=forms.HiddenInput)
    source_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    source_key = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class FollowForm(OrgForm):
    """The owner's page (the link of the e-mails): a status, a progress note, a proof of closure."""

    status = forms.ChoiceField(widget=QuickSelect, label=_("status"), choices=Status.choices)
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What was done, what blocks, what comes next. Dated today, signed with your "
                                       "name."))
    proof_upload = forms.FileField(label=_("proof of closure (new file)"), required=False,
                                   help_text=_("The file is added to the evidence library, linked to this action."))
    proof_evidence = forms.ModelChoiceField(label=_("or a file of the evidence library"), required=False,
                                            queryset=Evidence.objects.none())
    proof_note = forms.CharField(label=_("proof of closure (note)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("Needed to mark the action done when no file proves it."))
    abandon_reason = forms.CharField(label=_("why it is abandoned"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organization: Organization, action: Action, can_reopen: bool,
                 library: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update({"status": action.status, "proof_note": action.proof_note,
                                                 "proof_evidence": action.proof_evidence_id,
                                                 "abandon_reason": action.abandon_reason})
        super().__init__(*args, organization=organization, **kwargs)
        choices = list(Status.choices)
        if not action.is_open and not can_reopen:
            # Reopening a closed action is the plan's editors' decision.
            choices = [c for c in choices if c[0] == action.status]
        form_field(self, "status", forms.ChoiceField).choices = choices
        if library:
            form_field(self, "proof_evidence", forms.ModelChoiceField).queryset = (
                Evidence.objects.filter(organization=organization).alive().order_by("-created_at"))
        else:
            del self.fields["proof_evidence"]  # the library is for members who may read it


class FilterForm(forms.Form):
    """The plan's filters (GET): a bad value in one leaves the others working. The drop-downs are written in
    Python (``QuickSelect``): Django's per-option templates cost more than the 50 rows of the page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(widget=QuickSelect, label=_("status"), required=False)
    owner = forms.ChoiceField(widget=QuickSelect, label=_("owner"), required=False)
    source = forms.ChoiceField(widget=QuickSelect, label=_("source"), required=False)
    requirement = forms.ChoiceField(widget=QuickSelect, label=_("CaRE requirement"), required=False)
    establishment = forms.TypedChoiceField(widget=QuickSelect, label=_("establishment"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    sort = forms.ChoiceField(widget=QuickSelect, label=_("sort by"), required=False, choices=[
        ("due", _("due date")), ("-due", _("due date, latest first")), ("priority", _("priority")),
        ("status", _("status")), ("number", _("number")), ("-number", _("newest")), ("updated", _("last change"))])
    stage = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "status", forms.ChoiceField).choices = [
            ("open", _("Open (to do or in progress)")), *Status.choices, ("all", _("All"))]
        form_field(self, "owner", forms.ChoiceField).choices = [
            ("", _("Everyone")), *selectors.owner_choices(organization=organization),
            ("external", _("People outside Resilis")), ("none", _("Not assigned"))]
        form_field(self, "source", forms.ChoiceField).choices = [("", _("Every source")), *SourceKind.choices]
        form_field(self, "requirement", forms.ChoiceField).choices = [("", _("Every requirement")),
                                                                      *requirement_choices()]
        form_field(self, "establishment", forms.TypedChoiceField).choices = [("", _("Every establishment")), *[
            (e.pk, str(e)) for e in Establishment.objects.filter(organization=organization).order_by("name")]]

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return selectors.Filters(
            status=data.get("status") or "open", owner=data.get("owner") or "", source=data.get("source") or "",
            requirement=data.get("requirement") or "", establishment=data.get("establishment"),
            stage=data.get("stage") or "", overdue=bool(data.get("overdue")), q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "due")
