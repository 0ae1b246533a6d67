"""The rules cost_anomalies must keep (sql/checks/cost_anomalies.sql), callable without Dagster.

They restate the promises of the model to whoever reads the table: figures that add up, no
row below its level's floors, contributors that explain it, nothing judged on a day whose
data may still be arriving, and each event on one row only.
"""

from __future__ import annotations

import duckdb

from finops_pipeline.anomalies.settings import AnomalySettings
from finops_pipeline.warehouse import read_sql


def violations(
    con: duckdb.DuckDBPyConnection, settings: AnomalySettings | None = None
) -> list[dict]:
    """(rule, anomaly_id) of every row of cost_anomalies breaking a rule."""
    settings = settings or AnomalySettings()
    levels = list(settings.floors)
    params = {
        "levels": levels,
        "absolute": [settings.floor(level).absolute for level in levels],
        "relative": [settings.floor(level).relative for level in levels],
        "lag_days": settings.data_lag_days,
    }
    rows = con.execute(read_sql("checks/cost_anomalies.sql"), params).fetchall()
    return [{"rule": rule, "anomaly_id": anomaly_id} for rule, anomaly_id in rows]
