"""`finops ingest` rebuilds focus_costs through the Dagster job `build_derived` (issue 17,
item 4): one run per stretch of consecutive months, focus_costs only, narrowed to the
(source, billing period) pairs the load left pending; the run records the materializations
(once), and a failed rebuild is one line naming the months, the earlier rows kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.ingest.pending import pending_pairs
from tests.fixtures.cur import cur_rows, write_cur

MAY, JUNE = date(2024, 5, 1), date(2024, 6, 1)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Dagster instance of this test's own, so its events can be counted."""
    folder = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(folder))
    return folder


def _ingest(path: Path, source: str, warehouse: Path) -> str:
    result = CliRunner().invoke(
        app, ["ingest", str(path), "--source", source, "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _totals(warehouse: Path) -> dict[tuple[str, str], Decimal]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select x_SourceName, strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) "
            "from focus_costs group by all"
        ).fetchall()
    return {(source, month): total for source, month, total in rows}


def _materializations(instance: dg.DagsterInstance, asset: str) -> list[dg.EventLogRecord]:
    return list(
        instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset)), limit=100
        ).records
    )


def test_ingest_runs_the_job_once_per_range_for_the_pending_pairs_only(
    tmp_path: Path, home: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    write_cur(tmp_path / "a" / "may.csv", cur_rows("2024-05", ["10.00"]))
    write_cur(tmp_path / "a" / "june.csv", cur_rows("2024-06", ["20.00"]))
    _ingest(tmp_path / "a", "aws-a", warehouse)
    _ingest(
        write_cur(tmp_path / "b" / "may.csv", cur_rows("2024-05", ["5.00"])), "aws-b", warehouse
    )
    # A pending-scope run rebuilds only the pairs the load changed: aws-a's May, which
    # aws-b's load did not touch, keeps even a row edited behind its back.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update focus_costs set BilledCost = 99 where x_SourceName = 'aws-a' "
                    "and BillingPeriodStart = '2024-05-01'")  # fmt: skip
    restated = write_cur(tmp_path / "b2" / "may.csv", cur_rows("2024-05", ["6.00", "1.00"]))
    output = _ingest(restated, "aws-b", warehouse)
    assert "focus_costs rows rewritten: 2" in output
    assert _totals(warehouse) == {
        ("aws-a", "2024-05"): Decimal("99"),
        ("aws-a", "2024-06"): Decimal("20.00"),
        ("aws-b", "2024-05"): Decimal("7.00"),
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert pending_pairs(con) == set()

    with dg.DagsterInstance.get() as instance:
        runs = list(reversed(instance.get_runs()))  # oldest first
        assert [run.job_name for run in runs] == ["build_derived"] * 3
        assert {run.tags.get("finops/focus_scope") for run in runs} == {"pending"}
        first = runs[0]  # aws-a's May and June: one run over both
        assert first.tags["dagster/asset_partition_range_start"] == "2024-05-01"
        assert first.tags["dagster/asset_partition_range_end"] == "2024-06-01"
        for run in runs:  # focus_costs only: no staging view, mart or check
            events = instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
            assert {e.event_log_entry.asset_materialization.asset_key for e in events} == {
                dg.AssetKey("focus_costs")
            }
            assert not instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
        # recorded once: by the runs (May three times, June once), never again by the CLI
        focus = _materializations(instance, "focus_costs")
        assert all(record.run_id for record in focus)
        assert sorted(record.partition_key for record in focus) == ["2024-05-01"] * 3 + [
            "2024-06-01"
        ]
        assert instance.fetch_materializations(
            dg.AssetKey(["raw", "aws_b"]), limit=1
        ).records  # the landing, recorded by the CLI


def test_a_failed_rebuild_names_the_months_and_keeps_the_earlier_rows(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "w.duckdb"
    _ingest(write_cur(tmp_path / "v1" / "may.csv", cur_rows("2024-05", ["1.00"])), "aws", warehouse)

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("finops_pipeline.core.assets.build_focus_pending", broken)
    restated = write_cur(tmp_path / "v2" / "may.csv", cur_rows("2024-05", ["2.00"]))
    result = CliRunner().invoke(
        app, ["ingest", str(restated), "--source", "aws", "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 2, result.output
    assert "focus_costs was not rebuilt" in result.output
    assert "2024-05" in result.output and "disk on fire" in result.output
    assert "Traceback" not in result.output
    assert _totals(warehouse) == {("aws", "2024-05"): Decimal("1.00")}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert pending_pairs(con) == {("aws", MAY)}

    monkeypatch.undo()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    output = _ingest(tmp_path / "v2", "aws", warehouse)  # nothing new: finishes the pending
    assert "finished the focus_costs rebuild an interrupted load had left pending" in output
    assert _totals(warehouse) == {("aws", "2024-05"): Decimal("2.00")}


def test_the_ingest_commands_rebuild_only_through_the_job() -> None:
    """`finops ingest PATH` and `finops ingest <location>` never rebuild focus_costs on their
    own connection (the library's direct calls are for the tests and the demo's landing)."""
    import ast
    import inspect

    from finops_pipeline import cli, cli_connectors

    direct = {"refresh_focus", "ingest_and_refresh", "sync_and_refresh", "rebuild_changed"}
    for function, via in ((cli.ingest, "refresh_in_job"),
                          (cli_connectors.ingest_remote, "sync_then_refresh")):  # fmt: skip
        tree = ast.parse(inspect.getsource(inspect.unwrap(function)))
        names = {
            n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in ast.walk(tree)
        }
        assert via in names and not names & direct, function.__name__


def test_a_billing_month_after_the_current_one_builds(tmp_path: Path, home: Path) -> None:
    """A month ahead of this machine's clock (an export dated ahead, a provider's next
    period) is inside the job's partitions, so its load builds instead of staying pending;
    the code location's partitions then reach it too."""
    from datetime import UTC, datetime

    from finops_pipeline.definitions import build_definitions
    from finops_pipeline.settings import load_settings

    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 + 2  # two months ahead
    ahead = f"{index // 12}-{index % 12 + 1:02d}"
    warehouse = tmp_path / "w.duckdb"
    _ingest(write_cur(tmp_path / "a" / "ahead.csv", cur_rows(ahead, ["3.00"])), "aws", warehouse)
    assert _totals(warehouse) == {("aws", ahead): Decimal("3.00")}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert pending_pairs(con) == set()
    defs = build_definitions(load_settings(None, str(warehouse)), str(warehouse))
    partitions = defs.resolve_asset_graph().get(dg.AssetKey("focus_costs")).partitions_def
    assert partitions is not None and f"{ahead}-01" in partitions.get_partition_keys()
