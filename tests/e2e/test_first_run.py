"""A new user's first run (issue 12), through the `finops` command as they would type it.

Their own exports of every provider (tests/e2e/new_user_exports.py: another company's
accounts, teams and tag keys, one Azure MCA export billed in EUR and no exchange rates), no
finops.yaml: `finops ingest` each delivery folder, `finops run`, `finops showback`,
`finops report`, `finops init`; every step exits 0, the untagged share is reported and the
totals equal the exports'. Then every command runs from another folder with the config
`finops init` wrote (by --config and by FINOPS_CONFIG) and reads the same warehouse.

The EUR export without rates needs the per-currency showback of branch wip-currency: until
that is merged, `finops run` fails on `no exchange rate for 2026-04 EUR->USD` here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.warehouse import connect
from tests.e2e.new_user_exports import MONTHS, write_all

pytestmark = pytest.mark.e2e
runner = CliRunner()
SOURCES = ("aws-legacy", "aws-cur2", "gcp", "azure-ea", "azure-mca-eur")
WITH_EUR = True  # the Azure MCA export billed in EUR, without rates (see the docstring)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"finops {' '.join(args)}:\n{result.output}"
    return result.output


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("newuser")
    project, exports = root / "project", root / "exports"
    project.mkdir()
    expected = write_all(exports, with_eur=WITH_EUR)
    mp = pytest.MonkeyPatch()
    for name in ("FINOPS_CONFIG", "FINOPS_WAREHOUSE", "FINOPS_SAMPLE_DATA", "DAGSTER_HOME"):
        mp.delenv(name, raising=False)
    mp.chdir(project)
    try:
        outputs = {"ingest": ""}
        for source in SOURCES if WITH_EUR else SOURCES[:-1]:
            outputs["ingest"] += invoke("ingest", str(exports / source))
        assert not (project / "finops.yaml").exists()
        outputs["run"] = invoke("run")
        outputs["showback"] = invoke("showback", "--month", MONTHS[-1])
        outputs["showback_json"] = invoke("showback", "--month", MONTHS[-1], "-f", "json")
        outputs["report"] = invoke("report", "--month", MONTHS[0], "--format", "html,csv")
        outputs["init"] = invoke("init")
        again = runner.invoke(app, ["init"])
    finally:
        mp.undo()
    return dict(root=root, project=project, expected=expected, again=again, **outputs)


def test_every_step_exits_0_and_no_demo_policy_applies(first_run: dict) -> None:
    assert "rejected" not in first_run["ingest"].replace("0 rejected", "")
    for month in MONTHS:
        assert f"{month} ok" in first_run["run"], first_run["run"]
    assert "Traceback" not in first_run["run"] and "BetaWarning" not in first_run["run"]
    # The EUR export has no rate yet: the currency warnings, and nothing about metrics or
    # budgets (not configured: empty by choice).
    currency_warnings = {
        "showback_monthly:reporting_currency_missing",
        "cost_forecast:reporting_currency_missing",
    }
    for line in first_run["run"].splitlines():
        if "warnings:" in line:
            named = {w.strip() for w in line.split("warnings:", 1)[1].split(",")}
            assert named <= currency_warnings, line
    assert "showback_monthly:reporting_currency_missing" in first_run["run"]
    con = connect(first_run["project"] / "finops.duckdb")
    teams = {r[0] for r in con.execute("select distinct team from showback_monthly").fetchall()}
    pools = con.execute(
        "select count(*) from allocation_ledger where source_kind = 'pool'"
    ).fetchone()
    con.close()
    assert pools == (0,)
    # team from `user:Owner`, `user:CostCenter`, `user_squad`, `team`/`Team`, `owner` tags
    assert {"checkout", "fulfil", "imaging", "insights", "growth", "ml-research"} <= {
        t.lower() for t in teams
    }
    assert "unallocated" in teams
    assert not teams & {"payments", "search", "data-platform", "mobile", "ml", "platform"}


def test_totals_equal_the_exports_to_the_cent(first_run: dict) -> None:
    con = connect(first_run["project"] / "finops.duckdb")
    ingested = {
        (m, c): v
        for m, c, v in con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, sum(BilledCost) "
            "from focus_costs group by all"
        ).fetchall()
    }
    shown = {
        (m, c): v
        for m, c, v in con.execute(
            "select strftime(billing_month, '%Y-%m'), billing_currency, sum(billed_cost) "
            "from showback_monthly group by all"
        ).fetchall()
    }
    con.close()
    assert ingested == first_run["expected"]
    assert shown == first_run["expected"]


def test_the_untagged_share_is_reported(first_run: dict) -> None:
    rows = json.loads(first_run["showback_json"])
    unallocated = [r for r in rows if r["team"] == "unallocated"]
    assert unallocated and all(Decimal(r["billed_cost"]) > 0 for r in unallocated)
    assert "unallocated:" in first_run["showback"] and "%" in first_run["showback"]
    report = first_run["project"] / "reports" / f"finance_report_{MONTHS[0]}.html"
    assert report.is_file() and "unallocated" in report.read_text(encoding="utf-8").lower()


def test_init_writes_a_loadable_starter_and_never_overwrites(first_run: dict) -> None:
    config = first_run["project"] / "finops.yaml"
    text = config.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert {s["name"] for s in data["sources"]} == set(SOURCES if WITH_EUR else SOURCES[:-1])
    assert {s["format"] for s in data["sources"]} >= {"aws-cur", "aws-cur2", "gcp-billing"}
    assert "user:Owner" in text and "user_squad" in text  # tag keys with their spellings
    assert "310000000002" in text  # the account with the most untagged AWS cost
    if WITH_EUR:
        assert "EUR" in text and "NO RATE to USD" in text
    assert first_run["again"].exit_code == 2
    assert "never overwritten" in first_run["again"].output
    assert config.read_text(encoding="utf-8") == text


def test_every_command_honours_the_config_from_another_folder(
    first_run: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, config = first_run["project"], str(first_run["project"] / "finops.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("FINOPS_CONFIG", "FINOPS_WAREHOUSE", "FINOPS_SAMPLE_DATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.chdir(elsewhere)
    month = MONTHS[-1]
    commands = [
        ["sql", "select count(*) as n from focus_costs", "-f", "json"],
        ["showback", "--month", month],
        ["explain", "--team", "unallocated", "--month", month],
        ["tags", "--month", month],
        ["waste", "--month", month],
        ["anomalies"],
        ["forecast", "--month", month],
        ["unit-costs", "--month", month],
        ["notebooks"],
        ["report", "--month", month, "--format", "csv"],
        ["ingest", str(first_run["root"] / "exports" / "gcp")],
        ["run", "--month", month],
        ["init", "--out", str(tmp_path / "second.yaml")],
    ]
    for command in commands:
        output = invoke(*command, "--config", config)
        if command[0] == "notebooks":
            assert str(project / "finops.duckdb") in output
    assert json.loads(invoke("sql", "select 1 as n", "-f", "json", "--config", config))
    assert (project / "reports" / f"showback_monthly_{month}.csv").is_file()
    assert (tmp_path / "second.yaml").is_file()
    monkeypatch.setenv("FINOPS_CONFIG", config)
    for command in commands[:9]:
        invoke(*command)
    # `finops ui` hands the same choice to `dagster dev`; the webserver itself is tested in
    # test_dagster_ui.py, so here the one subprocess call is replaced to read what it is given.
    started: dict = {}

    def fake_call(command: list[str], env: dict[str, str], cwd: Path | None = None) -> int:
        started.update(command=command, env=env, cwd=cwd)
        return 0

    monkeypatch.delenv("FINOPS_CONFIG")
    monkeypatch.delenv("DAGSTER_HOME")
    monkeypatch.setattr("finops_pipeline.orchestration.ui_process.run_foreground", fake_call)
    invoke("ui", "--config", config, "--port", "3999")
    assert started["env"]["FINOPS_WAREHOUSE"] == str(project / "finops.duckdb")
    assert started["env"]["FINOPS_CONFIG"] == config
    assert started["env"]["DAGSTER_HOME"] == str(project / ".dagster_home")
    assert "dev_command" in started["env"]["PYTHONWARNINGS"]
    workspace = Path(started["command"][started["command"].index("-w") + 1])
    assert "finops_pipeline.definitions" in workspace.read_text()
    assert not (elsewhere / "finops.duckdb").exists()
    assert not (elsewhere / "reports").exists()


def test_a_failed_step_is_one_line_and_the_trace_is_behind_verbose(
    first_run: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "broken.yaml"
    # A metrics file that is there but is not metrics: an error (a missing one only warns).
    (tmp_path / "broken-metrics.csv").write_text("month,team\n2026-05,web\n", encoding="utf-8")
    config.write_text(
        f"warehouse: {json.dumps(str(first_run['project'] / 'finops.duckdb'))}\n"
        "metrics: {path: broken-metrics.csv}\n"
        "allocation:\n  pools:\n    - name: logs\n"
        "      match: {all: [{column: ServiceName, like: '%Storage%'}]}\n"
        "      split: metric\n      metric: requests\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    args = ["run", "--month", MONTHS[-1], "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "step " in line]
    assert len(lines) == 1, result.output
    assert "step showback failed:" in lines[0]
    assert "broken-metrics.csv: cannot read business metrics" in lines[0]
    assert "Traceback" not in result.output and "Stack Trace" not in result.output
    assert "DagsterExecutionStepExecutionError" not in result.output
    verbose = runner.invoke(app, [*args, "--verbose"])
    assert verbose.exit_code == 1
    assert "Stack Trace" in verbose.output or "Traceback" in verbose.output


def test_a_missing_optional_input_degrades_its_table_with_a_warning(
    first_run: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        f"warehouse: {json.dumps(str(first_run['project'] / 'finops.duckdb'))}\n"
        "forecast: {budgets_path: gone/budgets.csv}\n"
        "metrics: {path: gone/metrics.csv}\n"
        "allocation:\n  pools:\n    - name: logs\n"
        "      match: {all: [{column: ServiceName, like: '%Storage%'}]}\n"
        "      split: metric\n      metric: requests\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # every month: a new pool changes each month's showback, which unit costs and the
    # forecast read across months
    output = invoke("run", "--config", str(config))
    assert all(f"{month} ok" in output for month in MONTHS), output
    warned = output.split("warnings:", 1)[1]
    for check in ("budget_variance", "showback_monthly", "unit_costs"):
        assert f"{check}:optional_inputs_present" in warned, output
