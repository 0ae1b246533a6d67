"""The portability lint over sql/: every model Spark builds runs the same there (issue 15)."""

from __future__ import annotations

import pytest

from finops_pipeline.engines.portability import DUCKDB_ONLY, lint_folder, lint_sql
from finops_pipeline.engines.spark_sql import SPARK_HANDLED
from finops_pipeline.warehouse import SQL_DIR


def test_models_are_portable_to_spark() -> None:
    """Fails naming file and line of each construct neither sqlglot nor the Spark rewrites
    (engines/spark_sql.py) carry over, and of each money product whose type is left to
    each engine's decimal rules."""
    findings = [f for f in lint_folder(SQL_DIR) if f.construct not in SPARK_HANDLED]
    assert not findings, "not portable to Spark:\n" + "\n".join(map(str, findings))


def test_duckdb_only_folders_exist() -> None:
    """A renamed folder must not slip out of the lint by leaving a stale exemption."""
    assert all((SQL_DIR / name).is_dir() for name in DUCKDB_ONLY)


@pytest.mark.parametrize(
    ("sql", "construct", "line"),
    [
        ("select\n  map {'a': 1} as m", "MAP {...} literal", 2),
        ("select len(tags) from t", "len()", 1),
        ("select list_aggregate(l, 'sum') from t", "list_aggregate()", 1),
        ("select *\nfrom generate_series(1, 3)", "generate_series() as a table", 2),
        ("select * from t, range(3)", "range() as a table", 1),
        ("select quantile_cont(x, 0.5) from t", "quantile_cont()", 1),
        ("select * from t pivot (sum(x) for k in ('a'))", "PIVOT", 1),
        ("select * from t asof join u on t.a >= u.a", "ASOF JOIN", 1),
        ("select 1 as a\nunion all by name\nselect 2 as a", "UNION ... BY NAME", 2),
        ("insert or replace into t select 1", "INSERT OR REPLACE", 1),
        ("select json_object('a', 1)", "json_object()", 1),
        (
            "select\n  labels ->> 'compute.googleapis.com/spec' from t",
            "bare dotted JSON key after ->>",
            2,
        ),
        ("select labels -> 'a.b' from t", "bare dotted JSON key after ->", 1),
        ("select\n\n  cost * rate as x from t", "unguarded money *", 3),
        ("select price / quantity as unit from t", "unguarded money /", 1),
        ("select k,\n  any_value(v) as v from t group by k", "any_value()", 2),
        ("select any_value(params.x) + any_value(y) from params, t", "any_value()", 1),
    ],
)
def test_each_construct_is_named_with_its_line(sql: str, construct: str, line: int) -> None:
    findings = lint_sql(sql, "model.sql")
    assert [(f.construct, f.line) for f in findings] == [(construct, line)]
    assert str(findings[0]).startswith(f"model.sql:{line}: {construct}: ")


@pytest.mark.parametrize(
    "sql",
    [
        "select cast(cost * rate as decimal(38, 12)) as x from t",
        "select cast(sum(cost) * any_value(params.share) as decimal(38, 12)) as x from t, params",
        "select cast(cost as double) / units as x from t",
        "select cast(cost * rate as double) / nullif(gb, 0) as x from t",
        "select * from t where budget * 0.8 < actual",
        "select x from t where x in (select unnest(range(3)))",
        "select unnest(range(days)) as d from t",
        "select length(name), array_length(tags) from t",
        "select labels ->> '$.\"compute.googleapis.com/spec\"', tags ->> 'team' from t",
        "select share * 100 as pct from t",
        "-- len(x) in a comment, 'json_object(' in a string\nselect 'len(' as t",
        "select any_value(params.savings) from t, params",
        "select k,\n  -- one value per group: v follows from k\n\n  any_value(v) from t group by k",
    ],
)
def test_portable_forms_pass(sql: str) -> None:
    assert lint_sql(sql) == []
