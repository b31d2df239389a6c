"""Import forms: the upload (kind, file) and the column mapping built from the file's own headers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.bia.models import Resource
from apps.imports import engine
from apps.imports.models import ImportKind, ImportRun
from apps.imports.services import LIMITS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file lists"), choices=ImportKind.choices)
    resource_kind = forms.ChoiceField(
        label=_("Kind of resource"), required=False, choices=[("", _("Given by a column of the file")),
                                                             *Resource.Kind.choices],
        help_text=_("Resources only: the kind of every row when the file has no « kind » column."))
    file = forms.FileField(label=_("File (.xlsx or .csv, 5 MB at most)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv,application/vnd."
                                                                  "openxmlformats-officedocument.spreadsheetml.sheet"}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > LIMITS.max_bytes:
            raise forms.ValidationError(_("The file is too big (more than %(size)s MB).")
                                        % {"size": LIMITS.max_bytes // (1024 * 1024)})
        return upload


class MappingForm(forms.Form):
    """One drop-down per Resilis field, offering the file's columns."""

    def __init__(self, *args: Any, run: ImportRun, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *[(h, h) for h in run.headers]]
        for f in engine.fields_of(run.kind):
            self.fields[f.key] = forms.ChoiceField(label=f.label, choices=choices, required=f.required,
                                                   initial=run.mapping.get(f.key, ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for key, header in data.items():
            if not header:
                continue
            if header in used:
                self.add_error(key, _("The column « %(column)s » is already mapped to « %(field)s ».")
                               % {"column": header, "field": self.fields[used[header]].label})
            used[header] = key
        return data

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}
