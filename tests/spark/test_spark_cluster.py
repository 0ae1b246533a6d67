"""`finops ingest` and `finops run` with `--engine spark` against a real standalone Spark
cluster: a master and two workers started as separate JVMs from the pyspark package on
127.0.0.1 (no mocks), compared table by table with the same commands on DuckDB.

This file uses no in-process session (tests/spark/conftest.py): the commands run as
subprocesses, as a user runs them, and the cluster is stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.sample_data import generate
from tests.spark.compared_tables import BUILT_TABLES, PER_BUILD_COLUMNS
from tests.tools import java_home, missing_tool

pytestmark = pytest.mark.spark

# The cluster test builds two demo months without anomaly coverage rows to compare.
TABLES = tuple(table for table in BUILT_TABLES if table != "cost_anomaly_coverage")
NOT_EMPTY = (
    "focus_costs",
    "tag_compliance",
    "waste_findings",
    "allocation_ledger",
    "showback_monthly",
    "cost_anomalies",
    "cost_forecast",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spark_class() -> Path:
    try:
        import pyspark
    except ImportError:
        missing_tool("pyspark not installed (pip install -e '.[spark]')")
    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as reply:
            return int(json.load(reply).get("aliveworkers", 0))
    except OSError:
        return 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """spark://127.0.0.1:PORT with two live workers (one core, 1 GB each); every JVM is
    stopped (its process group killed) at the end."""
    spark_class = _spark_class()
    root = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "JAVA_HOME": os.environ.get("JAVA_HOME") or java_home(),
        "SPARK_HOME": str(spark_class.parent.parent),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(root / "logs"),
        "PYSPARK_PYTHON": sys.executable,
    }
    port, ui = _free_port(), _free_port()
    master = f"spark://127.0.0.1:{port}"
    started: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = (root / f"{name}.log").open("wb")
        started.append(
            subprocess.Popen(
                [str(spark_class), *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )
        )

    try:
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
              "--port", str(port), "--webui-port", str(ui))  # fmt: skip
        for n in (1, 2):
            start(f"worker{n}", "org.apache.spark.deploy.worker.Worker", master,
                  "--host", "127.0.0.1", "--webui-port", str(_free_port()), "--cores", "1",
                  "--memory", "1g", "--work-dir", str(root / f"work{n}"))  # fmt: skip
        deadline = time.monotonic() + 240
        while _alive_workers(ui) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                logs = "\n".join(p.read_text()[-2000:] for p in sorted(root.glob("*.log")))
                pytest.fail(f"the standalone cluster did not start two workers:\n{logs}")
            time.sleep(2)
        yield master
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _finops(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    env.update(FINOPS_SHARED_DATASETS=os.environ.get("FINOPS_SHARED_DATASETS", ""),
               JAVA_HOME=os.environ.get("JAVA_HOME") or java_home(),
               PYSPARK_PYTHON=sys.executable)  # fmt: skip
    command = [sys.executable, "-c", "from finops_pipeline.cli import app; app()", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"finops {' '.join(args)}:\n{done.stdout}\n{done.stderr[-4000:]}"
    return done


def _types(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()]


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    exclude = PER_BUILD_COLUMNS.get(table, ())
    listed = f" exclude ({', '.join(exclude)})" if exclude else ""
    return con.execute(f"select *{listed} from {table} order by all").fetchall()


def _differences(got: duckdb.DuckDBPyConnection, expected: duckdb.DuckDBPyConnection,
                 table: str) -> dict[str, list]:  # fmt: skip
    """Column -> its first differing values (Spark's, DuckDB's), each column sorted alone."""
    found = {}
    for name, _ in _types(expected, table):
        query = f'select "{name}" from {table} order by all'
        pairs = zip(got.execute(query).fetchall(), expected.execute(query).fetchall(), strict=False)
        differing = [(a[0], b[0]) for a, b in pairs if a != b][:2]
        if differing:
            found[name] = differing
    return found


def test_ingest_and_run_on_a_standalone_cluster_equal_duckdb(cluster: str, tmp_path: Path):
    """Two months of the demo's legacy CUR (gzipped CSV deliveries with manifests): `finops
    ingest` then `finops run`, once with --engine duckdb and once with --engine spark on the
    cluster; every table equals row for row (money exact, types equal), and on Spark each is
    a DuckDB view over the lake."""
    generate(tmp_path / "data", end_month="2026-02", months=2)
    exports = tmp_path / "data" / "aws-cur-legacy"
    warehouses = {}
    for engine in ("duckdb", "spark"):
        home = tmp_path / engine
        home.mkdir()
        (home / "finops.yaml").write_text(
            "warehouse: finops.duckdb\n"
            "lake: lake\n"
            f"spark:\n  master: {cluster}\n"
            "  conf:\n    spark.executor.memory: 512m\n    spark.cores.max: '2'\n"
        )
        _finops(["ingest", str(exports), "--source", "aws", "--engine", engine], home)
        _finops(["run", "--engine", engine], home)
        warehouses[engine] = home / "finops.duckdb"
    duck = duckdb.connect(str(warehouses["duckdb"]), read_only=True)
    spark = duckdb.connect(str(warehouses["spark"]), read_only=True)
    try:
        views = {r[0] for r in spark.execute("select view_name from duckdb_views()").fetchall()}
        assert {"raw_aws_cur", *TABLES} <= views
        assert sorted(p.name for p in (tmp_path / "spark" / "lake" / "raw_aws_cur").iterdir()) == [
            "lake_period=2026-01-01",
            "lake_period=2026-02-01",
        ]
        assert not (tmp_path / "duckdb" / "lake").exists()
        for table in TABLES:
            assert _types(spark, table) == _types(duck, table), table
            got, expected = _rows(spark, table), _rows(duck, table)
            assert got == expected, (table, _differences(spark, duck, table))
        for table in NOT_EMPTY:  # the comparison saw rows
            assert _rows(duck, table), table
        total = "select sum(BilledCost) from focus_costs"
        assert spark.execute(total).fetchone()[0] > Decimal(1000)
    finally:
        duck.close()
        spark.close()
