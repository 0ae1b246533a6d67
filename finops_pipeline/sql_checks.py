"""Dagster asset checks whose rule is a query in `sql/checks/<asset>__<check>.sql`.

The query returns the rows that break the rule for one billing month ($billing_month; a check
over the whole table, `month_scoped=False`, gets no month): the check passes when there are
none, and shows the first few (and, when the query names a `rule` column, a count per rule). Keeping the rule
in SQL lets tests and ad-hoc investigation run the very same query.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import dagster as dg

from finops_pipeline.resources import WarehouseResource, partition_month
from finops_pipeline.warehouse import read_sql

SAMPLE_ROWS = 5


def failing_rows(con: Any, asset: str, check: str, params: dict[str, Any]) -> list[dict]:
    """The rows breaking `check` of `asset` (each as column -> value)."""
    cursor = con.execute(read_sql(f"checks/{asset}__{check}.sql"), params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sql_check(
    asset: str,
    check: str,
    partitions: dg.PartitionsDefinition,
    description: str,
    extra_params: Callable[[], dict[str, Any]] | None = None,
    blocking: bool = False,
    month_scoped: bool = True,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=check,
        partitions_def=partitions,
        blocking=blocking,
        description=description,
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        params: dict[str, Any] = {}
        if month_scoped:
            params["billing_month"] = partition_month(context.partition_key)
        params.update(extra_params() if extra_params else {})
        with warehouse.connection() as con:
            rows = failing_rows(con, asset, check, params)
        metadata: dict[str, Any] = {
            "failing_rows": len(rows),
            "sample": dg.MetadataValue.json(
                [{k: str(v) for k, v in r.items()} for r in rows[:SAMPLE_ROWS]]
            ),
        }
        if rows and "rule" in rows[0]:
            metadata["by_rule"] = dg.MetadataValue.json(dict(Counter(r["rule"] for r in rows)))
        return dg.AssetCheckResult(passed=not rows, severity=severity, metadata=metadata)

    return _check
