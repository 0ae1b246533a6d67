"""Start (or reuse) the SparkSession every Spark build runs in, configured for exact money.

pyspark is an optional dependency (the `spark` extra): it is imported here only, on first
use, so a DuckDB user never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from finops_pipeline.engines.settings import SparkSettings
from finops_pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What the pipeline's guarantees need, whatever the user's `spark.conf` says:
# - allowPrecisionLoss=false: decimal(38,12) x decimal(38,12) keeps DuckDB's scale
#   (decimal(38,24)) instead of rounding to decimal(38,6); an overflow fails loudly (ANSI).
# - ANSI mode: a bad cast or a division by zero fails as it does in DuckDB 2.x, no NULLs.
# - UTC session time zone: billing timestamps are UTC in the warehouse.
# - dynamic partition overwrite: a build replaces only the partitions it writes.
REQUIRED_CONF: dict[str, str] = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
}

# Sensible for one machine; a cluster's own defaults (or `spark.conf`) win.
LOCAL_DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "1g",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def spark_session(settings: SparkSettings) -> SparkSession:
    """The session for `settings` (getOrCreate: one per process, as Spark allows)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ConfigError(
            "engine: spark needs pyspark: pip install 'finops-pipeline[spark]' (and Java 17)"
        ) from error
    clash = sorted(
        k for k in settings.conf if k in REQUIRED_CONF and settings.conf[k] != REQUIRED_CONF[k]
    )
    if clash:
        raise ConfigError(
            f"spark.conf sets {', '.join(clash)}, which exact money needs as "
            f"{', '.join(f'{k}={REQUIRED_CONF[k]}' for k in clash)}: remove it from finops.yaml"
        )
    local = settings.master.startswith("local")
    conf = {**(LOCAL_DEFAULTS if local else {}), **settings.conf, **REQUIRED_CONF}
    builder = SparkSession.builder.master(settings.master).appName(settings.app_name)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    for key, value in REQUIRED_CONF.items():  # a session that already existed gets them too
        session.conf.set(key, value)
    return session


def schema_of(
    session: SparkSession, args: Mapping[str, Any] | None = None
) -> Callable[[str], list[tuple[str, str]]]:
    """The column names and Spark types of a query, by analysis only (nothing runs). `args`
    binds the query's named parameters: Spark cannot resolve a filter on an unbound one, and
    so cannot expand a `*` over it."""

    def columns(sql: str) -> list[tuple[str, str]]:
        fields = session.sql(sql, args=dict(args) if args else None).schema.fields
        return [(f.name, f.dataType.simpleString()) for f in fields]

    return columns
