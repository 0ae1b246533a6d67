"""cost_anomalies: one row per anomaly event (one change, one row), with a stable id.

`sql/marts/cost_anomalies_daily.sql` reads daily EffectiveCost per level key from
focus_costs; `detect.py` judges each series; `cost_anomaly_items.sql` gives each event's
slice per resource, usage type, region and SKU, from which `detect.contributors` ranks what
moved; `offsets.py` names the counter-moves that kept a parent flat; `incidents.py` folds
the same change seen at several levels into one row. The result
replaces (through the build runner) the events that start on or before the last complete day, keeping the first
detection time of any event already reported under the row's id or one of its levels' ids.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pyarrow as pa

from finops_pipeline.anomalies.detect import Event, SeriesResult, contributors, detect
from finops_pipeline.anomalies.incidents import Incident, group_incidents
from finops_pipeline.anomalies.offsets import counter_moves
from finops_pipeline.anomalies.settings import LEVEL_ORDER, AnomalySettings
from finops_pipeline.build_runner import Partition, Target, build_partitions
from finops_pipeline.warehouse import read_sql

TABLE = "cost_anomalies"
COVERAGE_TABLE = "cost_anomaly_coverage"

_ROWS = pa.schema(
    [
        ("anomaly_id", pa.string()),
        ("level", pa.string()),
        ("key", pa.string()),
        ("provider", pa.string()),
        ("currency", pa.string()),
        ("kind", pa.string()),
        ("direction", pa.string()),
        ("first_date", pa.date32()),
        ("last_date", pa.date32()),
        ("days", pa.int32()),
        ("expected_cost", pa.float64()),
        ("actual_cost", pa.float64()),
        ("impact", pa.float64()),
        ("impact_ratio", pa.float64()),
        ("score", pa.float64()),
        ("severity", pa.string()),
        ("contributors", pa.string()),
        ("also_seen_at", pa.string()),
        ("last_complete_date", pa.date32()),
        ("detected_at", pa.timestamp("us")),
        ("updated_at", pa.timestamp("us")),
        ("confirmed_date", pa.date32()),
        ("baseline_days", pa.int32()),
        ("counter_moves", pa.string()),
    ]
)
_COVERAGE = pa.schema(
    [
        ("level", pa.string()),
        ("key", pa.string()),
        ("provider", pa.string()),
        ("currency", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("history_days", pa.int32()),
        ("anomalies", pa.int32()),
        ("last_complete_date", pa.date32()),
    ]
)


def anomaly_id(
    level: str, provider: str | None, key: str, currency: str, direction: str, first_date: date
) -> str:
    """Same event, same id: it depends only on what the event is and when it began."""
    text = "|".join([level, provider or "", key, currency, direction, first_date.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def event_id(event: Event) -> str:
    s = event.series
    return anomaly_id(s.level, s.provider, s.key, s.currency, event.direction, event.first_date)


def last_complete_day(con: duckdb.DuckDBPyConnection, as_of: date | None, lag_days: int) -> date:
    """The last day judged: `as_of` minus one day minus the lag. Without `as_of`: today
    (UTC), or the day after the latest charge day if the data ends earlier."""
    if as_of is None:
        row = con.execute("select max(cast(ChargePeriodStart as date)) from focus_costs").fetchone()
        today = datetime.now(UTC).date()
        as_of = min(today, row[0] + timedelta(days=1)) if row and row[0] else today
    return as_of - timedelta(days=1 + lag_days)


def daily_costs(
    con: duckdb.DuckDBPyConnection, settings: AnomalySettings, last_complete: date
) -> tuple[pd.DataFrame, list[str]]:
    """Daily EffectiveCost per level key up to the last complete day, and skipped levels."""
    columns = {row[0] for row in con.execute("describe focus_costs").fetchall()}
    levels, skipped = list(settings.levels), []
    if "team" in levels and "x_Team" not in columns:
        levels.remove("team")
        skipped.append("team: focus_costs has no x_Team (no tag policy applied)")
    params = {
        "charge_categories": settings.charge_categories,
        "excluded_frequencies": settings.excluded_charge_frequencies,
        "last_complete": last_complete,
        "levels": levels,
    }
    daily = con.execute(read_sql("marts/cost_anomalies_daily.sql"), params).df()
    if not daily.empty:
        daily["day"] = pd.to_datetime(daily["day"]).dt.date
    return daily, skipped


SLICES_DDL = """
create or replace temp table tmp_anomaly_slices (
    event integer, currency varchar, provider varchar, level varchar, key varchar,
    start_day date, end_day date
)
"""


def event_items(
    con: duckdb.DuckDBPyConnection, events: list[Event], settings: AnomalySettings
) -> list[pd.DataFrame]:
    """Per event (same order), the daily cost per resource, usage type, region, SKU and
    commitment coverage of its slice (columns dimension, value, day, cost), over the
    `contributor_lookback_days` before it and its own days: one query for all events."""
    if not events:
        return []
    con.execute(SLICES_DDL)
    con.executemany(
        "insert into tmp_anomaly_slices values (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                i,
                e.series.currency,
                e.series.provider,
                e.series.level,
                e.series.key,
                e.first_date - timedelta(days=settings.contributor_lookback_days),
                e.end_date,
            ]
            for i, e in enumerate(events)
        ],
    )
    params = {
        "charge_categories": settings.charge_categories,
        "excluded_frequencies": settings.excluded_charge_frequencies,
    }
    try:
        frame = con.execute(read_sql("marts/cost_anomaly_items.sql"), params).df()
    finally:
        con.execute("drop table if exists tmp_anomaly_slices")
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    groups = dict(tuple(frame.groupby("event", sort=False)))
    empty = frame.iloc[0:0].drop(columns="event")
    return [
        groups[i].drop(columns="event").reset_index(drop=True) if i in groups else empty
        for i in range(len(events))
    ]


def commitment_started(event: Event) -> bool:
    """A drop that comes with commitment coverage the slice did not have before (a savings
    plan, reservation or committed-use discount now covering its usage) is the purchase
    doing its job, not an anomaly: the covered cost was ~0 in the lookback and is not now."""
    if event.direction != "down":
        return False
    return any(
        c["dimension"] == "CommitmentDiscountStatus"
        and c["value"] == "Used"
        and c["actual_cost"] > 0
        and c["expected_cost"] <= 0.05 * c["actual_cost"]
        for c in event.contributors
    )


def build_cost_anomalies(
    con: duckdb.DuckDBPyConnection,
    settings: AnomalySettings | None = None,
    as_of: date | None = None,
) -> int:
    """Detect anomalies on the complete days before `as_of`; returns the rows written.

    Also writes `cost_anomaly_coverage`: one row per series with its status (evaluated or
    insufficient_history) and why, so a quiet key is distinguishable from an unjudged one.
    """
    settings = settings or AnomalySettings()
    last_complete = last_complete_day(con, as_of, settings.data_lag_days)
    daily, skipped = daily_costs(con, settings, last_complete)
    results = detect(daily, last_complete, settings) if not daily.empty else []
    events = [event for result in results for event in result.events]
    for event, items in zip(events, event_items(con, events, settings), strict=True):
        event.contributors = contributors(items, event, settings)
    events = [e for e in events if not commitment_started(e)]
    for event in events:
        event.counter_moves = counter_moves(event, results, settings.top_contributors)
    incidents = group_incidents(events, settings)
    now = datetime.now(UTC).replace(tzinfo=None)

    def new_rows(con: duckdb.DuckDBPyConnection) -> pa.Table:
        # Inside the build's transaction: the first detections of the rows it replaces.
        first_seen = _first_detections(con)
        rows = [_row(i, last_complete, now, first_seen) for i in incidents]
        return pa.Table.from_pylist(rows, schema=_ROWS)

    # Every event starts on or before the last complete day, so the run owns exactly the
    # rows with first_date <= last_complete; newer rows (a later as-of date) stay.
    window = Partition(
        "first_date <= $partition_last_complete", {"partition_last_complete": last_complete}
    )
    written = build_partitions(
        con,
        [
            Target(TABLE, new_rows, partition=window, ddl=f"marts/{TABLE}.sql"),
            Target(COVERAGE_TABLE, f"marts/{COVERAGE_TABLE}.sql"),
        ],
        None,  # the coverage: the whole table
        on_change="drop",  # an older layout is dropped, then filled by this run's rows
        frames={"tmp_anomaly_coverage": _coverage(results, skipped, last_complete)},
    )
    return written[TABLE]


def _first_detections(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """detected_at of every id already reported: a row's own and its also_seen_at members'."""
    seen: dict[str, datetime] = {}
    for row_id, also, detected in con.execute(
        f"select anomaly_id, also_seen_at, detected_at from {TABLE}"
    ).fetchall():
        for member in [row_id, *(m["anomaly_id"] for m in json.loads(also or "[]"))]:
            seen[member] = min(detected, seen.get(member, detected))
    return seen


def _row(
    incident: Incident, last_complete: date, now: datetime, first_seen: dict[str, datetime]
) -> dict:
    event, s = incident.head, incident.head.series
    others = sorted(
        incident.others, key=lambda e: (LEVEL_ORDER.get(e.series.level, 9), e.series.key)
    )
    ids = [event_id(e) for e in incident.members]
    earlier = [first_seen[i] for i in ids if i in first_seen]
    return {
        "anomaly_id": event_id(event),
        "level": s.level,
        "key": s.key,
        "provider": s.provider,
        "currency": s.currency,
        "kind": event.kind,
        "direction": event.direction,
        "first_date": event.first_date,
        "last_date": event.last_date,
        "days": event.days,
        "expected_cost": round(event.expected_cost, 4),
        "actual_cost": round(event.actual_cost, 4),
        "impact": round(event.impact, 4),
        "impact_ratio": event.impact_ratio,
        "score": event.score,
        "severity": event.severity,
        "contributors": json.dumps(event.contributors),
        "also_seen_at": json.dumps([_member(e) for e in others]),
        "last_complete_date": last_complete,
        "detected_at": min(earlier) if earlier else now,
        "updated_at": now,
        "confirmed_date": event.confirmed_date,
        "baseline_days": event.baseline_days,
        "counter_moves": json.dumps(event.counter_moves),
    }


def _member(event: Event) -> dict:
    s = event.series
    return {
        "anomaly_id": event_id(event),
        "level": s.level,
        "key": s.key,
        "provider": s.provider,
        "first_date": event.first_date.isoformat(),
        "last_date": event.last_date.isoformat() if event.last_date else None,
        "expected_cost": round(event.expected_cost, 4),
        "actual_cost": round(event.actual_cost, 4),
        "impact": round(event.impact, 4),
        "score": event.score,
        "severity": event.severity,
        "kind": event.kind,
    }


def _coverage(results: list[SeriesResult], skipped: list[str], last_complete: date) -> pa.Table:
    rows = [
        {
            "level": r.series.level,
            "key": r.series.key,
            "provider": r.series.provider,
            "currency": r.series.currency,
            "status": r.status,
            "reason": r.reason,
            "history_days": r.history_days,
            "anomalies": len(r.events),
            "last_complete_date": last_complete,
        }
        for r in results
    ]
    rows += [
        {
            "level": s.split(":")[0],
            "status": "skipped",
            "reason": s,
            "history_days": 0,
            "anomalies": 0,
            "last_complete_date": last_complete,
        }
        for s in skipped
    ]
    return pa.Table.from_pylist(rows, schema=_COVERAGE)
