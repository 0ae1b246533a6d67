"""The portability lint: what in sql/ would not run the same on Spark.

The models are written once, in DuckDB's dialect, and transpiled by sqlglot for Spark. Some
DuckDB constructs sqlglot passes through unchanged (Spark then fails, or worse, runs
something else), and decimal arithmetic follows each engine's own rules. This lint names
each such construct by file and line so a model stays portable when it is written, not when
a Spark user first runs it. tests/unit/test_portability_lint.py runs it over sql/.

Money: DuckDB computes decimal(38,12) x decimal(38,12) as decimal(38,24) and `/` in DOUBLE;
Spark by default rounds the product to decimal(38,6) and divides in decimal. The Spark
session keeps the product's scale (spark_session.REQUIRED_CONF) and the transpiler divides
in DOUBLE as DuckDB does, but a stored money value must still say its type: a `*` or `/` on
a money column is guarded when it sits inside a cast (to a decimal, or to double for a ratio
or an intermediate in floating point), has an operand cast to double (the computation is
explicitly floating point), or is only compared. Money columns are recognised by name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Token, TokenType

# Folders whose SQL runs on DuckDB only, whatever the engine: they read the warehouse (on
# Spark: DuckDB views over the lake) or talk to another system. Spark builds the rest.
DUCKDB_ONLY = {
    "report": "the report's queries read the tables through DuckDB (views over the lake)",
    "checks": "asset checks query the built tables through DuckDB (views over the lake)",
    "alerts": "the alert log lives in the DuckDB warehouse",
    "rates": "exchange-rate files are imported into the DuckDB warehouse",
    "connectors": "BigQuery's dialect and connector state, not a model",
}

# Function calls sqlglot passes through to Spark unchanged or with other meaning.
FUNCTIONS = {
    "len": "len() is string length on Spark; use array_length() for a list, length() for text",
    "list_aggregate": "no Spark equivalent; use a list function or an aggregate",
    "array_aggregate": "no Spark equivalent; use a list function or an aggregate",
    "list_aggr": "no Spark equivalent; use a list function or an aggregate",
    "aggregate": "DuckDB's list aggregate is Spark's fold; use a list function or an aggregate",
    "quantile_cont": "the argument count differs on Spark; use percentile_cont ... within group",
    "json_object": "Spark has no json_object; use to_json() of a struct",
}
TABLE_FUNCTIONS = {
    "generate_series": "a table function only in DuckDB; unnest(generate_series(...)) or "
    "a calendar table",
    "range": "a table function only in DuckDB; unnest(range(...)) or a calendar table",
}
# any_value() returns whichever row each engine (and each run) meets first: over a column the
# query does not group by, Spark's rows then differ from DuckDB's (issue 15 found seven such).
# Allowed where the value is one per group by construction: a one-row `params` CTE's column,
# or a line (or one of the two above it) that says why in a comment with this marker.
ANY_VALUE_MARKER = "one value per group"
ANY_VALUE_ADVICE = (
    "picks per engine and run where a group holds several values: use min() / arg_min(), "
    f"or say why there is one in a `-- {ANY_VALUE_MARKER}: ...` comment on the line or the "
    "two above"
)
MONEY = re.compile(r"cost|price|amount|saving|spend|budget|charge|fee", re.IGNORECASE)
NOT_MONEY = re.compile(r"ratio|share|pct|percent|count|quantity|units?$", re.IGNORECASE)
# Nodes a money product may pass through on its way to a guarding cast.
_THROUGH = (
    exp.Paren,
    exp.Round,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Abs,
    exp.Coalesce,
    exp.Case,
    exp.If,
    exp.Sum,
    exp.Min,
    exp.Max,
    exp.AnyValue,
    exp.Least,
    exp.Greatest,
    exp.Nullif,
    exp.Window,
)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


@dataclass(frozen=True)
class Finding:
    """One construct at one place: `path:line: construct: what to do`."""

    path: str
    line: int
    construct: str
    advice: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.construct}: {self.advice}"


def lint_folder(sql_dir: Path) -> list[Finding]:
    """Every finding in the models Spark builds (all of `sql_dir` but DUCKDB_ONLY)."""
    findings: list[Finding] = []
    for path in sorted(sql_dir.rglob("*.sql")):
        relative = path.relative_to(sql_dir)
        if relative.parts[0] in DUCKDB_ONLY:
            continue
        findings += lint_sql(path.read_text(), str(relative))
    return findings


def lint_sql(sql: str, path: str = "<sql>") -> list[Finding]:
    """The findings in one file's text, in line order."""
    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    # Lines from character offsets: sqlglot's own line count drifts after block comments.
    starts = [0] + [i + 1 for i, char in enumerate(sql) if char == "\n"]

    def line_of(offset: int) -> int:
        return bisect_right(starts, offset)

    lines = sql.splitlines()
    found = list(_token_findings(tokens, path, line_of))
    found += _any_value_findings(tokens, lines, path, line_of)
    for statement in sqlglot.parse(sql, read="duckdb"):
        if statement is not None:
            found += _money_findings(statement, path, line_of)
    return sorted(set(found), key=lambda f: (f.line, f.construct))


def _token_findings(
    tokens: list[Token], path: str, line_of: Callable[[int], int]
) -> Iterator[Finding]:
    def text(i: int) -> str:
        return tokens[i].text.lower() if 0 <= i < len(tokens) else ""

    def kind(i: int) -> TokenType | None:
        return tokens[i].token_type if 0 <= i < len(tokens) else None

    for i, token in enumerate(tokens):
        word = token.text.lower()
        line = line_of(token.start)
        if token.token_type == TokenType.MAP and kind(i + 1) == TokenType.L_BRACE:
            yield Finding(path, line, "MAP {...} literal", "use map([keys], [values])")
        elif token.token_type in (TokenType.PIVOT, TokenType.UNPIVOT):
            yield Finding(path, line, word.upper(), "write the aggregation with FILTER per column")
        elif word == "asof":
            yield Finding(path, line, "ASOF JOIN", "use a window (max_by / last value) join")
        elif token.token_type == TokenType.UNION:
            j = i + 1 + (text(i + 1) in ("all", "distinct"))
            if text(j) == "by" and text(j + 1) == "name":
                yield Finding(
                    path,
                    line,
                    "UNION ... BY NAME",
                    "Spark SQL has no by-name union: select the same columns in the same "
                    "order and use union all",
                )
        elif token.token_type == TokenType.INSERT and text(i + 1) == "or":
            yield Finding(
                path,
                line,
                f"INSERT OR {text(i + 2).upper()}",
                "the runner replaces partitions: build_runner.build_partition",
            )
        elif (
            token.token_type in (TokenType.ARROW, TokenType.DARROW)
            and kind(i + 1) == TokenType.STRING
            and "." in tokens[i + 1].text
            and not tokens[i + 1].text.startswith(("$", "/"))
        ):
            yield Finding(
                path,
                line,
                f"bare dotted JSON key after {token.text}",
                "DuckDB reads the key whole, sqlglot (and Spark) as a path: write "
                f"'$.\"{tokens[i + 1].text}\"'",
            )
        elif kind(i + 1) == TokenType.L_PAREN and word in FUNCTIONS:
            yield Finding(path, line, f"{word}()", FUNCTIONS[word])
        elif (
            kind(i + 1) == TokenType.L_PAREN
            and word in TABLE_FUNCTIONS
            and kind(i - 1) in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA)
            and (kind(i - 1) != TokenType.COMMA or _in_from(tokens, i))
        ):
            yield Finding(path, line, f"{word}() as a table", TABLE_FUNCTIONS[word])


def _any_value_findings(
    tokens: list[Token], lines: list[str], path: str, line_of: Callable[[int], int]
) -> Iterator[Finding]:
    for i, token in enumerate(tokens):
        if token.text.lower() != "any_value" or i + 1 >= len(tokens):
            continue
        if tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        argument = [t.text.lower() for t in tokens[i + 2 : i + 5]]
        if argument[:2] == ["params", "."] and tokens[i + 5].token_type == TokenType.R_PAREN:
            continue  # a column of the one-row parameters CTE
        line = line_of(token.start)
        said = " ".join(lines[max(line - 3, 0) : line]).lower()
        if ANY_VALUE_MARKER in said:
            continue
        yield Finding(path, line, "any_value()", ANY_VALUE_ADVICE)


def _in_from(tokens: list[Token], index: int) -> bool:
    """Whether the comma before `index` separates FROM items (not select-list items)."""
    depth = 0
    for token in reversed(tokens[:index]):
        if token.token_type == TokenType.R_PAREN:
            depth += 1
        elif token.token_type == TokenType.L_PAREN:
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and token.token_type in (TokenType.FROM, TokenType.JOIN):
            return True
        elif depth == 0 and token.token_type in (TokenType.SELECT, TokenType.WHERE):
            return False
    return False


def _money_findings(
    statement: exp.Expression, path: str, line_of: Callable[[int], int]
) -> Iterator[Finding]:
    for node in statement.find_all(exp.Mul, exp.Div):
        money = [c for c in node.find_all(exp.Column) if _is_money(c.name)]
        if not money or _explicit_double(node) or _guarded(node):
            continue
        line = line_of(money[0].this.meta.get("start", 0)) if money[0].this else 0
        op = "*" if isinstance(node, exp.Mul) else "/"
        yield Finding(
            path,
            line,
            f"unguarded money {op}",
            f"`{node.sql('duckdb')[:60]}`: cast the result (decimal(38, 12) for money, "
            "double for a ratio) so both engines store the same type",
        )


def _is_money(name: str) -> bool:
    return bool(MONEY.search(name)) and not NOT_MONEY.search(name)


def _is_cast_to(node: exp.Expression, *types: exp.DataType.Type) -> bool:
    return isinstance(node, exp.Cast | exp.TryCast) and node.to.is_type(*types)


def _explicit_double(node: exp.Expression) -> bool:
    """An operand cast to double: the arithmetic is floating point on purpose."""
    double = (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)
    return any(
        _is_cast_to(side, *double) or any(_is_cast_to(c, *double) for c in side.find_all(exp.Cast))
        for side in (node.left, node.right)
    )


def _guarded(node: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Cast | exp.TryCast):
            return True
        if isinstance(parent, _COMPARISONS):
            return True
        if not isinstance(parent, _THROUGH):
            return False
        parent = parent.parent
    return False
