"""What an alert says, independent of where it goes: one `Message`, rendered per channel.

An anomaly message answers, in this order: what (level, key, provider, team), when,
expected vs actual, impact, top contributors, and where to look (the asset in the Dagster UI).

Values come from billing data (team tags, service names, resource ids), so in Slack they are
escaped as Slack asks (`&`, `<`, `>` -> `&amp;`, `&lt;`, `&gt;`) wherever text is parsed
(mrkdwn fields and the notification text): a team tagged `<!channel>` must not ping a
channel, nor `<https://x|Open report>` become a link. Header and button labels are
`plain_text`, which Slack never parses, so they stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finops_pipeline.alerts.incidents import Incident, money, ongoing_until, top_contributors
from finops_pipeline.redact import redact

ICONS = {"high": ":rotating_light:", "medium": ":warning:", "low": ":information_source:"}
LEVEL_NAMES = {
    "service": "service",
    "sub_account": "account",
    "sub_account_service": "account service",
    "team": "team",
    "provider": "provider",
    "total": "total",
}


def slack_escape(text: object) -> str:
    """Slack's escaping for text it parses: only `&`, `<` and `>`, `&` first."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Message:
    """A channel-neutral alert: a title, labelled facts, bullet lines, a link, raw data."""

    title: str
    severity: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (label, url)
    data: dict = field(default_factory=dict)

    def text(self) -> str:
        out = [self.title, *(f"{k}: {v}" for k, v in self.facts), *self.lines]
        if self.link:
            out.append(f"{self.link[0]}: {self.link[1]}")
        return "\n".join(out)

    def slack(self) -> dict:
        """Block Kit: header, two-column facts, contributors, a button to the Dagster UI."""
        blocks: list[dict] = [
            {"type": "header", "text": {"type": "plain_text", "text": self.title[:150]}}
        ]
        fields = [
            {"type": "mrkdwn", "text": f"*{slack_escape(k)}*\n{slack_escape(v)}"}
            for k, v in self.facts
        ]
        for i in range(0, len(fields), 10):  # Slack allows 10 fields per section
            blocks.append({"type": "section", "fields": fields[i : i + 10]})
        if self.lines:
            body = "\n".join(f"• {slack_escape(line)}" for line in self.lines)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
        if self.link:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": self.link[0]},
                            "url": self.link[1],
                        }
                    ],
                }
            )
        fallback = f"{ICONS.get(self.severity, '')} {slack_escape(self.title)}".strip()
        return {"text": fallback, "blocks": blocks}


def anomaly_message(incident: Incident, dagster_url: str) -> Message:
    head = incident.head
    currency = head["currency"]
    level = LEVEL_NAMES.get(head["level"], head["level"])
    where = f"{head['key']}" + (f" ({head['provider']})" if head["provider"] else "")
    word = {
        "spike": "spike",
        "drop": "drop",
        "level_shift": "level shift",
        "ramp": "ramp",
        "new_spend": "new spend",
    }.get(head["kind"], "change")
    ratio = head.get("impact_ratio")
    impact = money(head["impact"], currency)
    if not str(impact).startswith("-"):
        impact = "+" + impact
    if ratio is not None:
        impact += f" ({ratio:+.0%})"
    facts = [
        ("What", f"{level} {where}"),
        ("Team", incident.team or "unknown"),
        ("When", ongoing_until(head)),
        ("Severity", incident.severity),
        ("Expected", money(head["expected_cost"], currency)),
        ("Actual", money(head["actual_cost"], currency)),
        ("Impact", impact),
    ]
    others = [
        f"{LEVEL_NAMES.get(m['level'], m['level'])} {m['key']}"
        for m in incident.members
        if m is not head
    ]
    if others:
        facts.append(("Also seen at", ", ".join(others)))
    lines = [
        f"{c.get('dimension')} `{c.get('value')}`: {money(c.get('expected_cost'), currency)} -> "
        f"{money(c.get('actual_cost'), currency)} ({Decimal(str(c.get('change', 0))):+,.2f})"
        for c in top_contributors(head)
    ]
    if lines:
        lines.insert(0, "Top contributors:")
    url = f"{dagster_url.rstrip('/')}/assets/cost_anomalies"
    return Message(
        title=f"Cost {word} on {level} {head['key']}: {impact}",
        severity=incident.severity,
        facts=facts,
        lines=lines,
        link=("Open cost_anomalies in Dagster", url),
        data={
            "kind": "cost_anomaly",
            "anomaly_id": head["anomaly_id"],
            "incident_id": incident.incident_id,
            "anomaly_ids": incident.anomaly_ids,
            "level": head["level"],
            "key": head["key"],
            "provider": head["provider"],
            "team": incident.team,
            "currency": currency,
            "first_date": str(head["first_date"]),
            "last_date": str(head["last_date"]) if head["last_date"] else None,
            "expected_cost": str(head["expected_cost"]),
            "actual_cost": str(head["actual_cost"]),
            "impact": str(head["impact"]),
            "impact_ratio": ratio,
            "severity": incident.severity,
            "direction": head["direction"],
            "contributors": top_contributors(head),
            "dagster_url": url,
        },
    )


def digest_message(incidents: list[Incident], dagster_url: str) -> Message:
    lines = []
    for incident in incidents:
        m = anomaly_message(incident, dagster_url)
        lines.append(
            f"{m.title} ({ongoing_until(incident.head)}, team {incident.team or 'unknown'})"
        )
    url = f"{dagster_url.rstrip('/')}/assets/cost_anomalies"
    return Message(
        title=f"Daily digest: {len(incidents)} low-severity cost anomal"
        + ("y" if len(incidents) == 1 else "ies"),
        severity="low",
        lines=lines,
        link=("Open cost_anomalies in Dagster", url),
        data={
            "kind": "cost_anomaly_digest",
            "anomalies": [anomaly_message(i, dagster_url).data for i in incidents],
        },
    )


def run_failure_message(
    job: str,
    run_id: str,
    partition: str | None,
    schedule: str | None,
    error: str,
    failed_steps: list[str],
    dagster_url: str,
) -> Message:
    url = f"{dagster_url.rstrip('/')}/runs/{run_id}"
    facts = [("Job", job), ("Partition", partition or "-"), ("Started by", schedule or "manual")]
    if failed_steps:
        facts.append(("Failed steps", ", ".join(failed_steps)[:500]))
    return Message(
        title=f"Dagster run failed: {job}" + (f" {partition}" if partition else ""),
        severity="high",
        facts=facts,
        lines=[redact(error)[:1500]] if error else [],
        link=("Open the run in Dagster", url),
        data={
            "kind": "run_failure",
            "job": job,
            "run_id": run_id,
            "partition": partition,
            "schedule": schedule,
            "failed_steps": failed_steps,
            "error": redact(error)[:1500],
            "dagster_url": url,
        },
    )
