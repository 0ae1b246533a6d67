"""Landing only the columns staging reads (issue 16): the rest land NULL, stay readable from
the file, and FINOPS_LAND_ALL_COLUMNS=1 lands them all without changing focus_costs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.core.focus import create_staging_views, staging_models
from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.ingest.mapping import get_mapping, load_mappings
from finops_pipeline.ingest.staged_columns import LAND_ALL_ENV, landed_columns
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.warehouse import connect
from tests.fixtures.cur import HEADER, cur_rows, write_cur

# Columns of the legacy CUR mapping that no staging model reads.
UNREAD = {
    "lineItem/NetUnblendedCost": "net_unblended",
    "savingsPlan/SavingsPlanRate": "sp_rate",
    "product/instanceFamily": "product_instance_family",
}


def _cur_with_unread_columns(folder: Path) -> Path:
    rows = cur_rows(costs=["1.25", "2.50", "0.0000001"])
    extra = [["0.99", "0.5", "general purpose"] for _ in rows]
    return write_cur(
        folder / "cur.csv",
        [r + e for r, e in zip(rows, extra, strict=True)],
        header=HEADER + list(UNREAD),
    )


def _land(path: Path, warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = connect(warehouse)
    report = ingest_and_refresh(con, path, "src")
    assert [f.status for f in report.files] == ["loaded"]
    return con


def test_unread_columns_land_null_and_stay_readable_from_the_file(tmp_path: Path) -> None:
    mapping = get_mapping("aws-cur")
    assert {"line_item_net_unblended_cost", "product_instance_family"}.isdisjoint(
        landed_columns(mapping)
    )
    assert "identity_line_item_id" in landed_columns(mapping)  # `keep`: lineage
    path = _cur_with_unread_columns(tmp_path)
    con = _land(path, tmp_path / "w.duckdb")
    rows = con.execute(
        "select identity_line_item_id, line_item_unblended_cost, line_item_net_unblended_cost, "
        "product_instance_family, x_source_file from raw_aws_cur order by 1"
    ).fetchall()
    assert [r[0] for r in rows] == ["id0", "id1", "id2"]
    assert rows[0][1] == Decimal("1.25")  # read columns: exact DECIMAL, as before
    assert {(r[2], r[3]) for r in rows} == {(None, None)}
    # The unread values are one read_csv of the recorded file away.
    [source_file] = {r[4] for r in rows}
    assert con.execute(
        'select distinct "lineItem/NetUnblendedCost" from read_csv(?, all_varchar = true)',
        [source_file],
    ).fetchall() == [("0.99",)]
    assert all(r.ok for r in reconcile(con))


def test_landing_all_columns_changes_no_focus_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cur_with_unread_columns(tmp_path)
    staged = _land(path, tmp_path / "staged.duckdb")
    monkeypatch.setenv(LAND_ALL_ENV, "1")
    full = _land(path, tmp_path / "full.duckdb")
    assert full.execute(
        "select distinct line_item_net_unblended_cost from raw_aws_cur"
    ).fetchall() == [(Decimal("0.99"),)]
    query = "select * exclude (x_LoadId, x_SourceFile) from focus_costs order by all"
    assert staged.execute(query).fetchall() == full.execute(query).fetchall()
    assert len(staged.execute(query).fetchall()) == 3


def test_no_staging_model_outputs_a_column_that_is_not_landed() -> None:
    """A staging view passing a raw column through `*` would read a column the word scan
    missed: every staging output column must be landed (or not a raw column at all)."""
    con = duckdb.connect()
    create_staging_views(con)
    outputs = {
        d[0].lower()
        for model in staging_models()
        for d in con.execute(f"select * from {model} limit 0").description
    }
    for mapping in load_mappings().values():
        unlanded = {c.lower() for c in mapping.columns} - {
            c.lower() for c in landed_columns(mapping)
        }
        assert not unlanded & outputs, (mapping.format, sorted(unlanded & outputs))
