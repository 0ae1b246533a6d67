"""`finops sql` and the notebooks' `query()` run one read-only query and nothing else.

Each probe of issue 13 (and the writes that already failed) is tried through the real CLI
and through `notebook_helpers.query`; each must be refused with one line, and the
warehouse file must be byte-for-byte the same afterwards (sha256). A second test goes
under the statement check: the read-only connection itself refuses file access, ATTACH,
COPY, INSTALL and SET, so the check is not the only lock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from finops_pipeline import notebook_helpers
from finops_pipeline.cli import app
from finops_pipeline.errors import FinopsError
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import connect
from tests.fixtures.cur import cur_rows, write_cur


def probes(warehouse: Path, out: Path) -> list[str]:
    return [
        f"attach ':memory:' as m (read_only false); use m; detach w; "
        f"attach '{warehouse}' as w2 (read_only false); drop table w2.focus_costs",
        f"attach '{warehouse}' as w2 (read_only false)",
        "select * from read_csv('/etc/passwd', header=false)",
        "select * from read_text('/etc/hostname')",
        "select * from glob('/etc/*')",
        f"copy (select * from focus_costs) to '{out / 'x.parquet'}'",
        f"export database '{out / 'dump'}'",
        "select 1; select 2",
        "select count(*) from focus_costs; drop table focus_costs",
        "insert into load_log select * from load_log",
        "delete from focus_costs",
        "drop table focus_costs",
        "update focus_costs set BilledCost = 0",
        "create table x as select 1",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "reset lock_configuration",
        "pragma enable_profiling",
        "checkpoint",
        "call pragma_table_info('focus_costs')",
        "selec 1",
        "",
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    write_cur(tmp_path / "in" / "cur.csv", cur_rows("2024-05"))
    path = tmp_path / "w.duckdb"
    con = connect(path)
    assert ingest_and_refresh(con, tmp_path / "in", "aws").files[0].status == "loaded"
    con.close()
    return path


def test_every_probe_is_refused_in_one_line_and_the_file_is_unchanged(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = sha256(warehouse)
    for probe in probes(warehouse, out):
        result = CliRunner().invoke(app, ["sql", "-w", str(warehouse), probe])
        assert result.exit_code == 2, (probe, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (probe, result.output)
        assert "root:" not in result.output
        assert sha256(warehouse) == before, probe
    assert list(out.iterdir()) == []
    ok = CliRunner().invoke(
        app, ["sql", "-w", str(warehouse), "select count(*) as n from focus_costs"]
    )
    assert ok.exit_code == 0 and "3" in ok.stdout
    assert sha256(warehouse) == before


@pytest.mark.parametrize(
    "query",
    ["describe focus_costs", "show tables", "summarize focus_costs", "from focus_costs limit 1",
     "with t as (select 1 as x) select * from t", "select 1;"],
)  # fmt: skip
def test_read_only_forms_are_allowed(warehouse: Path, query: str) -> None:
    result = CliRunner().invoke(app, ["sql", "-w", str(warehouse), query])
    assert result.exit_code == 0, result.output


def test_the_notebook_query_helper_refuses_the_same_probes(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    out = tmp_path / "out"
    out.mkdir()
    before = sha256(warehouse)
    for probe in probes(warehouse, out):
        with pytest.raises(FinopsError) as info:  # ReadOnlyQueryError
            notebook_helpers.query(probe)
        assert "\n" not in str(info.value), probe
        assert sha256(warehouse) == before, probe
    assert list(out.iterdir()) == []
    frame = notebook_helpers.query(
        "select sum(BilledCost) as total from focus_costs where ? = 1", [1]
    )
    assert float(frame["total"][0]) == pytest.approx(3.7500001)
    assert notebook_helpers.has_table("focus_costs")


def test_the_read_only_connection_refuses_on_its_own(warehouse: Path, tmp_path: Path) -> None:
    """Below the statement check: what DuckDB itself refuses on our read-only connection."""
    before = sha256(warehouse)
    con = connect(warehouse, read_only=True)
    for statement in [
        "select * from read_csv('/etc/passwd')",
        f"copy (select 1) to '{tmp_path / 'x.csv'}'",
        f"attach '{tmp_path / 'other.duckdb'}' as o",
        "install httpfs",
        "set enable_external_access = true",
        "set threads = 1",
        "create table t as select 1",
    ]:
        with pytest.raises(duckdb.Error):
            con.execute(statement)
    con.close()
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert sha256(warehouse) == before
