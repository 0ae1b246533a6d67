"""allocation_ledger and showback_monthly from tiny focus_costs tables: each rule, exactly."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops_pipeline.showback import ShowbackSection, build_showback, conservation
from finops_pipeline.showback.currency import ExchangeRateError, describe_missing
from finops_pipeline.sql_checks import failing_rows

D = Decimal
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)
FOCUS_COLUMNS = {
    "BillingPeriodStart": "timestamp",
    "BillingCurrency": "varchar",
    "BilledCost": "decimal(38, 12)",
    "EffectiveCost": "decimal(38, 12)",
    "ProviderName": "varchar",
    "SubAccountId": "varchar",
    "SubAccountName": "varchar",
    "ServiceName": "varchar",
    "ServiceCategory": "varchar",
    "ChargeCategory": "varchar",
    "ResourceId": "varchar",
    "x_SourceName": "varchar",
    "x_Team": "varchar",
    "x_TagExempt": "boolean",
    "x_Tags": "map(varchar, varchar)",
}
SHARED = {"all": [{"column": "SubAccountName", "equals": "shared-services"}]}
TAX = {"all": [{"column": "ChargeCategory", "equals": "Tax"}]}


def charge(
    cost: str,
    team: str | None = None,
    *,
    effective: str | None = None,
    month: date = MAY,
    currency: str = "USD",
    account: str = "1",
    account_name: str = "app",
    service: str = "EC2",
    category: str = "Usage",
    exempt: bool = False,
    tags: dict[str, str] | None = None,
) -> list[Any]:
    return [
        datetime(month.year, month.month, 1),
        currency,
        D(cost),
        D(effective if effective is not None else cost),
        "AWS",
        account,
        account_name,
        service,
        "Compute",
        category,
        f"r-{account}-{service}",
        "test",
        team,
        exempt,
        tags,
    ]


def make_focus(con: duckdb.DuckDBPyConnection, rows: list[list[Any]]) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in FOCUS_COLUMNS.items())
    con.execute(f"create or replace table focus_costs ({columns})")
    marks = ", ".join("?" for _ in FOCUS_COLUMNS)
    con.executemany(f"insert into focus_costs values ({marks})", rows)


def config(**allocation: Any) -> ShowbackSection:
    reporting = allocation.pop("reporting", {})
    metrics = allocation.pop("metrics", None)
    return ShowbackSection.model_validate(
        {"reporting": reporting, "metrics": metrics, "allocation": allocation}
    )


def ledger(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[tuple]:
    return con.execute(
        "select team, kind, rule, basis, billed_cost, effective_cost from allocation_ledger "
        f"where {where} order by team, rule, basis"
    ).fetchall()


def showback(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], tuple[D, D]]:
    rows = con.execute(
        "select team, kind, billing_currency, billed_cost, effective_cost from showback_monthly"
    ).fetchall()
    return {(t, k, c): (b, e) for t, k, c, b, e in rows}


def assert_conserved(con: duckdb.DuckDBPyConnection) -> None:
    rows = conservation(con)
    assert rows and all(row.ok for row in rows), rows


def test_proportional_pool_by_direct_effective_cost(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [
            charge("100", "payments", effective="90"),
            charge("50", "search"),
            charge("10.000000000007", "payments", effective="10", account_name="shared-services"),
        ],
    )
    pool = {"name": "shared", "match": SHARED, "split": "proportional"}
    result = build_showback(warehouse, config(pools=[pool]))
    assert result.months == [MAY]
    # 90 : 50 -> 6.428.. : 3.571..; floors 6.42 + 3.57 leave a cent for the larger remainder
    # (payments, .0086 against .0014); the 12th-decimal residue goes to the larger share.
    assert ledger(warehouse, "source_kind = 'pool'") == [
        ("payments", "shared", "pool:shared:proportional",
         "direct effective_cost share 0.6429 of 140.00 USD", D("6.430000000007"), D("6.43")),
        ("search", "shared", "pool:shared:proportional",
         "direct effective_cost share 0.3571 of 140.00 USD", D("3.57"), D("3.57")),
    ]  # fmt: skip
    assert showback(warehouse)[("payments", "direct", "USD")] == (D("100"), D("90"))
    assert_conserved(warehouse)


def test_pool_beats_tag_and_first_matching_pool_wins(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [
            charge("10", "payments"),
            charge("6", "search", account_name="shared-services", category="Tax"),
        ],
    )
    pools = [
        {"name": "tax", "match": TAX, "split": "fixed", "weights": {"payments": 100}},
        {"name": "shared", "match": SHARED, "split": "even"},
    ]
    build_showback(warehouse, config(pools=pools))
    assert ledger(warehouse, "source_kind = 'pool'") == [
        ("payments", "shared", "pool:tax:fixed", "fixed 100%", D("6"), D("6"))
    ]
    assert ("search", "direct", "USD") not in showback(warehouse)


def test_even_split_goes_to_teams_with_direct_cost_that_month(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    make_focus(
        warehouse,
        [
            charge("1", "a"),
            charge("1", "b"),
            charge("1", "c", currency="EUR"),  # any currency counts for recipients
            charge("1", "d", month=JUNE),  # another month does not
            charge("100", account_name="shared-services"),
        ],
    )
    rates = write_rates(tmp_path / "rates.csv", "2026-05,EUR,USD,1.1", "2026-06,EUR,USD,1.1")
    reporting = {"exchange_rates": str(rates)}
    pools = [{"name": "s", "match": SHARED, "split": "even"}]
    build_showback(warehouse, config(pools=pools, reporting=reporting))
    rows = ledger(warehouse, "source_kind = 'pool'")
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("a", "even 1/3", D("33.34")),
        ("b", "even 1/3", D("33.33")),
        ("c", "even 1/3", D("33.33")),
    ]


def test_teams_restrict_recipients_and_zero_basis_falls_back_to_even(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    make_focus(
        warehouse,
        [charge("5", "a"), charge("7", "b"), charge("9", account_name="shared-services")],
    )
    pool = {"name": "s", "match": SHARED, "split": "proportional", "teams": ["b", "z"]}
    build_showback(warehouse, config(pools=[pool]))
    assert [(r[0], r[4]) for r in ledger(warehouse, "source_kind = 'pool'")] == [("b", D("9"))]

    pool["basis"] = "billed_cost"
    pool["teams"] = ["y", "z"]  # neither has direct cost: even split, and the ledger says why
    build_showback(warehouse, config(pools=[pool]))
    rows = ledger(warehouse, "source_kind = 'pool'")
    assert [(r[0], r[4]) for r in rows] == [("y", D("4.50")), ("z", D("4.50"))]
    assert rows[0][3] == (
        "even 1/2 (fallback: direct billed_cost is zero for every recipient in 2026-05 USD)"
    )


def test_negative_direct_cost_weighs_nothing(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [
            charge("10", "a"),
            charge("-3", "b", category="Credit"),
            charge("-4.99", account_name="shared-services", category="Credit"),
        ],
    )
    build_showback(
        warehouse, config(pools=[{"name": "s", "match": SHARED, "split": "proportional"}])
    )
    assert [(r[0], r[4]) for r in ledger(warehouse, "source_kind = 'pool'")] == [("a", D("-4.99"))]
    assert_conserved(warehouse)


def test_pool_without_recipients_stays_unallocated(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(warehouse, [charge("9", account_name="shared-services")])
    build_showback(warehouse, config(pools=[{"name": "s", "match": SHARED, "split": "even"}]))
    assert ledger(warehouse) == [
        ("unallocated", "unallocated", "pool:s:even",
         "no recipients: no team has direct cost in 2026-05", D("9"), D("9")),
    ]  # fmt: skip
    assert_conserved(warehouse)


def test_metric_split_reads_business_metrics(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    metrics = tmp_path / "metrics.csv"
    metrics.write_text(
        "date,dimension,metric,value\n2026-05-01,a,active_users,100\n2026-05-20,a,active_users,"
        "200\n2026-05-03,b,active_users,100\n2026-05-03,b,orders,999\n2026-06-01,b,active_users,9\n"
    )
    make_focus(warehouse, [charge("1", "a"), charge("1", "b"), charge("10", service="GPU")])
    pool = {
        "name": "gpu",
        "match": {"all": [{"column": "ServiceName", "equals": "GPU"}]},
        "split": "metric",
        "metric": "active_users",
    }
    build_showback(warehouse, config(pools=[pool], metrics={"path": str(metrics)}))
    assert ledger(warehouse, "source_kind = 'pool'") == [
        ("a", "shared", "pool:gpu:metric", "metric active_users share 0.7500 of 400.00", D("7.5"), D("7.5")),
        ("b", "shared", "pool:gpu:metric", "metric active_users share 0.2500 of 400.00", D("2.5"), D("2.5")),
    ]  # fmt: skip
    assert warehouse.execute("select count(*) from business_metrics").fetchone() == (5,)


def test_owner_mapping_applies_only_without_a_tag(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [
            charge("3", account="111122223333"),
            charge("4", "search", account="111122223333"),
            charge("5", account="999"),
            charge("6", account="999", category="Tax", exempt=True),
        ],
    )
    owners = [
        {
            "match": {"all": [{"column": "SubAccountId", "equals": "111122223333"}]},
            "team": "payments",
        }
    ]
    build_showback(warehouse, config(owners=owners))
    assert ledger(warehouse) == [
        ("payments", "direct", "owner", "allocation.owners[0]", D("3"), D("3")),
        ("search", "direct", "tag", "tag team", D("4"), D("4")),
        ("unallocated", "unallocated", "unallocated", "no owner tag (tag-exempt charge), no owner rule, no pool", D("6"), D("6")),
        ("unallocated", "unallocated", "unallocated", "no owner tag, no owner rule, no pool", D("5"), D("5")),
    ]  # fmt: skip
    assert showback(warehouse)[("unallocated", "unallocated", "USD")] == (D("11"), D("11"))


def test_redistribute_spreads_unallocated_cost(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [charge("30", "a"), charge("10", "b"), charge("1.01"), charge("5", month=JUNE)],
    )
    build_showback(warehouse, config(unallocated={"redistribute": True}))
    assert ledger(warehouse, "billing_month = '2026-05-01' and source_kind = 'pool'") == [
        ("a", "shared", "redistribute", "direct effective_cost share 0.7500 of 40.00 USD", D("0.76"), D("0.76")),
        ("b", "shared", "redistribute", "direct effective_cost share 0.2500 of 40.00 USD", D("0.25"), D("0.25")),
    ]  # fmt: skip
    # June has nobody to redistribute to: the cost stays visible as unallocated
    assert ledger(warehouse, "billing_month = '2026-06-01'") == [
        ("unallocated", "unallocated", "unallocated",
         "no recipients: no team has direct cost in 2026-06", D("5"), D("5")),
    ]  # fmt: skip
    assert_conserved(warehouse)


def test_other_dimension_reads_the_normalised_tag_map(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(
        warehouse,
        [charge("2", "payments", tags={"cost-center": "cc-1"}), charge("3", "search")],
    )
    build_showback(warehouse, config(dimension="cost-center"))
    assert [(r[0], r[3]) for r in ledger(warehouse)] == [
        ("cc-1", "tag cost-center"),
        ("unallocated", "no owner tag, no owner rule, no pool"),
    ]


def write_rates(path: Path, *rows: str) -> Path:
    path.write_text("month,from_currency,to_currency,rate\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_currencies_conserve_separately_and_roll_up_with_monthly_rates(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rates = write_rates(tmp_path / "rates.csv", "2026-05,EUR,USD,1.1", "2026-05,JPY,USD,0.0065")
    make_focus(
        warehouse,
        [
            charge("10", "a"),
            charge("20", "a", currency="EUR"),
            charge("1", "a", currency="JPY"),
            charge("2", "b", currency="JPY"),
            charge("100", currency="JPY", category="Tax"),
        ],
    )
    pool = {"name": "tax", "match": TAX, "split": "proportional"}
    reporting = {"currency": "USD", "exchange_rates": str(rates)}
    build_showback(warehouse, config(pools=[pool], reporting=reporting))
    # JPY has no minor unit: 100 yen by 1:2 is 33 + 67 (one leftover yen, larger remainder)
    assert [(r[0], r[4]) for r in ledger(warehouse, "source_kind = 'pool'")] == [
        ("a", D("33")),
        ("b", D("67")),
    ]
    got = showback(warehouse)
    assert got[("a", "direct", "EUR")] == (D("20"), D("20"))
    rows = warehouse.execute(
        "select billing_currency, reporting_currency, sum(billed_cost_reporting) "
        "from showback_monthly group by all order by 1"
    ).fetchall()
    assert rows == [("EUR", "USD", D("22")), ("JPY", "USD", D("0.6695")), ("USD", "USD", D("10"))]
    assert_conserved(warehouse)


def test_missing_rate_leaves_reporting_amounts_null_and_names_the_pair(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Issue 12: a currency without a rate no longer stops showback. Its lines are built and
    conserved in the billing currency; only the reporting-currency columns are NULL, and the
    warning check's query names the month and pair."""
    rates = write_rates(tmp_path / "rates.csv", "2026-05,EUR,USD,1.1")
    make_focus(warehouse, [charge("1", "a"), charge("2", "a", currency="EUR")])
    reporting = {"exchange_rates": str(rates)}
    build_showback(warehouse, config(reporting=reporting))
    may = warehouse.execute(
        "select * from allocation_ledger where billing_month = ? order by all", [MAY]
    ).fetchall()

    warehouse.execute("insert into focus_costs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      charge("3", "a", currency="GBP", month=JUNE))  # fmt: skip
    built = build_showback(warehouse, config(reporting=reporting))
    assert built.missing_rates == [(JUNE, "GBP")]
    assert describe_missing(built.missing_rates, "USD") == "2026-06 GBP->USD"
    assert (
        warehouse.execute(
            "select * from allocation_ledger where billing_month = ? order by all", [MAY]
        ).fetchall()
        == may
    )
    june = warehouse.execute(
        "select billing_currency, billed_cost, effective_cost, reporting_currency, "
        "billed_cost_reporting, effective_cost_reporting from showback_monthly "
        "where billing_month = ?",
        [JUNE],
    ).fetchall()
    assert june == [("GBP", D("3"), D("3"), "USD", None, None)]
    assert warehouse.execute(
        "select exchange_rate from allocation_ledger where billing_month = ?", [JUNE]
    ).fetchall() == [(None,)]
    flagged = failing_rows(
        warehouse, "showback_monthly", "reporting_currency_missing", {"billing_month": JUNE}
    )
    assert [r["pair"] for r in flagged] == ["2026-06 GBP->USD"]
    assert (
        failing_rows(
            warehouse, "showback_monthly", "reporting_currency_missing", {"billing_month": MAY}
        )
        == []
    )
    assert_conserved(warehouse)


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("2026-5,EUR,USD,1.1", "month '2026-5' is not YYYY-MM"),
        ("2026-05,EUR,USD,abc", "rate 'abc' is not a positive decimal"),
        ("2026-05,EURO,USD,1", "currencies must be ISO 4217 codes"),
    ],
)
def test_bad_rate_rows_are_named(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, row: str, needle: str
) -> None:
    rates = write_rates(tmp_path / "rates.csv", "2026-04,EUR,USD,1.1", row)
    make_focus(warehouse, [charge("1", "a")])
    with pytest.raises(ExchangeRateError, match=f"rates.csv, line 3: {needle}"):
        build_showback(warehouse, config(reporting={"exchange_rates": str(rates)}))


def test_one_month_rebuild_leaves_the_others(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(warehouse, [charge("1", "a"), charge("2", "a", month=JUNE)])
    build_showback(warehouse, config())
    warehouse.execute("update focus_costs set BilledCost = 5, x_Team = 'b'")
    result = build_showback(warehouse, config(), MAY)
    assert result.months == [MAY] and result.ledger_rows == 1 and result.showback_rows == 1
    rows = warehouse.execute(
        "select billing_month, team, billed_cost from showback_monthly order by 1"
    ).fetchall()
    assert rows == [(MAY, "b", D("5")), (JUNE, "a", D("2"))]
    assert [row.ok for row in conservation(warehouse)] == [True, False]


def test_showback_monthly_contract_columns(warehouse: duckdb.DuckDBPyConnection) -> None:
    make_focus(warehouse, [charge("1", "a")])
    build_showback(warehouse, config())
    described = warehouse.execute("describe showback_monthly").fetchall()
    assert [(row[0], row[1]) for row in described] == [
        ("billing_month", "DATE"),
        ("team", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("billing_currency", "VARCHAR"),
        ("billed_cost", "DECIMAL(38,12)"),
        ("effective_cost", "DECIMAL(38,12)"),
        ("reporting_currency", "VARCHAR"),
        ("billed_cost_reporting", "DECIMAL(38,12)"),
        ("effective_cost_reporting", "DECIMAL(38,12)"),
    ]


def test_missing_metrics_file_degrades_metric_pools_not_the_build(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # Issue 12: a missing optional input degrades its output (with a warning check, see
    # tests/e2e/test_first_run.py), never the run. The metric pool falls back to an even split
    # that says why, and the month still conserves to the cent.
    make_focus(warehouse, [charge("1", "a"), charge("1", "b"), charge("10", service="GPU")])
    pool = {
        "name": "gpu",
        "match": {"all": [{"column": "ServiceName", "equals": "GPU"}]},
        "split": "metric",
        "metric": "active_users",
    }
    build_showback(warehouse, config(pools=[pool], metrics={"path": str(tmp_path / "nope.csv")}))
    fallback = (
        "even 1/2 (fallback: metric active_users is zero or missing for every recipient in 2026-05)"
    )
    assert ledger(warehouse, "source_kind = 'pool'") == [
        ("a", "shared", "pool:gpu:metric", fallback, D("5"), D("5")),
        ("b", "shared", "pool:gpu:metric", fallback, D("5"), D("5")),
    ]
    assert_conserved(warehouse)
