"""Landing for `engine: spark`: the raw rows kept in the Parquet lake (engines/lake_store.py).

The same deliveries landed into the warehouse (engine duckdb) and into the lake must give
the same raw rows, types and load log; a restatement replaces only its (period, source)
folder; a duplicate delivery changes nothing; a bad file is rejected with the same message
and the lake keeps its earlier rows. No Spark is needed: landing is DuckDB's on both
engines, and the lake's raw tables are DuckDB views over the folders Spark reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.demo_sources import DEMO_SOURCES
from finops_pipeline.engines.lake_store import LakeRawStore, local_lake
from finops_pipeline.errors import ConfigError
from finops_pipeline.ingest.raw_store import use_raw_store
from finops_pipeline.ingest.raw_tables import raw_tables
from finops_pipeline.ingest.service import ingest_path
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.warehouse import connect
from tests.fixtures.cur import cur_rows, write_cur
from tests.integration.test_bad_input import _setup, _text_cost

# Differ between two landings of the same file by design.
PER_LOAD = ("x_load_id", "x_loaded_at")


@contextmanager
def _lake_warehouse(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    lake = tmp_path / "lake"
    con = connect(tmp_path / "lake-warehouse.duckdb")
    try:
        with use_raw_store(LakeRawStore(str(lake))):
            yield con, lake
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(
        f"select * exclude ({', '.join(PER_LOAD)}) from {table} order by all"
    ).fetchall()


def _types(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()]


def _is_view(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_views() where view_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])


def _slices(lake: Path, table: str) -> dict[str, set[str]]:
    """(period/source folder) -> its Parquet file names."""
    root = lake / table
    return {
        str(folder.relative_to(root)): {p.name for p in folder.glob("*.parquet")}
        for folder in root.glob("lake_period=*/lake_source=*")
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("sample")
    generate(data, end_month="2026-02", months=2)
    return data


def test_every_sample_format_lands_in_the_lake_as_in_the_warehouse(
    sample: Path, warehouse, tmp_path: Path
) -> None:
    """Every demo export family, landed both ways: the same raw rows and column types, the
    same load log, and focus_costs built by DuckDB over the lake's views equals the
    warehouse's to the cent."""
    for folder, format_name in DEMO_SOURCES.items():
        ingest_and_refresh(warehouse, sample / folder, folder, format_name)
    with _lake_warehouse(tmp_path) as (lake_con, lake):
        for folder, format_name in DEMO_SOURCES.items():
            ingest_and_refresh(lake_con, sample / folder, folder, format_name)
        for table in raw_tables():
            assert _is_view(lake_con, table), table
            assert _types(lake_con, table) == _types(warehouse, table), table
            assert _rows(lake_con, table) == _rows(warehouse, table), table
        landed = [t for t in raw_tables() if _slices(lake, t)]
        assert len(landed) == len(set(DEMO_SOURCES.values())), landed
        log = (
            "select source_name, file_path, status, rows, cost_basis, source_total, billing_periods "
            "from load_log order by all"
        )
        assert lake_con.execute(log).fetchall() == warehouse.execute(log).fetchall()
        totals = (
            "select x_SourceName, BillingPeriodStart, BillingCurrency, sum(BilledCost), "
            "sum(EffectiveCost), count(*) from focus_costs group by all order by all"
        )
        expected = warehouse.execute(totals).fetchall()
        assert expected and lake_con.execute(totals).fetchall() == expected
        assert not (lake / "_staging").exists() or not any((lake / "_staging").iterdir())


def test_restatement_replaces_only_its_folder_and_a_duplicate_is_a_no_op(
    tmp_path: Path,
) -> None:
    may = write_cur(tmp_path / "v1" / "may.csv", cur_rows("2024-05", ["10.00", "1.00"]))
    june = write_cur(tmp_path / "v1" / "june.csv", cur_rows("2024-06", ["20.00"]))
    other = write_cur(tmp_path / "other" / "may.csv", cur_rows("2024-05", ["5.00"]))
    with _lake_warehouse(tmp_path) as (con, lake):
        for path, source in [(may, "aws-a"), (june, "aws-a"), (other, "aws-b")]:
            ingest_path(con, path, source)
        before = _slices(lake, "raw_aws_cur")
        assert sorted(before) == [
            "lake_period=2024-05-01/lake_source=aws-a",
            "lake_period=2024-05-01/lake_source=aws-b",
            "lake_period=2024-06-01/lake_source=aws-a",
        ]
        restated = write_cur(
            tmp_path / "v2" / "may.csv", cur_rows("2024-05", ["12.50", "1.00", "0.25"])
        )
        ingest_path(con, restated, "aws-a")
        after = _slices(lake, "raw_aws_cur")
        changed = {k for k in before if before[k] != after.get(k)}
        assert changed == {"lake_period=2024-05-01/lake_source=aws-a"}
        totals = con.execute(
            "select x_source_name, x_billing_period, sum(line_item_unblended_cost), count(*) "
            "from raw_aws_cur group by all order by all"
        ).fetchall()
        assert [(s, f"{p:%Y-%m}", t, n) for s, p, t, n in totals] == [
            ("aws-a", "2024-05", Decimal("13.75"), 3),
            ("aws-a", "2024-06", Decimal("20.00"), 1),
            ("aws-b", "2024-05", Decimal("5.00"), 1),
        ]

        again = ingest_path(con, write_cur(tmp_path / "v3" / "may.csv", cur_rows(
            "2024-05", ["12.50", "1.00", "0.25"])), "aws-a")  # fmt: skip
        assert [f.status for f in again.files] == ["skipped_duplicate"]
        assert _slices(lake, "raw_aws_cur") == after


def test_bad_file_is_rejected_as_in_the_warehouse_and_the_lake_keeps_its_rows(
    warehouse, tmp_path: Path
) -> None:
    """The same bad delivery on both engines: the same one-line reason; the earlier May is
    untouched in the lake, the good June in the same run lands."""
    reasons = {}
    for engine in ("duckdb", "spark"):
        root = tmp_path / engine
        earlier, bad, _good = _setup(root, _text_cost)
        if engine == "duckdb":
            ingest_path(warehouse, earlier, "aws")
            report = ingest_path(warehouse, root / "run", "aws")
        else:
            with _lake_warehouse(root) as (con, lake):
                ingest_path(con, earlier, "aws")
                may = _slices(lake, "raw_aws_cur")
                report = ingest_path(con, root / "run", "aws")
                after = _slices(lake, "raw_aws_cur")
                assert (
                    after["lake_period=2024-05-01/lake_source=aws"]
                    == (may["lake_period=2024-05-01/lake_source=aws"])
                )
                assert "lake_period=2024-06-01/lake_source=aws" in after
                months = con.execute(
                    "select x_billing_period, sum(line_item_unblended_cost) from raw_aws_cur "
                    "group by 1 order by 1"
                ).fetchall()
                assert [(f"{p:%Y-%m}", t) for p, t in months] == [
                    ("2024-05", Decimal("15.55")),
                    ("2024-06", Decimal("7.77")),
                ]
                leftover = con.execute("select count(*) from landing_raw_aws_cur").fetchone()
                assert leftover == (0,)
        by_path = {f.path: f for f in report.files}
        assert by_path[bad].status == "rejected"
        reasons[engine] = by_path[bad].reason.replace(str(root), "ROOT")
    assert reasons["duckdb"] == reasons["spark"]
    assert "lineItem/UnblendedCost" in reasons["spark"]


def test_a_warehouse_landed_by_duckdb_is_adopted_and_then_refuses_duckdb_landing(
    warehouse, tmp_path: Path
) -> None:
    may = write_cur(tmp_path / "may.csv", cur_rows("2024-05", ["10.00", "1.00"]))
    june = write_cur(tmp_path / "june" / "june.csv", cur_rows("2024-06", ["20.00"]))
    ingest_path(warehouse, may, "aws")
    before = _rows(warehouse, "raw_aws_cur")
    lake = tmp_path / "lake"
    with use_raw_store(LakeRawStore(str(lake))):
        ingest_path(warehouse, june, "aws")
    assert _is_view(warehouse, "raw_aws_cur")
    assert sorted(_slices(lake, "raw_aws_cur")) == [
        "lake_period=2024-05-01/lake_source=aws",
        "lake_period=2024-06-01/lake_source=aws",
    ]
    may_rows = [r for r in _rows(warehouse, "raw_aws_cur") if f"{r[-1]:%Y-%m}" == "2024-05"]
    assert may_rows == before
    with pytest.raises(ConfigError, match="engine: spark"):
        ingest_path(warehouse, may, "aws")


def test_only_a_local_lake_can_take_landed_rows() -> None:
    assert local_lake("file:///data/lake") == Path("/data/lake")
    assert local_lake("lake") == Path("lake")
    with pytest.raises(ConfigError, match="not supported yet"):
        LakeRawStore("s3://bucket/lake")
