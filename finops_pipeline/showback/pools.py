"""Split each shared pool's month x currency total between its recipients, exactly.

Recipients and weights, by split:
- fixed: the teams named in `weights`, by their percentages;
- even: `teams` if given, else every team with direct cost that month (in any currency);
- proportional: the same recipients, by their direct `basis` cost in the pool's month and
  currency; a team whose direct cost there is negative (net credits) weighs 0, not less, so
  no share can exceed the pool;
- metric: the same recipients, by the month's sum of the business metric (negatives weigh 0).
When every weight is zero the split falls back to even, and the ledger basis says so. With no
recipients at all the pool's cost stays on `unallocated`, with the reason. Billed and effective
cost are split separately with the same weights, by largest remainder (showback/rounding.py).
Redistributed unallocated cost (`unallocated.redistribute`) is a proportional pool named
`unallocated` over every team with direct cost that month. The business metrics the metric
split reads are loaded here too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import duckdb

from finops_pipeline.errors import ConfigError
from finops_pipeline.showback.currency import minor_digits
from finops_pipeline.showback.rounding import split_amount
from finops_pipeline.showback.rules import (
    UNALLOCATED,
    AllocationSettings,
    MetricsSettings,
    PoolRule,
)

ZERO = Decimal(0)
Key = tuple[date, str | None]


@dataclass(frozen=True)
class ShareLine:
    """One pool's share for one team (or its stay on `unallocated`) in a month and currency."""

    billing_month: date
    billing_currency: str | None
    pool_name: str
    rule: str
    basis: str
    team: str
    kind: str
    billed_cost: Decimal
    effective_cost: Decimal


@dataclass
class _Facts:
    """What the weights are computed from, read once per build."""

    # (month, currency) -> team -> (billed, effective) of direct (tagged or owner-mapped) cost
    direct: dict[Key, dict[str, tuple[Decimal, Decimal]]] = field(default_factory=dict)
    # month -> teams with any direct cost that month
    teams: dict[date, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (month, metric) -> team -> monthly sum
    metrics: dict[tuple[date, str], dict[str, Decimal]] = field(default_factory=dict)


def split_pools(con: duckdb.DuckDBPyConnection, allocation: AllocationSettings) -> list[ShareLine]:
    """Every pool's (and redistributed unallocated cost's) share lines, from tmp_allocation_input."""
    facts = _read_facts(con)
    lines: list[ShareLine] = []
    for month, currency, index, billed, effective in con.execute(
        "select billing_month, billing_currency, pool_index, sum(billed_cost), "
        "sum(effective_cost) from tmp_allocation_input where pool_index is not null "
        "group by all order by 1, 2 nulls first, 3"
    ).fetchall():
        pool = allocation.pools[index]
        plan = _plan(pool, month, currency, facts)
        lines += _lines(pool.name, pool.rule, month, currency, billed, effective, plan)
    if allocation.unallocated.redistribute:
        basis = allocation.unallocated.basis
        redistribute = PoolRule.model_construct(
            name=UNALLOCATED, split="proportional", basis=basis, teams=None
        )
        for month, currency, billed, effective in con.execute(
            "select billing_month, billing_currency, sum(billed_cost), sum(effective_cost) "
            "from tmp_allocation_input where pool_index is null and tag_owner is null "
            "and owner_index is null group by all order by 1, 2 nulls first"
        ).fetchall():
            plan = _plan(redistribute, month, currency, facts)
            lines += _lines(UNALLOCATED, "redistribute", month, currency, billed, effective, plan)
    return lines


def load_business_metrics(con: duckdb.DuckDBPyConnection, metrics: MetricsSettings | None) -> bool:
    """The metrics file -> temp table tmp_business_metrics (date, dimension, metric, value);
    False when none is loaded. A configured file that is missing is an optional input gone:
    metric pools fall back to an even split (the ledger's basis says so) and the warning check
    `showback_monthly:optional_inputs_present` names the file, instead of failing the run. A
    file that is there but unreadable is still an error."""
    con.execute(
        "create or replace temp table tmp_business_metrics "
        "(date date, dimension varchar, metric varchar, value decimal(38, 12))"
    )
    if metrics is None:
        return False
    path = metrics.path
    if not path.is_file():
        return False
    reader = "read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?, header = true)"
    try:
        con.execute(
            "insert into tmp_business_metrics select cast(date as date), "
            "cast(dimension as varchar), cast(metric as varchar), "
            f"cast(value as decimal(38, 12)) from {reader}",
            [str(path)],
        )
    except duckdb.Error as exc:
        raise ConfigError(
            f"{path}: cannot read business metrics ({str(exc).splitlines()[0]}); expected "
            "columns date (YYYY-MM-DD), dimension (the team), metric, value (a number)"
        ) from exc
    return True


def _read_facts(con: duckdb.DuckDBPyConnection) -> _Facts:
    facts = _Facts()
    for month, currency, team, billed, effective in con.execute(
        "select billing_month, billing_currency, coalesce(tag_owner, owner_team), "
        "sum(billed_cost), sum(effective_cost) from tmp_allocation_input "
        "where pool_index is null and coalesce(tag_owner, owner_team) is not null group by all"
    ).fetchall():
        if team == UNALLOCATED:
            continue
        facts.direct.setdefault((month, currency), {})[team] = (billed or ZERO, effective or ZERO)
        facts.teams[month].add(team)
    for month, metric, team, value in con.execute(
        "select cast(date_trunc('month', date) as date), metric, dimension, sum(value) "
        "from tmp_business_metrics where dimension is not null group by all"
    ).fetchall():
        facts.metrics.setdefault((month, metric), {})[team] = value or ZERO
    return facts


Plan = list[tuple[str, Fraction, str]] | None  # (team, weight, basis text); None: no recipients


def _plan(pool: PoolRule, month: date, currency: str | None, facts: _Facts) -> Plan:
    """Who shares the pool and by what weight, with the basis the ledger shows for each."""
    if pool.split == "fixed":
        weights = pool.weights or {}
        return [(t, Fraction(w), f"fixed {w.normalize():f}%") for t, w in sorted(weights.items())]
    recipients = sorted(pool.teams or facts.teams.get(month, set()))
    if not recipients:
        return None
    if pool.split == "even":
        return [(team, Fraction(1), f"even 1/{len(recipients)}") for team in recipients]
    if pool.split == "proportional":
        column = 1 if pool.basis == "effective_cost" else 0
        direct = facts.direct.get((month, currency), {})
        raw = {t: direct.get(t, (ZERO, ZERO))[column] for t in recipients}
        what, unit = f"direct {pool.basis}", f" {currency or ''}".rstrip()
    else:
        raw = {
            t: facts.metrics.get((month, pool.metric or ""), {}).get(t, ZERO) for t in recipients
        }
        what, unit = f"metric {pool.metric}", ""
    weights = {t: Fraction(max(v, ZERO)) for t, v in raw.items()}
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        missing = "zero" if pool.split != "metric" else "zero or missing"
        note = f"(fallback: {what} is {missing} for every recipient in {month:%Y-%m}{unit})"
        return [(t, Fraction(1), f"even 1/{len(recipients)} {note}") for t in recipients]
    shown = f"{Decimal(total.numerator) / Decimal(total.denominator):,.2f}{unit}"
    return [(t, w, f"{what} share {float(w / total):.4f} of {shown}") for t, w in weights.items()]


def _lines(
    pool_name: str,
    rule: str,
    month: date,
    currency: str | None,
    billed: Decimal | None,
    effective: Decimal | None,
    plan: Plan,
) -> list[ShareLine]:
    billed, effective = billed or ZERO, effective or ZERO
    if plan is None:
        reason = f"no recipients: no team has direct cost in {month:%Y-%m}"
        stay = "unallocated" if rule == "redistribute" else rule
        return [
            ShareLine(
                month,
                currency,
                pool_name,
                stay,
                reason,
                UNALLOCATED,
                "unallocated",
                billed,
                effective,
            )
        ]
    weights = {team: weight for team, weight, _basis in plan}
    digits = minor_digits(currency)
    billed_parts = split_amount(billed, weights, digits)
    effective_parts = split_amount(effective, weights, digits)
    return [
        ShareLine(
            month,
            currency,
            pool_name,
            rule,
            basis,
            team,
            "shared",
            billed_parts[team],
            effective_parts[team],
        )
        for team, _weight, basis in plan
        if billed_parts[team] or effective_parts[team]
    ]
