"""Anomaly and run-failure alerts against real local servers (HTTP and SMTP), through real
Dagster: the demo warehouse plus injected anomalies, the sensor ticking several times,
reruns of cost_anomalies and a lost sensor cursor (a restart) in between.

An injected high-severity spike of team `checkout` (its own provider and currency, so no
planted demo anomaly joins its incident) must give exactly one Slack post and one mail; the
demo's own anomalies go to the JSON webhook by team; a low-severity injected change goes to
the daily digest only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from finops_pipeline.alerts.settings import AlertSettings
from finops_pipeline.definitions import build_definitions
from finops_pipeline.demo import ingest_demo, write_business_metrics
from finops_pipeline.orchestration.month_runner import build_every_month
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.sample_data import generate
from finops_pipeline.settings import demo_settings
from finops_pipeline.warehouse import connect
from tests.fixtures.servers import HttpRecorder, SmtpRecorder, http_recorder, smtp_recorder

SLACK_SECRET = "/slack/T0000/B0000/s3cr3t-T0KEN"
SMTP_PASSWORD = "smtp-s3cr3t-pw"
DEMO_TEAMS = ["payments", "search", "data-platform", "mobile", "ml", "platform", "unallocated"]


def inject(con: duckdb.DuckDBPyConnection) -> date:
    """Daily usage for two new series, each with one anomalous day; returns that day."""
    last_charge = con.execute("select max(cast(ChargePeriodStart as date)) from focus_costs")
    last_complete = last_charge.fetchone()[0] - timedelta(days=1)
    spike_day = last_complete - timedelta(days=2)
    rows = []
    for series, (provider, currency, team, service, normal, odd) in {
        "acme": ("Acme Cloud", "CHF", "checkout", "Acme Compute", 100, 2000),
        "tiny": ("Tiny Cloud", "NOK", "growth", "Tiny Storage", 100, 130),
    }.items():
        for k in range(70):
            day = last_complete - timedelta(days=k)
            rows.append(
                [provider, currency, team, service, f"{series}-prod", f"{series}-vm-1", day,
                 day + timedelta(days=1), odd if day == spike_day else normal]
            )  # fmt: skip
    con.executemany(
        "insert into focus_costs by name select ? as ProviderName, ? as BillingCurrency, "
        "? as x_Team, ? as ServiceName, ? as SubAccountId, ? as ResourceId, "
        "cast(? as timestamp) as ChargePeriodStart, cast(? as timestamp) as ChargePeriodEnd, "
        "cast(? as decimal(38, 12)) as EffectiveCost, EffectiveCost as BilledCost, "
        "'Usage' as ChargeCategory, date_trunc('month', ChargePeriodStart) as BillingPeriodStart",
        rows,
    )
    return spike_day


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("alerts")
    data = root / "data"
    generate(data, end_month="2026-03", months=3, seed=7)
    write_business_metrics(data, data / "ground_truth.json")
    settings = demo_settings(data)
    path = root / "w.duckdb"
    con = connect(path)
    list(ingest_demo(con, data, partial(ingest_and_refresh, settings=settings)))
    con.close()
    failed = build_every_month(settings, path)  # the Dagster job, as `finops run` builds
    assert failed == [], failed
    con = connect(path)
    inject(con)
    con.close()
    yield root


def alert_settings(http: HttpRecorder, smtp_port: int) -> AlertSettings:
    return AlertSettings.model_validate(
        {
            "dagster_url": "http://dagster.example:3000",
            "digest_hour_utc": 0,
            "max_age_days": 400,
            "destinations": [
                {"name": "finops-slack", "type": "slack", "webhook_url_env": "T_SLACK_URL"},
                {"name": "oncall-hook", "type": "webhook", "url_env": "T_HOOK_URL",
                 "token_env": "T_HOOK_TOKEN"},
                {"name": "finops-mail", "type": "email", "smtp_host": "127.0.0.1",
                 "smtp_port": smtp_port, "starttls": False, "username": "alerts",
                 "password_env": "T_SMTP_PASSWORD", "from": "finops@example.com",
                 "to": ["checkout-team@example.com"]},
            ],
            "routes": [
                {"teams": ["checkout"], "severities": ["high", "medium"],
                 "destinations": ["finops-slack"]},
                {"teams": ["checkout"], "destinations": ["finops-mail"]},
                {"teams": DEMO_TEAMS, "severities": ["high", "medium"],
                 "destinations": ["oncall-hook"]},
                {"severities": ["low"], "digest": True, "destinations": ["oncall-hook"]},
            ],
            "run_failures": {"destinations": ["finops-slack"]},
        }
    )  # fmt: skip


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HttpRecorder, SmtpRecorder]]:
    with http_recorder() as http, smtp_recorder("alerts", SMTP_PASSWORD) as smtp:
        monkeypatch.setenv("T_SLACK_URL", http.url + SLACK_SECRET)
        monkeypatch.setenv("T_HOOK_URL", http.url + "/hook")
        monkeypatch.setenv("T_HOOK_TOKEN", "hook-token")
        monkeypatch.setenv("T_SMTP_PASSWORD", SMTP_PASSWORD)
        yield http, smtp


def tick_and_run(
    defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None
) -> tuple[str | None, list[dg.ExecuteInProcessResult]]:
    """One sensor tick, then each run it asked for, as the daemon would."""
    sensor = defs.resolve_sensor_def("anomaly_alert_sensor")
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, repository_def=defs.get_repository_def()
    )
    data = sensor.evaluate_tick(context)
    job = defs.resolve_job_def("anomaly_alerts")
    results = [
        job.execute_in_process(instance=instance, run_config=request.run_config, tags=request.tags)
        for request in data.run_requests or []
    ]
    return data.cursor or cursor, results


def test_each_anomaly_is_alerted_once_and_routed(
    warehouse: Path, servers: tuple[HttpRecorder, SmtpRecorder]
) -> None:
    http, smtp = servers
    path = warehouse / "w.duckdb"
    settings = demo_settings(warehouse / "data")
    settings.partitions_start = "2026-01-01"
    settings.alerts = alert_settings(http, smtp.port)
    defs = build_definitions(settings, str(path))
    build = defs.resolve_job_def("build_derived")

    def rebuild_anomalies(month: str, instance: dg.DagsterInstance) -> None:
        selection = [dg.AssetKey("cost_anomalies")]
        result = build.execute_in_process(
            partition_key=month, instance=instance, asset_selection=selection
        )
        assert result.success

    with dg.instance_for_test() as instance:
        rebuild_anomalies("2026-03-01", instance)
        cursor, first = tick_and_run(defs, instance, None)
        assert len(first) == 2  # new anomalies, and the digest (digest hour 0 has passed)
        assert all(r.success for r in first)

        slack = http.bodies("/slack")
        assert len(slack) == 1
        assert len(smtp.mails) == 1
        post, mail = slack[0], smtp.mails[0]
        text = json.dumps(post)
        for expected in (
            "Acme Compute",
            "checkout",
            "Expected",
            "Actual",
            "Impact",
            "acme-vm-1",
            "http://dagster.example:3000/assets/cost_anomalies",
        ):
            assert expected in text, expected  # fmt: skip
        assert post["blocks"][0]["type"] == "header"
        assert "2,000.00 CHF" in text and "100.00 CHF" in text
        assert mail["To"] == "checkout-team@example.com"
        assert "Team: checkout" in mail.get_payload()
        assert smtp.logins == [("alerts", SMTP_PASSWORD)]

        hooks = http.bodies("/hook")
        immediate = [b for b in hooks if b["kind"] == "cost_anomaly"]
        digests = [b for b in hooks if b["kind"] == "cost_anomaly_digest"]
        assert immediate, "the demo's planted anomalies reach the on-call webhook"
        assert {b["team"] for b in immediate} <= set(DEMO_TEAMS)
        assert len({b["incident_id"] for b in immediate}) == len(immediate)
        assert all(b["severity"] in ("high", "medium") for b in immediate)
        [digest] = digests
        assert "growth" in {a["team"] for a in digest["anomalies"]}
        assert all(a["severity"] == "low" for a in digest["anomalies"])
        _, headers, _ = http.posts[-1]
        assert headers["Authorization"] == "Bearer hook-token"
        posts_after_first = len(http.posts)

        # cost_anomalies rebuilt (same stable ids): the sensor asks for a run, nothing is resent.
        rebuild_anomalies("2026-02-01", instance)
        cursor, second = tick_and_run(defs, instance, cursor)
        assert len(second) == 1 and second[0].success
        # no new materialisation: no run at all
        cursor, third = tick_and_run(defs, instance, cursor)
        assert third == []
        # a restart that lost the cursor: both runs are asked for again (the daemon would
        # also drop them by run key; here they run), and the warehouse's alert_log still knows
        _, fourth = tick_and_run(defs, instance, None)
        assert len(fourth) == 2 and all(r.success for r in fourth)
        assert len(http.posts) == posts_after_first
        assert len(smtp.mails) == 1

        logs = [repr(e) for r in [*first, *second, *fourth] for e in instance.all_logs(r.run_id)]
        assert any("sent_to" in line for line in logs)  # the metadata is in what we scan
        assert not any(SLACK_SECRET in line or SMTP_PASSWORD in line for line in logs)

    con = duckdb.connect(str(path), read_only=True)
    checkout = con.execute(
        "select count(*), count(distinct incident_id) from alert_log "
        "where team = 'checkout' and destination = 'finops-slack' and status = 'sent'"
    ).fetchone()
    queued = con.execute("select count(*) from alert_log where status = 'queued'").fetchone()
    con.close()
    assert checkout[1] == 1 and checkout[0] >= 2  # one incident, seen at several levels
    assert queued == (0,)


def test_a_failed_delivery_is_reported_and_retried(
    warehouse: Path, servers: tuple[HttpRecorder, SmtpRecorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, smtp = servers
    monkeypatch.setenv("T_SLACK_URL", http.url + "/fail" + SLACK_SECRET)
    settings = alert_settings(http, smtp.port)
    settings.routes = settings.routes[:1]
    from finops_pipeline.alerts.dispatch import dispatch_new

    con = connect(warehouse / "w.duckdb")
    con.execute("delete from alert_log")
    report = dispatch_new(con, settings)
    assert report.sent == []
    [failure] = report.failures
    assert failure == "alert destination 'finops-slack': the endpoint answered HTTP 500"
    monkeypatch.setenv("T_SLACK_URL", http.url + SLACK_SECRET)
    retried = dispatch_new(con, settings)
    con.close()
    assert len(retried.sent) == 1 and len(http.bodies("/slack")) == 1


def test_run_failure_of_a_scheduled_run_is_alerted(
    tmp_path: Path, servers: tuple[HttpRecorder, SmtpRecorder]
) -> None:
    http, smtp = servers
    settings = demo_settings(tmp_path)
    settings.alerts = alert_settings(http, smtp.port)
    defs = build_definitions(settings, str(tmp_path / "w.duckdb"))
    sensor = defs.resolve_sensor_def("run_failure_alert_sensor")

    @dg.op
    def breaks() -> None:
        raise RuntimeError("provider export folder unreadable")

    @dg.job
    def daily_refresh() -> None:
        breaks()

    with dg.instance_for_test() as instance:
        for tags in ({"dagster/schedule_name": "daily_refresh_schedule",
                      "dagster/partition": "2026-03-01"}, {}):  # fmt: skip
            result = daily_refresh.execute_in_process(
                instance=instance, raise_on_error=False, tags=tags
            )
            failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
            context = dg.build_run_status_sensor_context(
                sensor_name=sensor.name,
                dagster_event=failure,
                dagster_instance=instance,
                dagster_run=result.dagster_run,
            ).for_run_failure()
            sensor(context)
    [post] = http.bodies("/slack")  # the manual run (no schedule tag) is not alerted
    text = json.dumps(post)
    assert "Dagster run failed: daily_refresh 2026-03-01" in text
    assert "breaks" in text and "daily_refresh_schedule" in text
    assert f"/runs/{post['blocks'][-1]['elements'][0]['url'].rsplit('/', 1)[1]}" in text
