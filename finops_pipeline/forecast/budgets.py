"""Budgets per team and month (CSV and/or inline config) and the `budget_variance` table.

CSV columns: `team`, `amount`, optional `month` (YYYY-MM; blank = every month, a standing
budget) and optional `currency` (must be the reporting currency: budgets are compared with
showback in it). A month-specific row overrides the team's standing budget for that month;
inline `forecast.budgets` entries override CSV rows for the same team and month.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from finops_pipeline.build_runner import build_partition
from finops_pipeline.errors import ConfigError
from finops_pipeline.forecast.settings import BudgetEntry, ForecastSettings
from finops_pipeline.warehouse import table_exists

TABLE = "budget_variance"


def read_budget_csv(path: Path, currency: str) -> list[BudgetEntry]:
    """Validated rows of a budgets CSV; a bad cell names its file, row and column."""
    if not path.is_file():
        raise ConfigError(f"{path}: budgets file not found (forecast.budgets_path)")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in ("team", "amount") if c not in header]
        if missing:
            raise ConfigError(
                f"{path}: missing column(s) {', '.join(missing)}; expected a header "
                "team,amount[,month][,currency] (month YYYY-MM, blank for every month)"
            )
        entries = []
        for number, raw in enumerate(reader, start=1):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
            where = f"{path}, data row {number}"
            if row.get("currency") and row["currency"].upper() != currency:
                raise ConfigError(
                    f"{where}, column 'currency': {row['currency']!r} is not the reporting "
                    f"currency {currency}; give budgets in {currency} (reporting.currency)"
                )
            try:
                amount = Decimal(row["amount"])
            except InvalidOperation as exc:
                raise ConfigError(
                    f"{where}, column 'amount': {row['amount']!r} is not a number; expected "
                    "an amount such as 12000 or 12000.50"
                ) from exc
            try:
                entries.append(
                    BudgetEntry(team=row["team"], amount=amount, month=row.get("month") or None)
                )
            except ValueError as exc:
                problem = str(exc).splitlines()[-1].strip()
                raise ConfigError(f"{where}: {problem}") from exc
    return entries


def budgets_for(settings: ForecastSettings, months: list[date], currency: str) -> list[list]:
    """[month, team, amount] for each month and team with a budget (overrides applied)."""
    entries = []
    # A configured file that is missing degrades budget_variance (warning check
    # optional_inputs_present), never the run.
    if settings.budgets_path is not None and settings.budgets_path.is_file():
        entries += read_budget_csv(settings.budgets_path, currency)
    entries += settings.budgets
    chosen: dict[tuple[date, str], Decimal] = {}
    for month in months:
        key = f"{month:%Y-%m}"
        standing = [e for e in entries if e.month is None]
        specific = [e for e in entries if e.month == key]
        for entry in standing + specific:  # month-specific last: it overrides; later rows win
            chosen[(month, entry.team)] = entry.amount
    return [[month, team, amount] for (month, team), amount in sorted(chosen.items())]


def build_budget_variance(
    con: duckdb.DuckDBPyConnection, settings: ForecastSettings, period: date | None = None
) -> int:
    """Replace budget_variance for `period` (None: every month in cost_forecast); rows written."""
    if not table_exists(con, "cost_forecast"):
        raise ConfigError("cost_forecast not built yet: build the forecast first")
    months = (
        [period.replace(day=1)]
        if period is not None
        else [
            r[0] for r in con.execute("select distinct billing_month from cost_forecast").fetchall()
        ]
    )
    row = con.execute("select any_value(reporting_currency) from cost_forecast").fetchone()
    currency = row[0] if row and row[0] else "USD"
    con.execute(
        "create or replace temp table tmp_budgets "
        "(billing_month date, team varchar, budget decimal(38, 12))"
    )
    budgets = budgets_for(settings, months, currency)
    if budgets:
        con.executemany("insert into tmp_budgets values (?, ?, ?)", budgets)
    params = {
        "at_risk_at": settings.at_risk_at,
        "over_budget_at": settings.over_budget_at,
        "currency": currency,
    }
    # An older layout is dropped and rebuilt for the months asked; the others come back with
    # their next build (finops run: all).
    return build_partition(
        con,
        table=TABLE,
        model=f"marts/{TABLE}.sql",
        params=params,
        period=months,
        on_change="drop",
    )


def status(
    budget: Decimal,
    actual: Decimal | None,
    forecast: Decimal | None,
    at_risk_at: Decimal = Decimal("0.95"),
    over_budget_at: Decimal = Decimal("1.00"),
    upper_80: Decimal | None = None,
    closed: bool = False,
) -> str:
    """The rule budget_variance.sql applies, for callers outside SQL (and its tests).
    `upper_80` defaults to the forecast (a zero-width interval)."""
    if forecast is None or actual is None:
        return "no exchange rate"
    if closed:
        return "over budget" if actual > budget else "under budget"
    if actual > budget or forecast > budget * over_budget_at:
        return "over budget"
    upper = forecast if upper_80 is None else upper_80
    if upper > budget or (forecast > 0 and forecast >= budget * at_risk_at):
        return "at risk"
    return "on track"
