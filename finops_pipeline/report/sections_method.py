"""Section 8 of the report: the allocation rules in the order they apply, the exchange rates
the month used, and what billed, effective, direct, shared and unallocated mean."""

from __future__ import annotations

from typing import Any

import duckdb

from finops_pipeline.report.model import Column, Section, Table
from finops_pipeline.report.queries import rows
from finops_pipeline.report.sections_pools import condition_value, describe_pool
from finops_pipeline.showback.rules import AllocationSettings

DEFINITIONS = [
    (
        "Billed cost",
        "FOCUS BilledCost: what the invoice charges for the month, before amortization. Summed "
        "per invoice it equals the invoice; section 2 checks each export against its own basis.",
    ),
    (
        "Effective cost",
        "FOCUS EffectiveCost: amortized cost after all discounts. Commitment purchases count 0 "
        "and their cost is spread over the usage they cover. Showback uses effective cost.",
    ),
    (
        "Direct / shared / unallocated",
        "Direct: charges a team owns by tag or owner rule. Shared: its part of a shared pool. "
        "Unallocated: charges nobody owns. Per month and billing currency they sum exactly to "
        "focus_costs (asset check conserves_focus_costs).",
    ),
    (
        "Reporting currency",
        "Amounts are allocated in each billing currency, then converted at the month's rate "
        "(table below); only the roll-up is converted.",
    ),
]


def method(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], allocation: AllocationSettings
) -> Section:
    section = Section(
        "method",
        "9. Method",
        "How the numbers are made: the allocation rules in the order they apply, the "
        "exchange rates, and the definitions.",
    )
    rules: list[list[Any]] = [
        [f"{i + 1}. pool {p.name}", p.rule, describe_pool(p)]
        for i, p in enumerate(allocation.pools)
    ]
    rules.append(
        [f"{len(rules) + 1}. owner tag", f"tag {allocation.dimension}", "the normalised tag"]
    )
    for i, owner in enumerate(allocation.owners):
        conditions = [*owner.match.all, *owner.match.any]
        text = "; ".join(f"{c.column} {c.operator} {condition_value(c)}" for c in conditions)
        rules.append([f"owner rule {i}", f"-> {owner.team}", text])
    leftover = (
        "redistributed proportionally to direct cost"
        if allocation.unallocated.redistribute
        else "stays on team 'unallocated'"
    )
    rules.append(["last", "unallocated", leftover])
    section.tables.append(
        Table(
            "Allocation rules (first match wins)",
            [Column("order"), Column("rule"), Column("applies to")],
            rules,
            key="rules",
        )
    )
    section.tables.append(
        Table(
            "Exchange rates used",
            [
                Column("billing currency"),
                Column("reporting currency"),
                Column("rate", "num"),
                Column("source"),
            ],
            [list(r.values()) for r in rows(con, "rates", params)],
            key="rates",
        )
    )
    section.tables.append(
        Table("Definitions", [Column("term"), Column("meaning")], DEFINITIONS, key="definitions")
    )
    return section
