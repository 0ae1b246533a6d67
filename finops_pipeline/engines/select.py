"""Which engine a command builds with: finops.yaml's `engine:`, or `--engine` over it."""

from __future__ import annotations

from pydantic import ValidationError

from finops_pipeline.engines.settings import EngineName, EngineSection
from finops_pipeline.errors import ConfigError

ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")

# What the Spark engine cannot build yet (issue 15, in progress): `finops run --engine spark`
# refuses up front rather than leave a half-built lake.
SPARK_NOT_YET = ("landing exports with Spark's readers",)


def chosen_engine(section: EngineSection, override: str | None = None) -> EngineSection:
    """`section` with `--engine` applied, validated (spark needs `lake:`)."""
    if override is None:
        return section
    if override not in ENGINES:
        raise ConfigError(f"--engine {override!r} is not one of {', '.join(ENGINES)}")
    try:
        return EngineSection(engine=override, spark=section.spark, lake=section.lake)
    except ValidationError as error:
        raise ConfigError(f"--engine {override}: {error.errors()[0]['msg']}") from error


def require_buildable(section: EngineSection, command: str) -> None:
    """Refuse, in one line, an engine that cannot yet build what `command` builds."""
    if section.engine == "spark":
        raise ConfigError(
            f"finops {command} --engine spark: not available yet; still DuckDB-only: "
            f"{'; '.join(SPARK_NOT_YET)}. Use engine: duckdb (the default)."
        )
