"""Tell Dagster what the command line built, so the UI shows what is in the warehouse.

`finops ingest`, `finops demo` and `finops report` write tables outside a Dagster run; without
this every asset would read "Never materialized" on a full warehouse. Each built table is
recorded as a runless materialization of its asset (same key, same month partition) on the
instance `finops ui` and `finops run` share, with what a reader checks first: rows, BilledCost
and EffectiveCost per billing currency, and for focus_costs the reconciliation status.
(`finops run` materializes through Dagster itself, so it records its own events.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from finops_pipeline.warehouse import table_exists

# Derived tables and the column that places a row in a billing month.
DERIVED: dict[str, str] = {
    "tag_violations": "billing_month",
    "tag_compliance": "billing_month",
    "allocation_ledger": "billing_month",
    "showback_monthly": "billing_month",
    "waste_findings": "billing_month",
    "cost_anomalies": "date_trunc('month', first_date)",
    "unit_costs": "billing_month",
    "cost_forecast": "billing_month",
    "budget_variance": "billing_month",
}
# Amount columns summed into the metadata, by table (billing-currency amounts only).
AMOUNTS: dict[str, tuple[str, str, str]] = {
    "focus_costs": ("BillingCurrency", "BilledCost", "EffectiveCost"),
    "allocation_ledger": ("billing_currency", "billed_cost", "effective_cost"),
    "showback_monthly": ("billing_currency", "billed_cost", "effective_cost"),
}


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).quantize(Decimal('0.01')):,.2f}"


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, month: date) -> dict:
    """rows, then `BilledCost <CUR>` / `EffectiveCost <CUR>` totals for the month."""
    import dagster as dg

    column = "BillingPeriodStart" if table == "focus_costs" else DERIVED.get(table, "billing_month")
    where = f"cast({column} as date) = ?"
    rows = con.execute(f"select count(*) from {table} where {where}", [month]).fetchone()[0]
    metadata: dict = {"rows": dg.MetadataValue.int(int(rows))}
    if table in AMOUNTS:
        currency, billed, effective = AMOUNTS[table]
        for cur, b, e in con.execute(
            f"select {currency}, sum({billed}), sum({effective}) from {table} where {where} "
            "group by 1 order by 1",
            [month],
        ).fetchall():
            metadata[f"BilledCost {cur}"] = dg.MetadataValue.text(_money(b))
            metadata[f"EffectiveCost {cur}"] = dg.MetadataValue.text(_money(e))
    return metadata


def materialization_metadata(con: duckdb.DuckDBPyConnection, table: str, month: date) -> dict:
    """What a build of `table` for `month` records, whether Dagster or the command line
    built it: `table_metadata`, and for focus_costs the reconciliation status."""
    import dagster as dg

    metadata = table_metadata(con, table, month)
    if table == "focus_costs":
        metadata["reconciliation"] = dg.MetadataValue.text(reconciliation_status(con, month))
    return metadata


def reconciliation_status(con: duckdb.DuckDBPyConnection, month: date) -> str:
    from finops_pipeline.core.reconcile import reconcile

    found = reconcile(con, month)
    failing = [r for r in found if not r.ok]
    if not failing:
        return f"reconciled: {len(found)} source x currency totals equal the exports to the cent"
    worst = max(failing, key=lambda r: abs(r.difference))
    return (
        f"NOT reconciled: {len(failing)} of {len(found)} totals differ "
        f"(largest {worst.source} {worst.currency} {_money(worst.difference)})"
    )


def months_of(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[date]:
    if not table_exists(con, "focus_costs"):
        return []
    return [
        m
        for (m,) in con.execute(
            "select distinct cast(BillingPeriodStart as date) from focus_costs "
            "where ? is null or x_SourceName = ? order by 1",
            [source, source],
        ).fetchall()
    ]


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    sources: Sequence[str] = (),
    tables: Iterable[str] = ("focus_costs",),
    months: Sequence[date] | None = None,
    description: str = "built by the finops command line",
) -> int:
    """Record one materialization per (asset, month); the number recorded."""
    import dagster as dg

    from finops_pipeline.dagster_run import dagster_home
    from finops_pipeline.ingest.assets import raw_asset_key

    chosen = list(months) if months is not None else months_of(con)
    events: list[dg.AssetMaterialization] = []
    for month in chosen:
        partition = f"{month:%Y-%m-01}"
        for source in sources:
            if month in months_of(con, source):
                events.append(
                    dg.AssetMaterialization(
                        raw_asset_key(source),
                        partition=partition,
                        description=description,
                        metadata={"source": source},
                    )
                )
        for table in tables:
            if not table_exists(con, table):
                continue
            metadata = materialization_metadata(con, table, month)
            events.append(
                dg.AssetMaterialization(
                    dg.AssetKey(table),
                    partition=partition,
                    description=description,
                    metadata=metadata,
                )
            )
    if not events:
        return 0
    dagster_home(warehouse_folder(con))
    with dg.DagsterInstance.get() as instance:
        for event in events:
            instance.report_runless_asset_event(event)
    return len(events)


def warehouse_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The folder of the warehouse file `con` is on: its Dagster home sits beside it, shared
    with `finops run` and `finops ui` (dagster_run.dagster_home)."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(row[0]).resolve().parent if row and row[0] else None


def record_report(
    month: date, html: str, files: dict[str, list[str]], beside: Path | None = None
) -> None:
    """The finance_report asset's partition, written by `finops report` or `finops demo`;
    `beside`: the warehouse's folder."""
    import dagster as dg

    from finops_pipeline.dagster_run import dagster_home

    dagster_home(beside)
    with dg.DagsterInstance.get() as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                "finance_report",
                partition=f"{month:%Y-%m-01}",
                description="written by the finops command line",
                metadata={
                    "html": dg.MetadataValue.path(html),
                    "files": dg.MetadataValue.json(files),
                },
            )
        )


def record_for_cli(con: duckdb.DuckDBPyConnection, **kwargs: object) -> None:
    """`record`, from a command: a failure to reach the Dagster instance is a one-line
    warning (the warehouse is already written and correct), never a lost load."""
    from rich.markup import escape

    from finops_pipeline import console as out

    try:
        count = record(con, **kwargs)  # type: ignore[arg-type]
    except Exception as error:  # any instance problem: warn, keep the load
        out.err_console.print(
            "[yellow]warning:[/] could not record the build in the Dagster instance "
            f"(DAGSTER_HOME): {escape(f'{type(error).__name__}: {error}')}; the UI will not "
            "show it until `finops run` materializes the months",
            soft_wrap=True,
        )
        return
    if count:
        out.console.print(
            f"recorded {count} asset materialization(s) in Dagster (finops ui shows them)",
            highlight=False,
        )
