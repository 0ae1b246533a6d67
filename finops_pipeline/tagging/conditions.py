"""Structured conditions on `focus_costs` rows, shared by the tag policy and allocation rules.

Rules in `finops.yaml` choose rows (which charges a virtual tag applies to, which charges form a
shared-cost pool) with data, not SQL text: a `Match` of `Condition`s over FOCUS column names.
`compile_match` turns one into a DuckDB boolean expression with `?` placeholders, so a value
from a config file is always bound and never becomes SQL, and a typo in a column name fails
when the config is loaded rather than when the month is built.

Semantics: a NULL column matches only `is_null: true` and `not_in` (NULL is in no list).
`tag:<key>` is the normalised value of tag `<key>` (`x_Tags['<key>']`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finops_pipeline.warehouse import quote_identifier, read_sql

TAG_PREFIX = "tag:"
# Columns the tag normalisation adds to focus_costs (finops_pipeline/tagging/normalise.py).
TAG_COLUMNS: dict[str, str] = {
    "x_Tags": "MAP(VARCHAR, VARCHAR)",
    "x_Team": "VARCHAR",
    "x_TagSource": "VARCHAR",
    "x_TagExempt": "BOOLEAN",
}
OPERATORS = ("equals", "in_", "not_in", "like", "regex", "is_null")
Scalar = str | int | float | bool
# Turns a tag key into (SQL expression, params) for its normalised value.
TagSql = Callable[[str], tuple[str, list[Any]]]

_CAST_LINE = re.compile(r"cast\((?:.|\n)*?\s+as\s+([a-z]+(?:\(\d+,\s*\d+\))?)\)\s+as\s+(\w+)", re.I)


@lru_cache(maxsize=1)
def focus_column_types() -> dict[str, str]:
    """FOCUS column -> DuckDB type, read from the final select of sql/core/focus_costs.sql.

    The SQL file is the one definition of the table, so a new column there is usable in
    conditions without touching this module; the tag columns are added on top.
    """
    text = read_sql("core/focus_costs.sql")
    final = text[text.rindex("final as (") :]
    types = {name: kind.upper() for kind, name in _CAST_LINE.findall(final)}
    return {**types, **TAG_COLUMNS}


def _canonical_column(name: str) -> str:
    if name.startswith(TAG_PREFIX):
        if not name[len(TAG_PREFIX) :].strip():
            raise ValueError(f"{name!r}: give the tag key after 'tag:', e.g. 'tag:team'")
        return name
    columns = focus_column_types()
    if name in columns:
        return name
    by_lower = {c.lower(): c for c in columns}
    if name.lower() in by_lower:  # DuckDB identifiers are case-insensitive anyway
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name, list(columns), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"unknown column {name!r}{hint}; use 'tag:<key>' or one of the focus_costs columns: "
        + ", ".join(columns)
    )


def column_type(column: str) -> str:
    return "VARCHAR" if column.startswith(TAG_PREFIX) else focus_column_types()[column]


def _is_text(column: str) -> bool:
    return column_type(column) in ("VARCHAR", "JSON")


def optional_regex(value: str | None) -> str | None:
    """The field validator of every optional pattern setting: one that is set must run
    (`check_regex`); unset passes."""
    if value is not None:
        check_regex(value)
    return value


class Condition(BaseModel):
    """One test on one column; exactly one operator is set."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    like: str | None = None
    regex: str | None = None
    is_null: bool | None = None

    @field_validator("column")
    @classmethod
    def _known_column(cls, value: str) -> str:
        return _canonical_column(value)

    _valid_regex = field_validator("regex")(optional_regex)

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [op for op in OPERATORS if getattr(self, op) is not None]
        names = ", ".join(op.rstrip("_") for op in OPERATORS)
        if len(given) != 1:
            found = ", ".join(op.rstrip("_") for op in given) or "none"
            raise ValueError(f"give exactly one of {names} (found: {found})")
        values = self.in_ or self.not_in or ([self.equals] if self.equals is not None else [])
        if _is_text(self.column) and any(not isinstance(v, str) for v in values):
            raise ValueError(
                f"{self.column} is text: quote the value in YAML (e.g. '012345678901') so it "
                "is compared as written, leading zeros included"
            )
        if (self.in_ is not None and not self.in_) or (self.not_in is not None and not self.not_in):
            raise ValueError("the list of values is empty")
        return self

    @property
    def operator(self) -> str:
        return next(op.rstrip("_") for op in OPERATORS if getattr(self, op) is not None)


class Match(BaseModel):
    """Rows where every `all` condition holds and, if `any` is given, at least one of `any`."""

    model_config = ConfigDict(extra="forbid")

    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        if not self.all and not self.any:
            raise ValueError("a match needs at least one condition under 'all' or 'any'")
        return self

    def conditions(self) -> list[Condition]:
        return [*self.all, *self.any]

    def tag_keys(self) -> set[str]:
        return {
            c.column[len(TAG_PREFIX) :] for c in self.conditions() if c.column.startswith("tag:")
        }


def check_regex(pattern: str) -> None:
    """Fail now, with the engine's message, on a pattern DuckDB's RE2 cannot run."""
    import duckdb

    try:
        with duckdb.connect() as con:
            con.execute("select regexp_matches('', ?)", [pattern])
    except duckdb.Error as exc:
        message = str(exc).split("\n")[0]
        raise ValueError(f"{pattern!r} is not a valid (RE2) regular expression: {message}") from exc


def default_tag_sql(qualifier: str | None = None) -> TagSql:
    """`tag:<key>` over a table that already has x_Tags (focus_costs after normalisation)."""
    column = _qualified("x_Tags", qualifier)

    def tag_sql(key: str) -> tuple[str, list[Any]]:
        # DuckDB's own name for `m[k]`: on Spark `[..]` reads a list (engines/spark_sql.py)
        return f"map_extract_value({column}, ?)", [key]

    return tag_sql


def compile_condition(
    condition: Condition, *, qualifier: str | None = None, tag_sql: TagSql | None = None
) -> tuple[str, list[Any]]:
    """A boolean DuckDB expression (never NULL) and its bound parameters."""
    if condition.column.startswith(TAG_PREFIX):
        expr, params = (tag_sql or default_tag_sql(qualifier))(condition.column[len(TAG_PREFIX) :])
    else:
        expr, params = _qualified(condition.column, qualifier), []
    kind = column_type(condition.column)
    text = f"cast({expr} as varchar)" if kind == "JSON" else expr
    mark = "?" if _is_text(condition.column) else f"cast(? as {kind})"
    if condition.is_null is not None:
        return f"({expr} is {'' if condition.is_null else 'not '}null)", params
    if condition.equals is not None:
        return f"coalesce({text} = {mark}, false)", [*params, condition.equals]
    if condition.in_ is not None or condition.not_in is not None:
        values: Sequence[Scalar] = condition.in_ or condition.not_in or []
        marks = ", ".join(mark for _ in values)
        if condition.in_ is not None:
            return f"coalesce({text} in ({marks}), false)", [*params, *values]
        return f"coalesce({text} not in ({marks}), true)", [*params, *values]
    as_text = text if _is_text(condition.column) else f"cast({expr} as varchar)"
    if condition.like is not None:
        return f"coalesce({as_text} like ?, false)", [*params, condition.like]
    return f"coalesce(regexp_matches({as_text}, ?), false)", [*params, condition.regex]


def compile_match(
    match: Match | None, *, qualifier: str | None = None, tag_sql: TagSql | None = None
) -> tuple[str, list[Any]]:
    """`match` as one DuckDB boolean expression over focus_costs columns, plus its params.

    `qualifier` prefixes column names (e.g. "f" for `f."ServiceName"`); `tag_sql` says how to
    read a normalised tag (default: `x_Tags[key]`). No match means every row.
    """
    if match is None:
        return "true", []
    parts: list[str] = []
    params: list[Any] = []

    def joined(conditions: list[Condition], glue: str) -> str:
        pieces = []
        for condition in conditions:
            sql, bound = compile_condition(condition, qualifier=qualifier, tag_sql=tag_sql)
            pieces.append(sql)
            params.extend(bound)
        return "(" + f" {glue} ".join(pieces) + ")"

    if match.all:
        parts.append(joined(match.all, "and"))
    if match.any:
        parts.append(joined(match.any, "or"))
    return "(" + " and ".join(parts) + ")", params


def _qualified(column: str, qualifier: str | None) -> str:
    quoted = quote_identifier(column)
    return f"{quote_identifier(qualifier)}.{quoted}" if qualifier else quoted
