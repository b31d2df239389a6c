"""The PDF dossier as a reader sees it: pdfinfo (pages, metadata), pdftotext (sections, header, footer)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django_scopes import scope

from apps.exports import registry
from apps.exports.pdf import (
    FetchRefused,
    build_dossier_html,
    render_dossier,
    render_sections,
    resolve_static,
    static_url_fetcher,
)
from apps.exports.registry import PdfSection
from apps.exports.services import SectionError
from tests.exports.conftest import pdf_info, pdf_text
from tests.exports.factories import ExportJobFactory
from tests.factories import EstablishmentFactory, SiteFactory


@pytest.fixture
def dossier_org(org):
    establishment = org_establishment = EstablishmentFactory(organization=org, name="Hôpital de la Rive",
                                                             finess_ej="450000120")
    SiteFactory(organization=org, establishment=org_establishment, name="Site principal de la Rive", city="Valmont")
    org.ecare_number = "ECARE-D2-2025-0001"
    org.save()
    return org, establishment


def render(org, tmp_path: Path) -> Path:
    job = ExportJobFactory(organization=org, dossier_version=4)
    path = tmp_path / "dossier.pdf"
    steps: list[int] = []
    with scope(organization=org), translation.override("fr"):
        render_dossier(organization=org, job=job, path=path, progress=lambda percent, label: steps.append(percent))
    assert steps == sorted(steps) and steps, "progress only moves forward"
    return path


@pytest.mark.django_db
def test_dossier_has_cover_contents_chapters_header_and_footer(dossier_org, tmp_path) -> None:
    org, establishment = dossier_org
    path = render(org, tmp_path)
    info = pdf_info(path)
    pages = int(info["Pages"])
    assert pages >= 3
    assert info["Title"] == "Dossier CaRE D2 — CH de Valmont"
    assert info["Author"] == "CH de Valmont"
    assert "CaRE Domaine 2" in info["Subject"] and "version 4" in info["Subject"]
    assert "ECARE-D2-2025-0001" in info["Keywords"]
    assert info["Creator"] == "Resilis"
    text = pdf_text(path)
    assert "Dossier du plan de continuité et de" in text
    assert "Sommaire" in text
    assert text.count("Candidat et entités") >= 3  # contents, running header, chapter title
    assert "Diffusion restreinte" in text
    for number in range(1, pages + 1):
        assert f"Page {number} / {pages}" in text
    assert establishment.finess_ej in text and "Site principal de la Rive" in text
    assert "Empreinte du contenu (SHA-256)" in text
    assert "Version du dossier" in text


@pytest.mark.django_db
def test_dossier_is_pdf_a_3a_and_tagged(dossier_org, tmp_path) -> None:
    """PDF/A-3 level A (issue 16): archival and accessible, the structure tree written (pdfinfo « Tagged: yes »)."""
    path = render(dossier_org[0], tmp_path)
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta
    assert pdf_info(path)["Tagged"] == "yes"


@pytest.mark.django_db
def test_contents_has_page_numbers_and_bookmarks(dossier_org, monkeypatch, tmp_path) -> None:
    from weasyprint import HTML

    org = dossier_org[0]
    monkeypatch.setattr(registry, "_PDF", {})
    registry.register_pdf_section(PdfSection(key="annex", order=900, title="Annexe de test",
                                             template="exports/sections/candidate.html", context=lambda o: {}))
    registry.register_pdf_section(PdfSection(key="candidate", order=100, title="Candidat et entités",
                                             template="exports/sections/candidate.html", context=lambda o: {}))
    with scope(organization=org), translation.override("fr"):
        html = build_dossier_html(organization=org, dossier_version=1, sections=render_sections(organization=org))
    document = HTML(string=html, base_url="file:///", url_fetcher=static_url_fetcher()).render()
    tree = document.make_bookmark_tree()
    assert [label for label, *_ in tree] == ["Sommaire", "Candidat et entités", "Annexe de test"]
    # Each chapter starts on its own page, after the cover (page index 0) and the contents (1).
    assert [destination[0] for _, destination, *_ in tree] == [1, 2, 3]
    assert document.pages[1].links, "the contents entries are clickable"
    pdf = tmp_path / "toc.pdf"
    document.write_pdf(pdf)
    text = pdf_text(pdf)
    assert re.search(r"Candidat et entités\s*\.+\s*3\b", text), text
    assert re.search(r"Annexe de test\s*\.+\s*4\b", text), text


@pytest.mark.django_db
def test_empty_registry_still_gives_a_valid_dossier(org, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(registry, "_PDF", {})
    path = render(org, tmp_path)
    assert int(pdf_info(path)["Pages"]) == 2
    assert "Aucun chapitre n'est encore disponible" in pdf_text(path)


@pytest.mark.django_db
def test_a_failing_section_is_named(org, monkeypatch) -> None:
    def broken(organization):
        raise RuntimeError("bug in a contributed section")

    monkeypatch.setattr(registry, "_PDF", {})
    registry.register_pdf_section(PdfSection(key="broken", order=300, title="Synthèse BIA",
                                             template="exports/sections/candidate.html", context=broken))
    with scope(organization=org), pytest.raises(SectionError) as error:
        render_sections(organization=org)
    assert error.value.title == "Synthèse BIA"


def test_url_fetcher_serves_static_files_only() -> None:
    served = static_url_fetcher().fetch("file:///static/css/resilis.css")
    assert served.read()
    for refused in ("https://example.com/logo.png", "http://169.254.169.254/latest/meta-data/",
                    "file:///etc/passwd", "file:///static/../../etc/passwd", "data:text/plain,hello",
                    "ftp://example.com/x"):
        with pytest.raises(FetchRefused):
            resolve_static(refused)


@pytest.mark.django_db
def test_remote_and_local_resources_in_a_section_are_not_fetched(org, monkeypatch, tmp_path) -> None:
    """A section (or a user's text) pointing to the network or to server files does not break or leak."""
    template_dir = tmp_path / "templates"
    (template_dir / "probe").mkdir(parents=True)
    (template_dir / "probe" / "section.html").write_text(
        '<p>Avant</p><img src="https://example.com/tracker.png"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="file:///etc/hostname"><p>Après</p>'
    )
    from django.conf import settings

    monkeypatch.setattr(registry, "_PDF", {})
    registry.register_pdf_section(PdfSection(key="probe", order=300, title="Sonde",
                                             template="probe/section.html", context=lambda o: {}))
    templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]
    with _templates(templates):
        path = render(org, tmp_path)
    text = pdf_text(path)
    assert "Avant" in text and "Après" in text
    assert "root:" not in text


def _templates(templates):
    from django.test import override_settings

    return override_settings(TEMPLATES=templates)


def test_long_words_get_break_opportunities_in_the_body_text_only() -> None:
    from apps.exports.pdf import breakable

    word = "Z" * 40
    url = "https://intranet.chu-exemple.fr/procedures/plan-blanc/version-2026"
    html = (f'<html><head><title>{word}</title><style>.x {{ content: "{word}"; }}</style></head>'
            f'<body><a href="{url}" title="{word}">{url}</a><p>{word} court&nbsp;mot &#x27;{"É" * 30}&#x27;</p>'
            f'<span class="hash">{"ab12" * 16}</span><style>.y {{ content: "{word}"; }}</style></body></html>')
    out = breakable(html)
    head, body = out.split("<body", 1)
    assert "\u200b" not in head  # the title and the stylesheet keep their words
    assert f'href="{url}" title="{word}"' in body  # attributes untouched
    assert "Z" * 16 + "\u200b" + "Z" * 16 + "\u200b" + "Z" * 8 + " court&nbsp;mot" in body
    assert "&#x27;" in body and "&#\u200b" not in body and "\u200bx27;" not in body  # entities never split
    assert "ab12" * 16 in body  # a checksum copies intact (its style breaks it anywhere)
    assert f'.y {{ content: "{word}"; }}' in body  # a style element in the body too
    assert out.replace("\u200b", "") == html  # nothing else changed
