"""Dagster asset checks whose rule is a query in `sql/checks/<asset>__<check>.sql`.

The query returns the rows that break the rule for one billing month ($billing_month; a check
over the whole table, `month_scoped=False`, gets no month): the check passes when there are
none, and shows the first few (and, when the query names a `rule` column, a count per rule). Keeping the rule
in SQL lets tests and ad-hoc investigation run the very same query.
"""

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg

from finops_pipeline.orchestration.month_assets import partitioned_check
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
    def evaluate(con: Any, month: date) -> dg.AssetCheckResult:
        params: dict[str, Any] = {"billing_month": month} if month_scoped else {}
        params.update(extra_params() if extra_params else {})
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

    return partitioned_check(
        asset,
        check,
        evaluate=evaluate,
        partitions=partitions,
        blocking=blocking,
        description=description,
    )
