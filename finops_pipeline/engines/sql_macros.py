"""sql/macros.sql's macros written out in place, for an engine that has no DuckDB macros.

DuckDB runs the models with the macros `warehouse.connect` creates. Spark has no SQL macros
(its SQL functions are registered from code), so before a model is translated each call of a
macro of sql/macros.sql is replaced by the macro's body with the call's arguments put in for
its parameters, recursively (a macro may call another), in parentheses (precedence stays).
The macro file stays the one definition; nothing is copied per engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

from finops_pipeline.warehouse import read_sql

_MACRO = re.compile(
    r"^\s*create\s+or\s+replace\s+macro\s+(\w+)\s*\(([^)]*)\)\s+as\s+(.+)$", re.S | re.I
)


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression


@cache
def macros() -> dict[str, Macro]:
    """sql/macros.sql's macros by lower-case name (read once)."""
    return parse_macros(read_sql("macros.sql"))


def parse_macros(text: str) -> dict[str, Macro]:
    """The `create or replace macro name(params) as expression;` statements of `text`."""
    found: dict[str, Macro] = {}
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    for statement in code.split(";"):
        match = _MACRO.match(statement)
        if match is None:
            if statement.strip():
                raise ValueError(f"not a macro definition: {statement.strip()[:80]}")
            continue
        name, params, body = match.groups()
        found[name.lower()] = Macro(
            name.lower(),
            tuple(p.strip().lower() for p in params.split(",") if p.strip()),
            sqlglot.parse_one(body, read="duckdb"),
        )
    return found


def inline_macros(
    statement: exp.Expression, known: dict[str, Macro] | None = None
) -> exp.Expression:
    """`statement` with every call of a known macro replaced by its body."""
    known = macros() if known is None else known

    def expand(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Anonymous) or node.name.lower() not in known:
            return node
        macro = known[node.name.lower()]
        if len(node.expressions) != len(macro.params):
            raise ValueError(
                f"{macro.name} takes {len(macro.params)} arguments, got {len(node.expressions)}"
            )
        arguments = dict(zip(macro.params, node.expressions, strict=True))

        def substitute(inner: exp.Expression) -> exp.Expression:
            if (
                isinstance(inner, exp.Column)
                and not inner.table
                and inner.name.lower() in arguments
            ):
                return arguments[inner.name.lower()].copy()
            return inner

        body = macro.body.copy().transform(substitute)
        return exp.Paren(this=inline_macros(body, known))

    return statement.transform(expand)
