"""Format mappings as data: `finops_pipeline/mappings/<format>.yaml`.

A mapping says which native columns of an export feed which raw landing column, in what
type, and how to recognise the format from its header. Keeping this as validated data (as
the FinOps Foundation's focus_converters does) means adding a column alias is a one-line
change that the tests pick up, not new code.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from finops_pipeline.errors import ConfigError

MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "mappings"

RawTypeName = Literal[
    "money",
    "decimal",
    "timestamp",
    "yyyymm",
    "text",
    "json",
    "azure_tags",
    "kv_list_json",
    "credits",
    "integer",
]


class ColumnSpec(BaseModel):
    """One raw landing column and the native columns that may feed it."""

    model_config = ConfigDict(extra="forbid")

    type: RawTypeName = "text"
    aliases: list[str] = Field(default_factory=list)
    required: bool = False
    # Landed even when no staging model reads it (see ingest/staged_columns.py): a row's
    # identity, kept for lineage and checked like every landed value (NUL bytes).
    keep: bool = False
    description: str = ""


class TagPrefix(BaseModel):
    """Header prefix whose columns are tags (legacy CUR `resourceTags/user:team`)."""

    model_config = ConfigDict(extra="forbid")

    prefix: str
    style: Literal["as_is", "athena"] = "as_is"


class DetectRule(BaseModel):
    """How to tell this format from others whose required columns also match."""

    model_config = ConfigDict(extra="forbid")

    any_of: list[str] = Field(default_factory=list)
    none_of: list[str] = Field(default_factory=list)
    priority: int = 0


class FormatMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    extends: str | None = None
    description: str
    provider: str | None = None
    raw_table: str
    detect: DetectRule = Field(default_factory=DetectRule)
    columns: dict[str, ColumnSpec]
    tag_column: str | None = None
    tag_prefixes: list[TagPrefix] = Field(default_factory=list)
    billing_period_columns: list[str]
    currency_sql: str
    total_cost_sql: str
    cost_basis_sql: str = "'billed'"
    period_folder_check: bool = True

    @model_validator(mode="after")
    def _references_exist(self) -> FormatMapping:
        known = set(self.columns)
        for name in self.billing_period_columns:
            if name not in known:
                raise ValueError(f"billing_period_columns names unknown column {name!r}")
        if self.tag_column and self.tag_column not in known:
            raise ValueError(f"tag_column names unknown column {self.tag_column!r}")
        if not re.fullmatch(r"raw_[a-z0-9_]+", self.raw_table):
            raise ValueError(f"raw_table {self.raw_table!r} must look like raw_<name>")
        return self

    def required_columns(self) -> list[str]:
        return [name for name, spec in self.columns.items() if spec.required]


def header_key(name: str) -> str:
    """Compare header names across spellings: `lineItem/UnblendedCost` == `line_item_unblended_cost`."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


# libyaml's parser where PyYAML was built with it (the same safe constructor, ~10x faster):
# every command reads the mappings, and parsing them in pure Python was a third of a `finops
# run` that skips every month (issue 16)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_mappings() -> dict[str, FormatMapping]:
    """Every mapping in the package, by format name, validated."""
    raw: dict[str, tuple[Path, dict]] = {}
    for path in sorted(MAPPINGS_DIR.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        raw[data["format"]] = (path, data)
    mappings: dict[str, FormatMapping] = {}
    for name, (path, _data) in raw.items():
        merged = _resolve_extends(name, raw)
        try:
            mappings[name] = FormatMapping.model_validate(merged)
        except ValidationError as exc:
            raise ConfigError(f"{path}: invalid format mapping: {exc}") from exc
    return mappings


def _resolve_extends(name: str, raw: dict[str, tuple[Path, dict]]) -> dict:
    """A mapping may extend another: top-level keys override, `columns` merge."""
    path, data = raw[name]
    parent_name = data.get("extends")
    if not parent_name:
        return dict(data)
    if parent_name not in raw:
        raise ConfigError(f"{path}: extends unknown format {parent_name!r}")
    parent = _resolve_extends(parent_name, raw)
    merged = {**parent, **data}
    merged["columns"] = {**parent.get("columns", {}), **(data.get("columns") or {})}
    merged.pop("extends", None)
    merged["extends"] = parent_name
    return merged


def get_mapping(format_name: str) -> FormatMapping:
    mappings = load_mappings()
    if format_name not in mappings:
        known = ", ".join(sorted(mappings))
        raise ConfigError(f"unknown format {format_name!r}; known formats: {known}")
    return mappings[format_name]
