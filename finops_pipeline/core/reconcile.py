"""Does focus_costs add up to what the providers' files say? Per source, period and currency.

The raw side is summed with each format's own invoice-basis expression (its mapping's
`total_cost_sql`), independently of the staging SQL, so a mistake in a FOCUS mapping shows
up here as a difference rather than being reproduced on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from finops_pipeline.core.focus import FOCUS_TABLE
from finops_pipeline.ingest.mapping import load_mappings
from finops_pipeline.ingest.raw_tables import ensure_raw_tables
from finops_pipeline.warehouse import table_exists

CENT = Decimal("0.005")


@dataclass(frozen=True)
class ReconRow:
    source: str
    period: date
    currency: str
    cost_basis: str
    raw_total: Decimal
    focus_total: Decimal
    raw_rows: int
    focus_rows: int

    @property
    def difference(self) -> Decimal:
        return self.focus_total - self.raw_total

    @property
    def ok(self) -> bool:
        return abs(self.difference) < CENT


def raw_totals(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[tuple]:
    ensure_raw_tables(con)
    parts = []
    for mapping in load_mappings().values():
        parts.append(
            f"select x_source_name as source, x_billing_period as period, "
            f"cast({mapping.currency_sql} as varchar) as currency, "
            f"cast({mapping.cost_basis_sql} as varchar) as cost_basis, "
            f"sum({mapping.total_cost_sql}) as total, count(*) as n "
            f"from {mapping.raw_table} where (? is null or x_billing_period = ?) group by all"
        )
    sql = " union all ".join(parts)
    params: list[object] = []
    for _ in parts:
        params += [period, period]
    return con.execute(sql, params).fetchall()


def reconcile(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[ReconRow]:
    """One row per source x billing period x currency x cost basis, raw vs focus_costs."""
    raw = raw_totals(con, period)
    focus: dict[tuple, tuple[Decimal, Decimal, int]] = {}
    if table_exists(con, FOCUS_TABLE):
        for src, per, cur, billed, effective, n in con.execute(
            f"select x_SourceName, cast(BillingPeriodStart as date), BillingCurrency, "
            f"sum(BilledCost), sum(EffectiveCost), count(*) from {FOCUS_TABLE} "
            f"where (? is null or BillingPeriodStart = ?) group by all",
            [period, period],
        ).fetchall():
            focus[(src, per, cur)] = (billed or Decimal(0), effective or Decimal(0), n)
    rows: list[ReconRow] = []
    seen: set[tuple] = set()
    for src, per, cur, basis, total, n in raw:
        key = (src, per, cur)
        seen.add(key)
        billed, effective, focus_n = focus.get(key, (Decimal(0), Decimal(0), 0))
        focus_total = effective if basis == "effective" else billed
        rows.append(ReconRow(src, per, cur, basis, total or Decimal(0), focus_total, n, focus_n))
    for key, (billed, _effective, focus_n) in focus.items():
        if key not in seen:
            rows.append(ReconRow(*key, "billed", Decimal(0), billed, 0, focus_n))
    return sorted(rows, key=lambda r: (r.source, r.period, r.currency, r.cost_basis))
