"""cost_anomalies: one row per detected cost anomaly event, with a stable id.

SQL reads daily EffectiveCost per level key from focus_costs (charges spanning several days
are spread evenly over them); `detect.py` judges each series; the result replaces the events
that start on or before the last complete day, keeping each id's first detection time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from finops_pipeline.anomalies.detect import Event, SeriesResult, contributors, detect
from finops_pipeline.anomalies.settings import AnomalySettings

# level -> the focus_costs expression naming its key (fixed here, never from data).
LEVEL_COLUMNS: dict[str, str] = {
    "provider": "ProviderName",
    "service": "coalesce(ServiceName, '(none)')",
    "sub_account": "coalesce(SubAccountId, '(none)')",
    "team": "coalesce(x_Team, '(untagged)')",
    "total": "BillingCurrency",
}
CONTRIBUTOR_COLUMNS = ("ResourceId", "x_UsageType", "RegionId", "SkuId")

_SPREAD_SQL = """
with charges as (
    select
        ProviderName,
        BillingCurrency,
        {key} as tmp_key,
        cast(ChargePeriodStart as date) as tmp_start_day,
        greatest(
            date_diff('day', cast(ChargePeriodStart as date), cast(ChargePeriodEnd as date)), 1
        ) as tmp_days,
        cast(EffectiveCost as double) as tmp_cost
    from focus_costs
    where ChargeCategory in (select unnest(?::varchar[]))
        and EffectiveCost is not null
),

spread as (
    select
        ProviderName,
        BillingCurrency,
        tmp_key,
        tmp_start_day + cast(unnest(range(tmp_days)) as integer) as day,
        tmp_cost / tmp_days as cost
    from charges
),

final as (
    select
        ? as level,
        {provider} as provider,
        tmp_key as key,
        BillingCurrency as currency,
        day,
        sum(cost) as cost
    from spread
    where day <= ?
    group by all
)

select * from final
"""

_ITEMS_SQL = """
with slice as (
    select
        cast(ChargePeriodStart as date) as day,
        {columns},
        cast(EffectiveCost as double) as cost
    from focus_costs
    where ChargeCategory in (select unnest(?::varchar[]))
        and BillingCurrency = ?
        and (? is null or ProviderName = ?)
        and {key} = ?
        and cast(ChargePeriodStart as date) between ? and ?
),

final as (
    {unions}
)

select * from final
"""

_TABLE_SQL = """
create table if not exists cost_anomalies (
    anomaly_id varchar primary key,
    incident_id varchar not null,
    level varchar not null,
    key varchar not null,
    provider varchar,
    currency varchar not null,
    kind varchar not null,
    direction varchar not null,
    first_date date not null,
    last_date date,
    days integer not null,
    expected_cost decimal(38, 4) not null,
    actual_cost decimal(38, 4) not null,
    impact decimal(38, 4) not null,
    impact_ratio double,
    score double not null,
    severity varchar not null,
    contributors json,
    last_complete_date date not null,
    detected_at timestamp not null,
    updated_at timestamp not null
)
"""

_COVERAGE_SQL = """
create or replace table cost_anomaly_coverage (
    level varchar,
    key varchar,
    provider varchar,
    currency varchar,
    status varchar,
    reason varchar,
    history_days integer,
    anomalies integer,
    last_complete_date date
)
"""


def anomaly_id(
    level: str, provider: str | None, key: str, currency: str, direction: str, first_date: date
) -> str:
    """Same event, same id: it depends only on what the event is and when it began."""
    text = "|".join([level, provider or "", key, currency, direction, first_date.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


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
    frames, skipped = [], []
    for level in settings.levels:
        if level == "team" and "x_Team" not in columns:
            skipped.append("team: focus_costs has no x_Team (no tag policy applied)")
            continue
        provider = "cast(null as varchar)" if level == "total" else "ProviderName"
        sql = _SPREAD_SQL.format(key=LEVEL_COLUMNS[level], provider=provider)
        params = [settings.charge_categories, level, last_complete]
        frames.append(con.execute(sql, params).df())
    daily = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not daily.empty:
        daily["day"] = pd.to_datetime(daily["day"]).dt.date
    return daily, skipped


def event_items(
    con: duckdb.DuckDBPyConnection, event: Event, settings: AnomalySettings
) -> pd.DataFrame:
    """Daily cost per resource, usage type, region and SKU of the event's slice."""
    s = event.series
    unions = "\n    union all\n    ".join(
        f"select '{c}' as dimension, coalesce({c}, '(none)') as value, day, sum(cost) as cost "
        "from slice group by all"
        for c in CONTRIBUTOR_COLUMNS
    )
    sql = _ITEMS_SQL.format(
        columns=", ".join(CONTRIBUTOR_COLUMNS), key=LEVEL_COLUMNS[s.level], unions=unions
    )
    start = event.first_date - timedelta(days=settings.contributor_lookback_days)
    params = [
        settings.charge_categories,
        s.currency,
        s.provider,
        s.provider,
        s.key,
        start,
        event.end_date,
    ]
    frame = con.execute(sql, params).df()
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def build_cost_anomalies(
    con: duckdb.DuckDBPyConnection,
    settings: AnomalySettings | None = None,
    as_of: date | None = None,
) -> int:
    """Detect anomalies on the complete days before `as_of`; returns the events written.

    Also writes `cost_anomaly_coverage`: one row per series with its status (evaluated or
    insufficient_history) and why, so a quiet key is distinguishable from an unjudged one.
    """
    settings = settings or AnomalySettings()
    last_complete = last_complete_day(con, as_of, settings.data_lag_days)
    daily, skipped = daily_costs(con, settings, last_complete)
    results = detect(daily, last_complete, settings) if not daily.empty else []
    events = [event for result in results for event in result.events]
    for event in events:
        event.contributors = contributors(event_items(con, event, settings), event, settings)
    now = datetime.now(UTC).replace(tzinfo=None)
    incidents = incident_ids(events)
    rows = [_row(event, incidents[id(event)], last_complete, now) for event in events]
    con.execute(_TABLE_SQL)
    con.execute("begin transaction")
    try:
        _write(con, rows, settings.levels, last_complete)
        _write_coverage(con, results, skipped, last_complete)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(rows)


def incident_ids(events: list[Event]) -> dict[int, str]:
    """One incident per change seen at several levels: events in the same currency and
    provider (the total belongs to every provider of its currency), same direction, with
    overlapping days. Its id is the anomaly_id of the group's earliest, most specific event."""
    order = {"service": 0, "sub_account": 1, "team": 2, "provider": 3, "total": 4}
    ranked = sorted(events, key=lambda e: (e.first_date, order.get(e.series.level, 9)))
    groups: list[list[Event]] = []
    for event in ranked:
        for group in groups:
            if any(_same_change(event, other) for other in group):
                group.append(event)
                break
        else:
            groups.append([event])
    out = {}
    for group in groups:
        head = group[0].series
        incident = anomaly_id(
            head.level,
            head.provider,
            head.key,
            head.currency,
            group[0].direction,
            group[0].first_date,
        )
        out.update({id(event): incident for event in group})
    return out


def _same_change(a: Event, b: Event) -> bool:
    sa, sb = a.series, b.series
    providers_meet = sa.provider is None or sb.provider is None or sa.provider == sb.provider
    return (
        sa.currency == sb.currency
        and providers_meet
        and a.direction == b.direction
        and a.first_date <= b.end_date
        and b.first_date <= a.end_date
    )


def _row(event: Event, incident: str, last_complete: date, now: datetime) -> list:
    s = event.series
    return [
        anomaly_id(s.level, s.provider, s.key, s.currency, event.direction, event.first_date),
        incident,
        s.level,
        s.key,
        s.provider,
        s.currency,
        event.kind,
        event.direction,
        event.first_date,
        event.last_date,
        event.days,
        round(event.expected_cost, 4),
        round(event.actual_cost, 4),
        round(event.impact, 4),
        event.impact_ratio,
        event.score,
        event.severity,
        json.dumps(event.contributors),
        last_complete,
        now,
        now,
    ]


def _write(
    con: duckdb.DuckDBPyConnection, rows: list[list], levels: list[str], last_complete: date
) -> None:
    con.execute("create or replace temp table tmp_new_anomalies as from cost_anomalies limit 0")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into tmp_new_anomalies values ({marks})", rows)
    con.execute(
        "update tmp_new_anomalies as n set detected_at = o.detected_at "
        "from cost_anomalies as o where o.anomaly_id = n.anomaly_id"
    )
    con.execute(
        "delete from cost_anomalies where first_date <= ? and level in (select unnest(?))",
        [last_complete, levels],
    )
    con.execute(
        "delete from cost_anomalies where anomaly_id in (select anomaly_id from tmp_new_anomalies)"
    )
    con.execute("insert into cost_anomalies select * from tmp_new_anomalies")
    con.execute("drop table tmp_new_anomalies")


def _write_coverage(
    con: duckdb.DuckDBPyConnection,
    results: list[SeriesResult],
    skipped: list[str],
    last_complete: date,
) -> None:
    con.execute(_COVERAGE_SQL)
    rows = [
        [
            r.series.level,
            r.series.key,
            r.series.provider,
            r.series.currency,
            r.status,
            r.reason,
            r.history_days,
            len(r.events),
            last_complete,
        ]
        for r in results
    ]
    rows += [
        [s.split(":")[0], None, None, None, "skipped", s, 0, 0, last_complete] for s in skipped
    ]
    if rows:
        con.executemany(
            "insert into cost_anomaly_coverage values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
