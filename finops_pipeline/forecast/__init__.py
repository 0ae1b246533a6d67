"""Month-end cost forecasts with intervals, and budget variance per team and month."""

from finops_pipeline.forecast.settings import BudgetEntry, ForecastSettings

__all__ = ["BudgetEntry", "ForecastSettings"]
