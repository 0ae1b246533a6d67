"""Allocation rules in finops.yaml are checked on load, and errors name the key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from finops_pipeline.config_lines import describe_errors
from finops_pipeline.showback.rules import ShowbackSection

SHARED = {"all": [{"column": "SubAccountName", "equals": "shared-services"}]}
SUPPORT = {"all": [{"column": "ServiceName", "equals": "AWS Support"}]}
TAX = {"all": [{"column": "ChargeCategory", "equals": "Tax"}]}

GOOD = f"""
reporting:
  currency: usd
  exchange_rates: rates/exchange_rates.csv
metrics:
  path: business_metrics.csv
allocation:
  owners:
    - {{match: {{all: [{{column: SubAccountId, equals: "111122223333"}}]}}, team: payments}}
  pools:
    - {{name: shared-platform, match: {SHARED}, split: proportional, teams: [payments, search]}}
    - {{name: support, match: {SUPPORT}, split: even}}
    - {{name: tax, match: {TAX}, split: fixed, weights: {{payments: 50, search: 30, platform: 20}}}}
    - {{name: ml-gpu, match: {SUPPORT}, split: metric, metric: active_users}}
  unallocated:
    redistribute: true
"""


def errors_for(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        ShowbackSection.model_validate(yaml.safe_load(text))
    return describe_errors(text, caught.value.errors())


def with_pools(*pools: str, metrics: bool = False) -> str:
    head = "metrics: {path: m.csv}\n" if metrics else ""
    return head + "allocation:\n  pools:\n" + "".join(f"    - {p}\n" for p in pools)


def test_the_documented_example_loads() -> None:
    section = ShowbackSection.model_validate(yaml.safe_load(GOOD))
    assert section.reporting.currency == "USD"
    pools = section.allocation.pools
    assert [p.rule for p in pools] == [
        "pool:shared-platform:proportional",
        "pool:support:even",
        "pool:tax:fixed",
        "pool:ml-gpu:metric",
    ]
    assert pools[0].basis == "effective_cost"  # the default basis of a proportional split
    assert section.allocation.owners[0].team == "payments"
    assert section.allocation.unallocated.redistribute


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    section = ShowbackSection.model_validate(yaml.safe_load(GOOD))
    section.resolve_showback_paths(tmp_path)
    assert section.reporting.exchange_rates == tmp_path / "rates" / "exchange_rates.csv"
    assert section.metrics is not None and section.metrics.path == tmp_path / "business_metrics.csv"


def test_fixed_weights_must_sum_to_100_and_the_error_names_the_key() -> None:
    text = with_pools(
        f"{{name: a, match: {SHARED}, split: even}}",
        f"{{name: b, match: {SUPPORT}, split: even}}",
        f"{{name: tax, match: {TAX}, split: fixed, weights: {{payments: 50, search: 30, platform: 10}}}}",
    )
    [message] = errors_for(text)
    assert message.startswith("allocation.pools.2.weights (line 5):")
    assert "must sum to 100, not 90 (payments 50 + search 30 + platform 10)" in message


def test_decimal_percentages_that_sum_to_100_are_accepted() -> None:
    text = with_pools(
        f"{{name: t, match: {TAX}, split: fixed, weights: {{a: 33.3, b: 33.3, c: 33.4}}}}"
    )
    ShowbackSection.model_validate(yaml.safe_load(text))


@pytest.mark.parametrize(
    ("pool", "path", "needle"),
    [
        (f"{{name: p, match: {TAX}, split: weighted}}", "allocation.pools.0.split", "'fixed'"),
        (f"{{name: p, match: {TAX}, split: fixed}}", "allocation.pools.0.weights", "needs weights"),
        (
            f"{{name: p, match: {TAX}, split: even, weights: {{a: 100}}}}",
            "allocation.pools.0.weights",
            "fixed only",
        ),
        (
            f"{{name: p, match: {TAX}, split: even, basis: billed_cost}}",
            "allocation.pools.0.basis",
            "proportional only",
        ),
        (
            f"{{name: p, match: {TAX}, split: proportional, basis: list_cost}}",
            "allocation.pools.0.basis",
            "billed_cost",
        ),
        (
            f"{{name: p, match: {TAX}, split: fixed, weights: {{a: 100}}, teams: [a]}}",
            "allocation.pools.0.teams",
            "drop teams",
        ),
        (
            f"{{name: p, match: {TAX}, split: even, teams: []}}",
            "allocation.pools.0.teams",
            "omit it",
        ),
        (
            f"{{name: p, match: {TAX}, split: even, teams: [a, a]}}",
            "allocation.pools.0.teams",
            "twice",
        ),
        (
            f"{{name: p, match: {TAX}, split: even, teams: [unallocated]}}",
            "allocation.pools.0.teams",
            "reserved",
        ),
        (
            f"{{name: p, match: {TAX}, split: even, sharing: all}}",
            "allocation.pools.0.sharing",
            "Extra inputs",
        ),
        (f"{{name: 'a b', match: {TAX}, split: even}}", "allocation.pools.0.name", "letters"),
        (
            "{name: p, match: {all: [{column: SubAcountName, equals: x}]}, split: even}",
            "allocation.pools.0.match.all.0.column",
            "did you mean 'SubAccountName'",
        ),
    ],
)
def test_bad_pools_are_named(pool: str, path: str, needle: str) -> None:
    messages = errors_for(with_pools(pool))
    assert any(m.startswith(path) and needle in m for m in messages), messages


def test_metric_split_needs_a_metric_name() -> None:
    [message] = errors_for(with_pools(f"{{name: gpu, match: {TAX}, split: metric}}", metrics=True))
    assert message.startswith("allocation.pools.0.metric") and "metric: active_users" in message


def test_metric_split_without_metrics_file_is_an_error() -> None:
    text = with_pools(
        f"{{name: a, match: {TAX}, split: even}}",
        f"{{name: gpu, match: {SUPPORT}, split: metric, metric: active_users}}",
    )
    [message] = errors_for(text)
    assert message.startswith("allocation (line 1):")
    assert "pools[1] (gpu) splits by metric 'active_users'" in message
    assert "metrics: {path:" in message


def test_pool_names_are_unique() -> None:
    text = with_pools(
        f"{{name: a, match: {TAX}, split: even}}", f"{{name: a, match: {SUPPORT}, split: even}}"
    )
    [message] = errors_for(text)
    assert message.startswith("allocation.pools") and "pools[1] repeats the name 'a'" in message


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"reporting": {"currency": "dollars"}}, "reporting.currency"),
        ({"reporting": {"rates": "x.csv"}}, "reporting.rates"),
        (
            {"allocation": {"owners": [{"match": TAX, "team": " payments"}]}},
            "allocation.owners.0.team",
        ),
        ({"allocation": {"owners": [{"match": TAX}]}}, "allocation.owners.0.team"),
        (
            {"allocation": {"unallocated": {"redistribute": True, "basis": "x"}}},
            "allocation.unallocated.basis",
        ),
    ],
)
def test_other_keys_are_checked(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ShowbackSection.model_validate(data)
    assert path in [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]
