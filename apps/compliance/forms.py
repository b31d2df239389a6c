"""Evidence upload and edit forms; the upload form is reusable by every app (see evidence_upload_form.html)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.compliance.catalogue import current_catalogue
from apps.compliance.validators import ACCEPT_ATTRIBUTE

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def requirement_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.id} — {r.label}") for r in current_catalogue().requirements]


class EvidenceEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of document"), required=False,
                             help_text=_("Some requirements accept only one kind: D2.P1 needs a file of kind PSSI."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_date = forms.DateField(label=_("Document date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    help_text=_("Date of signature or validation of the document, if any."))
    requirement_ids = forms.MultipleChoiceField(label=_("CaRE requirements this document supports"), required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        cast(forms.MultipleChoiceField, self.fields["requirement_ids"]).choices = requirement_choices()
        from apps.compliance.models import Evidence

        cast(forms.ChoiceField, self.fields["kind"]).choices = Evidence.Kind.choices


class EvidenceUploadForm(EvidenceEditForm):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                           help_text=_("PDF, office document or image."))
    # Optional link to the object the file documents (``app_label.model`` + id), checked in the tenant.
    link_model = forms.CharField(required=False, widget=forms.HiddenInput)
    link_pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["file", "title", "kind", "document_date", "requirement_ids", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file name.")


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Organization name")}))
    region = forms.ChoiceField(label=_("Region (ARS)"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from apps.tenants.models import Organization, Region

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("All regions")), *Region.choices]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("All kinds")), *Organization.Kind.choices]
