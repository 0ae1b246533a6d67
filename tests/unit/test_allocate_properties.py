"""Property: whatever the charges and rules, the allocator conserves cost and respects pools.

Hypothesis draws charges over several months and currencies (JPY included), with and without
team tags, positive and negative amounts with up to 12 decimals, and random owner rules and
pools of every split kind. A small Python oracle decides which pool (first match) and which
owner each charge belongs to; the test then checks, against the built tables:
- Σ showback_monthly = Σ focus_costs per month x currency, billed and effective, exactly;
- direct and unallocated amounts per team are exactly the oracle's;
- every pool line goes to one of that pool's recipients (or to `unallocated` when it has none);
- no team receives anything from a pool that matched no charge in that month and currency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops_pipeline.showback import ShowbackSection, build_showback, conservation

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
CURRENCIES = ["USD", "EUR", "JPY"]
TEAMS = ["a", "b", "c"]
RECIPIENTS = [*TEAMS, "d"]  # "d" never has direct cost: exercises the even fallback
ACCOUNTS = ["1", "2", "3"]
SERVICES = ["EC2", "S3", "Support"]
CATEGORIES = ["Usage", "Tax", "Credit"]
MATCH_COLUMNS = {
    "SubAccountId": ACCOUNTS,
    "ServiceName": SERVICES,
    "ChargeCategory": CATEGORIES,
    "x_Team": TEAMS,
}
FOCUS_DDL = (
    "create table focus_costs (BillingPeriodStart timestamp, BillingCurrency varchar, "
    "BilledCost decimal(38, 12), EffectiveCost decimal(38, 12), ProviderName varchar, "
    "SubAccountId varchar, SubAccountName varchar, ServiceName varchar, ServiceCategory varchar, "
    "ChargeCategory varchar, ResourceId varchar, x_SourceName varchar, x_Team varchar, "
    "x_TagExempt boolean)"
)

money = st.one_of(
    st.integers(-(10**17), 10**17).map(lambda n: Decimal(n).scaleb(-12)),  # 12 decimals
    st.integers(-(10**7), 10**7).map(lambda n: Decimal(n).scaleb(-2)),  # whole cents
    st.just(Decimal(0)),
)
charges = st.lists(
    st.fixed_dictionaries(
        {
            "month": st.sampled_from(MONTHS),
            "currency": st.sampled_from(CURRENCIES),
            "team": st.sampled_from([*TEAMS, None, None]),
            "SubAccountId": st.sampled_from(ACCOUNTS),
            "ServiceName": st.sampled_from(SERVICES),
            "ChargeCategory": st.sampled_from(CATEGORIES),
            "billed": money,
            "effective": money,
        }
    ),
    min_size=1,
    max_size=30,
)


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    column = draw(st.sampled_from(sorted(MATCH_COLUMNS)))
    values = MATCH_COLUMNS[column]
    if draw(st.booleans()):
        return {"column": column, "equals": draw(st.sampled_from(values))}
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
    return {"column": column, "in": chosen}


@st.composite
def pools(draw: st.DrawFn, index: int) -> dict[str, Any]:
    split = draw(st.sampled_from(["proportional", "even", "fixed", "metric"]))
    pool: dict[str, Any] = {"name": f"pool{index}", "match": {"all": [draw(conditions())]}}
    pool["split"] = split
    if split == "fixed":
        teams = draw(st.lists(st.sampled_from(RECIPIENTS), min_size=1, max_size=4, unique=True))
        cuts = sorted(
            draw(st.lists(st.integers(0, 100), min_size=len(teams) - 1, max_size=len(teams) - 1))
        )
        bounds = [0, *cuts, 100]
        pool["weights"] = {t: bounds[i + 1] - bounds[i] for i, t in enumerate(teams)}
    else:
        if draw(st.booleans()):
            pool["teams"] = draw(
                st.lists(st.sampled_from(RECIPIENTS), min_size=1, max_size=3, unique=True)
            )
        if split == "proportional":
            pool["basis"] = draw(st.sampled_from(["effective_cost", "billed_cost"]))
        if split == "metric":
            pool["metric"] = "users"
    return pool


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 3))
    owners = [
        {"match": {"all": [{"column": "SubAccountId", "equals": account}]}, "team": team}
        for account, team in draw(
            st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(RECIPIENTS)), max_size=2)
        )
    ]
    return {
        "owners": owners,
        "pools": [draw(pools(i)) for i in range(count)],
        "unallocated": {"redistribute": draw(st.booleans())},
    }


metric_rows = st.lists(
    st.tuples(st.sampled_from(MONTHS), st.sampled_from(RECIPIENTS), st.integers(-5, 500)),
    max_size=8,
)


def matches(condition: dict[str, Any], row: dict[str, Any]) -> bool:
    value = row["team"] if condition["column"] == "x_Team" else row[condition["column"]]
    if "equals" in condition:
        return value == condition["equals"]
    return value in condition["in"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("allocate_properties")
    lines = [
        f"{m:%Y-%m},{c},USD,{r}" for m in MONTHS for c, r in (("EUR", "1.08"), ("JPY", "0.0066"))
    ]
    (folder / "rates.csv").write_text("month,from_currency,to_currency,rate\n" + "\n".join(lines))
    return folder


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=charges, policy=policies(), metrics=metric_rows)
def test_allocation_conserves_and_respects_pools(
    files: Path, rows: list[dict[str, Any]], policy: dict[str, Any], metrics: list[tuple]
) -> None:
    metrics_file = files / "metrics.csv"
    metrics_file.write_text(
        "date,dimension,metric,value\n" + "".join(f"{m},{t},users,{v}\n" for m, t, v in metrics)
    )
    section = ShowbackSection.model_validate(
        {
            "reporting": {"currency": "USD", "exchange_rates": str(files / "rates.csv")},
            "metrics": {"path": str(metrics_file)},
            "allocation": policy,
        }
    )
    con = duckdb.connect()
    con.execute(FOCUS_DDL)
    con.executemany(
        "insert into focus_costs values (?, ?, ?, ?, 'AWS', ?, ?, ?, 'Compute', ?, 'r', 's', ?, false)",
        [
            [
                datetime(r["month"].year, r["month"].month, 1),
                r["currency"],
                r["billed"],
                r["effective"],
                r["SubAccountId"],
                f"account-{r['SubAccountId']}",
                r["ServiceName"],
                r["ChargeCategory"],
                r["team"],
            ]
            for r in rows
        ],
    )
    build_showback(con, section)

    # The oracle: first matching pool, else tag, else first matching owner rule, else nobody.
    pooled: dict[tuple, int] = defaultdict(int)
    direct: dict[tuple, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    month_teams: dict[date, set[str]] = defaultdict(set)
    for r in rows:
        key = (r["month"], r["currency"])
        pool = next((p for p in policy["pools"] if matches(p["match"]["all"][0], r)), None)
        if pool is not None:
            pooled[(*key, pool["name"])] += 1
            continue
        owner = r["team"] or next(
            (o["team"] for o in policy["owners"] if matches(o["match"]["all"][0], r)), None
        )
        if owner is not None:
            month_teams[r["month"]].add(owner)
        elif policy["unallocated"]["redistribute"]:
            pooled[(*key, "unallocated")] += 1
            continue
        billed, effective = direct[(*key, owner or "unallocated")]
        direct[(*key, owner or "unallocated")] = (billed + r["billed"], effective + r["effective"])

    assert all(row.ok for row in conservation(con)), conservation(con)
    got_direct = {
        (m, c, t): (b, e)
        for m, c, t, b, e in con.execute(
            "select billing_month, billing_currency, team, sum(billed_cost), sum(effective_cost) "
            "from allocation_ledger where source_kind = 'charge' group by all"
        ).fetchall()
    }
    assert got_direct == direct

    by_name = {p["name"]: p for p in policy["pools"]}
    for month, currency, pool_name, team in con.execute(
        "select billing_month, billing_currency, pool_name, team from allocation_ledger "
        "where source_kind = 'pool'"
    ).fetchall():
        assert pooled[(month, currency, pool_name)] > 0, "cost from a pool that matched nothing"
        pool = by_name.get(pool_name, {})
        if "weights" in pool:
            recipients = set(pool["weights"])
        else:
            recipients = set(pool.get("teams") or month_teams[month])
        assert team in recipients or (team == "unallocated" and not recipients)
