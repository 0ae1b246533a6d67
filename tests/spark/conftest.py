"""The one SparkSession every Spark test shares (real Spark in local[2], no mocks).

Starting Spark costs 8-90 s on a loaded 2-core machine, so the session is session-scoped
and every test that needs it lives in tests/spark/test_spark_engine.py: `make test` runs
pytest-xdist with --dist loadfile, which keeps one file on one worker, so the suite starts
one JVM, not one per worker. Without Java the tests skip with a message; under CI
(FINOPS_REQUIRE_TEST_TOOLS=1) they fail instead (tests/tools.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.tools import java_home, missing_tool

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("JAVA_HOME", java_home())
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing_tool("pyspark not installed (pip install -e '.[spark]')")
    from finops_pipeline.engines.settings import SparkSettings
    from finops_pipeline.engines.spark_session import spark_session

    session = spark_session(SparkSettings(master="local[2]", app_name="finops-tests"))
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
