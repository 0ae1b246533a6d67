"""Build `allocation_ledger` and `showback_monthly` from `focus_costs`, per billing month.

Who owns a focus_costs row, in order:
1. the first pool (allocation.pools) whose filter matches: shared cost, split between teams and
   nobody's direct cost, even when the row carries a team tag;
2. its owner tag (`x_Team`, or `x_Tags[<dimension>]` for another dimension);
3. the first owner rule (allocation.owners) that matches, e.g. a sub-account -> team;
4. nobody: team `unallocated`, or, with `unallocated.redistribute`, split like a proportional
   pool (ledger rule 'redistribute').

SQL classifies and sums the rows (sql/marts/allocation_ledger.sql). The pools are split here
in Python, per month x currency, because an exact largest-remainder split needs exact
fractions: DuckDB divides decimals as doubles. There are only pools x months x currencies x
teams of those, so it costs nothing. Everything is computed and checked (rates, metrics) into
temp tables before the one transaction (the build runner) that replaces the months, so a
failure writes nothing.
A billing currency without a rate to the reporting currency is no failure: its lines are
built and conserved in the billing currency, with NULL reporting amounts (`missing_rates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from finops_pipeline.build_runner import Partition, Target, build_partitions
from finops_pipeline.errors import FinopsError
from finops_pipeline.showback.currency import load_exchange_rates, missing_rates
from finops_pipeline.showback.pools import ShareLine, load_business_metrics, split_pools
from finops_pipeline.showback.rate_resolve import resolve_rates
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.tagging.conditions import compile_match
from finops_pipeline.warehouse import quote_identifier, read_sql, table_exists

FOCUS_TABLE = "focus_costs"
LEDGER_TABLE = "allocation_ledger"
SHOWBACK_TABLE = "showback_monthly"
MONTH_SQL = "cast(date_trunc('month', BillingPeriodStart) as date)"


@dataclass(frozen=True)
class ShowbackBuild:
    months: list[date]
    ledger_rows: int
    showback_rows: int
    # (month, billing currency) without a rate: reporting-currency amounts NULL for them
    missing_rates: list[tuple[date, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class ConservationRow:
    """Σ focus_costs vs Σ showback_monthly for one billing month and currency."""

    billing_month: date
    billing_currency: str | None
    focus_billed: Decimal
    showback_billed: Decimal
    focus_effective: Decimal
    showback_effective: Decimal

    @property
    def billed_difference(self) -> Decimal:
        return self.showback_billed - self.focus_billed

    @property
    def effective_difference(self) -> Decimal:
        return self.showback_effective - self.focus_effective

    @property
    def ok(self) -> bool:
        """Exact, to the storage scale: an allocator may move cost, never make or lose it."""
        return (
            self.focus_billed == self.showback_billed
            and self.focus_effective == self.showback_effective
        )


def build_showback(
    con: duckdb.DuckDBPyConnection, section: ShowbackSection, period: date | None = None
) -> ShowbackBuild:
    """Rebuild the ledger and showback for one billing month (`period`, a first of month) or
    for every month in focus_costs, in one transaction; creates the tables if absent."""
    if not table_exists(con, FOCUS_TABLE):
        raise FinopsError("focus_costs does not exist yet: ingest billing exports first")
    months = _months(con, period)
    reporting = section.reporting
    load_exchange_rates(con, reporting.exchange_rates)
    needed = con.execute(
        f"select distinct {MONTH_SQL}, BillingCurrency from {FOCUS_TABLE} "
        f"where {MONTH_SQL} in (select billing_month from tmp_showback_months)"
    ).fetchall()
    resolve_rates(con, needed, reporting.currency)
    missing = missing_rates(con, needed, reporting.currency)
    has_metrics = load_business_metrics(con, section.metrics)
    classify_charges(con, section, period)
    lines = split_pools(con, section.allocation)
    _store_shares(con, lines)
    params = {
        "reporting_currency": reporting.currency,
        "redistribute_unallocated": section.allocation.unallocated.redistribute,
        "dimension": section.allocation.dimension,
    }
    ledger_sql = read_sql(f"marts/{LEDGER_TABLE}.sql")
    current = _schema_is_current(con, ledger_sql, params)
    if period is not None and not current:
        return build_showback(con, section, None)  # a changed model rebuilds every month

    def store_inputs(con: duckdb.DuckDBPyConnection) -> None:
        _store_rates(con)
        if has_metrics:
            con.execute("create or replace table business_metrics as from tmp_business_metrics")

    scope = Partition("billing_month in (select billing_month from tmp_showback_months)")
    written = build_partitions(
        con,
        [  # the ledger first: showback sums it
            Target(LEDGER_TABLE, f"marts/{LEDGER_TABLE}.sql", params),
            Target(SHOWBACK_TABLE, f"marts/{SHOWBACK_TABLE}.sql"),
        ],
        scope if period is not None else None,
        prepare=store_inputs,
    )
    counts = [written[LEDGER_TABLE], written[SHOWBACK_TABLE]]
    return ShowbackBuild(months, *counts, missing_rates=missing)


def conservation(
    con: duckdb.DuckDBPyConnection, period: date | None = None
) -> list[ConservationRow]:
    """Per billing month x currency, Σ focus_costs and Σ showback_monthly for both cost columns.

    A month or currency missing on either side shows up with zeros on that side.
    """
    showback = (
        f"select billing_month, billing_currency, sum(billed_cost) as billed, "
        f"sum(effective_cost) as effective from {SHOWBACK_TABLE} "
        f"where ($period is null or billing_month = $period) group by all"
        if table_exists(con, SHOWBACK_TABLE)
        else "select null::date as billing_month, null as billing_currency, 0 as billed, "
        "0 as effective where false"
    )
    rows = con.execute(
        f"""
        with focus as (
            select {MONTH_SQL} as billing_month, BillingCurrency as billing_currency,
                sum(BilledCost) as billed, sum(EffectiveCost) as effective
            from {FOCUS_TABLE} where ($period is null or {MONTH_SQL} = $period) group by all
        ),
        showback as ({showback})
        select coalesce(f.billing_month, s.billing_month), coalesce(f.billing_currency,
            s.billing_currency), f.billed, s.billed, f.effective, s.effective
        from focus as f full outer join showback as s
            on f.billing_month = s.billing_month
            and f.billing_currency is not distinct from s.billing_currency
        order by 1, 2
        """,
        {"period": period},
    ).fetchall()
    zero = Decimal(0)
    return [
        ConservationRow(m, c, fb or zero, sb or zero, fe or zero, se or zero)
        for m, c, fb, sb, fe, se in rows
    ]


def _months(con: duckdb.DuckDBPyConnection, period: date | None) -> list[date]:
    if period is not None:
        months = [period.replace(day=1)]
    else:
        months = [
            row[0]
            for row in con.execute(
                f"select distinct {MONTH_SQL} from {FOCUS_TABLE} order by 1"
            ).fetchall()
        ]
    con.execute("create or replace temp table tmp_showback_months (billing_month date)")
    con.executemany("insert into tmp_showback_months values (?)", [[m] for m in months])
    return months


def classify_charges(
    con: duckdb.DuckDBPyConnection,
    section: ShowbackSection,
    period: date | None,
    *,
    table: str = "tmp_allocation_input",
    extra_columns: tuple[str, ...] = (),
    extra_expressions: dict[str, str] | None = None,
    months_table: str | None = None,
) -> None:
    """`table` (default tmp_allocation_input): the months' rows with pool and owner decided,
    summed per month x currency x provider x sub-account x service x owner x pool (thousands
    of rows for millions of charges, so every later step reads little).

    `extra_columns` (focus_costs columns, e.g. ResourceId) refine that grain: the monthly
    report lists unallocated resources with the very rules that left them unallocated;
    `extra_expressions` (alias -> SQL over focus_costs) do the same for derived values, e.g.
    the charge day for the daily allocation. `months_table` (a table of billing_month)
    restricts the rows to its months instead of `period`."""
    allocation = section.allocation
    columns = {
        row[0].lower(): row[0]
        for row in con.execute(f"select * from {FOCUS_TABLE} limit 0").description or []
    }
    params: list[object] = []
    if allocation.dimension == "team" and "x_team" in columns:
        owner = quote_identifier(columns["x_team"])
    elif "x_tags" in columns:
        owner = f"{quote_identifier(columns['x_tags'])}[?]"
        params.append(allocation.dimension)
    else:
        raise FinopsError(
            f"focus_costs has no x_Team or x_Tags column to allocate by {allocation.dimension!r}: "
            "build the tag normalisation first"
        )
    exempt = "coalesce(x_TagExempt, false)" if "x_tagexempt" in columns else "false"

    def first_match(rules: list) -> str:
        if not rules:
            return "cast(null as integer)"
        whens = []
        for index, rule in enumerate(rules):
            sql, bound = compile_match(rule.match)
            whens.append(f"when {sql} then {index}")
            params.extend(bound)
        return "case " + " ".join(whens) + " end"

    pool_case = first_match(allocation.pools)
    owner_case = first_match(allocation.owners)
    where = ""
    if months_table is not None:
        where = f"where {MONTH_SQL} in (select billing_month from {quote_identifier(months_table)})"
    elif period is not None:
        where = "where BillingPeriodStart >= ? and BillingPeriodStart < ? + interval 1 month"
        params += [period.replace(day=1), period.replace(day=1)]
    teams = [rule.team for rule in allocation.owners]
    extras = "".join(f"{quote_identifier(c)}, " for c in extra_columns)
    extras += "".join(
        f"{sql} as {quote_identifier(alias)}, " for alias, sql in (extra_expressions or {}).items()
    )
    con.execute(
        f"""
        create or replace temp table {quote_identifier(table)} as
        select
            * exclude (billed_cost, effective_cost),
            case when owner_index is not null then (?::varchar[])[owner_index + 1] end
                as owner_team,
            sum(billed_cost) as billed_cost,
            sum(effective_cost) as effective_cost
        from (
            select
                {MONTH_SQL} as billing_month,
                BillingCurrency as billing_currency,
                BilledCost as billed_cost,
                EffectiveCost as effective_cost,
                ProviderName as provider_name,
                SubAccountId as sub_account_id,
                SubAccountName as sub_account_name,
                ServiceName as service_name,
                {extras}
                nullif(trim({owner}), '') as tag_owner,
                {exempt} as is_tag_exempt,
                {pool_case} as pool_index,
                -- owner rules apply only where no pool claimed the row and no tag names
                -- its owner (DuckDB lets a select item use the aliases before it)
                case when pool_index is null and tag_owner is null then {owner_case} end
                    as owner_index
            from {FOCUS_TABLE}
            {where}
        ) as classified
        group by all
        """,
        [teams, *params],
    )


def _store_rates(con: duckdb.DuckDBPyConnection) -> None:
    """`exchange_rates` := this build's rates, plus the rates derived for months not rebuilt
    now (a one-month build must not drop the rates the other months' amounts were made with)."""
    keep = "select * from tmp_exchange_rates where false"
    if table_exists(con, "exchange_rates"):
        columns = {d[0] for d in con.execute("select * from exchange_rates limit 0").description}
        if "source" in columns:
            keep = (
                "select old.* from exchange_rates as old "
                "where old.month not in (select billing_month from tmp_showback_months) "
                "and not exists (select 1 from tmp_exchange_rates as new where new.month = old.month "
                "and new.from_currency = old.from_currency and new.to_currency = old.to_currency)"
            )
    con.execute(
        "create or replace temp table tmp_exchange_rates_all as "
        f"select * from tmp_exchange_rates union all by name {keep}"
    )
    con.execute("create or replace table exchange_rates as select * from tmp_exchange_rates_all")


def _store_shares(con: duckdb.DuckDBPyConnection, lines: list[ShareLine]) -> None:
    con.execute(
        "create or replace temp table tmp_allocation_shares (billing_month date, "
        "billing_currency varchar, source_kind varchar, pool_name varchar, rule varchar, "
        "basis varchar, from_key varchar, team varchar, kind varchar, "
        "billed_cost decimal(38, 12), effective_cost decimal(38, 12))"
    )
    if lines:
        con.executemany(
            "insert into tmp_allocation_shares values (?, ?, 'pool', ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    line.billing_month,
                    line.billing_currency,
                    line.pool_name,
                    line.rule,
                    line.basis,
                    line.pool_name,
                    line.team,
                    line.kind,
                    line.billed_cost,
                    line.effective_cost,
                ]
                for line in lines
            ],
        )


def _schema_is_current(con: duckdb.DuckDBPyConnection, ledger_sql: str, params: dict) -> bool:
    """Both tables absent, or both as the SQL models define them (else: rebuild every month)."""
    present = [table_exists(con, t) for t in (LEDGER_TABLE, SHOWBACK_TABLE)]
    if not any(present):
        return True
    if not all(present):
        return False
    showback_sql = read_sql(f"marts/{SHOWBACK_TABLE}.sql")
    for table, sql, bound in (
        (LEDGER_TABLE, ledger_sql, params),
        (SHOWBACK_TABLE, showback_sql, None),
    ):
        current = con.execute(f"select * from {table} limit 0").description or []
        model = con.execute(f"select * from ({sql}) limit 0", bound).description or []
        if [(d[0], str(d[1])) for d in current] != [(d[0], str(d[1])) for d in model]:
            return False
    return True
