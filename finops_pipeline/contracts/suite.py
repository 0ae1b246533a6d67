"""A contract as a great-expectations suite, validated on the measurements frame.

Each rule becomes one expectation on one column of a one-row pandas frame holding the
numbers DuckDB measured (measure.py): the contract's threshold is the expectation's bound.
great-expectations is imported here only (6-8 s cold), when a check first runs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from finops_pipeline.contracts.measure import Measurement
from finops_pipeline.contracts.odcs import Rule


@dataclass
class RuleResult:
    name: str
    severity: str
    passed: bool
    value: float | None
    expected: str
    applicable: bool = True
    examples: list[str] = field(default_factory=list)
    note: str = ""


def expectation_kwargs(rule: Rule) -> tuple[str, dict[str, Any]]:
    """(expectation class name, kwargs without the column) for a rule's threshold."""
    t, op = rule.threshold, rule.operator
    between = "ExpectColumnValuesToBeBetween"
    if op == "mustBe":
        return between, {"min_value": t, "max_value": t}
    if op == "mustNotBe":
        return "ExpectColumnValuesToNotBeInSet", {"value_set": [t]}
    if op == "mustBeGreaterThan":
        return between, {"min_value": t, "strict_min": True}
    if op == "mustBeGreaterOrEqualTo":
        return between, {"min_value": t}
    if op == "mustBeLessThan":
        return between, {"max_value": t, "strict_max": True}
    if op == "mustBeLessOrEqualTo":
        return between, {"max_value": t}
    low, high = t
    return between, {"min_value": low, "max_value": high}


def describe(rule: Rule) -> str:
    words = {
        "mustBe": "=",
        "mustNotBe": "!=",
        "mustBeGreaterThan": ">",
        "mustBeGreaterOrEqualTo": ">=",
        "mustBeLessThan": "<",
        "mustBeLessOrEqualTo": "<=",
        "mustBeBetween": "between",
    }
    return f"{words[rule.operator]} {rule.threshold}"


def build_suite(table: str, measurements: list[Measurement]) -> Any:
    """The suite for one table; column `m<i>` holds measurement i."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=f"{table}_contract")
    for i, m in enumerate(measurements):
        if not m.applicable:
            continue
        name, kwargs = expectation_kwargs(m.rule)
        expectation = getattr(gx.expectations, name)(
            column=f"m{i}", meta={"rule": m.rule.name, "severity": m.rule.severity}, **kwargs
        )
        suite.add_expectation(expectation)
    return suite


def validate(table: str, measurements: list[Measurement]) -> list[RuleResult]:
    """Judge every measurement with great-expectations; a NULL measurement fails."""
    import pandas as pd

    context = _context()
    # The same suite judges every month of a table: built and stored once per process
    # (building and storing it cost as much as validating it).
    key = (table, tuple((i, repr(m.rule)) for i, m in enumerate(measurements) if m.applicable))
    suite = _SUITES.get(key)
    if suite is None:
        suite = _SUITES[key] = context.suites.add_or_update(build_suite(table, measurements))
    frame = pd.DataFrame(
        [{f"m{i}": _cell(m.value) for i, m in enumerate(measurements)}], dtype="float64"
    )
    batch = _batch_definition(context, table).get_batch(batch_parameters={"dataframe": frame})
    outcome = batch.validate(suite) if suite.expectations else None
    passed_by_rule = {
        r.expectation_config.meta["rule"]: bool(r.success)
        for r in (outcome.results if outcome else [])
    }
    results = []
    for m in measurements:
        ok = passed_by_rule.get(m.rule.name, True) and (m.value is not None or not m.applicable)
        results.append(
            RuleResult(
                name=m.rule.name,
                severity=m.rule.severity,
                passed=ok,
                value=m.value,
                expected=describe(m.rule),
                applicable=m.applicable,
                examples=m.examples,
                note=m.note or ("query returned NULL" if m.value is None and m.applicable else ""),
            )
        )
    return results


_SUITES: dict[tuple[str, tuple[tuple[int, str], ...]], Any] = {}


@functools.cache
def _context() -> Any:
    """One ephemeral context per process: each new one leaves a temporary docs folder."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas("contract_measurements")
    return context


def _batch_definition(context: Any, table: str) -> Any:
    source = context.data_sources.get("contract_measurements")
    try:
        asset = source.get_asset(table)
    except LookupError:
        asset = source.add_dataframe_asset(table)
    try:
        return asset.get_batch_definition("all")
    except (KeyError, LookupError, ValueError):
        return asset.add_batch_definition_whole_dataframe("all")


def _cell(value: float | None) -> float:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        # inf means "no rows to be fresh"; NaN would be skipped by GX, so use a huge number.
        return 1e300 if value is not None else math.nan
    return value
