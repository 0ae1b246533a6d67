"""The tag policy and the shared condition model: what loads, what is refused, and why."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from pydantic import BaseModel, ValidationError

from finops_pipeline.tagging.conditions import Condition, Match, compile_match, focus_column_types
from finops_pipeline.tagging.policy import TagPolicy, aws_spellings


class _Config(BaseModel):
    """Stands in for the project settings, so error locations start at `tag_policy`."""

    tag_policy: TagPolicy


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        _Config.model_validate({"tag_policy": data})
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in caught.value.errors()
    )


def _policy(**extra: Any) -> dict[str, Any]:
    return {
        "keys": {
            "team": {
                "aliases": ["owner-team"],
                "values": {"allowed": ["payments", "search"], "aliases": {"payment": "payments"}},
                "required": True,
            }
        },
        **extra,
    }


# --- conditions --------------------------------------------------------------------------


def test_condition_columns_come_from_the_focus_costs_model() -> None:
    columns = focus_column_types()
    assert columns["BilledCost"] == "DECIMAL(38, 12)"
    assert columns["Tags"] == "JSON"
    assert {"ServiceName", "SubAccountId", "x_SourceName", "x_Tags", "x_Team"} <= set(columns)


def test_unknown_column_names_the_column_and_the_valid_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        Condition.model_validate({"column": "ServiceNam", "equals": "x"})
    message = str(caught.value)
    assert "unknown column 'ServiceNam'" in message
    assert "did you mean 'ServiceName'" in message
    assert "SubAccountId" in message  # the list of valid columns


def test_column_case_is_forgiven_and_canonicalised() -> None:
    assert Condition.model_validate({"column": "servicename", "like": "%"}).column == "ServiceName"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"column": "ServiceName"}, "give exactly one of"),
        ({"column": "ServiceName", "equals": "a", "like": "b"}, "found: equals, like"),
        ({"column": "SubAccountId", "equals": 123456789012}, "quote the value"),
        ({"column": "ServiceName", "in": []}, "the list of values is empty"),
        ({"column": "ServiceName", "regex": "(?=look)"}, "not a valid (RE2) regular expression"),
        ({"column": "tag:", "equals": "x"}, "give the tag key"),
        ({"column": "ServiceName", "equal": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_conditions_are_refused(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=None) as caught:
        Condition.model_validate(data)
    assert expected in str(caught.value)


def test_a_match_needs_a_condition() -> None:
    with pytest.raises(ValidationError, match="at least one condition"):
        Match.model_validate({})


ROWS = [
    # ServiceName, ChargeCategory, SubAccountId, BilledCost, x_Tags
    ("AWS Support (Business)", "Purchase", "0123", "100.5", {"team": "platform"}),
    ("Amazon EC2", "Usage", "0456", "3", {"env": "prod"}),
    ("Amazon EC2", "Tax", None, "0.3", {}),
]


def _matching(match: dict[str, Any]) -> list[str]:
    sql, params = compile_match(Match.model_validate(match), qualifier="f")
    con = duckdb.connect()
    con.execute(
        "create table t (ServiceName varchar, ChargeCategory varchar, SubAccountId varchar, "
        "BilledCost decimal(38, 12), x_Tags map(varchar, varchar))"
    )
    con.executemany("insert into t values (?, ?, ?, ?, ?)", ROWS)
    assert "'" not in sql, "values must be bound, not formatted in"
    return [
        r[0] for r in con.execute(f"select ServiceName from t as f where {sql}", params).fetchall()
    ]


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({"all": [{"column": "ServiceName", "like": "%Support%"}]}, ["AWS Support (Business)"]),
        ({"all": [{"column": "ChargeCategory", "in": ["Tax", "Credit"]}]}, ["Amazon EC2"]),
        ({"all": [{"column": "SubAccountId", "equals": "0123"}]}, ["AWS Support (Business)"]),
        ({"all": [{"column": "SubAccountId", "is_null": True}]}, ["Amazon EC2"]),
        # NULL is in no list, so not_in matches it
        ({"all": [{"column": "SubAccountId", "not_in": ["0123"]}]}, ["Amazon EC2", "Amazon EC2"]),
        ({"all": [{"column": "BilledCost", "equals": 3}]}, ["Amazon EC2"]),
        ({"all": [{"column": "ServiceName", "regex": "^Amazon"}]}, ["Amazon EC2", "Amazon EC2"]),
        ({"all": [{"column": "tag:team", "equals": "platform"}]}, ["AWS Support (Business)"]),
        (
            {
                "all": [{"column": "ServiceName", "equals": "Amazon EC2"}],
                "any": [
                    {"column": "ChargeCategory", "equals": "Tax"},
                    {"column": "tag:env", "equals": "prod"},
                ],
            },
            ["Amazon EC2", "Amazon EC2"],
        ),
        ({"any": [{"column": "ChargeCategory", "equals": "Nope"}]}, []),
    ],
)
def test_compiled_matches_select_the_right_rows(match: dict[str, Any], expected: list[str]) -> None:
    assert sorted(_matching(match)) == sorted(expected)


def test_no_match_means_every_row() -> None:
    assert compile_match(None) == ("true", [])


def test_identifiers_are_quoted() -> None:
    sql, params = compile_match(
        Match.model_validate(
            {"all": [{"column": "ServiceName", "equals": "x'; drop table t; --"}]}
        ),
        qualifier="f",
    )
    assert sql == '((coalesce("f"."ServiceName" = ?, false)))'
    assert params == ["x'; drop table t; --"]


# --- the policy ---------------------------------------------------------------------------


def test_a_good_policy_loads() -> None:
    policy = TagPolicy.model_validate(_policy())
    spellings = policy.key_spellings()
    assert spellings["owner-team"] == "team"
    assert spellings["user:owner-team"] == "team"
    assert spellings["user_owner_team"] == "team"
    assert policy.value_map()["team\x1fpayment"] == "payments"


def test_aws_spellings() -> None:
    assert aws_spellings("cost-center") == ["user:cost-center", "user_cost_center"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            _policy(
                keys={
                    "team": {
                        "values": {"allowed": ["payments"], "aliases": {"payment": "paymentz"}}
                    }
                }
            ),
            "tag_policy.keys.team.values.aliases: Value error, payment: 'paymentz' is not an allowed value",
        ),
        (
            _policy(keys={"team": {"values": {"pattern": "[a-z]+", "aliases": {"X": "Y1"}}}}),
            "X: 'Y1' is not an allowed value (matching [a-z]+)",
        ),
        (
            _policy(keys={"team": {"values": {"pattern": "(?<=x)y"}}}),
            "tag_policy.keys.team.values.pattern: Value error, '(?<=x)y' is not a valid (RE2)",
        ),
        (
            _policy(keys={"team": {"values": {"allowed": ["a"], "pattern": "a"}}}),
            "give either 'allowed' (a list) or 'pattern', not both",
        ),
        (
            _policy(
                exemptions=[
                    {
                        "name": "tax",
                        "match": {"all": [{"column": "ChargeCategori", "equals": "Tax"}]},
                    }
                ]
            ),
            "tag_policy.exemptions.0.match.all.0.column: Value error, unknown column 'ChargeCategori'",
        ),
        (
            _policy(
                virtual_tags=[
                    {
                        "name": "s",
                        "match": {"all": [{"column": "ServiceName", "like": "%"}]},
                        "tags": {"team": "platfrom"},
                    }
                ]
            ),
            "virtual_tags.0.tags.team: 'platfrom' is not an allowed value (one of payments, search)",
        ),
        (
            _policy(
                inheritance=[
                    {
                        "level": "sub_account",
                        "match": {"all": [{"column": "SubAccountId", "equals": "1"}]},
                        "tags": {"owner": "x"},
                    }
                ]
            ),
            "inheritance.0.tags.owner: not a key of the policy (keys: team)",
        ),
        (
            _policy(
                inheritance=[
                    {
                        "level": "account",
                        "match": {"all": [{"column": "SubAccountId", "equals": "1"}]},
                        "tags": {"team": "search"},
                    }
                ]
            ),
            "tag_policy.inheritance.0.level",
        ),
        (
            _policy(
                exemptions=[
                    {"name": "t", "match": {"all": [{"column": "x_Team", "is_null": True}]}}
                ]
            ),
            "exemptions.0.match: x_Team is computed from this policy",
        ),
        (
            {"keys": {"team": {"aliases": ["owner"]}, "owner": {}}},
            "keys.owner.aliases: 'owner' is also a spelling of key 'team'",
        ),
        (
            {
                "keys": {
                    "team": {"values": {"allowed": ["a", "b"], "aliases": {"X": "a", "x": "b"}}}
                }
            },
            "keys.team.values.aliases.x: maps to 'b' but a spelling that folds to the same text maps to 'a'",
        ),
        (
            _policy(
                exemptions=[
                    {"name": "a", "match": {"all": [{"column": "ServiceName", "like": "%"}]}}
                ]
                * 2
            ),
            "rule names must be unique; repeated: a",
        ),
        ({"keys": {}}, "keys: name at least one tag key"),
        (_policy(fold_case="sometimes"), "tag_policy.fold_case"),
        (_policy(colour="red"), "tag_policy.colour: Extra inputs are not permitted"),
    ],
)
def test_bad_policies_name_the_key_path(data: dict[str, Any], expected: str) -> None:
    assert expected in _problems(data)


def test_required_can_be_a_match() -> None:
    policy = TagPolicy.model_validate(
        _policy(keys={"team": {"required": {"all": [{"column": "ProviderName", "equals": "AWS"}]}}})
    )
    assert isinstance(policy.keys["team"].required, Match)


def test_without_case_folding_spellings_are_exact() -> None:
    policy = TagPolicy.model_validate(_policy(fold_case=False))
    assert "Team" not in policy.key_spellings()
    assert policy.fold(" Payments ") == " Payments "


def test_the_demo_policy_loads_and_covers_the_generator_spellings() -> None:
    from finops_pipeline.sample_data.tags import TAG_POLICY, VALUE_ALIASES

    policy = TagPolicy.example_for_demo()
    spellings = policy.key_spellings()
    for variant in TAG_POLICY["key_variants"]:
        assert spellings[policy.fold(variant)] == "team", variant
    values = policy.value_map()
    for alias, canonical in VALUE_ALIASES.items():
        assert values[f"team\x1f{alias}"] == canonical


def test_a_value_alias_cannot_shadow_an_allowed_value() -> None:
    data = {
        "keys": {"team": {"values": {"allowed": ["search", "ml"], "aliases": {"Search": "ml"}}}}
    }
    assert (
        "keys.team.values.aliases.Search: maps to 'ml' but a spelling that folds to the same text "
        "maps to 'search'"
    ) in _problems(data)


EXAMPLE = """
tag_policy:
  keys:
    team:
      aliases: [Team, TEAM, owner-team, "user:team", "user:Team", user_team, "user:owner-team"]
      values:
        allowed: [payments, search, data-platform, mobile, ml, platform]
        aliases: {payment: payments, PAYMENTS: payments, data_platform: data-platform}
      required: true
    env: {aliases: [Environment, environment, "user:env"], values: {allowed: [prod, staging, dev]}, required: false}
  fold_case: true
  inheritance:
    - {level: sub_account, match: {all: [{column: SubAccountId, equals: "123456789012"}]}, tags: {team: platform}}
  virtual_tags:
    - {name: support-to-platform, match: {all: [{column: ServiceName, like: "%Support%"}]}, tags: {team: platform}}
  exemptions:
    - {name: tax, match: {all: [{column: ChargeCategory, in: [Tax, Credit]}]}}
"""


def test_the_documented_example_loads() -> None:
    policy = TagPolicy.from_yaml(EXAMPLE)
    assert policy.key_spellings()["user:team"] == "team"
    assert policy.keys["env"].required is False
    assert policy.exemptions[0].match.all[0].in_ == ["Tax", "Credit"]
