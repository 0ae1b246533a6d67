"""Anomalies to alert, as incidents: one message per change, however many levels saw it.

cost_anomalies already folds one change seen at several levels into one row (its most
specific level leads; the others are in `also_seen_at`, each with its own anomaly id). An
incident is that row plus its `also_seen_at` members, so dedup can match any of their ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from finops_pipeline.anomalies.settings import LEVEL_ORDER
from finops_pipeline.warehouse import table_exists

# How each level's key is spelled in focus_costs (as in sql/marts/cost_anomalies_daily.sql).
LEVEL_COLUMNS: dict[str, str] = {
    "provider": "ProviderName",
    "service": "coalesce(ServiceName, '(none)')",
    "sub_account": "coalesce(SubAccountId, '(none)')",
    "sub_account_service": "coalesce(SubAccountId, '(none)') || ' / ' || coalesce(ServiceName, '(none)')",
    "team": "coalesce(x_Team, '(untagged)')",
    "total": "BillingCurrency",
}

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}

_TEAM_SQL = """
select coalesce(x_Team, '(untagged)') as team, sum(EffectiveCost) as cost
from focus_costs
where BillingCurrency = ?
    and (? is null or ProviderName = ?)
    and {key} = ?
    and cast(ChargePeriodStart as date) between ? and ?
group by all
order by cost desc
limit 1
"""


@dataclass
class Incident:
    """One change to alert about; `head` is its most specific cost_anomalies row."""

    incident_id: str
    head: dict
    members: list[dict] = field(default_factory=list)
    team: str | None = None

    @property
    def anomaly_ids(self) -> list[str]:
        return [m["anomaly_id"] for m in self.members]

    @property
    def severity(self) -> str:
        return max((m["severity"] for m in self.members), key=lambda s: SEVERITY_RANK.get(s, 0))


def recent_incidents(con: duckdb.DuckDBPyConnection, max_age_days: int) -> list[Incident]:
    """Incidents with a row whose last day is within `max_age_days` of the last judged day."""
    if not table_exists(con, "cost_anomalies"):
        return []
    cursor = con.execute(
        "select * from cost_anomalies where coalesce(last_date, last_complete_date) >= "
        "last_complete_date - cast(? as integer) order by first_date, anomaly_id",
        [max_age_days],
    )
    names = [d[0] for d in cursor.description]
    incidents = []
    for values in cursor.fetchall():
        head = dict(zip(names, values, strict=True))
        others = json.loads(head.get("also_seen_at") or "[]")
        others.sort(key=lambda m: (LEVEL_ORDER.get(m["level"], 9), m["key"]))
        incident = Incident(head["anomaly_id"], head, [head, *others])
        incident.team = incident_team(con, incident)
        incidents.append(incident)
    return incidents


def incident_team(con: duckdb.DuckDBPyConnection, incident: Incident) -> str | None:
    """The team of a team-level row, else the team with the most cost in the head's slice
    over the event's days (what routing by team needs for a service or account anomaly)."""
    for member in incident.members:
        if member["level"] == "team":
            return str(member["key"])
    head = incident.head
    if not table_exists(con, "focus_costs"):
        return None
    columns = {r[0] for r in con.execute("describe focus_costs").fetchall()}
    if "x_Team" not in columns:
        return None
    last = head["last_date"] or head["last_complete_date"] or head["first_date"]
    provider = None if head["level"] == "total" else head["provider"]
    row = con.execute(
        _TEAM_SQL.format(key=LEVEL_COLUMNS[head["level"]]),
        [head["currency"], provider, provider, head["key"], head["first_date"], last],
    ).fetchone()
    return str(row[0]) if row else None


def top_contributors(head: dict, n: int = 4) -> list[dict]:
    """The biggest change of each dimension (resource, usage type, region, SKU), biggest
    first: one line each says more than three lines of the same dimension."""
    items = head.get("contributors") or []
    if isinstance(items, str):
        items = json.loads(items)
    ranked = sorted(items, key=lambda c: abs(float(c.get("change", 0))), reverse=True)
    best: dict[str, dict] = {}
    for item in ranked:
        best.setdefault(str(item.get("dimension")), item)
    return list(best.values())[:n]


def event_days(head: dict) -> tuple[date, date | None]:
    return head["first_date"], head["last_date"]


def money(value: Decimal | float | None, currency: str) -> str:
    if value is None:
        return "n/a"
    return f"{Decimal(str(value)):,.2f} {currency}"


def ongoing_until(head: dict) -> str:
    first, last = event_days(head)
    if last is None:
        return f"since {first} (ongoing)"
    if last == first:
        return f"on {first}"
    return f"{first} to {last} ({(last - first + timedelta(days=1)).days} days)"
