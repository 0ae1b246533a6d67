"""Unit costs: allocated effective cost per unit of a business metric, per day and month."""

from finops_pipeline.unit_costs.build import UnitCostBuild, build_unit_costs
from finops_pipeline.unit_costs.daily import DailyAllocation, build_daily_allocation

__all__ = ["DailyAllocation", "UnitCostBuild", "build_daily_allocation", "build_unit_costs"]
