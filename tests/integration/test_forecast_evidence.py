"""The sub_account evidence series (sql/int/int_forecast_daily.sql, forecast/monthly.py): a
warehouse with few distinct series tops its interval pool up with its largest accounts'
series, which are never forecast; an account identical to a series already pooled adds
nothing, and a provider with one account adds none (real DuckDB, real showback)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pandas as pd

from finops_pipeline.forecast.build import build_cost_forecast
from finops_pipeline.forecast.monthly import error_pool
from finops_pipeline.forecast.series import load_series
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback
from tests.sql.test_unit_costs import charge, load

START, LAST = date(2026, 4, 1), date(2026, 6, 20)
HORIZON = 10
# (provider, account, weekday cost): AWS has three accounts, GCP one
ACCOUNTS = [("AWS", "111", 100), ("AWS", "222", 50), ("AWS", "333", 10), ("GCP", "g1", 30)]


def rows(team_per_account: bool = False) -> list[list]:
    out, day = [], START
    while day <= LAST:
        for i, (provider, account, cost) in enumerate(ACCOUNTS):
            # no tags: the team scope is one `unallocated` key equal to the total
            team = account if team_per_account else None
            # each account its own weekly shape and a step, so no two series are alike
            level = cost * (1.5 if day >= date(2026, 5, 10 + 7 * i) else 1.0)
            daily = level if day.weekday() != i else level / 2
            row = charge(day, str(daily), team)
            row[6], row[7] = provider, account  # ProviderName, SubAccountId
            out.append(row)
        day += timedelta(days=1)
    return out


def frame_for(warehouse: duckdb.DuckDBPyConnection, pool_min_series: int) -> pd.DataFrame:
    chosen = Settings.model_validate({"forecast": {"pool_min_series": pool_min_series}})
    build_showback(warehouse, chosen.showback)
    return load_series(warehouse, chosen.showback, chosen.forecast).frame


def pooled(frame: pd.DataFrame, pool_min_series: int) -> int:
    """Errors at HORIZON in the pool built from `frame` as of LAST."""
    chosen = Settings.model_validate({"forecast": {"pool_min_series": pool_min_series}})
    return len(error_pool(frame, LAST, HORIZON, chosen.forecast).at(HORIZON))


def keys(frame: pd.DataFrame, scope: str) -> set[str]:
    return set(frame.loc[frame["scope"] == scope, "key"])


def test_sub_account_series_are_the_largest_accounts_of_multi_account_providers(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, rows())
    frame = frame_for(warehouse, pool_min_series=2)
    # the two largest AWS accounts; GCP's only account is GCP's series again: not added
    assert keys(frame, "sub_account") == {"AWS/111", "AWS/222"}
    account = frame[(frame["scope"] == "sub_account") & (frame["key"] == "AWS/222")]
    got = sum(account["cost"])
    assert got == sum(Decimal(str(r[5])) for r in rows() if r[7] == "222")
    assert keys(frame_for(warehouse, pool_min_series=0), "sub_account") == set()


def test_a_pool_of_few_series_is_topped_up_with_the_largest_accounts(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, rows())
    frame = frame_for(warehouse, pool_min_series=8)
    forecast_only = frame[frame["scope"] != "sub_account"]
    # total = the unallocated team, AWS, GCP: three distinct series of the warehouse's own
    assert keys(forecast_only, "team") == {"unallocated"}
    base = pooled(forecast_only, 8)
    largest = frame[(frame["scope"] != "sub_account") | (frame["key"] == "AWS/111")]
    assert pooled(frame, 3) == base  # three distinct series already: nothing added
    assert pooled(frame, 4) == pooled(largest, 8) > base  # one more: the largest account
    assert pooled(frame, 8) > pooled(frame, 4)  # up to every account there is

    chosen = Settings.model_validate({"forecast": {"pool_min_series": 8}})
    assert build_cost_forecast(warehouse, chosen.showback, chosen.forecast, None, LAST) > 0
    scopes = warehouse.execute("select distinct scope from cost_forecast").fetchall()
    assert {s for (s,) in scopes} == {"total", "provider", "team"}  # evidence not forecast


def test_an_account_identical_to_a_pooled_series_adds_nothing(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    load(warehouse, rows(team_per_account=True))  # each account is its own team
    frame = frame_for(warehouse, pool_min_series=8)
    assert keys(frame, "sub_account") == {"AWS/111", "AWS/222", "AWS/333"}
    assert pooled(frame, 8) == pooled(frame[frame["scope"] != "sub_account"], 8)
