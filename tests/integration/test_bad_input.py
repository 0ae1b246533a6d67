"""Bad files get a one-line error naming file, row and column; nothing else is harmed.

Each case: the bad file is `rejected` in load_log with the reason, the good file in the same
run still loads, the earlier good data of the bad file's period is untouched, and the CLI
exits non-zero.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.ingest.reader import check_gzip
from finops_pipeline.refresh import ingest_and_refresh
from tests.fixtures.cur import HEADER, cur_rows, total, write_cur


def _truncated_gzip(folder: Path) -> Path:
    good = write_cur(folder / "tmp.csv.gz", cur_rows(costs=["1"] * 400), gz=True)
    data = good.read_bytes()
    good.unlink()
    bad = folder / "report-00001.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def _empty(folder: Path) -> Path:
    path = folder / "report.csv"
    path.write_bytes(b"")
    return path


def _unknown_format(folder: Path) -> Path:
    path = folder / "report.csv"
    path.write_text("name,amount\nalice,3\n")
    return path


def _missing_columns(folder: Path) -> Path:
    header = [h for h in HEADER if h != "lineItem/UnblendedCost"]
    rows = [r[:12] + r[13:] for r in cur_rows()]
    return write_cur(folder / "report.csv", rows, header)


def _text_cost(folder: Path) -> Path:
    rows = cur_rows(costs=["1.00", "2.00", "N/A"])
    return write_cur(folder / "report.csv", rows)


def _bad_number(folder: Path) -> Path:
    rows = cur_rows()
    rows[1][10] = "1,5"
    return write_cur(folder / "report.csv", rows)


def _bad_date(folder: Path) -> Path:
    rows = cur_rows()
    rows[2][6] = "31/31/2024"
    return write_cur(folder / "report.csv", rows)


def _as_parquet(folder: Path, replace: str) -> Path:
    """The CUR rows as a Parquet file (legacy header names), one column's type replaced."""
    source = write_cur(folder / "tmp.csv", cur_rows())
    path = folder / "report.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * replace ({replace}) from read_csv(?, all_varchar = true)) "
            f"to '{path}' (format parquet)",
            [str(source)],
        )
    source.unlink()
    return path


def _boolean_cost(folder: Path) -> Path:
    """Loaded on main with each `true` counted as 1.00."""
    return _as_parquet(folder, '"lineItem/UnblendedCost"::double > 0 as "lineItem/UnblendedCost"')


def _list_cost(folder: Path) -> Path:
    return _as_parquet(folder, '["lineItem/UnblendedCost"::double] as "lineItem/UnblendedCost"')


def _struct_cost(folder: Path) -> Path:
    return _as_parquet(
        folder, '{amount: "lineItem/UnblendedCost"::double} as "lineItem/UnblendedCost"'
    )


def _boolean_date(folder: Path) -> Path:
    return _as_parquet(folder, 'true as "lineItem/UsageStartDate"')


def _nul_in_id(folder: Path) -> Path:
    rows = cur_rows()
    rows[1][0] = "id\x001"
    return write_cur(folder / "report.csv", rows)


def _nul_in_tag(folder: Path) -> Path:
    rows = cur_rows()
    rows[2][17] = "pay\x00ments"
    return write_cur(folder / "report.csv", rows)


def _nul_in_header(folder: Path) -> Path:
    header = [*HEADER[:-1], "resourceTags/user:te\x00am"]
    return write_cur(folder / "report.csv", cur_rows(), header)


def _duplicate_header(folder: Path) -> Path:
    """Loaded on main, the first `lineItem/UnblendedCost` winning silently."""
    rows = [[*r, "99.00"] for r in cur_rows()]
    return write_cur(folder / "report.csv", rows, [*HEADER, "lineItem/UnblendedCost"])


def _duplicate_parquet_column(folder: Path) -> Path:
    """DuckDB reads the second one as `..._1`: only the footer shows the duplicate."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = cur_rows()
    columns = [pa.array([r[i] for r in rows]) for i in range(len(HEADER))]
    names = [*HEADER, "lineItem/UnblendedCost"]
    path = folder / "report.parquet"
    pq.write_table(pa.Table.from_arrays([*columns, pa.array(["9"] * len(rows))], names), path)
    return path


def _long_line(folder: Path) -> Path:
    rows = cur_rows()
    rows[1][13] = "x" * 10_000_000
    return write_cur(folder / "report.csv", rows)


def _long_line_late(folder: Path) -> Path:
    """Past DuckDB's sniffing sample, so the load itself (not the header read) meets it."""
    rows = cur_rows(costs=["1.00"] * 30_000)
    rows[-1][13] = "x" * 10_000_000
    return write_cur(folder / "report.csv", rows)


def _no_newline(folder: Path) -> Path:
    path = folder / "report.csv"
    path.write_bytes(b"a" * 10_000_000)
    return path


LINE_LIMIT = "Maximum line size of 2000000 bytes exceeded"
TYPE_REFUSED = "which cannot hold a money value"

CASES: list[tuple[str, Callable[[Path], Path], str, str | None, int | None]] = [
    ("truncated gzip", _truncated_gzip, "gzip stream is truncated or corrupt", None, None),
    ("empty file", _empty, "file is empty", None, None),
    ("unknown format", _unknown_format, "unknown export format", None, None),
    (
        "missing required column",
        _missing_columns,
        "missing required column",
        "line_item_unblended_cost",
        None,
    ),
    ("cost column with text", _text_cost, "cannot read value 'N/A'", "lineItem/UnblendedCost", 3),
    ("unparseable number", _bad_number, "cannot read value '1,5'", "lineItem/UsageAmount", 2),
    ("unparseable date", _bad_date, "cannot read value '31/31/2024'", "lineItem/UsageStartDate", 3),
    (
        "BOOLEAN cost",
        _boolean_cost,
        "type BOOLEAN, " + TYPE_REFUSED,
        "lineItem/UnblendedCost",
        None,
    ),
    ("LIST cost", _list_cost, "type DOUBLE[], " + TYPE_REFUSED, "lineItem/UnblendedCost", None),
    (
        "STRUCT cost",
        _struct_cost,
        "type STRUCT(amount DOUBLE), " + TYPE_REFUSED,
        "lineItem/UnblendedCost",
        None,
    ),
    (
        "BOOLEAN date",
        _boolean_date,
        "type BOOLEAN, which cannot hold a timestamp value",
        "lineItem/UsageStartDate",
        None,
    ),
    ("NUL byte in an id", _nul_in_id, "contains a NUL byte", "identity/LineItemId", 2),
    ("NUL byte in a tag", _nul_in_tag, "contains a NUL byte", "resourceTags/user:team", 3),
    (
        "NUL byte in a column name",
        _nul_in_header,
        "'resourceTags/user:te\\x00am' contains a NUL byte",
        None,
        None,
    ),
    (
        "duplicate header",
        _duplicate_header,
        "names column(s) 'lineItem/UnblendedCost' more than once",
        "lineItem/UnblendedCost",
        None,
    ),
    (
        "duplicate Parquet column",
        _duplicate_parquet_column,
        "names column(s) 'lineItem/UnblendedCost' more than once",
        "lineItem/UnblendedCost",
        None,
    ),
    ("10 MB line", _long_line, LINE_LIMIT, None, None),
    ("10 MB line after 30,000 rows", _long_line_late, LINE_LIMIT, None, None),
    (
        "10 MB without a newline",
        _no_newline,
        "longer than the maximum line size of 2,000,000 bytes",
        None,
        None,
    ),
]


def _setup(tmp_path: Path, make_bad: Callable[[Path], Path]) -> tuple[Path, Path, Path]:
    """An earlier good load of May, then a run folder with a bad May and a good June file."""
    earlier = write_cur(tmp_path / "earlier" / "may.csv", cur_rows("2024-05", ["10.00", "5.55"]))
    run = tmp_path / "run"
    (run / "20240501-20240601").mkdir(parents=True)
    bad = make_bad(run / "20240501-20240601")
    good = write_cur(run / "20240601-20240701" / "june.csv", cur_rows("2024-06", ["7.77"]))
    return earlier, bad, good


@pytest.mark.parametrize(
    ("case", "make_bad", "message", "column", "row"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_file_is_rejected_and_nothing_else_is_harmed(
    warehouse,
    tmp_path: Path,
    case: str,
    make_bad,
    message: str,
    column: str | None,
    row: int | None,
) -> None:
    earlier, bad, good = _setup(tmp_path, make_bad)
    ingest_and_refresh(warehouse, earlier, "aws")
    report = ingest_and_refresh(warehouse, tmp_path / "run", "aws")

    by_path = {f.path: f for f in report.files}
    rejected = by_path[bad]
    assert rejected.status == "rejected"
    assert str(bad) in rejected.reason and message in rejected.reason
    assert "\n" not in rejected.reason
    if column:
        assert f"column '{column}'" in rejected.reason or column in rejected.reason
    if row:
        assert f"data row {row}" in rejected.reason
    assert by_path[good].status == "loaded"
    assert len(rejected.reason) < 600  # one readable line, not the offending line echoed

    logged = warehouse.execute(
        "select status, reason from load_log where file_path = ?", [str(bad)]
    ).fetchall()
    assert logged == [("rejected", rejected.reason)]
    months = dict(
        warehouse.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )
    assert months == {"2024-05": Decimal("15.55"), "2024-06": Decimal("7.77")}


def test_period_disagreeing_with_folder_is_rejected(warehouse, tmp_path: Path) -> None:
    path = write_cur(tmp_path / "BILLING_PERIOD=2024-06" / "part.csv", cur_rows("2024-05"))
    report = ingest_and_refresh(warehouse, tmp_path, "aws")
    [outcome] = report.files
    assert outcome.status == "rejected"
    assert (
        "billing period 2024-05 in the rows disagrees with the folder, which says 2024-06"
        in outcome.reason
    )
    assert str(path) in outcome.reason


def test_one_bad_part_rejects_its_whole_delivery(warehouse, tmp_path: Path) -> None:
    """A multi-part delivery is all or nothing: half a month must never replace a whole one."""
    folder = tmp_path / "BILLING_PERIOD=2024-05"
    ingest_and_refresh(
        warehouse, write_cur(tmp_path / "first.csv", cur_rows("2024-05", ["3.00"])), "aws"
    )
    good = write_cur(folder / "part-1.csv", cur_rows("2024-05", ["1.00"]))
    write_cur(folder / "part-2.csv", cur_rows("2024-05", ["oops"]))
    report = ingest_and_refresh(warehouse, folder, "aws")
    assert {f.status for f in report.files} == {"rejected"}
    assert "same delivery was rejected" in {f.path: f for f in report.files}[good].reason
    assert warehouse.execute("select sum(BilledCost) from focus_costs").fetchone()[0] == Decimal(
        "3.00"
    )


def test_cli_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    write_cur(tmp_path / "run" / "ok.csv", cur_rows("2024-06"))
    write_cur(tmp_path / "run" / "bad" / "bad.csv", cur_rows("2024-05", ["1", "x"]))
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "run"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    error_lines = [
        line for line in result.output.splitlines() if "rejected" in line and "bad.csv" in line
    ]
    assert error_lines, result.output
    assert "loaded" in result.output and "ok.csv" in result.output


def test_a_complete_gzip_passes_the_check_and_loads_in_full(warehouse, tmp_path: Path) -> None:
    """The gzip check runs only after a failed load; a complete file is read to its end."""
    rows = cur_rows(costs=["1"] * 50)
    path = write_cur(tmp_path / "ok.csv.gz", rows, gz=True)
    check_gzip(path)  # raises IngestError for a truncated stream, nothing here
    report = ingest_and_refresh(warehouse, path, "aws")
    [outcome] = report.files
    assert outcome.status == "loaded"
    assert outcome.rows == 50
    assert outcome.totals == {"USD": total(rows)}


@pytest.mark.parametrize(
    "make_bad", [_no_newline, _long_line, _boolean_cost, _nul_in_id, _duplicate_header]
)
def test_cli_rejects_hostile_files_in_one_line_without_a_traceback(
    tmp_path: Path, make_bad
) -> None:
    """On main: a `_csv.Error` traceback (no newline), 'CSV Error on Line: 1' without the
    reason, or exit 0 with the file loaded (BOOLEAN cost, NUL byte, duplicate header)."""
    folder = tmp_path / "run" / "bad"
    folder.mkdir(parents=True)
    bad = make_bad(folder)
    write_cur(tmp_path / "run" / "ok.csv", cur_rows("2024-06"))
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "run"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if bad.name in line]
    assert line.startswith("rejected ") and len(line) < 600
    assert "loaded" in result.output and "ok.csv" in result.output
