"""unit_costs, cost_forecast and budget_variance as Dagster assets: materialised in-process
on a real warehouse, partition by partition, with their asset checks evaluated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from finops_pipeline.dagster_run import failed_checks
from finops_pipeline.forecast.assets import build_forecast_assets
from finops_pipeline.resources import WarehouseResource, billing_months
from finops_pipeline.settings import Settings
from finops_pipeline.showback.assets import build_showback_assets
from finops_pipeline.unit_costs.assets import build_unit_cost_asset
from finops_pipeline.warehouse import connect
from tests.sql.test_unit_costs import charge, load, metrics_file

START = date(2026, 1, 1)
LAST = date(2026, 3, 20)  # the open month is March; the 20th is still filling
WEEKDAY_COST = {0: "100", 1: "104", 2: "98", 3: "101", 4: "97", 5: "40", 6: "38"}


def test_materialise_insight_assets_with_passing_checks(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    rows, metrics = [], []
    day = START
    while day <= LAST:
        rows.append(charge(day, WEEKDAY_COST[day.weekday()], "payments"))
        rows.append(charge(day, "20", "search"))
        metrics += [(day, "payments", "orders", 1000), (day, "search", "orders", 0)]
        if day.day == 1:
            rows.append(charge(day, "300", None, category="Tax"))
        day += timedelta(days=1)
    con = connect(warehouse)
    load(con, rows)
    con.close()
    settings = Settings.model_validate(
        {
            "partitions_start": "2026-01-01",
            "metrics": {"path": metrics_file(tmp_path, metrics)},
            "forecast": {
                "budgets": [
                    {"team": "payments", "amount": 2000},  # spends ~2.4k a month: over
                    {"team": "search", "amount": 640},  # ~620 a month: at risk
                    {"team": "ml", "amount": 100},  # no cost at all: on track
                ]
            },
        }
    )
    partitions = billing_months(settings.partitions_start)
    focus = [dg.AssetKey("focus_costs")]
    showback, conservation = build_showback_assets(settings, partitions, focus)
    shown = [dg.AssetKey("showback_monthly")]
    unit_costs, unit_checks = build_unit_cost_asset(settings, partitions, shown)
    forecasts, forecast_checks = build_forecast_assets(
        settings.showback, settings.forecast, partitions, shown
    )
    assets = [showback, unit_costs, *forecasts, conservation, *unit_checks, *forecast_checks]
    resources = {"warehouse": WarehouseResource(path=str(warehouse))}
    with dg.instance_for_test() as instance:
        for key in ("2026-01-01", "2026-02-01", "2026-03-01"):
            result = dg.materialize(
                assets, partition_key=key, resources=resources, instance=instance
            )
            assert result.success
            assert not failed_checks(result)
            checks = {e.check_name for e in result.get_asset_check_evaluations()}
            assert len(checks) == 8
    con = duckdb.connect(str(warehouse), read_only=True)
    forecast = {
        (m.month, s, k): (actual, f, model, as_of)
        for m, s, k, actual, f, model, as_of in con.execute(
            "select billing_month, scope, key, actual_to_date, forecast_month_end, model, "
            "as_of_date from cost_forecast"
        ).fetchall()
    }
    actual, _, model, _ = forecast[(2, "total", "total")]
    assert model == "actual (month closed)" and actual == Decimal(
        sum(int(WEEKDAY_COST[(date(2026, 2, d)).weekday()]) + 20 for d in range(1, 29)) + 300
    )
    _, march, model, as_of = forecast[(3, "total", "total")]
    assert (model, as_of) == ("local_level_ensemble", LAST - timedelta(days=1))
    truth = sum(int(WEEKDAY_COST[date(2026, 3, d).weekday()]) + 20 for d in range(1, 32)) + 300
    assert abs(march - truth) / truth < Decimal("0.01")  # a noise-free series: within 1%
    statuses = dict(
        con.execute(
            "select team, status from budget_variance where billing_month = '2026-03-01'"
        ).fetchall()
    )
    assert statuses == {"payments": "over budget", "search": "at risk", "ml": "on track"}
    search = con.execute(
        "select cost_per_unit, null_reason from unit_costs where grain = 'month' "
        "and billing_month = '2026-02-01' and dimension_value = 'search'"
    ).fetchone()
    assert search[0] is None and search[1].startswith("zero units")
    con.close()
