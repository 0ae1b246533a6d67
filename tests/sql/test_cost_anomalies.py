"""cost_anomalies on the 13-month demo: the generator's planted anomalies are found.

recall: every planted anomaly is reported at its own level and key with overlapping days.
precision: a reported row is matched when it is the same change as a planted anomaly (same
provider, or the total of its currency; same direction; overlapping days), i.e. the planted
change seen at its own or another level; per incident (rows grouped by incident_id) too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

import duckdb
import pytest

from finops_pipeline.anomalies import build_cost_anomalies
from finops_pipeline.demo import ingest_demo
from finops_pipeline.ingest.service import ingest_path
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
    for _ in ingest_demo(con, root / "data", partial(ingest_path, policy=settings.tag_policy)):
        pass
    build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    try:
        yield con, truth
    finally:
        con.close()


def reported(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute("select * from cost_anomalies order by anomaly_id")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def overlaps(row: dict, planted: dict, last_day: date) -> bool:
    first = date.fromisoformat(planted["first_date"])
    last = date.fromisoformat(planted["last_date"]) if planted["last_date"] else last_day
    row_last = row["last_date"] or last_day
    return row["first_date"] <= last and first <= row_last


def same_change(row: dict, planted: dict, last_day: date) -> bool:
    direction = "down" if planted["kind"] == "drop" else "up"
    provider_ok = row["provider"] in (None, planted["provider"])
    return (
        provider_ok
        and row["currency"] == planted["currency"]
        and row["direction"] == direction
        and overlaps(row, planted, last_day)
    )


def test_recall_and_precision_at_defaults(demo: tuple) -> None:
    con, truth = demo
    rows = reported(con)
    last_day = date.fromisoformat(truth["as_of"]) - timedelta(days=1)
    planted = truth["anomalies"]
    found = [
        p
        for p in planted
        if any(
            r["level"] == p["level"] and r["key"] == p["key"] and overlaps(r, p, last_day)
            for r in rows
        )
    ]
    matched = [r for r in rows if any(same_change(r, p, last_day) for p in planted)]
    recall = len(found) / len(planted)
    precision = len(matched) / len(rows)
    incidents = {r["incident_id"] for r in rows}
    matched_incidents = {r["incident_id"] for r in matched}
    assert recall >= 0.95, [p["id"] for p in planted if p not in found]
    assert precision >= 0.9, [r for r in rows if r not in matched]
    assert len(matched_incidents) / len(incidents) >= 0.9
    assert len(incidents) == len(planted)


def test_level_shift_is_ongoing_and_explained(demo: tuple) -> None:
    con, _ = demo
    row = con.execute(
        "select kind, last_date, contributors from cost_anomalies "
        "where level = 'team' and key = 'data-platform' and provider = 'Google Cloud'"
    ).fetchone()
    assert row is not None
    kind, last_date, contributors = row
    assert (kind, last_date) == ("level_shift", None)
    top = next(c for c in json.loads(contributors) if c["dimension"] == "ResourceId")
    assert top["change"] > 0 and top["actual_cost"] > top["expected_cost"]


def test_rerun_gives_the_same_ids_and_one_row_per_event(demo: tuple) -> None:
    con, truth = demo
    before = con.execute("select anomaly_id, detected_at from cost_anomalies order by 1").fetchall()
    build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    after = con.execute("select anomaly_id, detected_at from cost_anomalies order by 1").fetchall()
    assert after == before


def test_no_anomaly_on_an_incomplete_day(demo: tuple) -> None:
    con, truth = demo
    as_of = date.fromisoformat(truth["as_of"])
    last_complete = as_of - timedelta(days=2)  # default lag: one day
    latest = con.execute(
        "select max(coalesce(last_date, last_complete_date)), max(first_date), "
        "max(last_complete_date) from cost_anomalies"
    ).fetchone()
    assert latest is not None
    assert all(d <= last_complete for d in latest)


def test_short_history_is_reported_not_judged(demo: tuple) -> None:
    con, truth = demo
    early = date.fromisoformat(truth["as_of"]) - timedelta(days=365)
    try:
        assert build_cost_anomalies(con, as_of=early) == 0
        statuses = con.execute(
            "select distinct status, reason from cost_anomaly_coverage"
        ).fetchall()
    finally:
        build_cost_anomalies(con, as_of=date.fromisoformat(truth["as_of"]))
    assert {status for status, _ in statuses} == {"insufficient_history"}
    assert all("needs more than" in reason for _, reason in statuses)
