"""cost_anomalies on the 13-month demo: the generator's planted anomalies are found, once.

Graded strictly by finops_pipeline/anomalies/accuracy.py: a row counts only if it names a
planted slice (at its level or in also_seen_at) not already found by another row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

import duckdb
import pytest

from finops_pipeline.anomalies import build_cost_anomalies
from finops_pipeline.anomalies.accuracy import grade, reported
from finops_pipeline.anomalies.quality import violations
from finops_pipeline.demo import ingest_demo
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.warehouse import connect


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    root = tmp_path_factory.mktemp("anomalies")
    truth = generate(root / "data", end_month="2026-11", months=13)
    settings = demo_settings(root / "data")
    con = connect(root / "warehouse.duckdb")
    for _ in ingest_demo(con, root / "data", partial(ingest_and_refresh, settings=settings)):
        pass
    build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    try:
        yield con, truth
    finally:
        con.close()


def test_recall_and_strict_precision_at_defaults(demo: tuple) -> None:
    """One row per planted incident: recall >= 0.95 and strict precision >= 0.9."""
    con, truth = demo
    result = grade(reported(con), truth)
    assert result.recall >= 0.95, result.missed
    assert result.precision >= 0.9, result.false_positives
    assert result.rows == len(truth["anomalies"])


def test_each_row_keeps_the_levels_it_was_seen_at(demo: tuple) -> None:
    # The planted level shift is the data-platform team's: its row is the narrower BigQuery
    # service or the team itself, and the other levels are listed, not lost.
    con, truth = demo
    planted = next(p for p in truth["anomalies"] if p["kind"] == "level_shift")
    rows = [r for r in reported(con) if r["provider"] == planted["provider"]]
    assert len(rows) == 1
    row = rows[0]
    seen = {(row["level"], row["key"])} | {
        (m["level"], m["key"]) for m in json.loads(row["also_seen_at"])
    }
    assert ("team", "data-platform") in seen
    assert {level for level, _ in seen} >= {"service", "sub_account", "team", "provider"}
    assert (row["kind"], row["last_date"]) == ("level_shift", None)
    top = next(c for c in json.loads(row["contributors"]) if c["dimension"] == "ResourceId")
    assert top["change"] > 0 and top["actual_cost"] > top["expected_cost"]


def test_rerun_gives_the_same_ids_and_one_row_per_event(demo: tuple) -> None:
    con, truth = demo
    before = con.execute("select anomaly_id, detected_at from cost_anomalies order by 1").fetchall()
    build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    after = con.execute("select anomaly_id, detected_at from cost_anomalies order by 1").fetchall()
    assert after == before


def test_no_anomaly_on_an_incomplete_day(demo: tuple) -> None:
    """With the default lag (one day), as_of - 1 is incomplete: no row or level starts or
    ends on it, and ongoing events are judged up to the last complete day only."""
    con, truth = demo
    as_of = date.fromisoformat(truth["as_of"])
    last_complete = as_of - timedelta(days=2)
    rows = reported(con)
    assert rows
    for row in rows:
        assert row["last_complete_date"] == last_complete
        members = [row, *json.loads(row["also_seen_at"])]
        for m in members:
            first = (
                m["first_date"]
                if isinstance(m["first_date"], date)
                else date.fromisoformat(m["first_date"])
            )
            last = m["last_date"]
            last = date.fromisoformat(last) if isinstance(last, str) else last
            assert first <= last_complete and (last is None or last <= last_complete), m


def test_short_history_is_reported_not_judged(demo: tuple) -> None:
    """Series are judged from their 10th day (issue 11): as of the data's 10th day (so 8
    complete days with the one-day lag) nothing is judged, and the coverage says why."""
    con, truth = demo
    [first] = con.execute("select min(cast(ChargePeriodStart as date)) from focus_costs").fetchone()
    early = first + timedelta(days=9)
    try:
        assert build_cost_anomalies(con, as_of=early) == 0
        statuses = con.execute(
            "select distinct status, reason from cost_anomaly_coverage"
        ).fetchall()
    finally:
        build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    assert {status for status, _ in statuses} == {"insufficient_history"}
    assert all("needs at least 10" in reason for _, reason in statuses)


def test_a_table_of_an_older_schema_is_rebuilt(demo: tuple) -> None:
    con, truth = demo
    con.execute("drop table cost_anomalies")
    con.execute("create table cost_anomalies (anomaly_id varchar, incident_id varchar)")
    con.execute("insert into cost_anomalies values ('x', 'x')")
    assert build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"])) == 4
    columns = [r[0] for r in con.execute("describe cost_anomalies").fetchall()]
    assert "also_seen_at" in columns and "incident_id" not in columns


BREAKS = {
    "below_impact_floor": "update cost_anomalies set actual_cost = expected_cost + 1, "
    "impact = 1 where anomaly_id = $id",
    "figures_missing_or_inconsistent": "update cost_anomalies set impact = -impact "
    "where anomaly_id = $id",
    "contributors_empty": "update cost_anomalies set contributors = '[]' where anomaly_id = $id",
    "on_incomplete_day": "update cost_anomalies set last_date = last_complete_date + 1 "
    "where anomaly_id = $id",
    # one of the row's other levels also reported as a row of its own
    "event_reported_twice": "insert into cost_anomalies select * replace ("
    "json_extract_string(also_seen_at, '$[0].anomaly_id') as anomaly_id, '[]' as also_seen_at) "
    "from cost_anomalies where anomaly_id = $id",
}


def test_the_asset_check_rules_hold_on_the_demo(demo: tuple) -> None:
    con, _ = demo
    assert violations(con) == []


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_asset_check_rule_catches_its_breach(demo: tuple, rule: str) -> None:
    con, _ = demo
    [target] = con.execute(
        "select anomaly_id from cost_anomalies where json_array_length(also_seen_at) > 0 "
        "order by anomaly_id limit 1"
    ).fetchone()
    con.execute("begin transaction")
    try:
        con.execute(BREAKS[rule], {"id": target})
        found = violations(con)
    finally:
        con.execute("rollback")
    assert rule in {v["rule"] for v in found}, found
