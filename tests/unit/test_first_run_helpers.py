"""Small rules behind the first run (issue 12): tag-key spellings that `finops init` groups,
and the one line `finops run` shows for a failed step."""

from __future__ import annotations

import pytest

from finops_pipeline.dagster_run import one_line
from finops_pipeline.init_config import group_spellings
from finops_pipeline.showback.currency import ExchangeRateError  # noqa: F401  (a user error)


def test_tag_key_spellings_group_across_providers() -> None:
    groups = group_spellings(
        [
            "team",
            "Team",
            "user:Team",
            "user_team",
            "Cost-Center",
            "cost_center",
            "costcenter",
            "env",
        ]
    )
    assert sorted(groups["team"]) == ["Team", "team", "user:Team", "user_team"]
    assert sorted(groups["costcenter"]) == ["Cost-Center", "cost_center", "costcenter"]
    assert groups["env"] == ["env"]


class _Error:
    def __init__(self, cls_name: str, message: str) -> None:
        self.cls_name, self.message = cls_name, message


@pytest.mark.parametrize(
    ("cls_name", "message", "expected"),
    [
        ("ConfigError", "ConfigError: m.csv: business metrics file not found\n", "m.csv: business metrics file not found"),
        ("ExchangeRateError", "ExchangeRateError: no exchange rate for 2026-05 EUR->USD", "no exchange rate for 2026-05 EUR->USD"),
        ("InvalidInputException", "_duckdb.InvalidInputException: Invalid Input Error: x\nmore", "InvalidInputException: Invalid Input Error: x"),
        ("KeyError", "KeyError: 'team'\n", "KeyError: 'team'"),
    ],
)  # fmt: skip
def test_a_failure_is_one_line_and_names_the_class_only_for_bugs(
    cls_name: str, message: str, expected: str
) -> None:
    assert one_line(_Error(cls_name, message)) == expected
