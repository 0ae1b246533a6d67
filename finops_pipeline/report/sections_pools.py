"""Section 3 of the report: each shared pool, its rule and basis, and where it went."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import duckdb

from finops_pipeline.report.model import Column, Section, Table, not_available
from finops_pipeline.report.queries import rows
from finops_pipeline.showback.rules import AllocationSettings

ZERO = Decimal(0)


def _sum(values: list[Any]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def shared_pools(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], allocation: AllocationSettings
) -> Section:
    cur = params["reporting_currency"]
    section = Section(
        "shared",
        "4. Shared costs explained",
        "Each shared pool, the rule that splits it and the basis of every team's share. Pool "
        "rows are nobody's direct cost: they are split between the recipients, to the cent.",
    )
    pools = {p.name: p for p in allocation.pools}
    lines = rows(con, "shared_pools", params)
    by_pool: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        by_pool[line["pool_name"]].append(line)
    summary = []
    for name, pool_lines in by_pool.items():
        rule = pools.get(name)
        summary.append(
            [
                name,
                pool_lines[0]["rule"],
                describe_pool(rule) if rule else "unallocated cost, redistributed",
                len([p for p in pool_lines if p["team"] != "unallocated"]),
                _sum([p["effective_cost_reporting"] for p in pool_lines]),
            ]
        )
    section.tables.append(
        Table(
            f"Pools ({cur})",
            [
                Column("pool"),
                Column("rule"),
                Column("which rows"),
                Column("recipients", "int"),
                Column("effective cost", "money"),
            ],
            summary,
            ["Total", "", "", None, _sum([s[4] for s in summary])],
            key="pools",
        )
    )
    went = []
    for name, pool_lines in by_pool.items():
        pool_total = _sum([p["effective_cost_reporting"] for p in pool_lines])
        for p in pool_lines:
            share = float(p["effective_cost_reporting"] / pool_total) if pool_total else None
            went.append([name, p["team"], p["basis"], p["effective_cost_reporting"], share])
    section.tables.append(
        Table(
            f"Where each pool went ({cur})",
            [
                Column("pool"),
                Column("team"),
                Column("basis"),
                Column("effective cost", "money"),
                Column("share of pool", "pct"),
            ],
            went,
            key="pool_shares",
        )
    )
    if not lines:
        section.notes.append(not_available("shared pools", "no pool matched any charge this month"))
    return section


def describe_pool(pool: Any) -> str:
    """A pool's filter and split in words, e.g. `ServiceName like %Support%; split even`."""
    parts = []
    for glue, conditions in (("all of", pool.match.all), ("any of", pool.match.any)):
        if conditions:
            texts = [f"{c.column} {c.operator} {condition_value(c)}" for c in conditions]
            parts.append(f"{glue}: " + "; ".join(texts))
    split = f"split {pool.split}"
    if pool.split == "proportional":
        split += f" by direct {pool.basis}"
    elif pool.split == "metric":
        split += f" by metric {pool.metric}"
    elif pool.split == "fixed":
        split += " " + ", ".join(f"{t} {w}%" for t, w in (pool.weights or {}).items())
    if pool.teams:
        split += " between " + ", ".join(pool.teams)
    return " | ".join([*parts, split])


def condition_value(condition: Any) -> str:
    value = getattr(condition, condition.operator if condition.operator != "in" else "in_")
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
