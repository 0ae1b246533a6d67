"""Send each new anomaly incident once per destination, routed by severity and team.

State lives in the warehouse table `alert_log` (sql/alerts/alert_log.sql), not only in the
sensor cursor: it survives daemon restarts, cursor resets and a rebuilt Dagster home, it is
written in the same place as the anomalies it refers to, and `finops sql` can show what was
alerted. An anomaly is skipped for a destination when it, or any anomaly of its incident,
already has a `sent` or `queued` row there; `failed` rows are retried on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from finops_pipeline.alerts.destinations import DeliveryError, send
from finops_pipeline.alerts.incidents import Incident, recent_incidents
from finops_pipeline.alerts.messages import anomaly_message, digest_message
from finops_pipeline.alerts.settings import AlertSettings
from finops_pipeline.warehouse import run_sql_file


@dataclass
class DispatchReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (incident_id, destination)
    queued: list[tuple[str, str]] = field(default_factory=list)
    already_alerted: int = 0
    failures: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _done(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    rows = con.execute(
        "select anomaly_id, incident_id, destination from alert_log "
        "where status in ('sent', 'queued')"
    ).fetchall()
    return {(a, d) for a, _, d in rows}, {(i, d) for _, i, d in rows}


def _record(
    con: duckdb.DuckDBPyConnection,
    incident: Incident,
    destination: str,
    mode: str,
    status: str,
    error: str | None = None,
) -> None:
    now = _now()
    sent_at = now if status == "sent" else None
    con.executemany(
        "insert or replace into alert_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [a, incident.incident_id, destination, mode, status, incident.severity,
             incident.team, error, now, sent_at]
            for a in incident.anomaly_ids
        ],
    )  # fmt: skip


def dispatch_new(con: duckdb.DuckDBPyConnection, settings: AlertSettings) -> DispatchReport:
    """Alert every recent incident not yet alerted: immediately, or queued for the digest."""
    run_sql_file(con, "alerts/alert_log.sql")
    report = DispatchReport()
    done_anomalies, done_incidents = _done(con)
    for incident in recent_incidents(con, settings.max_age_days):
        immediate: set[str] = set()
        digest: set[str] = set()
        for route in settings.routes:
            if route.matches(incident.severity, incident.team):
                (digest if route.digest else immediate).update(route.destinations)
        for name in sorted(immediate | digest):
            if (incident.incident_id, name) in done_incidents or any(
                (a, name) in done_anomalies for a in incident.anomaly_ids
            ):
                report.already_alerted += 1
                continue
            if name not in immediate:
                _record(con, incident, name, "digest", "queued")
                report.queued.append((incident.incident_id, name))
                continue
            message = anomaly_message(incident, settings.dagster_url)
            try:
                send(settings.destination(name), message)
            except DeliveryError as exc:
                _record(con, incident, name, "immediate", "failed", str(exc))
                report.failures.append(str(exc))
                continue
            _record(con, incident, name, "immediate", "sent")
            report.sent.append((incident.incident_id, name))
    return report


def dispatch_digest(con: duckdb.DuckDBPyConnection, settings: AlertSettings) -> DispatchReport:
    """One message per destination with every incident queued for it."""
    run_sql_file(con, "alerts/alert_log.sql")
    report = DispatchReport()
    queued = con.execute(
        "select distinct destination, incident_id from alert_log where status = 'queued'"
    ).fetchall()
    if not queued:
        return report
    by_id = {i.incident_id: i for i in recent_incidents(con, 100_000)}
    for name in sorted({d for d, _ in queued}):
        incidents = [by_id[i] for d, i in queued if d == name and i in by_id]
        if not incidents:
            continue
        try:
            send(settings.destination(name), digest_message(incidents, settings.dagster_url))
        except DeliveryError as exc:
            report.failures.append(str(exc))
            continue
        con.execute(
            "update alert_log set status = 'sent', sent_at = ? "
            "where destination = ? and status = 'queued'",
            [_now(), name],
        )
        report.sent += [(i.incident_id, name) for i in incidents]
    return report
