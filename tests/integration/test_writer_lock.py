"""One writer at a time, said plainly: real processes contend for the warehouse's lock.

A holder process opens the warehouse as `finops ingest` would (or read-only, as `finops
sql` and the notebooks do) and keeps it; then the real CLI runs in a second process. It
must wait with a progress line and either finish once the lock is free, or fail after
FINOPS_LOCK_TIMEOUT with one line naming the holder's PID: never DuckDB's traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import connect
from tests.fixtures.cur import cur_rows, write_cur

HOLD = """
import sys, time
from finops_pipeline.warehouse import connect
con = connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("locked", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
"""


@contextmanager
def holder(path: Path, mode: str, seconds: float) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        yield process
    finally:
        process.kill()
        process.wait()


def finops(*args: str, timeout: str, tmp: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, FINOPS_LOCK_TIMEOUT=timeout, DAGSTER_HOME=str(tmp / "dh"),
               COLUMNS="200")  # fmt: skip
    env.pop("FINOPS_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "finops_pipeline.cli", *args],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=120,
    )  # fmt: skip


def finops_released_once_waiting(
    *args: str, holder_process: subprocess.Popen, tmp: Path
) -> subprocess.CompletedProcess:
    """The CLI in a second process while `holder_process` keeps the lock; the lock is freed
    only once the CLI has said it waits. Not a fixed hold: on a loaded machine the CLI's own
    start-up (imports) once took longer than a 3 s hold, and it found the lock already free."""
    env = dict(os.environ, FINOPS_LOCK_TIMEOUT="60", DAGSTER_HOME=str(tmp / "dh"),
               COLUMNS="200")  # fmt: skip
    env.pop("FINOPS_CONFIG", None)
    command = [sys.executable, "-m", "finops_pipeline.cli", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=tmp)  # fmt: skip
    assert process.stderr is not None
    said = []
    for line in process.stderr:  # ends at the CLI's exit if it never waits
        said.append(line)
        if "waiting up to" in line:
            break
    holder_process.kill()
    holder_process.wait()
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, out, "".join(said) + err)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    write_cur(tmp_path / "may" / "cur.csv", cur_rows("2024-05"))
    write_cur(tmp_path / "june" / "cur.csv", cur_rows("2024-06"))
    path = tmp_path / "w.duckdb"
    con = connect(path)
    assert ingest_and_refresh(con, tmp_path / "may", "aws").files[0].status == "loaded"
    con.close()
    return path


def assert_one_line_lock_error(result: subprocess.CompletedProcess, pid: int) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "IOException" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"process {pid} (" in errors[0] and "is locked by" in errors[0]
    assert "FINOPS_LOCK_TIMEOUT" in errors[0] and "run the command again" in errors[0]
    assert "waiting up to 1 s" in result.stderr  # the progress line came first


def test_a_second_writer_fails_in_one_line_naming_the_holder(
    warehouse: Path, tmp_path: Path
) -> None:
    with holder(warehouse, "rw", 60) as other:
        result = finops("ingest", str(tmp_path / "june"), "--source", "aws", "-w",
                        str(warehouse), timeout="1", tmp=tmp_path)  # fmt: skip
        assert_one_line_lock_error(result, other.pid)
    con = connect(warehouse, read_only=True)
    months = con.execute("select distinct BillingPeriodStart from focus_costs").fetchall()
    con.close()
    assert len(months) == 1  # nothing of June landed


def test_finops_sql_and_run_fail_in_one_line_while_another_process_writes(
    warehouse: Path, tmp_path: Path
) -> None:
    with holder(warehouse, "rw", 60) as other:
        query = finops("sql", "-w", str(warehouse), "select 1", timeout="1", tmp=tmp_path)
        assert_one_line_lock_error(query, other.pid)
        run = finops("run", "--month", "2024-05", "-w", str(warehouse), timeout="1", tmp=tmp_path)
        assert_one_line_lock_error(run, other.pid)


def test_a_writer_waits_for_a_reader_then_loads(warehouse: Path, tmp_path: Path) -> None:
    """A reader (as `finops sql` or a notebook cell holds it) delays a load, never fails it."""
    with holder(warehouse, "ro", 600) as reader:
        result = finops_released_once_waiting(
            "ingest", str(tmp_path / "june"), "--source", "aws", "-w", str(warehouse),
            holder_process=reader, tmp=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "is locked by process" in result.stderr and "waiting up to 60 s" in result.stderr
    assert "1 loaded" in result.stdout


def test_readers_wait_for_a_short_write_then_answer(warehouse: Path, tmp_path: Path) -> None:
    with holder(warehouse, "rw", 600) as writer:
        result = finops_released_once_waiting(
            "sql", "-w", str(warehouse), "select count(*) as n from focus_costs",
            holder_process=writer, tmp=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "waiting up to 60 s" in result.stderr and "3" in result.stdout


def test_the_notebook_helper_does_not_hold_the_lock_between_queries(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_pipeline import notebook_helpers

    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    assert notebook_helpers.has_table("focus_costs")
    notebook_helpers.query("select count(*) from focus_costs")
    # a writer in another process gets the lock at once, with no wait allowed
    code = f"from finops_pipeline.warehouse import connect; connect({str(warehouse)!r}).close()"
    env = dict(os.environ, FINOPS_LOCK_TIMEOUT="0")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_two_finops_ingest_at_once(warehouse: Path, tmp_path: Path) -> None:
    """The issue's probe with two real `finops ingest` processes: the first is frozen
    (SIGSTOP) while it holds the lock, so the overlap is certain, not a race."""
    rows = [row for _ in range(28) for row in cur_rows("2024-07", costs=["1.5"] * 400)]
    for i, row in enumerate(rows):
        row[0] = f"id{i}"
    write_cur(tmp_path / "july" / "cur.csv", rows)
    env = dict(os.environ, FINOPS_LOCK_TIMEOUT="60", COLUMNS="200")
    first = subprocess.Popen(
        [sys.executable, "-m", "finops_pipeline.cli", "ingest", str(tmp_path / "july"),
         "--source", "aws", "-w", str(warehouse)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # until the first ingest holds the lock, then freeze it there
            assert first.poll() is None and time.monotonic() < deadline, "never took the lock"
            try:
                duckdb.connect(str(warehouse), read_only=True).close()
            except duckdb.IOException as exc:
                if f"(PID {first.pid})" in str(exc):
                    first.send_signal(signal.SIGSTOP)
                    break
            time.sleep(0.02)
        second = finops("ingest", str(tmp_path / "june"), "--source", "aws", "-w",
                        str(warehouse), timeout="1", tmp=tmp_path)  # fmt: skip
        assert_one_line_lock_error(second, first.pid)
        assert "finops_pipeline.cli ingest" in second.stderr  # the holder's command line
    finally:
        first.send_signal(signal.SIGCONT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    again = finops("ingest", str(tmp_path / "june"), "--source", "aws", "-w", str(warehouse),
                   timeout="60", tmp=tmp_path)  # fmt: skip
    assert again.returncode == 0 and "1 loaded" in again.stdout, again.stderr
    con = connect(warehouse, read_only=True)
    months = con.execute(
        "select strftime(BillingPeriodStart, '%Y-%m'), count(*) from focus_costs group by 1 "
        "order by 1"
    ).fetchall()
    con.close()
    assert months == [("2024-05", 3), ("2024-06", 3), ("2024-07", len(rows))]
