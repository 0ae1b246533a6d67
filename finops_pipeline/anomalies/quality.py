"""The rules cost_anomalies must keep (sql/checks/cost_anomalies__anomalies_are_sound.sql), callable without Dagster.

They restate the promises of the model to whoever reads the table: figures that add up, no
row below its level's floors, contributors that explain it, nothing judged on a day whose
data may still be arriving, and each event on one row only.
"""

from __future__ import annotations

from typing import Any

import duckdb

from finops_pipeline.anomalies.settings import AnomalySettings
from finops_pipeline.sql_checks import failing_rows

CHECK = "anomalies_are_sound"


def check_params(settings: AnomalySettings | None = None) -> dict[str, Any]:
    """The configured floors per level and the data lag, as the check's query takes them."""
    settings = settings or AnomalySettings()
    levels = list(settings.floors)
    return {
        "levels": levels,
        "absolute": [settings.floor(level).absolute for level in levels],
        "relative": [settings.floor(level).relative for level in levels],
        "lag_days": settings.data_lag_days,
    }


def violations(
    con: duckdb.DuckDBPyConnection, settings: AnomalySettings | None = None
) -> list[dict]:
    """(rule, anomaly_id) of every row of cost_anomalies breaking a rule."""
    return failing_rows(con, "cost_anomalies", CHECK, check_params(settings))
