"""The FOCUS spec's column list, kept once as data in `mappings/focus_columns.csv`.

Every place that names the spec's columns reads this list or is checked against it: the
sample-data FOCUS writers (FOCUS 1.0 exports), `finops export` (1.2 / 1.3), and, by a test,
the `focus` format mapping and the focus_costs contract. A column the spec adds is added in
one row here.

The CSV holds one row per column: `column_name`, `added_in` (the first FOCUS version that has
it; 1.0 for the columns of the first release) and `feature_level`: `Mandatory` or `Optional`
(the spec's Conditional and Recommended), as the FinOps Foundation validator's rules model
1.2.0.1 and the 1.3 spec text list them. No column has left the spec since 1.0.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

SPEC_VERSIONS = ("1.0", "1.1", "1.2", "1.3")


@dataclass(frozen=True)
class FocusColumn:
    name: str
    added_in: str
    mandatory: bool


@cache
def spec_columns() -> tuple[FocusColumn, ...]:
    """Every FOCUS column up to the newest version we know, in the CSV's (alphabetical) order."""
    text = resources.files("finops_pipeline.mappings").joinpath("focus_columns.csv")
    rows = csv.DictReader(text.read_text(encoding="utf-8").splitlines())
    return tuple(
        FocusColumn(r["column_name"], r["added_in"], r["feature_level"] == "Mandatory")
        for r in rows
    )


def _version_key(version: str) -> tuple[int, ...]:
    if version not in SPEC_VERSIONS:
        raise ValueError(f"FOCUS version {version!r} is not one of {', '.join(SPEC_VERSIONS)}")
    return tuple(int(part) for part in version.split("."))


def focus_columns(version: str) -> list[str]:
    """The version's columns in alphabetical order (as the spec lists them)."""
    upto = _version_key(version)
    return sorted(c.name for c in spec_columns() if _version_key(c.added_in) <= upto)


def mandatory_columns(version: str) -> set[str]:
    upto = _version_key(version)
    return {c.name for c in spec_columns() if c.mandatory and _version_key(c.added_in) <= upto}
