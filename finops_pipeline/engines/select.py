"""Which engine a command builds with: finops.yaml's `engine:`, or `--engine` over it."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from finops_pipeline.engines.settings import EngineName, EngineSection
from finops_pipeline.errors import ConfigError

SettingsT = TypeVar("SettingsT", bound=BaseModel)

ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")


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


def with_engine(settings: SettingsT, override: str | None) -> SettingsT:
    """`settings` (any model with the engine keys) with `--engine` applied and validated."""
    chosen = chosen_engine(settings.execution, override)  # type: ignore[attr-defined]
    if override is None:
        return settings
    return settings.model_copy(
        update={"engine": chosen.engine, "spark": chosen.spark, "lake": chosen.lake}
    )
