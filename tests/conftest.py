"""Shared fixtures: a fresh warehouse per test and the real sample exports in ../shared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from finops_pipeline.warehouse import connect

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_datasets_dir() -> Path:
    default = REPO_ROOT.parent / "shared" / "datasets"
    return Path(os.environ.get("FINOPS_SHARED_DATASETS", default))


@pytest.fixture(scope="session", autouse=True)
def _private_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands under test record into DAGSTER_HOME (default ./.dagster_home): keep them
    out of the developer's own instance unless a test sets one."""
    if os.environ.get("DAGSTER_HOME"):
        yield
        return
    os.environ["DAGSTER_HOME"] = str(tmp_path_factory.mktemp("dagster_home"))
    try:
        yield
    finally:
        os.environ.pop("DAGSTER_HOME", None)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The real sample exports. CI (FINOPS_REQUIRE_SHARED_DATASETS=1) fails if missing."""
    path = _shared_datasets_dir()
    if not path.is_dir():
        message = (
            f"shared sample exports not found at {path}; set FINOPS_SHARED_DATASETS to the "
            "folder holding ../shared/datasets to run the conformance tests"
        )
        if os.environ.get("FINOPS_REQUIRE_SHARED_DATASETS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        yield con
    finally:
        con.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spark's tests first. `make test` keeps a file on one worker (--dist loadfile) and the
    Spark file holds that worker for many minutes (one JVM, several builds): started first,
    the other worker runs the rest beside it instead of sitting idle while it finishes."""
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)  # stable: keeps order
