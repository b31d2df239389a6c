"""Kwargs factories for the single sign-on settings (see tests/isolation.py). An identity provider belongs to the
whole organization (``ORG_WIDE``)."""


def _provider(org):
    from apps.sso.services import identity_provider_save

    provider = identity_provider_save(organization=org, actor=None, name="Annuaire", issuer_url="https://idp.example.org",
                                      client_id="resilis", client_secret="x", email_domains=["example.org"])
    return {"pk": provider.pk}


def _saml_provider(org):
    from apps.sso.services import saml_provider_save
    from tests.sso.saml_idp import LocalSamlIdp

    idp = LocalSamlIdp()
    provider = saml_provider_save(organization=org, actor=None, name="ADFS", entity_id=idp.entity_id,
                                  sso_url=idp.sso_url, certificate=idp.certificate, email_domains=["example.org"])
    return {"pk": provider.pk}


URL_KWARGS = {"sso:provider-update": _provider, "sso:saml-metadata": _saml_provider}
ORG_WIDE = {"sso:provider-update", "sso:saml-metadata"}
