"""The import parser fuzzed with hypothesis: arbitrary headers and cells (text, numbers, dates, booleans,
control characters, formulas) in CSV and XLSX, and arbitrary bytes, never raise anything but a clean
``SpreadsheetError``; the row checks of every kind of import turn any table into rows with a status (a bad
cell is a refused row with its reason, never an exception)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core import spreadsheets
from apps.imports import engine
from apps.imports.models import ImportKind
from tests.imports.conftest import csv_bytes, xlsx

# openpyxl refuses control characters in cells (IllegalCharacterError): the XLSX cells avoid them, the
# CSV cells do not.
xlsx_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
cells = st.one_of(st.none(), xlsx_text, st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  st.booleans(), st.dates(min_value=datetime.date(1900, 1, 1)), st.sampled_from(
                      ["=1+1", "=HYPERLINK(\"http://x\")", "oui", "non", "12 h", "Application", "8760", "0", "-3"]))
HEADER_WORDS = ["Nom", "Code", "Type", "RTO", "Éditeur", "Source", "Cible", "Activité", "Établissement",
                "Contournement", "Fin de contrat", "Périmètre CaRE", "Service", "Pôle"]
headers = st.lists(st.one_of(st.sampled_from(HEADER_WORDS), xlsx_text, st.none()), min_size=1, max_size=8)
tables = st.tuples(headers, st.lists(st.lists(cells, max_size=10), max_size=15))
SMALL = spreadsheets.Limits(max_rows=20, max_columns=12)


def _check_all_kinds(table: spreadsheets.Table, org) -> None:
    for kind in ImportKind.values:
        mapping = engine.guess_mapping(kind, table.headers)
        ctx = engine.load_context(organization=org, allowed=None, kind=kind, resource_kind="application")
        try:
            rows = engine.check(kind=kind, table=table, mapping=mapping, ctx=ctx)
        except ValueError as error:  # a required field not mapped: the mapping page says so
            assert "obligatoire" in str(error) or "required" in str(error)
            continue
        assert len(rows) == len(table.rows)
        assert {r.status for r in rows} <= {engine.NEW, engine.UPDATED, engine.UNCHANGED, engine.REFUSED}


def _read(data: bytes, name: str) -> spreadsheets.Table | None:
    try:
        return spreadsheets.read_table(data, filename=name, limits=SMALL)
    except spreadsheets.SpreadsheetError as error:
        assert error.code in {"too_big", "not_xlsx", "unpacked", "rows", "columns", "not_csv", "empty"}
        assert str(error)
        return None


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables)
def test_any_xlsx_gives_a_table_or_a_clean_refusal(org, table) -> None:
    head, body = table
    parsed = _read(xlsx([head, *body]), "f.xlsx")
    if parsed is not None:
        _check_all_kinds(parsed, org)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=10), max_size=15),
       st.sampled_from([";", ",", "\t"]), st.sampled_from(["utf-8", "cp1252"]))
def test_any_csv_gives_a_table_or_a_clean_refusal(org, rows, delimiter, encoding) -> None:
    try:
        data = csv_bytes(rows, encoding=encoding, delimiter=delimiter)
    except UnicodeEncodeError:
        data = csv_bytes(rows, delimiter=delimiter)
    parsed = _read(data, "f.csv")
    if parsed is not None:
        _check_all_kinds(parsed, org)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["f.csv", "f.xlsx", "f"]))
def test_any_bytes_give_a_table_or_a_clean_refusal(data, name) -> None:
    _read(data, name)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_after_a_zip_signature_are_a_clean_refusal(data) -> None:
    _read(spreadsheets.ZIP_MAGIC + data, "f.xlsx")
