from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class IdentityProviderForm(forms.Form):
    name = forms.CharField(label=_("name shown on the login page"), max_length=80)
    issuer_url = forms.URLField(label=_("issuer URL"), max_length=500, assume_scheme="https",
                                help_text=_("The provider's address; its discovery document is read from "
                                            "« /.well-known/openid-configuration » under it."))
    client_id = forms.CharField(label=_("client id"), max_length=191)
    client_secret = forms.CharField(label=_("client secret"), max_length=191, required=False,
                                    widget=forms.PasswordInput(render_value=False),
                                    help_text=_("Stored, never shown again; leave empty to keep the current one."))
    email_domains = forms.CharField(label=_("e-mail domains"), help_text=_("One or more, separated by commas "
                                                                             "or spaces (e.g. chu-valmont.fr)."))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def domains(self) -> list[str]:
        return [d for d in self.cleaned_data["email_domains"].replace(",", " ").split() if d]


class SamlProviderForm(forms.Form):
    """The IdP's metadata (pasted or uploaded) or its three values typed one by one; the metadata wins."""

    name = forms.CharField(label=_("name shown on the login page"), max_length=80)
    metadata = forms.CharField(label=_("IdP metadata (XML)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                               help_text=_("Paste the identity provider's metadata document; its entity ID, single "
                                           "sign-on URL and signing certificate are read from it."))
    metadata_file = forms.FileField(label=_("or upload the metadata file"), required=False,
                                    widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}))
    entity_id = forms.CharField(label=_("IdP entity ID"), max_length=500, required=False,
                                help_text=_("Without metadata: the identity provider's entity ID (often a URL)."))
    sso_url = forms.URLField(label=_("IdP single sign-on URL"), max_length=500, required=False, assume_scheme="https",
                             help_text=_("Without metadata: where the browser is sent to log in (HTTP-Redirect "
                                         "binding)."))
    certificate = forms.CharField(label=_("IdP signing certificate (PEM)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                                  help_text=_("Without metadata: the X.509 certificate the IdP signs its assertions "
                                              "with (-----BEGIN CERTIFICATE-----…)."))
    email_domains = forms.CharField(label=_("e-mail domains"), help_text=_("One or more, separated by commas "
                                                                             "or spaces (e.g. chu-valmont.fr)."))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def domains(self) -> list[str]:
        return [d for d in self.cleaned_data["email_domains"].replace(",", " ").split() if d]

    def clean(self) -> dict[str, Any]:
        from apps.sso.saml import MAX_METADATA_BYTES, parse_metadata

        data = super().clean() or {}
        upload = data.get("metadata_file")
        xml: str | bytes = data.get("metadata") or ""
        if upload is not None:
            if upload.size > MAX_METADATA_BYTES:
                self.add_error("metadata_file", _("The metadata file is too large (1 MB at most)."))
                return data
            xml = upload.read()
        if xml:
            try:
                data.update(parse_metadata(xml, entity_id=data.get("entity_id") or ""))
            except forms.ValidationError as error:
                self.add_error("metadata_file" if upload is not None else "metadata", error.messages)
            return data
        for field, message in (("entity_id", _("Give the entity ID, or the metadata.")),
                               ("sso_url", _("Give the single sign-on URL, or the metadata.")),
                               ("certificate", _("Give the signing certificate, or the metadata."))):
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data


class DiscoverForm(forms.Form):
    email = forms.EmailField(label=_("Your professional e-mail address"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
