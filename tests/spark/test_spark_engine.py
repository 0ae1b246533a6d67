"""The Spark engine on a real local[2] Spark: one shared session (tests/spark/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.spark


def test_session_keeps_money_exact(spark) -> None:
    """Spark's default rounds decimal(38,12) x decimal(38,12) to decimal(38,6); the engine's
    session keeps DuckDB's decimal(38,24), and a division by zero fails as in DuckDB."""
    row = spark.sql(
        "select cast(1.123456789012 as decimal(38,12)) * cast(3.000000000001 as decimal(38,12))"
        " as product"
    )
    assert str(row.schema["product"].dataType) == "DecimalType(38,24)"
    assert row.collect()[0].product == Decimal("3.370370367037123456789012")
    with pytest.raises(Exception, match="DIVIDE_BY_ZERO"):
        spark.sql("select 1 / 0 as x").collect()
