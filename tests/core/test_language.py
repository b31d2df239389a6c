"""French first, English on request through the language switch."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_french_even_when_the_browser_asks_for_english() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/compte/login/")
    assert "Connexion à Resilis" in response.content.decode()
    assert response["Content-Language"] == "fr"


@pytest.mark.django_db
def test_the_language_switch_gives_english_and_back() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/compte/login/"})
    assert response.status_code == 302
    assert "Log in to Resilis" in client.get("/compte/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/compte/login/"})
    assert "Connexion à Resilis" in client.get("/compte/login/").content.decode()
