"""tag_violations and tag_compliance from tiny focus rows: each violation, shares and trend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from finops_pipeline.tagging.marts import build_tag_marts, load_policy_tables
from finops_pipeline.tagging.normalise import with_tag_columns
from finops_pipeline.tagging.policy import TagPolicy
from tests.sql.test_tag_normalise import make_focus_table

POLICY = TagPolicy.model_validate(
    {
        "keys": {
            "team": {
                "aliases": ["owner-team"],
                "values": {"allowed": ["payments", "search"], "aliases": {"payment": "payments"}},
                "required": True,
            },
            "env": {
                "values": {"allowed": ["prod", "dev"]},
                "required": {"all": [{"column": "SubAccountId", "equals": "999"}]},
            },
        },
        "inheritance": [
            {
                "level": "sub_account",
                "match": {"all": [{"column": "SubAccountId", "equals": "999"}]},
                "tags": {"team": "search"},
            }
        ],
        "exemptions": [
            {"name": "tax", "match": {"all": [{"column": "ChargeCategory", "equals": "Tax"}]}}
        ],
    }
)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
TEAMS = "one of payments, search"

JANUARY: list[dict[str, Any]] = [
    {"ResourceId": "r-ok", "Tags": {"team": "payments"}, "EffectiveCost": 10},
    {"ResourceId": "r-alias", "Tags": {"Team": "PAYMENTS"}, "EffectiveCost": 30},
    {"ResourceId": "r-aws", "Tags": {"user:Owner-Team": "payment"}, "EffectiveCost": 60},
    {"ResourceId": "r-missing", "Tags": {"env": "prod"}, "EffectiveCost": 15, "BilledCost": 15},
    {"ResourceId": "r-missing", "Tags": {"env": "prod"}, "EffectiveCost": 5, "BilledCost": 5},
    {"ResourceId": "r-empty", "Tags": {"team": " "}, "EffectiveCost": 5},
    {"ResourceId": None, "ChargeCategory": "Tax", "Tags": None, "EffectiveCost": 7},
    {
        "ResourceId": None,
        "ServiceName": "Some Fee",
        "SkuId": "F1",
        "Tags": None,
        "EffectiveCost": 8,
    },
    {"ResourceId": "r-env", "Tags": {"team": "search", "env": "qa"}, "EffectiveCost": 12},
    {"ResourceId": "r-dup", "Tags": {"team": "search", "owner-team": "search"}, "EffectiveCost": 8},
    {"ResourceId": "r-bad", "Tags": {"team": "growth"}, "EffectiveCost": 3},
    {"ResourceId": "r-inh", "SubAccountId": "999", "Tags": {}, "EffectiveCost": 4},
]
# February: r-alias was fixed, the rest is unchanged.
FEBRUARY = [
    {**row, "BillingPeriodStart": "2026-02-01"}
    | ({"Tags": {"team": "payments"}} if row["ResourceId"] == "r-alias" else {})
    for row in JANUARY
]


def _load(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], policy: TagPolicy | None
) -> None:
    make_focus_table(con, rows)
    sql, params = with_tag_columns("select * from focus_costs", policy)
    con.execute(f"create table tmp_tagged as {sql}", params)
    con.execute("drop table focus_costs")
    con.execute("alter table tmp_tagged rename to focus_costs")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    _load(connection, JANUARY + FEBRUARY, POLICY)
    build_tag_marts(connection, None, POLICY)
    yield connection
    connection.close()


def _violations(
    con: duckdb.DuckDBPyConnection, month: date = JAN
) -> dict[tuple[str, str, str], dict]:
    cursor = con.execute("select * from tag_violations where billing_month = ?", [month])
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    found = {(r["resource_key"], r["tag_key"], r["violation"]): r for r in rows}
    assert len(found) == len(rows), "one row per resource, key and violation"
    return found


def test_each_violation_kind(con: duckdb.DuckDBPyConnection) -> None:
    found = _violations(con)
    fee = "no-resource:AWS|111|Some Fee|F1"
    assert set(found) == {
        ("r-alias", "team", "alias_used"),
        ("r-aws", "team", "alias_used"),
        ("r-missing", "team", "missing_key"),
        ("r-empty", "team", "empty_value"),
        (fee, "team", "missing_key"),
        ("r-env", "env", "disallowed_value"),
        ("r-dup", "team", "alias_used"),
        ("r-bad", "team", "disallowed_value"),
        ("r-inh", "team", "missing_key"),
        ("r-inh", "env", "missing_key"),
    }
    assert found[("r-alias", "team", "alias_used")]["fix"] == (
        "rename tag key 'Team' to 'team'; change value 'PAYMENTS' to 'payments' on r-alias"
    )
    # AWS writes the resource's tag `Owner-Team` as `user:Owner-Team`: the fix names the former
    aws = found[("r-aws", "team", "alias_used")]
    assert (aws["raw_key"], aws["raw_value"]) == ("user:Owner-Team", "payment")
    assert (
        aws["fix"]
        == "rename tag key 'Owner-Team' to 'team'; change value 'payment' to 'payments' on r-aws"
    )
    assert (
        found[("r-dup", "team", "alias_used")]["fix"]
        == "rename tag key 'owner-team' to 'team' on r-dup"
    )
    assert (
        found[("r-missing", "team", "missing_key")]["fix"]
        == f"set tag team to {TEAMS} on r-missing"
    )
    assert found[("r-empty", "team", "empty_value")]["raw_key"] == "team"
    assert found[(fee, "team", "missing_key")]["fix"].startswith(
        "charges without a resource cannot carry tags: add an exemption or a virtual tag for Some Fee"
    )
    bad = found[("r-bad", "team", "disallowed_value")]
    assert bad["expected"] == TEAMS
    assert bad["fix"] == (
        f"change tag team value 'growth' to {TEAMS} on r-bad, or map it in "
        "tag_policy.keys.team.values.aliases"
    )
    assert found[("r-inh", "team", "missing_key")]["fix"] == (
        f"set tag team to {TEAMS} on r-inh (meanwhile the inherited default 'search' applies)"
    )


def test_required_flags_follow_the_policy_and_its_scopes(con: duckdb.DuckDBPyConnection) -> None:
    found = _violations(con)
    assert found[("r-env", "env", "disallowed_value")]["is_required"] is False
    assert found[("r-inh", "env", "missing_key")]["is_required"] is True  # scoped to account 999
    assert all(v["is_required"] for k, v in found.items() if k[1] == "team")


def test_costs_are_summed_per_resource_once(con: duckdb.DuckDBPyConnection) -> None:
    found = _violations(con)
    missing = found[("r-missing", "team", "missing_key")]
    assert (missing["billed_cost"], missing["effective_cost"]) == (Decimal(20), Decimal(20))
    assert found[("r-dup", "team", "alias_used")]["effective_cost"] == Decimal(8)
    assert missing["billing_currency"] == "USD"


def test_exempt_charges_never_violate(con: duckdb.DuckDBPyConnection) -> None:
    assert not [k for k in _violations(con) if "|Amazon EC2|" in k[0]]


def _compliance(con: duckdb.DuckDBPyConnection, month: date) -> dict[str, dict]:
    cursor = con.execute(
        "select * from tag_compliance where billing_month = ? and sub_account_id = '111'", [month]
    )
    names = [d[0] for d in cursor.description or []]
    return {
        row[names.index("team")]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()
    }


def test_compliance_shares(con: duckdb.DuckDBPyConnection) -> None:
    january = _compliance(con, JAN)
    assert set(january) == {"payments", "search", "growth", "unallocated"}
    payments = january["payments"]
    assert payments["total_effective_cost"] == Decimal(100)
    assert payments["compliant_effective_cost"] == Decimal(10)
    assert payments["share_cost_compliant"] == pytest.approx(0.1)
    assert (payments["resources"], payments["compliant_resources"]) == (3, 1)
    # the exempt tax line is compliant; the untagged fee and r-missing, r-empty are not
    unallocated = january["unallocated"]
    assert unallocated["total_effective_cost"] == Decimal(40)
    assert unallocated["share_cost_compliant"] == pytest.approx(7 / 40)
    assert (unallocated["resources"], unallocated["compliant_resources"]) == (4, 1)
    # a disallowed env does not count: env is not required in this account
    assert january["search"]["share_cost_compliant"] == pytest.approx(12 / 20)
    assert january["growth"]["share_resources_compliant"] == 0
    assert january["payments"]["share_cost_compliant_prev_month"] is None
    assert january["payments"]["change_pts"] is None


def test_compliance_trend(con: duckdb.DuckDBPyConnection) -> None:
    february = _compliance(con, FEB)["payments"]
    assert february["share_cost_compliant"] == pytest.approx(0.4)
    assert february["share_cost_compliant_prev_month"] == pytest.approx(0.1)
    assert february["change_pts"] == pytest.approx(30.0)
    assert _compliance(con, FEB)["search"]["change_pts"] == pytest.approx(0.0)


def test_one_month_rebuild_replaces_it_and_refreshes_the_next_trend(
    con: duckdb.DuckDBPyConnection,
) -> None:
    before = con.execute(
        "select count(*) from tag_violations where billing_month = ?", [FEB]
    ).fetchone()
    # r-aws gets fixed in January after the fact
    con.execute(
        'update focus_costs set Tags = \'{"team": "payments"}\', '
        "x_Tags = map {'team': 'payments'}, x_TagSource = 'tag' "
        "where ResourceId = 'r-aws' and BillingPeriodStart = '2026-01-01'"
    )
    written = build_tag_marts(con, JAN, POLICY)
    assert written["tag_violations"] == len(_violations(con))
    assert ("r-aws", "team", "alias_used") not in _violations(con)
    assert (
        con.execute("select count(*) from tag_violations where billing_month = ?", [FEB]).fetchone()
        == before
    )
    assert _compliance(con, JAN)["payments"]["share_cost_compliant"] == pytest.approx(0.7)
    february = _compliance(con, FEB)["payments"]
    assert february["share_cost_compliant_prev_month"] == pytest.approx(0.7)
    assert february["change_pts"] == pytest.approx(-30.0)
    build_tag_marts(con, FEB, POLICY)  # a rebuild of February keeps the trend from January
    assert _compliance(con, FEB)["payments"]["change_pts"] == pytest.approx(-30.0)


def test_scoped_requirements_need_the_policy(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="required by a match: pass the policy"):
        build_tag_marts(con, JAN)


def test_without_a_policy_nothing_is_violated() -> None:
    connection = duckdb.connect()
    _load(connection, JANUARY, None)
    load_policy_tables(connection, None)
    written = build_tag_marts(connection, JAN)
    assert written["tag_violations"] == 0
    shares = connection.execute("select min(share_cost_compliant) from tag_compliance").fetchone()
    assert shares == (1.0,)


def test_an_outdated_table_is_rebuilt_whole(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create or replace table tag_violations (billing_month date, note varchar)")
    written = build_tag_marts(con, FEB, POLICY)
    months = con.execute("select distinct billing_month from tag_violations order by 1").fetchall()
    assert months == [(JAN,), (FEB,)]
    assert written["tag_violations"] == len(_violations(con, JAN)) + len(_violations(con, FEB))
