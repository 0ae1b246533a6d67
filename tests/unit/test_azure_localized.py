"""Azure exports with localized headers (`Kosten (Cost)`, `Kosten`, mixed with camelCase) and
local number and date formats (`1.234,56`, `31.12.2025`): read by the English column name,
totals exact, or rejected naming the row and column. Fixtures: tests/fixtures/azure_localized."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.ingest.localized_headers import english_name, localized_headers
from finops_pipeline.ingest.mapping import get_mapping, header_key
from finops_pipeline.refresh import ingest_and_refresh

FIXTURES = Path(__file__).parents[1] / "fixtures" / "azure_localized"
D = Decimal


def load(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    [outcome] = ingest_and_refresh(con, path, source="azure-de").files
    assert outcome.status == "loaded", outcome.reason
    assert outcome.format == "azure-cost"


def rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select cast(ChargePeriodStart as date), ServiceName, BilledCost, BillingCurrency, "
        "SubAccountId, Tags->>'team' from focus_costs order by ChargePeriodStart, BilledCost"
    ).fetchall()


@pytest.mark.parametrize(
    ("header", "english"),
    [
        ("Abonnement-GUID (SubscriptionGuid)", "SubscriptionGuid"),
        ("Kategorie der Verbrauchseinheit (MeterCategory)", "MeterCategory"),
        ("  Kosten  ", "Cost"),
        ("kategorie der verbrauchseinheit", "MeterCategory"),
        ("미터범주 (MeterCategory)", "MeterCategory"),
        ("Custo", "Cost"),
        ("Cost (USD)", None),  # a parenthesised word that is no Azure column name
        ("costInBillingCurrency", None),
    ],
)
def test_english_name_of_a_header(header: str, english: str | None) -> None:
    assert english_name(header) == english


def test_every_localized_spelling_names_an_azure_column_and_a_source() -> None:
    mapping = get_mapping("azure-cost")
    known = {header_key(n) for name, s in mapping.columns.items() for n in [name, *s.aliases]}
    entries = localized_headers()
    assert {e.language for e in entries.values()} >= {"de"}
    for entry in entries.values():
        assert header_key(entry.english) in known, entry
        assert entry.source.strip(), entry


def test_german_download_with_local_numbers_and_dates(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, FIXTURES / "de_download.csv")
    sub = "1c0e1f6e-0000-4000-8000-000000000001"
    assert rows(warehouse) == [
        (datetime(2025, 12, 1).date(), "Bandwidth", D("12"), "EUR", sub, None),
        (datetime(2025, 12, 30).date(), "Virtual Machines", D("1234.56"), "EUR", sub, "payments"),
        (datetime(2025, 12, 31).date(), "Virtual Machines", D("-2.5"), "EUR", sub, "payments"),
        (datetime(2025, 12, 31).date(), "Storage", D("0.015"), "EUR", sub, None),
    ]
    [check] = reconcile(warehouse)
    assert check.ok and check.raw_total == D("1244.075")


def test_german_only_headers_mixed_with_camel_case(warehouse: duckdb.DuckDBPyConnection) -> None:
    load(warehouse, FIXTURES / "de_mixed_camel.csv")
    got = rows(warehouse)
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in got] == [
        ("Virtual Machines", D("10.25"), "EUR", "sub-de-1", "search"),
        ("Storage", D("0.004"), "EUR", "sub-de-1", None),
    ]


def test_korean_headers_by_their_english_name(warehouse: duckdb.DuckDBPyConnection) -> None:
    load(warehouse, FIXTURES / "ko_download.csv")
    total = warehouse.execute(
        "select BillingCurrency, sum(BilledCost), string_agg(distinct ServiceName, ',' order by "
        "ServiceName) from focus_costs group by 1"
    ).fetchall()
    assert total == [("KRW", D("1750"), "Storage,Virtual Machines")]
    raw = warehouse.execute("select distinct billing_account_name from raw_azure_cost").fetchall()
    assert raw == [("Contoso",)]


def rewrite(tmp_path: Path, column: str, row: int, value: str) -> Path:
    """The German fixture with one cell changed (row counts data rows from 1)."""
    with (FIXTURES / "de_download.csv").open(encoding="utf-8", newline="") as stream:
        table = list(csv.reader(stream))
    table[row][table[0].index(column)] = value
    path = tmp_path / "export" / "de_download.csv"
    path.parent.mkdir()
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(table)
    return path


@pytest.mark.parametrize(
    ("column", "row", "value", "needle"),
    [
        ("Kosten (Cost)", 3, "1234.56", "value '1234.56' does not fit the column's local format"),
        ("Kosten (Cost)", 2, "1,2,3", "value '1,2,3' does not fit"),
        ("Datum (Date)", 4, "2025-12-01", "value '2025-12-01' does not fit"),
        ("Datum (Date)", 2, "31.02.2025", "cannot read value '31.02.2025'"),
    ],
)
def test_values_that_do_not_fit_the_local_format_are_rejected_naming_row_and_column(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, column: str, row: int, value: str,
    needle: str,
) -> None:  # fmt: skip
    path = rewrite(tmp_path, column, row, value)
    [outcome] = ingest_and_refresh(warehouse, path, source="azure-de").files
    assert outcome.status == "rejected"
    assert needle in outcome.reason
    assert f"data row {row}" in outcome.reason and f"column '{column}'" in outcome.reason
    assert "\n" not in outcome.reason
    with pytest.raises(duckdb.CatalogException):
        warehouse.execute("select count(*) from focus_costs").fetchone()


def test_english_exports_are_not_read_the_local_way(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """`1,5` in an English-header file is no German decimal: it is rejected as before."""
    path = tmp_path / "export" / "usage.csv"
    path.parent.mkdir()
    path.write_text(
        'SubscriptionGuid,Date,MeterCategory,Cost,Currency\nsub-1,2025-12-01,Storage,"1,5",EUR\n',
        encoding="utf-8",
    )
    [outcome] = ingest_and_refresh(warehouse, path, source="azure-en").files
    assert outcome.status == "rejected" and "column 'Cost'" in outcome.reason
