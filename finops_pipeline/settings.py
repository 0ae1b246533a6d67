"""Project settings from `finops.yaml` (path from --config or FINOPS_CONFIG), validated.

For now: where the warehouse is and which sources to ingest. Without a config file the
sources are the demo's generated sample exports, so `finops run` and the Dagster UI work on
a fresh checkout after `finops demo`.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from finops_pipeline.alerts.settings import AlertSettings
from finops_pipeline.anomalies.settings import AnomalySettings
from finops_pipeline.config_lines import describe_errors
from finops_pipeline.connectors.locations import parse_location
from finops_pipeline.errors import ConfigError
from finops_pipeline.forecast.settings import ForecastSettings
from finops_pipeline.orchestration.settings import ScheduleSettings
from finops_pipeline.report.settings import ReportSettings
from finops_pipeline.showback.rules import ShowbackSection
from finops_pipeline.tagging.policy import TagPolicy
from finops_pipeline.waste.settings import WasteSettings

DEFAULT_CONFIG = "finops.yaml"
DEFAULT_SAMPLE_DIR = "finops_sample_data"
DEMO_METRICS_FILE = "business_metrics.csv"
FORMATS = ("auto", "aws-cur", "aws-cur2", "aws-focus", "gcp-billing", "azure-cost", "focus")

# The demo's sources: folder under the sample-data directory -> format.
DEMO_SOURCES: dict[str, str] = {
    "aws-cur-legacy": "aws-cur",
    "aws-cur2": "aws-cur2",
    "aws-focus": "aws-focus",
    "gcp-billing": "gcp-billing",
    "azure-ea-actual": "azure-cost",
    "azure-mca-amortized": "azure-cost",
    "azure-focus": "focus",
}


class SourceSettings(BaseModel):
    """One place a provider delivers billing exports to."""

    model_config = ConfigDict(extra="forbid")

    name: str
    path: Path | None = None
    format: str = "auto"
    # Cloud sources (README "Cloud sources"): a location URI instead of a path. Credentials
    # come from each provider's standard chain, never from here.
    location: str | None = None
    endpoint_url: str | None = None  # S3-compatible stores, emulators, private endpoints
    profile: str | None = None  # AWS shared-config profile
    region: str | None = None  # AWS region
    project: str | None = None  # GCP project that runs (and pays for) the BigQuery jobs
    since: str | None = None  # BigQuery: earliest invoice month YYYY-MM [12 months back]
    export: str | None = None  # azure-exports: only this export of the scope
    blob_endpoint_url: str | None = None  # azure-exports: Blob endpoint override
    trigger_export: bool = False  # azure-exports: run the export for this month first
    staging_dir: Path | None = None  # local mirror [<warehouse folder>/finops_staging]

    @field_validator("name")
    @classmethod
    def _name_is_slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
            raise ValueError("use letters, digits, '-', '_' or '.' (it names assets and rows)")
        return value

    @field_validator("location")
    @classmethod
    def _valid_location(cls, value: str | None) -> str | None:
        if value is not None:
            parse_location(value)
        return value

    @field_validator("since")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("expected a month YYYY-MM")
        return value

    @model_validator(mode="after")
    def _path_or_location(self) -> SourceSettings:
        if (self.path is None) == (self.location is None):
            raise ValueError(
                "give exactly one of path (a local folder) or location (s3://, gs://, bigquery://, "
                "azure://, azure-exports:)"
            )
        return self

    @property
    def where(self) -> str:
        """The path or location, for messages and asset metadata."""
        return self.location or str(self.path)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in FORMATS:
            raise ValueError(f"unknown format {value!r}; one of {', '.join(FORMATS)}")
        return value


class Settings(ShowbackSection, BaseModel):
    """All of finops.yaml: sources, tag policy, and (from ShowbackSection) reporting,
    metrics and allocation."""

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

    def effective_sources(self) -> list[SourceSettings]:
        if self.sources:
            return self.sources
        return demo_sources(self.sample_data_dir)


def demo_sources(sample_dir: Path) -> list[SourceSettings]:
    return [
        SourceSettings(name=name, path=sample_dir / name, format=fmt)
        for name, fmt in DEMO_SOURCES.items()
    ]


def config_path(override: str | Path | None = None) -> Path:
    return Path(override or os.environ.get("FINOPS_CONFIG") or DEFAULT_CONFIG)


def load_settings(override: str | Path | None = None) -> Settings:
    """Read and validate the config; a missing default config means the demo defaults."""
    path = config_path(override)
    if not path.exists():
        if override or os.environ.get("FINOPS_CONFIG"):
            raise ConfigError(f"{path}: config file not found")
        return demo_settings()
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {exc}") from exc
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(describe_errors(text, exc.errors()))
        raise ConfigError(f"{path}: {problems}") from exc
    base = path.resolve().parent
    settings.resolve_showback_paths(base)
    settings.forecast.resolve_paths(base)
    settings.report.resolve_paths(base)
    for source in settings.sources:
        if source.path is not None and not source.path.is_absolute():
            source.path = base / source.path
        if source.staging_dir is not None and not source.staging_dir.is_absolute():
            source.staging_dir = base / source.staging_dir
    return _with_env(settings)


def demo_settings(sample_dir: Path | None = None) -> Settings:
    """The settings without a finops.yaml: the demo's sources, tag policy, allocation rules,
    packaged exchange rates and team budgets, and the business metrics `finops demo` writes
    beside its data."""
    package = resources.files("finops_pipeline")
    data: dict = {}
    for name in ("tagging/demo_policy.yaml", "demo_allocation.yaml"):
        data.update(yaml.safe_load(package.joinpath(name).read_text(encoding="utf-8")))
    sample = Path(os.environ.get("FINOPS_SAMPLE_DATA") or sample_dir or DEFAULT_SAMPLE_DIR)
    data["sample_data_dir"] = sample
    data["metrics"] = {"path": sample / DEMO_METRICS_FILE}
    data["reporting"]["exchange_rates"] = Path(str(package.joinpath("showback/demo_rates.csv")))
    data["forecast"] = {"budgets_path": Path(str(package.joinpath("forecast/demo_budgets.csv")))}
    return Settings.model_validate(data)


def _with_env(settings: Settings) -> Settings:
    sample = os.environ.get("FINOPS_SAMPLE_DATA")
    if sample:
        settings.sample_data_dir = Path(sample)
    return settings
