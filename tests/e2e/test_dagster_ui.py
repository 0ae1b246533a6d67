"""`finops ui` end to end: the Dagster webserver on 127.0.0.1 with a temporary DAGSTER_HOME
(telemetry off) loads the assets, checks, schedules and sensors; a demo month materialised
through its GraphQL API succeeds with its contract checks; the asset graph renders in
headless Chromium (screenshot kept in FINOPS_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from finops_pipeline.demo import write_business_metrics
from finops_pipeline.sample_data import generate
from tests.fixtures.servers import free_port
from tests.tools import chromium_path

pytestmark = pytest.mark.e2e
T = TypeVar("T")
REPO = {"repositoryLocationName": "finops_pipeline", "repositoryName": "__repository__"}
CONTRACTED = {
    "focus_costs",
    "tag_violations",
    "tag_compliance",
    "allocation_ledger",
    "showback_monthly",
    "waste_findings",
    "cost_anomalies",
    "unit_costs",
    "cost_forecast",
    "budget_variance",
}


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer.get("errors")
    return answer["data"]


def wait_for(
    condition: Callable[[], T | None],
    timeout: float,
    what: str,
    proc: subprocess.Popen,
    log: Path,
) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"finops ui exited ({proc.returncode}) while waiting for {what}:\n"
                        + log.read_text()[-3000:])  # fmt: skip
        try:
            found = condition()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            found = None
        if found:
            return found
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def ui(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path, subprocess.Popen, Path]]:
    root = tmp_path_factory.mktemp("ui")
    data = root / "data"
    generate(data, end_month="2026-03", months=2, seed=3)
    write_business_metrics(data, data / "ground_truth.json")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "FINOPS_CONFIG"}
    env.update(
        DAGSTER_HOME=str(root / "dagster_home"),
        FINOPS_WAREHOUSE=str(root / "w.duckdb"),
        FINOPS_SAMPLE_DATA=str(data),
    )
    log = root / "ui.log"
    finops = Path(sys.executable).parent / "finops"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(finops), "ui", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped as a whole below
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: graphql(url, "{ assetNodes { id } }")["assetNodes"], 180, "the code location",
            proc, log,
        )  # fmt: skip
        yield url, root, proc, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        time.sleep(1)
        with contextlib.suppress(ProcessLookupError):  # the group's children, if any remain
            os.killpg(proc.pid, signal.SIGKILL)


def test_ui_loads_assets_checks_schedules_and_sensors(ui: tuple) -> None:
    url, root, _, _ = ui
    config = (root / "dagster_home" / "dagster.yaml").read_text()
    assert "telemetry:\n  enabled: false" in config
    assert "nux:\n  enabled: false" in config  # no "Join the Dagster community" dialog
    nodes = graphql(
        url,
        "{ assetNodes { assetKey { path } isPartitioned "
        "assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }",
    )["assetNodes"]
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert set(by_key) >= CONTRACTED
    assert len([k for k in by_key if k.startswith("raw/")]) == 7
    assert all(n["isPartitioned"] for n in nodes)
    keys = graphql(
        url,
        '{ assetNodes(assetKeys: [{path: ["focus_costs"]}]) { partitionKeys } }',
    )["assetNodes"][0]["partitionKeys"]
    # An empty warehouse: the last twelve months and the open one, not every month from 2020.
    assert len(keys) <= 14 and "2026-03-01" in keys and not keys[0].startswith("2020")
    for table in CONTRACTED:
        checks = by_key[table]["assetChecksOrError"]["checks"]
        assert {"name": "data_contract", "blocking": True} in checks, table
    data = graphql(
        url,
        "query($repo: RepositorySelector!) { "
        "schedulesOrError(repositorySelector: $repo) { ... on Schedules { results { name "
        "cronSchedule scheduleState { status } } } } "
        "sensorsOrError(repositorySelector: $repo) { ... on Sensors { results { name } } } }",
        {"repo": REPO},
    )
    schedules = {s["name"]: s for s in data["schedulesOrError"]["results"]}
    assert set(schedules) == {"daily_refresh_schedule", "month_close_schedule"}
    assert schedules["daily_refresh_schedule"]["scheduleState"]["status"] == "RUNNING"
    sensors = {s["name"] for s in data["sensorsOrError"]["results"]}
    assert sensors == {"anomaly_alert_sensor", "run_failure_alert_sensor"}


def test_launch_a_demo_month_through_the_api(ui: tuple) -> None:
    url, root, proc, log = ui
    launched = graphql(
        url,
        "mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { "
        "__typename ... on LaunchRunSuccess { run { runId } } "
        "... on PythonError { message } ... on InvalidSubsetError { message } } }",
        {
            "params": {
                "selector": {**REPO, "jobName": "daily_refresh"},
                "executionMetadata": {
                    "tags": [{"key": "dagster/partition", "value": "2026-03-01"}]
                },
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    def finished() -> str | None:
        run = graphql(
            url, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
            {"id": run_id},
        )["runOrError"]  # fmt: skip
        return run["status"] if run["status"] in ("SUCCESS", "FAILURE", "CANCELED") else None

    assert wait_for(finished, 420, f"run {run_id}", proc, log) == "SUCCESS"
    checks = graphql(
        url,
        '{ assetNodes(assetKeys: [{path: ["focus_costs"]}]) { assetChecksOrError { '
        "... on AssetChecks { checks { name executionForLatestMaterialization { status } } } } } }",
    )["assetNodes"][0]["assetChecksOrError"]["checks"]
    assert {c["name"]: c["executionForLatestMaterialization"]["status"] for c in checks} == {
        "data_contract": "SUCCEEDED",
        "reconciles_with_raw": "SUCCEEDED",
    }
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    rows = con.execute(
        "select count(*) from focus_costs where BillingPeriodStart = '2026-03-01'"
    ).fetchone()[0]
    con.close()
    assert rows > 0


def test_asset_graph_renders_in_headless_chromium(ui: tuple, tmp_path: Path) -> None:
    url = ui[0]
    browser_path = chromium_path()
    from playwright.sync_api import sync_playwright

    out = Path(os.environ.get("FINOPS_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    shot = out / "dagster_asset_graph.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(
            f"{url}/locations/finops_pipeline/asset-groups/core",
            wait_until="networkidle",
            timeout=90_000,
        )
        try:
            page.get_by_text("focus_costs").first.wait_for(timeout=60_000)
            skip = page.get_by_role("button", name="Skip")  # first-visit newsletter dialog
            if skip.count():
                skip.first.click()
                page.get_by_text("Join the Dagster community").wait_for(state="hidden")
            page.wait_for_timeout(2000)  # the dialog fades out; node statuses finish loading
        finally:
            page.screenshot(path=str(shot))
        browser.close()
    assert shot.stat().st_size > 20_000


def test_cli_ingest_shows_in_the_ui_with_totals(ui: tuple) -> None:
    """`finops ingest` records materializations with rows, totals per currency and the
    reconciliation status, so the UI does not read "Never materialized" on loaded data."""
    url, root, _, _ = ui
    env = {k: v for k, v in os.environ.items() if k != "FINOPS_CONFIG"}
    env.update(DAGSTER_HOME=str(root / "dagster_home"), FINOPS_SAMPLE_DATA=str(root / "data"))
    finops = Path(sys.executable).parent / "finops"
    done = subprocess.run(
        [str(finops), "ingest", str(root / "data" / "aws-cur2"), "--source", "aws-cur2",
         "--warehouse", str(root / "w.duckdb")],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "asset materialization" in done.stdout
    answer = graphql(
        url,
        '{ assetOrError(assetKey: {path: ["focus_costs"]}) { ... on Asset { '
        'assetMaterializations(partitions: ["2026-02-01"]) { partition description '
        "metadataEntries { label ... on TextMetadataEntry { text } "
        "... on IntMetadataEntry { intValue } } } } } }",
    )
    [latest, *_] = answer["assetOrError"]["assetMaterializations"]
    entries = {e["label"]: e.get("text", e.get("intValue")) for e in latest["metadataEntries"]}
    assert latest["partition"] == "2026-02-01"
    assert entries["rows"] > 0
    assert entries["reconciliation"].startswith("reconciled")
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    billed = con.execute(
        "select sum(BilledCost) from focus_costs where BillingPeriodStart = '2026-02-01' "
        "and BillingCurrency = 'USD'"
    ).fetchone()[0]
    con.close()
    assert entries["BilledCost USD"] == f"{billed.quantize(Decimal('0.01')):,.2f}"
    raw = graphql(
        url,
        '{ assetOrError(assetKey: {path: ["raw", "aws_cur2"]}) { ... on Asset { '
        "assetMaterializations { partition } } } }",
    )["assetOrError"]["assetMaterializations"]
    assert {m["partition"] for m in raw} >= {"2026-02-01", "2026-03-01"}


def test_finops_ui_in_the_background_stops_on_sigterm(tmp_path: Path) -> None:
    """Started by a shell with `&` (SIGINT ignored, as for any background job), `finops ui`
    stops on SIGTERM within 10 s, and takes the webserver with it (the port is free)."""
    port = free_port()
    finops = Path(sys.executable).parent / "finops"
    env = {k: v for k, v in os.environ.items() if k != "FINOPS_CONFIG"}
    env.update(DAGSTER_HOME=str(tmp_path / "home"), FINOPS_WAREHOUSE=str(tmp_path / "w.duckdb"))
    log = tmp_path / "ui.log"
    started = subprocess.run(
        ["bash", "-c", f"'{finops}' ui --port {port} > '{log}' 2>&1 & echo $!"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    pid = int(started.stdout.strip())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                if graphql(url, "{ version }")["version"]:
                    break
            time.sleep(1)
        else:
            pytest.fail(f"finops ui did not answer on {url}:\n{log.read_text()[-3000:]}")
        os.kill(pid, signal.SIGTERM)
        stopped_at = time.monotonic() + 10
        while time.monotonic() < stopped_at and _alive(pid):
            time.sleep(0.2)
        assert not _alive(pid), "finops ui still running 10 s after SIGTERM"
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(f"{url}/server_info", timeout=5)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (it is not our child, bash's)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except FileNotFoundError:
        return False
    return state != "Z"
