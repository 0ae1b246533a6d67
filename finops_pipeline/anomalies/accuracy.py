"""Grade cost_anomalies against the sample generator's planted anomalies (ground_truth.json).

Strict scoring, one row = one alert a user reads:
* a row finds a planted anomaly when it names the planted slice (its own level and key, or
  one in its `also_seen_at`) in the same provider and currency, in the planted direction
  (`direction` if the truth gives one, else down for a drop and up for the rest), with
  overlapping days;
* each planted anomaly can be found by one row only: a second row for the same incident is a
  false positive, and so is every row that finds nothing planted;
* precision = rows that found a distinct planted anomaly / rows; recall = planted anomalies
  found / planted anomalies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb


@dataclass
class Accuracy:
    rows: int
    planted: int
    found: list[str]  # planted ids found
    false_positives: list[dict]  # rows that found no (new) planted anomaly
    missed: list[str]
    matches: list[tuple[dict, dict]] = field(default_factory=list)  # (row, planted)

    @property
    def precision(self) -> float:
        return (self.rows - len(self.false_positives)) / self.rows if self.rows else 1.0

    @property
    def recall(self) -> float:
        return len(self.found) / self.planted if self.planted else 1.0


def reported(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute("select * from cost_anomalies order by first_date, anomaly_id")
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _slices(row: dict) -> set[tuple[str, str]]:
    also = json.loads(row["also_seen_at"] or "[]")
    return {(row["level"], row["key"])} | {(m["level"], m["key"]) for m in also}


def finds(row: dict, planted: dict, last_day: date) -> bool:
    first = date.fromisoformat(planted["first_date"])
    last = date.fromisoformat(planted["last_date"]) if planted["last_date"] else last_day
    direction = planted.get("direction") or ("down" if planted["kind"] == "drop" else "up")
    return (
        (planted["level"], planted["key"]) in _slices(row)
        and row["provider"] in (None, planted["provider"])
        and row["currency"] == planted["currency"]
        and row["direction"] == direction
        and row["first_date"] <= last
        and first <= (row["last_date"] or last_day)
    )


def grade(rows: list[dict], truth: dict) -> Accuracy:
    """Strict precision and recall of `rows` (cost_anomalies) against `truth`."""
    last_day = date.fromisoformat(truth["as_of"]) - timedelta(days=1)
    planted = truth["anomalies"]
    found: list[str] = []
    false_positives = []
    matches = []
    for row in rows:
        match = next((p for p in planted if p["id"] not in found and finds(row, p, last_day)), None)
        if match is None:
            false_positives.append(row)
        else:
            found.append(match["id"])
            matches.append((row, match))
    missed = [p["id"] for p in planted if p["id"] not in found]
    return Accuracy(len(rows), len(planted), found, false_positives, missed, matches)
