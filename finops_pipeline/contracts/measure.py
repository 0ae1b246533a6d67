"""Measure each contract rule in DuckDB: one number per rule, and a few offending examples.

Why DuckDB and not great-expectations' own SQL datasource: that datasource fails on DuckDB
2.x, and validating a 5M-row partition as a pandas frame would copy every row out of the
warehouse. So every row-level predicate runs here, in one scan per table where it can (all
null, allowed-value and pattern counts and the row count share one aggregate query); the
resulting numbers are what great-expectations judges (suite.py).

A partitioned check sees only its billing month: each contracted table with a partition
column is shadowed, for this connection only, by a temp view filtered to the month, so the
contracts' `type: sql` queries (written against the table names) run unchanged and
consistently across tables (e.g. showback_monthly against focus_costs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from finops_pipeline.contracts.odcs import Contract, Rule
from finops_pipeline.warehouse import quote_identifier, table_exists

AGGREGATE_KINDS = ("nulls", "invalid_values", "pattern", "row_count", "freshness_hours")


@dataclass
class Measurement:
    rule: Rule
    value: float | None
    applicable: bool = True
    examples: list[str] = field(default_factory=list)
    note: str = ""


def next_month(start: date) -> date:
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def scope_to_month(
    con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract], month: date
) -> list[str]:
    """Shadow every partitioned, existing contracted table by a view of `month` only.

    Returns the views made; the caller drops them (`unscope`), or later queries on the same
    connection would still see only this month."""
    database = con.execute("select current_database()").fetchone()[0]
    end = next_month(month)
    views: list[str] = []
    for contract in contracts.values():
        column = contract.partition_column
        if not column or not table_exists(con, contract.table):
            continue
        table = quote_identifier(contract.table)
        # Views cannot take bound parameters; the bounds are dates we computed, not input.
        con.execute(
            f"create or replace temp view {table} as select * from "
            f"{quote_identifier(database)}.main.{table} where {quote_identifier(column)} >= "
            f"date '{month.isoformat()}' and {quote_identifier(column)} < date '{end.isoformat()}'"
        )
        views.append(table)
    return views


def unscope(con: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    for view in views:
        con.execute(f"drop view if exists temp.main.{view}")


def measure(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    month: date | None = None,
    now: datetime | None = None,
) -> list[Measurement]:
    """Every rule of `contract` measured on the (already scoped) table."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    table = quote_identifier(contract.table)
    aggregate = [r for r in contract.rules if r.kind in AGGREGATE_KINDS]
    results: dict[str, Measurement] = {}
    if aggregate:
        parts, params = [], []
        for rule in aggregate:
            expression, bound = _aggregate(rule)
            parts.append(expression)
            params.extend(bound)
        row = con.execute(f"select {', '.join(parts)} from {table}", params).fetchone()
        for rule, value in zip(aggregate, row, strict=True):
            results[rule.name] = _finish(con, contract, rule, value, month, now)
    for rule in contract.rules:
        if rule.kind == "duplicates":
            results[rule.name] = _duplicates(con, table, rule)
        elif rule.kind == "sql":
            value = con.execute(rule.query).fetchone()[0]
            results[rule.name] = Measurement(rule, _number(value))
    return [results[r.name] for r in contract.rules]


def _aggregate(rule: Rule) -> tuple[str, list[Any]]:
    column = quote_identifier(rule.column) if rule.column else ""
    if rule.kind == "nulls":
        return f"count(*) filter (where {column} is null)", []
    if rule.kind == "invalid_values":
        where = f"{column} is not null and not list_contains(?::varchar[], {column}::varchar)"
        return f"count(*) filter (where {where})", [[str(v) for v in rule.values]]
    if rule.kind == "pattern":
        where = f"{column} is not null and not regexp_full_match({column}::varchar, ?)"
        return f"count(*) filter (where {where})", [rule.values[0]]
    if rule.kind == "row_count":
        return "count(*)", []
    return f"max({column})", []  # freshness_hours: finished in Python


def _finish(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    rule: Rule,
    value: Any,
    month: date | None,
    now: datetime,
) -> Measurement:
    if rule.kind == "freshness_hours":
        if (
            month is not None
            and contract.partition_column
            and not (month <= now.date() < next_month(month))
        ):
            return Measurement(rule, None, applicable=False, note="closed period")
        if value is None:
            return Measurement(rule, float("inf"), note="no rows")
        newest = (
            value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
        )
        return Measurement(rule, round((now - newest).total_seconds() / 3600, 2), note=str(newest))
    measured = Measurement(rule, _number(value))
    if rule.kind in ("invalid_values", "pattern") and measured.value:
        measured.examples = _invalid_examples(con, contract.table, rule)
    return measured


def _invalid_examples(con: duckdb.DuckDBPyConnection, table: str, rule: Rule) -> list[str]:
    expression, params = _aggregate(rule)
    where = expression.removeprefix("count(*) filter (where ").removesuffix(")")
    rows = con.execute(
        f"select distinct {quote_identifier(rule.column or '')}::varchar "
        f"from {quote_identifier(table)} where {where} limit 5",
        params,
    ).fetchall()
    return [str(r[0]) for r in rows]


def _duplicates(con: duckdb.DuckDBPyConnection, table: str, rule: Rule) -> Measurement:
    columns = ", ".join(quote_identifier(c) for c in rule.columns)
    rows = con.execute(
        f"select {columns}, count(*) as n from {table} group by all having count(*) > 1 "
        "order by n desc"
    ).fetchall()
    extra = sum(r[-1] - 1 for r in rows)
    examples = [" | ".join(str(v) for v in r[:-1]) + f" (x{r[-1]})" for r in rows[:5]]
    return Measurement(rule, float(extra), examples=examples)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    if isinstance(value, bool):
        return float(value)
    raise TypeError(f"a contract rule must return a number, got {value!r}")
