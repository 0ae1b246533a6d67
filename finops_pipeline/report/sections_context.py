"""Sections 5-7 of the report: tag compliance, anomalies and waste, data completeness with
restatements since the last report."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import duckdb

from finops_pipeline.report import charts
from finops_pipeline.report.model import Column, Section, Table, not_available
from finops_pipeline.report.queries import is_empty, missing_tables, rows


def tag_compliance(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    section = Section(
        "tags",
        "6. Tag compliance",
        "Share of each team's effective cost on resources whose required tags are present and "
        "valid, this month and over the last six months.",
    )
    if missing_tables(con, "tag_compliance"):
        section.notes.append(not_available("tag compliance", "tag_compliance is not built"))
        return section
    trend = rows(con, "tag_compliance_trend", params)
    month = params["month"]
    by_team: dict[str, dict] = defaultdict(dict)
    for r in trend:
        by_team[r["team"]][r["billing_month"]] = r
    previous = max((r["billing_month"] for r in trend if r["billing_month"] < month), default=None)
    table_rows = []
    for team, months in sorted(by_team.items()):
        now, before = months.get(month), months.get(previous) if previous else None
        if now is None:
            continue
        share, prior = now["share_compliant"], before["share_compliant"] if before else None
        change = (share - prior) * 100 if share is not None and prior is not None else None
        table_rows.append(
            [
                team,
                share,
                prior,
                change,
                now["total_cost"] - now["compliant_cost"]
                if now["total_cost"] is not None and now["compliant_cost"] is not None
                else None,  # no exchange rate for one of the team's currencies
                now["total_cost"],
            ]
        )
    section.tables.append(
        Table(
            f"Tag compliance by team ({params['reporting_currency']})",
            [
                Column("team"),
                Column("compliant share of cost", "pct"),
                Column("previous month", "pct"),
                Column("change (points)", "points"),
                Column("non-compliant cost", "money"),
                Column("cost", "money"),
            ],
            table_rows,
            key="tag_compliance",
            note="Cost here is each team's own tagged charges (the team tag, x_Team), in the "
            "reporting currency: charges without a team tag count under 'unallocated' even "
            "when an owner rule gives them to a team, and shared pools are not split. Showback "
            "(section 3) applies owner rules and pools, so its per-team totals differ; the "
            "grand totals agree.",
        )
    )
    if not table_rows:
        section.notes.append(not_available("tag compliance", "no tag_compliance row this month"))
    if trend:
        section.charts.append(
            charts.lines(
                "Compliant share of cost by team",
                trend,
                "billing_month",
                "share_compliant",
                "team",
                "compliant share",
                percent=True,
            )
        )
    return section


def insights(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    section = Section(
        "insights",
        "7. Anomalies and waste",
        "Anomalies active during the month with their impact and main contributors; the "
        "largest waste findings with estimated monthly savings (billing currency).",
    )
    if missing_tables(con, "cost_anomalies"):
        section.notes.append(not_available("anomalies", "cost_anomalies is not built"))
    else:
        events = rows(con, "anomalies", params)
        section.tables.append(
            Table(
                "Anomalies of the month",
                [
                    Column("level"),
                    Column("key"),
                    Column("provider"),
                    Column("currency"),
                    Column("direction"),
                    Column("from", "date"),
                    Column("to", "date"),
                    Column("expected", "money"),
                    Column("actual", "money"),
                    Column("impact", "money"),
                    Column("severity"),
                    Column("top contributors"),
                ],
                [
                    [
                        e["level"],
                        e["key"],
                        e["provider"],
                        e["currency"],
                        e["direction"],
                        e["first_date"],
                        e["last_date"],
                        e["expected_cost"],
                        e["actual_cost"],
                        e["impact"],
                        e["severity"],
                        contributors_text(e["contributors"]),
                    ]
                    for e in events
                ],
                key="anomalies",
            )
        )
        if not events:
            section.notes.append("anomalies: none detected during the month")
    if missing_tables(con, "waste_findings"):
        section.notes.append(not_available("waste", "waste_findings is not built"))
        return section
    if is_empty(con, "waste_findings", params["month"]):
        section.notes.append("waste: no finding this month")
    findings = rows(con, "waste_top", params)
    section.tables.append(
        Table(
            "Top waste findings",
            [
                Column("check"),
                Column("provider"),
                Column("resource"),
                Column("team"),
                Column("currency"),
                Column("monthly cost", "money"),
                Column("est. monthly savings", "money"),
                Column("recommendation"),
            ],
            [list(f.values()) for f in findings],
            key="waste",
        )
    )
    totals = rows(con, "waste_totals", params)
    section.tables.append(
        Table(
            "Waste by check",
            [
                Column("check"),
                Column("currency"),
                Column("findings", "int"),
                Column("est. monthly savings", "money"),
            ],
            [list(t.values()) for t in totals],
            note="Findings of one resource can overlap (e.g. coverage gap and Graviton): "
            "savings are per check, not a sum to bank.",
            key="waste_by_check",
        )
    )
    return section


def contributors_text(raw: str | None, top: int = 3) -> str:
    """The largest contributors by absolute change, e.g. `ResourceId i-0b… +172.84`; a
    `(none)` value (charges without that dimension) explains nothing and is skipped."""
    if not raw:
        return ""
    try:
        items = json.loads(raw)
    except ValueError:
        return raw
    items = [c for c in items if c.get("value") not in (None, "", "(none)")]
    items = sorted(items, key=lambda c: abs(c.get("change") or 0), reverse=True)[:top]
    return "; ".join(f"{c['dimension']} {c['value']} {c.get('change', 0):+,.2f}" for c in items)


def completeness(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], last_report: Any
) -> Section:
    section = Section(
        "completeness",
        "8. Data completeness",
        "Every source, whether it delivered this month, and when it last loaded; then what "
        "changed after earlier reports (restatements), by team.",
    )
    sources = rows(con, "completeness", params)
    section.tables.append(
        Table(
            "Sources",
            [
                Column("source"),
                Column("provider"),
                Column("format"),
                Column("files loaded", "int"),
                Column("files rejected", "int"),
                Column("last load (UTC)", "datetime"),
                Column("rows this month", "int"),
                Column("last charge (UTC)", "datetime"),
                Column("has this month"),
            ],
            [[*list(s.values())[:-1], "yes" if s["has_month"] else "MISSING"] for s in sources],
            key="sources",
        )
    )
    missing = [s["source_name"] for s in sources if not s["has_month"]]
    if missing:
        section.notes.append(f"no data this month from: {', '.join(missing)}")
    if missing_tables(con, "report_log") or last_report is None:
        section.notes.append(
            "restatements: none to show: no earlier report is recorded in report_log "
            "(this is the first report written from this warehouse)"
        )
        return section
    changes = rows(con, "restatements", params)
    section.tables.append(
        Table(
            f"Restatements since the last report ({params['reporting_currency']})",
            [
                Column("billing month", "date"),
                Column("team"),
                Column("reported at (UTC)", "datetime"),
                Column("reported", "money"),
                Column("now", "money"),
                Column("change", "money"),
                Column("currency"),
            ],
            [list(c.values()) for c in changes],
            note=f"last report written {last_report:%Y-%m-%d %H:%M} UTC",
            key="restatements",
        )
    )
    if not changes:
        section.notes.append("restatements: no reported month changed since it was reported")
    return section
