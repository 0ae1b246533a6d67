"""The writer's DuckDB memory bound (issue 16): a default that keeps a month's build under
1 GB peak RSS, FINOPS_MEMORY_LIMIT to change it, and the spill folder beside the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_pipeline.errors import ConfigError
from finops_pipeline.warehouse import connect, default_memory_limit, memory_settings


def _limit_bytes(con) -> int:
    # DuckDB reports the limit in its own units (e.g. "488.2 MiB"); compare in bytes.
    return con.execute(
        "select memory_limit from (select current_setting('memory_limit') as shown), "
        "lateral (select cast(regexp_extract(shown, '[0-9.]+') as double) * case "
        "when shown like '%GiB' then 2^30 when shown like '%MiB' then 2^20 "
        "when shown like '%KiB' then 2^10 else 1 end as memory_limit)"
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("ram_gb", "expected"),
    [(64, "512MB"), (2, "512MB"), (1, "409MB"), (None, None)],
)
def test_default_is_512mb_or_a_share_of_small_ram(ram_gb, expected):
    if ram_gb is None:  # this machine: never more than 512MB
        assert int(default_memory_limit().removesuffix("MB")) <= 512
    else:
        assert default_memory_limit(ram_gb * 2**30) == expected


def test_connect_applies_the_default_and_the_override(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("FINOPS_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("FINOPS_TEMP_DIRECTORY", raising=False)
    con = connect(tmp_path / "w.duckdb")
    default = int(default_memory_limit().removesuffix("MB")) * 10**6
    assert abs(_limit_bytes(con) - default) < 0.1 * default
    temp = con.execute("select current_setting('temp_directory')").fetchone()[0]
    assert Path(temp) == tmp_path / "w.duckdb.tmp"
    con.close()
    monkeypatch.setenv("FINOPS_MEMORY_LIMIT", "2GB")
    con = connect(tmp_path / "w.duckdb")
    assert abs(_limit_bytes(con) - 2 * 10**9) < 0.1 * 2 * 10**9
    con.close()


def test_a_bad_limit_is_one_clear_line(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FINOPS_MEMORY_LIMIT", "lots")
    with pytest.raises(ConfigError, match="FINOPS_MEMORY_LIMIT='lots': expected a size"):
        memory_settings(tmp_path / "w.duckdb")


def test_a_dagster_run_connects_with_the_smaller_run_default(tmp_path: Path, monkeypatch):
    # A run also holds Dagster and great-expectations (~480 MB): DuckDB gets less there, so
    # `finops run` of a 5M-row month stays under 1 GB; FINOPS_MEMORY_LIMIT still wins.
    from finops_pipeline.resources import WarehouseResource
    from finops_pipeline.warehouse import RUN_MEMORY_LIMIT_MB

    monkeypatch.delenv("FINOPS_MEMORY_LIMIT", raising=False)
    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    with resource.connection() as con:
        run_default = int(default_memory_limit(limit_mb=RUN_MEMORY_LIMIT_MB).removesuffix("MB"))
        assert run_default <= int(default_memory_limit().removesuffix("MB"))
        assert abs(_limit_bytes(con) - run_default * 10**6) < 0.1 * run_default * 10**6
    monkeypatch.setenv("FINOPS_MEMORY_LIMIT", "2GB")
    with resource.connection() as con:
        assert abs(_limit_bytes(con) - 2 * 10**9) < 0.1 * 2 * 10**9
