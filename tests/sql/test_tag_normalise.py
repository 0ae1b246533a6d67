"""Tag normalisation: tiny focus rows in, canonical tags and the team out; then the demo data.

Both forms of the SQL are checked on the same cases: `with_tag_columns` (one subquery, for the
focus_costs build) and `tag_projection` (the select-list fragment).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from finops_pipeline.tagging.normalise import TAG_COLUMNS, tag_projection, with_tag_columns
from finops_pipeline.tagging.policy import TagPolicy

FOCUS_DDL = """
create or replace table focus_costs (
    BillingPeriodStart timestamp, ProviderName varchar, SubAccountId varchar,
    SubAccountName varchar, ResourceId varchar, ServiceName varchar, SkuId varchar,
    ChargeCategory varchar, CommitmentDiscountStatus varchar, BilledCost decimal(38, 12),
    EffectiveCost decimal(38, 12), BillingCurrency varchar, Tags json
)
"""
COLUMNS = [
    "BillingPeriodStart",
    "ProviderName",
    "SubAccountId",
    "SubAccountName",
    "ResourceId",
    "ServiceName",
    "SkuId",
    "ChargeCategory",
    "CommitmentDiscountStatus",
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "Tags",
]


def make_focus_table(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """A focus_costs with the columns the tag SQL reads; unspecified values get defaults."""
    con.execute(FOCUS_DDL)
    defaults = {
        "BillingPeriodStart": "2026-01-01",
        "ProviderName": "AWS",
        "SubAccountId": "111",
        "SubAccountName": "team-account",
        "ServiceName": "Amazon EC2",
        "ChargeCategory": "Usage",
        "BilledCost": 1,
        "EffectiveCost": 1,
        "BillingCurrency": "USD",
    }
    for row in rows:
        values = {**defaults, **row}
        tags = values.get("Tags")
        values["Tags"] = json.dumps(tags) if isinstance(tags, dict) else tags
        con.execute(
            f"insert into focus_costs values ({', '.join('?' for _ in COLUMNS)})",
            [values.get(c) for c in COLUMNS],
        )


def normalised(
    con: duckdb.DuckDBPyConnection, policy: TagPolicy | None, mode: str, dimension: str = "team"
) -> str:
    """Create `tagged` = focus_costs plus the tag columns; returns its name."""
    if mode == "shared":
        sql, params = with_tag_columns("select * from focus_costs", policy, dimension)
        con.execute(f"create or replace table tagged as {sql}", params)
    else:
        sql, params = tag_projection(policy, dimension)
        con.execute(
            f"create or replace table tagged as select f.*, {sql} from focus_costs as f", params
        )
    return "tagged"


POLICY = TagPolicy.model_validate(
    {
        "keys": {
            "team": {
                "aliases": ["owner-team"],
                "values": {
                    "allowed": ["payments", "search", "platform"],
                    "aliases": {"payment": "payments"},
                },
                "required": True,
            },
            "env": {"aliases": ["environment"], "values": {"allowed": ["prod", "dev"]}},
            "cost-center": {"values": {"pattern": "cc-[0-9]{4}"}},
        },
        "inheritance": [
            {
                "level": "sub_account",
                "match": {"all": [{"column": "SubAccountId", "equals": "999"}]},
                "tags": {"team": "platform", "env": "prod"},
            },
            {  # never reached for team: the first matching default wins
                "level": "sub_account",
                "match": {"all": [{"column": "SubAccountName", "like": "shared%"}]},
                "tags": {"team": "search"},
            },
        ],
        "virtual_tags": [
            {
                "name": "support",
                "match": {"all": [{"column": "ServiceName", "like": "%Support%"}]},
                "tags": {"team": "platform"},
            },
            {
                "name": "support-again",
                "match": {"all": [{"column": "ServiceName", "like": "AWS%"}]},
                "tags": {"team": "search"},
            },
            {
                "name": "dev-is-search",
                "match": {"all": [{"column": "tag:env", "equals": "dev"}]},
                "tags": {"team": "search"},
            },
        ],
        "exemptions": [
            {
                "name": "tax",
                "match": {"all": [{"column": "ChargeCategory", "in": ["Tax", "Credit"]}]},
            }
        ],
    }
)
SHARED = {"SubAccountId": "999", "SubAccountName": "shared-services"}

# fmt: off
CASES: list[tuple[str, dict[str, Any], dict[str, str], str | None, str | None, bool]] = [
    # name, row, x_Tags, x_Team, x_TagSource, x_TagExempt
    ("canonical", {"Tags": {"team": "payments"}}, {"team": "payments"}, "payments", "tag", False),
    ("case and spaces", {"Tags": {"Team": " PAYMENTS "}}, {"team": "payments"}, "payments", "alias", False),
    ("aws prefix is not an alias", {"Tags": {"user:team": "search"}}, {"team": "search"}, "search", "tag", False),
    ("cur2 prefix", {"Tags": {"user_team": "search"}}, {"team": "search"}, "search", "tag", False),
    ("aws prefix of an alias", {"Tags": {"user:Team": "search"}}, {"team": "search"}, "search", "alias", False),
    ("key and value alias", {"Tags": {"user_owner_team": "Payment"}}, {"team": "payments"}, "payments", "alias", False),
    ("value alias", {"Tags": {"team": "payment"}}, {"team": "payments"}, "payments", "alias", False),
    ("empty then alias", {"Tags": {"team": " ", "owner-team": "search"}}, {"team": "search"}, "search", "alias", False),
    ("first spelling wins", {"Tags": {"team": "search", "Team": "payments"}}, {"team": "search"}, "search", "tag", False),
    ("disallowed folded, not alias", {"Tags": {"team": "Growth"}}, {"team": "growth"}, "growth", "tag", False),
    ("other keys as written", {"Tags": {"App": " Web ", "env": "PROD"}}, {"App": " Web ", "env": "prod"}, None, None, False),
    ("free text keeps its case", {"Tags": {"Cost-Center": " CC-1234 "}}, {"cost-center": "CC-1234"}, None, None, False),
    ("inherited", {**SHARED, "Tags": {}}, {"team": "platform", "env": "prod"}, "platform", "inherited", False),
    ("own tag beats inheritance", {**SHARED, "Tags": {"team": "search", "env": "dev"}}, {"team": "search", "env": "dev"}, "search", "tag", False),
    ("empty value inherits", {**SHARED, "Tags": {"team": ""}}, {"team": "platform", "env": "prod"}, "platform", "inherited", False),
    ("inheritance before virtual", {**SHARED, "ServiceName": "AWS Support", "Tags": None}, {"team": "platform", "env": "prod"}, "platform", "inherited", False),
    ("virtual first match", {"ServiceName": "AWS Support", "Tags": None}, {"team": "platform"}, "platform", "virtual", False),
    ("virtual second rule", {"ServiceName": "AWS Lambda", "Tags": None}, {"team": "search"}, "search", "virtual", False),
    ("virtual on a tag", {"Tags": {"environment": "Dev"}}, {"env": "dev", "team": "search"}, "search", "virtual", False),
    ("exempt", {"ChargeCategory": "Tax", "Tags": None}, {}, None, None, True),
    ("no tags", {"Tags": None}, {}, None, None, False),
    ("not an object", {"Tags": "[1, 2]"}, {}, None, None, False),
]
# fmt: on


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize("mode", ["shared", "fragment"])
def test_normalisation_cases(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    make_focus_table(con, [{**row, "ResourceId": name} for name, row, *_ in CASES])
    table = normalised(con, POLICY, mode)
    got = {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in con.execute(
            f"select ResourceId, x_Tags, x_Team, x_TagSource, x_TagExempt from {table}"
        ).fetchall()
    }
    for name, _, tags, team, source, exempt in CASES:
        assert got[name] == (tags, team, source, exempt), name


@pytest.mark.parametrize("mode", ["shared", "fragment"])
def test_columns_types_and_order(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    make_focus_table(con, [{"Tags": {"team": "search"}}])
    table = normalised(con, POLICY, mode)
    described = con.execute(f"describe {table}").fetchall()
    assert [(r[0], r[1]) for r in described[-4:]] == [
        ("x_Tags", "MAP(VARCHAR, VARCHAR)"),
        ("x_Team", "VARCHAR"),
        ("x_TagSource", "VARCHAR"),
        ("x_TagExempt", "BOOLEAN"),
    ]
    assert [r[0] for r in described[: len(COLUMNS)]] == COLUMNS
    assert tuple(r[0] for r in described[-4:]) == TAG_COLUMNS


@pytest.mark.parametrize("mode", ["shared", "fragment"])
def test_without_a_policy_tags_are_kept_as_written(
    con: duckdb.DuckDBPyConnection, mode: str
) -> None:
    make_focus_table(
        con,
        [
            {"ResourceId": "a", "Tags": {"team": "Payments", "Env": "x"}},
            {"ResourceId": "b", "Tags": {"Team": "search"}},
            {"ResourceId": "c", "Tags": None, "ChargeCategory": "Tax"},
        ],
    )
    table = normalised(con, None, mode)
    rows = con.execute(
        f"select ResourceId, x_Tags, x_Team, x_TagSource, x_TagExempt from {table} order by 1"
    ).fetchall()
    assert rows == [
        ("a", {"team": "Payments", "Env": "x"}, "Payments", "tag", False),
        ("b", {"Team": "search"}, None, None, False),
        ("c", {}, None, None, False),
    ]


def test_the_dimension_is_a_parameter(con: duckdb.DuckDBPyConnection) -> None:
    make_focus_table(con, [{"Tags": {"Environment": "PROD", "team": "search"}}])
    table = normalised(con, POLICY, "shared", dimension="env")
    assert con.execute(f"select x_Team, x_TagSource from {table}").fetchone() == ("prod", "alias")


def test_without_case_folding_only_exact_spellings_count(con: duckdb.DuckDBPyConnection) -> None:
    policy = POLICY.model_copy(update={"fold_case": False})
    make_focus_table(
        con,
        [
            {"ResourceId": "a", "Tags": {"Team": "search"}},
            {"ResourceId": "b", "Tags": {"team": "payment"}},
        ],
    )
    table = normalised(con, policy, "shared")
    rows = con.execute(f"select ResourceId, x_Team, x_TagSource from {table} order by 1").fetchall()
    assert rows == [("a", None, None), ("b", "payments", "alias")]


def test_policy_values_are_bound_not_formatted() -> None:
    for sql, params in (
        with_tag_columns("select * from focus_costs", POLICY),
        tag_projection(POLICY),
    ):
        for secret in ("payments", "owner-team", "shared%", "%Support%", "999"):
            assert secret not in sql
        assert sql.count("?") == len(params)


def test_generated_sql_parses_with_sqlglot() -> None:
    sql, _ = with_tag_columns("select * from focus_costs", POLICY)
    assert sqlglot.parse_one(sql, read="duckdb") is not None
    fragment, _ = tag_projection(POLICY)
    assert sqlglot.parse_one(f"select f.*, {fragment} from focus_costs as f", read="duckdb")


def test_filters_around_the_shared_form_still_apply(con: duckdb.DuckDBPyConnection) -> None:
    make_focus_table(
        con,
        [
            {"ResourceId": "jan", "Tags": {"Team": "search"}},
            {"ResourceId": "feb", "BillingPeriodStart": "2026-02-01", "Tags": {"Team": "search"}},
        ],
    )
    sql, params = with_tag_columns("select * from focus_costs", POLICY)
    rows = con.execute(
        f"select ResourceId, x_Team from ({sql}) where BillingPeriodStart = ?",
        [*params, "2026-02-01"],
    ).fetchall()
    assert rows == [("feb", "search")]


# --- the demo data: every planted variant folds to the team the generator meant -------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    from finops_pipeline import sample_data
    from finops_pipeline.refresh import ingest_and_refresh
    from finops_pipeline.settings import DEMO_SOURCES
    from finops_pipeline.warehouse import connect

    out: Path = tmp_path_factory.mktemp("tag-demo")
    sample_data.generate(out / "sample", end_month="2026-03", months=3)
    con = connect(out / "warehouse.duckdb")
    policy = TagPolicy.example_for_demo()
    for source, fmt in DEMO_SOURCES.items():
        # The real path: the focus_costs build applies the policy while it loads.
        ingest_and_refresh(con, out / "sample" / source, source, fmt, policy=policy)
    con.execute("create table tagged as select * from focus_costs")
    yield con
    con.close()


def _demo_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cursor = con.execute(
        "select x_SourceName, SubAccountId, SubAccountName, ServiceName, ResourceId, Tags, "
        "x_Team, x_TagSource, x_TagExempt from tagged"
    )
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_demo_every_tagged_row_gets_the_generators_team(demo: duckdb.DuckDBPyConnection) -> None:
    from finops_pipeline.sample_data.tags import resolve_team

    rows = _demo_rows(demo)
    tagged = 0
    for row in rows:
        expected = resolve_team(json.loads(row["Tags"]) if row["Tags"] else None)
        if expected is not None:
            tagged += 1
            assert (row["x_Team"], row["x_TagSource"] in ("tag", "alias")) == (expected, True), row
    assert tagged > len(rows) / 2


def test_demo_defaults_come_from_the_right_rule(demo: duckdb.DuckDBPyConnection) -> None:
    from finops_pipeline.sample_data.tags import resolve_team

    shared = {"kestrel-eu-platform", "platform-shared", "kc-platform-shared-weu", "kc-us-platform"}
    seen = set()
    for row in _demo_rows(demo):
        if resolve_team(json.loads(row["Tags"]) if row["Tags"] else None) is not None:
            continue
        if row["SubAccountName"] in shared or row["SubAccountId"] in {
            "594011896784",
            "kestrel-platform-shared",
        }:
            expected = ("platform", "inherited")
        elif "/resourcegroups/rg-web-prod/" in (row["ResourceId"] or "").lower():
            expected = ("mobile", "inherited")
        elif "Support" in (row["ServiceName"] or ""):
            expected = ("platform", "virtual")
        else:
            expected = (None, None)
        assert (row["x_Team"], row["x_TagSource"]) == expected, row
        seen.add(expected[1])
    assert seen == {"inherited", "virtual", None}


def test_demo_inherited_teams_are_the_true_owners(demo: duckdb.DuckDBPyConnection) -> None:
    """Where a resource id maps back to the generator's estate, inheritance names its owner."""
    from finops_pipeline.sample_data.periods import build_window
    from finops_pipeline.sample_data.sources import BUILDERS

    window = build_window("2026-03", 3, None)
    owner = {
        r.id.lower(): r.team for build in BUILDERS.values() for r in build(window, 42, 1).resources
    }
    checked = 0
    for resource_id, team in demo.execute(
        "select distinct ResourceId, x_Team from tagged where x_TagSource = 'inherited'"
    ).fetchall():
        if resource_id and resource_id.lower() in owner:
            assert owner[resource_id.lower()] == team, resource_id
            checked += 1
    assert checked >= 5


def test_demo_exemptions_cover_charges_that_cannot_carry_tags(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    rows = demo.execute(
        "select count(*) from tagged where not x_TagExempt and (ChargeCategory in "
        "('Tax', 'Credit', 'Purchase') or CommitmentDiscountStatus = 'Unused')"
    ).fetchone()
    assert rows == (0,)


def test_demo_tag_keys_are_the_ones_the_generator_wrote(demo: duckdb.DuckDBPyConnection) -> None:
    """Legacy CUR columns `user:team` and `user:Team` differ only in case: DuckDB renames one,
    the tag key must still be the header the file wrote."""
    keys = {
        k for (k,) in demo.execute("select distinct unnest(json_keys(Tags)) from tagged").fetchall()
    }
    assert not [k for k in keys if k.rsplit("_", 1)[-1].isdigit()]
