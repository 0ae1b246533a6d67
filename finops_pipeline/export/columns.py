"""The FOCUS columns an export carries, per FOCUS version, with their feature level.

The names and feature levels are the spec's, kept once in `mappings/focus_columns.csv` (see
`finops_pipeline.focus_spec`); `finops export` offers the versions in `VERSIONS`. An export
writes every column of its version, mandatory or not, so its schema is fixed; a column the
source does not carry is null.
"""

from __future__ import annotations

from finops_pipeline import focus_spec

VERSIONS = ("1.2", "1.3")


def mandatory_columns(version: str) -> set[str]:
    return focus_spec.mandatory_columns(version)


def focus_columns(version: str) -> list[str]:
    """The version's columns in alphabetical order (as the spec lists them)."""
    if version not in VERSIONS:
        raise ValueError(f"FOCUS version {version!r} is not one of {', '.join(VERSIONS)}")
    return focus_spec.focus_columns(version)
