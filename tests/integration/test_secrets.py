"""No secret reaches an output, a log, the Dagster home or the warehouse, whatever fails.

A recognisable secret is planted in every setting that can hold one: the Slack and webhook
URLs (in their paths), the bearer token, the SMTP password, an endpoint override and a
location (as user:password@). Then:
- config loads that must fail (bad token, URL without scheme, plain http, credentials in an
  endpoint or location) fail through the real CLI naming the setting;
- real Dagster runs of `anomaly_alerts` on a persistent instance (its own DAGSTER_HOME, so
  event log, run database and compute logs are files) fail in six different ways, then
  succeed, and the run-failure sensor alerts a failure whose message holds a URL;
and afterwards stdout, stderr, Python logging, every file under DAGSTER_HOME, the
warehouse's alert_log and load_log, and the warehouse file's bytes are searched for it.
The HTTP and SMTP servers are real local servers (tests/fixtures/servers.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from typer.testing import CliRunner

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.cli import app
from finops_pipeline.definitions import build_definitions
from finops_pipeline.errors import ConfigError
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.settings import Settings, load_settings
from finops_pipeline.warehouse import connect, run_sql_file, table_exists
from tests.fixtures.cur import write_cur
from tests.fixtures.servers import HttpRecorder, http_recorder, smtp_recorder

SECRET = "PLANTED-s3cr3t-Zq7x"
POLICY = {"keys": {"team": {"values": {"aliases": {"x": "y"}}}}}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months of daily EC2 cost for team checkout with one spike: one anomaly."""
    root = tmp_path_factory.mktemp("secrets")
    for m in range(3):
        month, nxt = dt.date(2024, 3 + m, 1), dt.date(2024, 4 + m, 1)
        rows, day = [], month
        while day < nxt:
            cost = "900" if day == dt.date(2024, 5, 20) else "100"
            rows.append(
                [f"id{day}", "1", f"{month}T00:00:00Z", f"{nxt}T00:00:00Z", "2", "Usage",
                 f"{day}T00:00:00Z", f"{day + dt.timedelta(days=1)}T00:00:00Z", "AmazonEC2",
                 "BoxUsage", "1", "USD", cost, "d", "Amazon Elastic Compute Cloud",
                 "us-east-1", "Hrs", "checkout"]
            )  # fmt: skip
            day += dt.timedelta(days=1)
        write_cur(root / "src" / f"{month:%Y-%m}" / "cur.csv", rows)
    settings = Settings.model_validate({"tag_policy": POLICY})
    con = connect(root / "w.duckdb")
    ingest_and_refresh(con, root / "src", "aws", policy=settings.tag_policy)
    assert build_cost_anomalies(con) >= 1
    run_sql_file(con, "alerts/alert_log.sql")
    con.close()
    return root / "w.duckdb"


def config(tmp_path: Path, smtp_port: int, **source: str) -> Path:
    data: dict = {
        "partitions_start": "2024-01-01",
        "tag_policy": POLICY,
        "alerts": {
            "max_age_days": 400,
            "destinations": [
                {"name": "slack", "type": "slack", "webhook_url_env": "T_SLACK_URL"},
                {"name": "hook", "type": "webhook", "url_env": "T_HOOK_URL",
                 "token_env": "T_HOOK_TOKEN"},
                {"name": "mail", "type": "email", "smtp_host": "127.0.0.1",
                 "smtp_port": smtp_port, "starttls": False, "username": "alerts",
                 "password_env": "T_SMTP_PASSWORD", "from": "finops@example.com",
                 "to": ["team@example.com"]},
            ],
            "routes": [{"destinations": ["slack", "hook", "mail"]}],
            "run_failures": {"only_scheduled": False},
        },
    }  # fmt: skip
    if source:
        data["sources"] = [{"name": "cloud", "format": "aws-cur", **source}]
    path = tmp_path / "finops.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def good_env(http: HttpRecorder) -> dict[str, str]:
    return {
        "T_SLACK_URL": f"{http.url}/slack/{SECRET}",
        "T_HOOK_URL": f"{http.url}/hook/{SECRET}",
        "T_HOOK_TOKEN": f"{SECRET}-token",
        "T_SMTP_PASSWORD": f"{SECRET}-pw",
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "dagster_home"
    path.mkdir()
    (path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(path))
    yield path


def assert_nowhere(home: Path, warehouse: Path, *texts: str) -> None:
    for text in texts:
        assert SECRET not in text
    for file in [p for p in home.rglob("*") if p.is_file()]:
        assert SECRET.encode() not in file.read_bytes(), file
    con = connect(warehouse, read_only=True)
    for table in ("alert_log", "load_log"):
        if not table_exists(con, table):
            continue
        rows = con.execute(f"select * from {table}").fetchall()
        assert SECRET not in repr(rows), table
    con.close()
    assert SECRET.encode() not in warehouse.read_bytes()


BAD_AT_LOAD = [
    ("T_HOOK_TOKEN", f"{SECRET}\nX-Injected: 1", "token_env"),
    ("T_HOOK_TOKEN", f"Bearer {SECRET}", "token_env"),
    ("T_HOOK_URL", f"hooks.example.com/{SECRET}", "url_env"),
    ("T_HOOK_URL", f"https://user:{SECRET}@hooks.example.com/x", "url_env"),
    ("T_SLACK_URL", f"http://hooks.example.com/{SECRET}", "webhook_url_env"),
    ("T_SMTP_PASSWORD", f"{SECRET}\r\nRCPT TO:<x@example.com>", "password_env"),
]


@pytest.mark.parametrize(("variable", "value", "setting"), BAD_AT_LOAD)
def test_a_bad_secret_fails_the_config_load_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path, warehouse: Path,
    variable: str, value: str, setting: str,
) -> None:  # fmt: skip
    with http_recorder() as http:
        for name, good in good_env(http).items():
            monkeypatch.setenv(name, good)
        monkeypatch.setenv(variable, value)
        path = config(tmp_path, 25)
        with pytest.raises(ConfigError) as info:
            build_definitions(load_settings(path), str(warehouse))  # the code location
        assert setting in str(info.value) and variable in str(info.value)
        (tmp_path / "empty").mkdir()
        result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty"), "--config",
                                          str(path), "-w", str(tmp_path / "x.duckdb")])  # fmt: skip
    assert result.exit_code == 2 and setting in result.output
    assert_nowhere(home, warehouse, str(info.value), result.output)


@pytest.mark.parametrize(
    ("source", "args", "setting"),
    [
        ({"location": "s3://bucket/cur", "endpoint_url": f"http://key:{SECRET}@127.0.0.1:9"},
         [], "endpoint_url"),
        ({"location": "azure-exports:/subscriptions/x",
          "blob_endpoint_url": f"http://127.0.0.1:10000/acct?sv=1&sig={SECRET}"},
         [], "blob_endpoint_url"),
        ({"location": f"s3://key:{SECRET}@bucket/cur"}, [], "credentials"),
        ({}, ["s3://bucket/cur", "--endpoint-url", f"http://user:{SECRET}@127.0.0.1:9"],
         "--endpoint-url"),
        ({}, [f"s3://key:{SECRET}@bucket/cur"], "credentials"),
        ({}, [f"https://user:{SECRET}@example.com/x"], "unknown scheme"),
    ],
)  # fmt: skip
def test_credentials_in_endpoints_and_locations_are_refused_unprinted(
    tmp_path: Path, home: Path, warehouse: Path, source: dict, args: list[str], setting: str
) -> None:
    path = config(tmp_path, 25, **source)
    target = args or ["s3://bucket/cur"]
    result = CliRunner().invoke(
        app, ["ingest", *target, "--config", str(path), "-w", str(warehouse)]
    )
    assert result.exit_code == 2, result.output
    assert setting in result.output and "Traceback" not in result.output
    assert_nowhere(home, warehouse, result.output)


FAILURES = [
    {"T_SLACK_URL": "{url}/fail/" + SECRET},  # the endpoint answers HTTP 500
    {"T_HOOK_URL": "http://127.0.0.1:1/" + SECRET},  # nothing listens there
    {"T_HOOK_TOKEN": SECRET + "\nX-Injected: 1"},  # changed after the config loaded
    {"T_HOOK_URL": "hooks.example.com/" + SECRET},  # no scheme
    {"T_SLACK_URL": "http://user:" + SECRET + "@127.0.0.1:1/x"},
    {"T_SMTP_PASSWORD": SECRET + "-wrong"},  # the server refuses the login
    {"T_SMTP_PASSWORD": SECRET + "-é"},  # cannot be sent as ASCII
]


def test_failing_and_succeeding_alert_runs_leave_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path, warehouse: Path,
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with http_recorder() as http, smtp_recorder("alerts", f"{SECRET}-pw") as smtp:
        for name, value in good_env(http).items():
            monkeypatch.setenv(name, value)
        settings = load_settings(config(tmp_path, smtp.port))
        defs = build_definitions(settings, str(warehouse))
        job = defs.resolve_job_def("anomaly_alerts")
        with dg.DagsterInstance.get() as instance:
            for change in FAILURES:
                for name, value in good_env(http).items():
                    monkeypatch.setenv(name, value)
                for name, value in change.items():
                    monkeypatch.setenv(name, value.replace("{url}", http.url))
                with connect(warehouse) as con:
                    con.execute("delete from alert_log")
                result = job.execute_in_process(instance=instance, raise_on_error=False)
                assert not result.success, change
            for name, value in good_env(http).items():
                monkeypatch.setenv(name, value)
            with connect(warehouse) as con:
                con.execute("delete from alert_log")
            result = job.execute_in_process(instance=instance)
            assert result.success
            failure_sensor(defs, instance)
            con = connect(warehouse, read_only=True)
            failed = con.execute(
                "select destination, error from alert_log where status = 'failed'"
            ).fetchall()
            con.close()
            logs = [repr(e) for r in instance.get_runs() for e in instance.all_logs(r.run_id)]
    assert failed == [] and len(http.bodies("/slack")) >= 2 and smtp.mails
    bodies = json.dumps([body for _, _, body in http.posts])
    assert "Dagster run failed: nightly" in bodies
    captured = capfd.readouterr()
    assert_nowhere(home, warehouse, captured.out, captured.err, caplog.text, bodies, *logs)
    compute_logs = list(home.rglob("compute_logs/*"))
    assert compute_logs  # the runs wrote compute logs, and they were searched


def failure_sensor(defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
    """A failed run is alerted to every destination (their URLs and token are secrets)."""

    @dg.op
    def breaks() -> None:
        raise RuntimeError("provider export folder unreadable")

    @dg.job
    def nightly() -> None:
        breaks()

    result = nightly.execute_in_process(instance=instance, raise_on_error=False)
    event = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    sensor = defs.resolve_sensor_def("run_failure_alert_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=event, dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()  # fmt: skip
    sensor(context)
