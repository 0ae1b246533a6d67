"""The `report:` key of finops.yaml: where the monthly report goes and in which formats."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

REPORT_FORMATS = ("html", "xlsx", "csv", "pdf")


class ReportSettings(BaseModel):
    """Defaults suit `finops demo`: reports/ beside the warehouse, HTML + XLSX + CSV."""

    model_config = ConfigDict(extra="forbid")

    output_dir: Path | None = Field(
        None, description="folder for the report files [default: reports/ beside the warehouse]"
    )
    formats: list[str] = Field(default_factory=lambda: ["html", "xlsx", "csv"])
    top: int = Field(10, ge=1, le=1000, description="rows in each 'top' list")

    @field_validator("formats")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        chosen = [v.strip().lower() for v in value]
        unknown = [v for v in chosen if v not in REPORT_FORMATS]
        if unknown or not chosen:
            raise ValueError(
                f"unknown format(s) {', '.join(unknown) or '(none given)'}; use any of "
                f"{', '.join(REPORT_FORMATS)}"
            )
        return chosen

    def resolve_paths(self, base: Path) -> None:
        """A relative output_dir is relative to the config file's folder."""
        if self.output_dir is not None and not self.output_dir.is_absolute():
            self.output_dir = base / self.output_dir

    def directory(self, warehouse: Path) -> Path:
        return self.output_dir or warehouse.resolve().parent / "reports"
