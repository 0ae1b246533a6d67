"""The `sources:` section of finops.yaml: where providers deliver billing exports, validated.

Local folders are landed by `ingest`; cloud locations are fetched by the connectors of this
package first. The export formats a source may name are listed here too.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from finops_pipeline.connectors.locations import check_endpoint_url, parse_location

FORMATS = ("auto", "aws-cur", "aws-cur2", "aws-focus", "gcp-billing", "azure-cost", "focus")


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

    @field_validator("endpoint_url", "blob_endpoint_url")
    @classmethod
    def _plain_endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        return value if value is None else check_endpoint_url(value, str(info.field_name))

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
