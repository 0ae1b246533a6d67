"""The FOCUS column list is kept once (mappings/focus_columns.csv); the other places that
name the spec's columns must agree with it, so a column added to the spec is not forgotten in
the `focus` format mapping, the focus_costs contract or the sample FOCUS exports."""

from __future__ import annotations

import pytest

from finops_pipeline.contracts.odcs import load_contracts
from finops_pipeline.export.columns import VERSIONS, focus_columns, mandatory_columns
from finops_pipeline.focus_spec import SPEC_VERSIONS, spec_columns
from finops_pipeline.focus_spec import focus_columns as spec_focus_columns
from finops_pipeline.ingest.mapping import load_mappings
from finops_pipeline.sample_data.aws.write_focus import FOCUS_COLUMNS as AWS_FOCUS_COLUMNS
from finops_pipeline.sample_data.azure.write_focus import COLUMNS as AZURE_FOCUS_COLUMNS

NEWEST = SPEC_VERSIONS[-1]
# Spellings of FOCUS 1.0-preview that the mapping still lands as their own column.
PRE_1_0 = {"ChargeSubcategory"}


def _extras_are_ours(extras: set[str], allowed: set[str] = frozenset()) -> list[str]:
    return sorted(c for c in extras if not c.startswith("x_") and c not in allowed)


def test_the_list_is_well_formed() -> None:
    names = [c.name for c in spec_columns()]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert {c.added_in for c in spec_columns()} <= set(SPEC_VERSIONS)
    # the spec's sizes: 43 columns in 1.0, 57 in 1.2, 65 in 1.3
    assert [len(spec_focus_columns(v)) for v in ("1.0", "1.2", "1.3")] == [43, 57, 65]


def test_focus_mapping_lands_every_spec_column() -> None:
    mapped = set(load_mappings()["focus"].columns)
    spec = set(spec_focus_columns(NEWEST))
    assert sorted(spec - mapped) == []
    assert _extras_are_ours(mapped - spec, PRE_1_0) == []


def test_focus_costs_contract_names_every_spec_column() -> None:
    contracted = {name for name, _type in load_contracts()["focus_costs"].columns}
    spec = set(spec_focus_columns(NEWEST))
    assert sorted(spec - contracted) == []
    assert _extras_are_ours(contracted - spec) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_export_columns_are_the_spec_list(version: str) -> None:
    assert focus_columns(version) == spec_focus_columns(version)
    assert mandatory_columns(version) <= set(focus_columns(version))


def test_sample_focus_exports_carry_focus_1_0() -> None:
    spec = spec_focus_columns("1.0")
    assert [c for c in AWS_FOCUS_COLUMNS if not c.startswith("x_")] == spec
    # Microsoft's 1.0r2: no AvailabilityZone, two 1.2 columns early
    azure = {c for c in AZURE_FOCUS_COLUMNS if not c.startswith("x_")}
    assert azure ^ set(spec) == {"AvailabilityZone", "BillingAccountType", "SubAccountType"}
