"""`finops export` writes the FOCUS dataset, replaces periods whole, and round-trips:
export -> `finops ingest --format focus` into a fresh warehouse reconciles to the cent per
source, billing period and currency."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.export.columns import focus_columns
from finops_pipeline.warehouse import connect
from tests.conformance.focus_exports import load_all

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("export-demo")
    con = connect(root / "demo.duckdb")
    sources = load_all(con, root, shared=None)
    con.close()
    return root / "demo.duckdb", sources


def _export(warehouse: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["export", "--out", str(out), "-w", str(warehouse), *args])
    assert result.exit_code == 0, result.output


def _totals(con: duckdb.DuckDBPyConnection, source_column: str = "x_SourceName") -> dict:
    rows = con.execute(
        f"select {source_column}, cast(BillingPeriodStart as date), BillingCurrency, "
        "sum(BilledCost), sum(EffectiveCost) from focus_costs group by all"
    ).fetchall()
    return {(s, p, c): (b.quantize(CENT), e.quantize(CENT)) for s, p, c, b, e in rows}


def test_round_trip_reconciles_per_source_period_and_currency(demo, tmp_path: Path) -> None:
    warehouse, sources = demo
    fresh = tmp_path / "fresh.duckdb"
    for source in sources:
        out = tmp_path / "export" / source
        _export(warehouse, out, "--source", source, "--focus-version", "1.3")
        result = CliRunner().invoke(
            app, ["ingest", str(out), "--format", "focus", "--source", source, "-w", str(fresh)]
        )
        assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse), read_only=True) as original:
        expected = _totals(original)
    with duckdb.connect(str(fresh), read_only=True) as copy:
        got = _totals(copy)
        providers = dict(
            copy.execute(
                "select x_SourceName, any_value(ServiceProviderName) from focus_costs group by 1"
            ).fetchall()
        )
    assert got == expected
    assert len(expected) >= 2 * len(sources)  # two months, several currencies
    assert providers["aws-cur2"] == "AWS"


def test_export_layout_columns_and_metadata(demo, tmp_path: Path) -> None:
    warehouse, _ = demo
    out = tmp_path / "out"
    _export(warehouse, out, "--source", "aws-cur2")
    periods = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert periods == ["billing_period=2026-10", "billing_period=2026-11"]
    table = pq.read_table(out / "billing_period=2026-10" / "part-0.parquet")
    assert table.column_names == focus_columns("1.2")
    assert str(table.schema.field("BilledCost").type) == "decimal128(38, 12)"
    assert "UTC" in str(table.schema.field("ChargePeriodStart").type)
    meta = json.loads((out / "_focus_metadata.json").read_text())
    assert meta["Schema"]["FocusVersion"] == "1.2"
    assert meta["DataGenerator"]["DataGenerator"].startswith("finops-pipeline")
    assert "Recency" not in meta
    with duckdb.connect(str(warehouse), read_only=True) as con:
        billed = con.execute(
            "select sum(BilledCost), count(*) from focus_costs "
            "where x_SourceName = 'aws-cur2' and BillingPeriodStart = '2026-10-01'"
        ).fetchone()
    [october] = [p for p in meta["Periods"] if p["BillingPeriod"] == "2026-10"]
    assert october["RowCount"] == billed[1] == table.num_rows
    assert sum(Decimal(t["BilledCost"]) for t in october["Totals"]) == billed[0]


def test_focus_1_3_adds_its_columns_and_recency(demo, tmp_path: Path) -> None:
    warehouse, _ = demo
    out = tmp_path / "out13"
    _export(warehouse, out, "--source", "aws-cur2", "--focus-version", "1.3", "--with-extensions")
    names = pq.read_schema(out / "billing_period=2026-11" / "part-0.parquet").names
    new = {"ServiceProviderName", "HostProviderName", "ContractApplied", "AllocatedMethodId",
           "AllocatedMethodDetails", "AllocatedResourceId", "AllocatedResourceName",
           "AllocatedTags"}  # fmt: skip
    assert new <= set(names)
    assert {"ProviderName", "PublisherName"} <= set(names)  # deprecated, still filled
    extensions = [n for n in names if n.startswith("x_")]
    assert "x_SourceName" in extensions
    assert names[: len(names) - len(extensions)] == focus_columns("1.3")  # x_ columns last
    meta = json.loads((out / "_focus_metadata.json").read_text())
    [recency] = meta["Recency"]
    sectors = {s["TimeSectorStart"][:7]: s["TimeSectorComplete"] for s in recency["TimeSectors"]}
    assert set(sectors) == {"2026-10", "2026-11"}
    assert not sectors["2026-11"] or sectors["2026-10"]  # never the open month alone complete
    plain = pq.read_schema(_export_12(warehouse, tmp_path)).names
    assert not new & set(plain) and not [n for n in plain if n.startswith("x_")]


def _export_12(warehouse: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out12"
    _export(warehouse, out, "--source", "aws-cur2", "--month", "2026-11")
    return out / "billing_period=2026-11" / "part-0.parquet"


def test_reexport_replaces_a_period_whole(demo, tmp_path: Path) -> None:
    warehouse, _ = demo
    out = tmp_path / "again"
    _export(warehouse, out, "--source", "gcp-billing", "--format", "csv")
    period = out / "billing_period=2026-11"
    (period / "stale.csv").write_text("left over from an older export\n")
    _export(warehouse, out, "--source", "gcp-billing", "--format", "csv", "--month", "2026-11")
    assert sorted(p.name for p in period.iterdir()) == ["_period.json", "part-0.csv"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp folders left
    first = (period / "part-0.csv").read_text().splitlines()[1]
    assert "T00:00:00Z" in first  # ISO 8601 UTC in CSV
    meta = json.loads((out / "_focus_metadata.json").read_text())
    assert [p["BillingPeriod"] for p in meta["Periods"]] == ["2026-10", "2026-11"]


def test_mixed_output_folder_is_refused(demo, tmp_path: Path) -> None:
    warehouse, _ = demo
    out = tmp_path / "mixed"
    _export(warehouse, out, "--source", "aws-focus")
    result = CliRunner().invoke(
        app, ["export", "--out", str(out), "-w", str(warehouse), "--source", "gcp-billing"]
    )
    assert result.exit_code == 2
    assert "holds an export with Source 'aws-focus'" in result.output
