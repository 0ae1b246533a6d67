"""The checkpoint after a large write (issue 16): an insert-only write keeps its row groups as
written (no vacuum merge), the global vacuum setting comes back, and another connection's
open transaction is not harmed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from finops_pipeline.warehouse import checkpoint_written


def _vacuum_tasks(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("select current_setting('max_vacuum_tasks')").fetchone()[0])


@pytest.mark.parametrize("deleted", [False, True])
def test_rows_are_durable_and_the_setting_restored(tmp_path: Path, deleted: bool):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("set max_vacuum_tasks = 7")
    con.execute("create table t as select range as i from range(300000)")
    if deleted:
        con.execute("delete from t where i < 200000")
    checkpoint_written(con, deleted=deleted)
    assert _vacuum_tasks(con) == 7
    con.close()
    with duckdb.connect(str(path)) as again:
        assert again.execute("select count(*) from t").fetchone()[0] == (
            100000 if deleted else 300000
        )


def test_another_open_transaction_is_unharmed(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table t (i int)")
    other = con.cursor()
    other.execute("begin transaction")
    other.execute("insert into t values (1)")
    checkpoint_written(con, deleted=False)
    assert _vacuum_tasks(con) == 100
    other.execute("commit")
    assert con.execute("select count(*) from t").fetchone()[0] == 1
