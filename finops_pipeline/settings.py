"""Project settings from `finops.yaml`, validated; the one place every command, the Dagster
code location and the notebooks learn which config and which warehouse to use.

Without a config file the generic defaults apply (a `team`-like tag names the team, no
pools, no metrics, untagged cost visibly unallocated). The demo's policy applies only to
the demo's data: `finops demo` writes it as a finops.yaml beside its warehouse.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from finops_pipeline.alerts.settings import AlertSettings
from finops_pipeline.anomalies.settings import AnomalySettings
from finops_pipeline.config_lines import describe_errors
from finops_pipeline.connectors.settings import FORMATS as FORMATS
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.demo_sources import DEMO_SOURCES as DEMO_SOURCES
from finops_pipeline.engines.settings import EngineSection
from finops_pipeline.errors import ConfigError
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.orchestration.settings import ScheduleSettings
from finops_pipeline.report.settings import ReportSettings
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.waste.settings import WasteSettings

DEFAULT_CONFIG = "finops.yaml"
DEFAULT_WAREHOUSE_FILE = "finops.duckdb"
DEFAULT_SAMPLE_DIR = "finops_sample_data"
DEMO_METRICS_FILE = "business_metrics.csv"
DEMO_RATES = "showback/demo_rates.csv"
DEMO_BUDGETS = "forecast/demo_budgets.csv"


class Settings(ShowbackSection, EngineSection, BaseModel):
    """All of finops.yaml, composed of each domain's section: sources, tag policy, waste,
    anomalies, forecast, report, schedules, alerts, and (from ShowbackSection, so the keys
    sit at the top level of the file) reporting, metrics and allocation; (from EngineSection)
    engine, spark and lake: where tables are built and stored.

    Domains never import this module: callers hand each one its own section
    (`settings.showback`, `settings.forecast`, ...)."""

    model_config = ConfigDict(extra="forbid")

    warehouse: Path | None = None
    sample_data_dir: Path = Path(DEFAULT_SAMPLE_DIR)
    # None: the first month in the warehouse (finops_pipeline/orchestration/partitions.py)
    partitions_start: str | None = None
    sources: list[SourceSettings] = Field(default_factory=list)
    tag_policy: TagPolicy | None = None
    waste: WasteSettings = Field(default_factory=WasteSettings)
    anomalies: AnomalySettings = Field(default_factory=AnomalySettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    schedules: ScheduleSettings = Field(default_factory=ScheduleSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    # Set by load_settings: the file these settings came from (None: built-in defaults).
    _config_file: Path | None = PrivateAttr(default=None)
    _config_origin: str = PrivateAttr(default="none")

    @property
    def showback(self) -> ShowbackSection:
        """The reporting, metrics and allocation keys as their own section, for showback,
        unit costs, forecasts and the report (the same objects, not copies)."""
        return ShowbackSection.model_construct(
            reporting=self.reporting, metrics=self.metrics, allocation=self.allocation
        )

    @property
    def config_file(self) -> Path | None:
        return self._config_file

    @property
    def config_origin(self) -> str:
        return self._config_origin

    def effective_sources(self) -> list[SourceSettings]:
        """The configured sources (the demo's settings list the demo's folders); none by
        default: `finops ingest PATH` loads any folder without a configured source."""
        return self.sources


def demo_sources(sample_dir: Path) -> list[SourceSettings]:
    return [
        SourceSettings(name=name, path=sample_dir / name, format=fmt)
        for name, fmt in DEMO_SOURCES.items()
    ]


# Where a config came from, for messages (`finops init`, `finops run`).
CONFIG_ORIGINS = ("--config", "FINOPS_CONFIG", "./finops.yaml", "beside the warehouse")


def config_path(override: str | Path | None = None) -> Path:
    return Path(override or os.environ.get("FINOPS_CONFIG") or DEFAULT_CONFIG)


def find_config(
    override: str | Path | None = None, warehouse: str | Path | None = None
) -> tuple[Path | None, str]:
    """The config file every command reads, and where it was found.

    `--config`, else FINOPS_CONFIG (both must exist), else ./finops.yaml, else the
    finops.yaml beside a warehouse chosen by --warehouse / FINOPS_WAREHOUSE (what
    `finops demo` writes, so its policy follows its warehouse to any working directory),
    else none: the generic defaults.
    """
    if override:
        return _must_exist(Path(override), "--config"), "--config"
    env = os.environ.get("FINOPS_CONFIG")
    if env:
        return _must_exist(Path(env), "FINOPS_CONFIG"), "FINOPS_CONFIG"
    local = Path(DEFAULT_CONFIG)
    if local.is_file():
        return local.resolve(), "./finops.yaml"
    chosen = warehouse or os.environ.get("FINOPS_WAREHOUSE")
    if chosen:
        beside = Path(chosen).expanduser().resolve().parent / DEFAULT_CONFIG
        if beside.is_file():
            return beside, "beside the warehouse"
    return None, "none"


def _must_exist(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found (given by {origin})")
    return path.expanduser().resolve()


def load_settings(
    override: str | Path | None = None, warehouse: str | Path | None = None
) -> Settings:
    """The one configuration every command, the Dagster code location and the notebooks use.

    Config: see `find_config`. Warehouse: `warehouse` (the --warehouse flag), else
    FINOPS_WAREHOUSE, else the config's `warehouse:` (relative to the config's folder), else
    finops.duckdb in the config's folder, else ./finops.duckdb. The returned settings'
    `warehouse` is that absolute path. Without a config: the demo's settings when
    FINOPS_SAMPLE_DATA names the demo's data, else the generic defaults.
    """
    path, origin = find_config(override, warehouse)
    if path is None:
        sample = os.environ.get("FINOPS_SAMPLE_DATA")
        settings = demo_settings(Path(sample)) if sample else default_settings()
        base = Path.cwd()
    else:
        settings = _read_config(path)
        base = path.parent
    settings._config_file = path
    settings._config_origin = origin
    chosen = warehouse or os.environ.get("FINOPS_WAREHOUSE")
    if chosen:
        settings.warehouse = Path(chosen).expanduser().resolve()
    elif settings.warehouse is not None:
        settings.warehouse = (base / settings.warehouse.expanduser()).resolve()
    else:
        settings.warehouse = (base / DEFAULT_WAREHOUSE_FILE).resolve()
    return settings


def resolve_warehouse(
    config: str | Path | None = None, warehouse: str | Path | None = None
) -> Path:
    """Only the warehouse path, by the same rules as `load_settings` (for read-only commands
    and the notebooks)."""
    return load_settings(config, warehouse).warehouse  # type: ignore[return-value]


def _read_config(path: Path) -> Settings:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (warehouse:, sources:, ...)")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(describe_errors(text, exc.errors()))
        raise ConfigError(f"{path}: {problems}") from exc
    base = path.resolve().parent
    settings.resolve_showback_paths(base)
    settings.forecast.resolve_paths(base)
    settings.report.resolve_paths(base)
    if not settings.sample_data_dir.is_absolute():
        settings.sample_data_dir = base / settings.sample_data_dir
    if settings.lake and "://" not in settings.lake and not Path(settings.lake).is_absolute():
        settings.lake = str(base / settings.lake)  # as the warehouse: beside the config
    for source in settings.sources:
        if source.path is not None and not source.path.is_absolute():
            source.path = base / source.path
        if source.staging_dir is not None and not source.staging_dir.is_absolute():
            source.staging_dir = base / source.staging_dir
    return _with_env(settings)


def default_settings() -> Settings:
    """The settings without any config, for anyone's data: a `team`-like tag names the team
    (finops_pipeline/tagging/default_policy.yaml), no owner mappings, pools, metrics or
    budgets, untagged cost visibly `unallocated` (showback/default_allocation.yaml)."""
    package = resources.files("finops_pipeline")
    data: dict = {}
    for name in ("tagging/default_policy.yaml", "showback/default_allocation.yaml"):
        data.update(yaml.safe_load(package.joinpath(name).read_text(encoding="utf-8")))
    return Settings.model_validate(data)


def demo_settings(sample_dir: Path | None = None) -> Settings:
    """The demo's settings: its sources, tag policy, allocation rules, packaged exchange
    rates and team budgets, and the business metrics `finops demo` writes beside its data.

    Used in-process by `finops demo` (which also writes them as a finops.yaml beside its
    warehouse) and when FINOPS_SAMPLE_DATA names the demo's data; never for other data."""
    package = resources.files("finops_pipeline")
    data: dict = {}
    for name in ("tagging/demo_policy.yaml", "demo_allocation.yaml"):
        data.update(yaml.safe_load(package.joinpath(name).read_text(encoding="utf-8")))
    sample = Path(os.environ.get("FINOPS_SAMPLE_DATA") or sample_dir or DEFAULT_SAMPLE_DIR)
    sample = sample.expanduser().resolve()
    data["sample_data_dir"] = sample
    data["sources"] = [s.model_dump() for s in demo_sources(sample)]
    data["metrics"] = {"path": sample / DEMO_METRICS_FILE}
    data["reporting"]["exchange_rates"] = Path(str(package.joinpath(DEMO_RATES)))
    data["forecast"] = {"budgets_path": Path(str(package.joinpath(DEMO_BUDGETS)))}
    return Settings.model_validate(data)


def _with_env(settings: Settings) -> Settings:
    sample = os.environ.get("FINOPS_SAMPLE_DATA")
    if sample:
        settings.sample_data_dir = Path(sample)
    return settings
