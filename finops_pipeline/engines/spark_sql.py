"""A model of sql/ (DuckDB's dialect) as Spark SQL: sqlglot plus the rewrites it lacks.

The SQL stays written once. sqlglot translates most of it; what it passes through unchanged
or with another meaning is rewritten here, each rewrite keeping DuckDB's result:

- `/` divides in DOUBLE (DuckDB divides decimals and integers in DOUBLE; Spark would divide
  decimals in decimal and round to 6 places).
- `UNION [ALL] BY NAME`: Spark SQL has none. Each branch's columns are asked of Spark
  (`schema_of`, analysis only, nothing runs) and the union is written out by position, with
  a typed NULL for a column a branch lacks, in DuckDB's order (the first branch's columns,
  then each new one where it first appears).
- `json_object(k, v, ...)` becomes `to_json(named_struct(k, v, ...))` (nested objects stay
  structs inside the outer one); `cast(x as json)` keeps the text (Spark has no JSON type).
- `list_bool_or(list_transform(l, lambda))` becomes `exists(l, lambda)`.

Anything else sqlglot cannot write for Spark raises UnsupportedError naming the model, and
the portability lint (portability.py, `SPARK_HANDLED`) flags the constructs neither handles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlglot
from sqlglot import exp

# The lint's constructs this module rewrites (see portability.py).
SPARK_HANDLED = frozenset({"UNION ... BY NAME", "json_object()"})

# (name, Spark type) of each column of a Spark SQL query, in order.
SchemaOf = Callable[[str], Sequence[tuple[str, str]]]


def to_spark(sql: str, schema_of: SchemaOf | None = None) -> str:
    """`sql` (one DuckDB statement) as Spark SQL. `schema_of` answers the column names and
    types of a Spark query; it is needed only when `sql` has a UNION BY NAME."""
    statement = sqlglot.parse_one(sql, read="duckdb")
    statement = statement.transform(_rewrite)
    if any(isinstance(node, exp.Union) and node.args.get("by_name") for node in statement.walk()):
        if schema_of is None:
            raise ValueError("UNION BY NAME needs schema_of to learn each branch's columns")
        statement = _expand_by_name(statement, schema_of)
    return statement.sql("spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Div) and not _is_double(node.this):
        node = node.copy()
        node.set("this", exp.cast(node.this, exp.DataType.Type.DOUBLE))
        return node
    if isinstance(node, exp.JSONObject):  # pre-order: the outermost object comes first
        return exp.Anonymous(this="to_json", expressions=[_named_struct(node)])
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.JSON):
        inner = node.this
        if isinstance(inner, exp.Anonymous) and inner.name.lower() == "to_json":
            return inner
        return exp.cast(inner, exp.DataType.Type.TEXT)
    if (
        isinstance(node, exp.Anonymous)
        and node.name.lower() == "list_bool_or"
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.Transform)
    ):
        transform = node.expressions[0]
        return exp.Anonymous(this="exists", expressions=[transform.this, transform.expression])
    return node


def _is_double(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(
        exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT
    )


def _named_struct(node: exp.JSONObject) -> exp.Expression:
    args: list[exp.Expression] = []
    for pair in node.expressions:
        if not isinstance(pair, exp.JSONKeyValue):
            raise sqlglot.errors.UnsupportedError(f"json_object argument {pair.sql('duckdb')}")
        value = pair.expression.transform(
            lambda n: _named_struct(n) if isinstance(n, exp.JSONObject) else n
        )
        args += [pair.this, value]
    return exp.Anonymous(this="named_struct", expressions=args)


def _expand_by_name(statement: exp.Expression, schema_of: SchemaOf) -> exp.Expression:
    """Write each UNION BY NAME out by position, CTE by CTE, asking Spark each branch's
    columns with the CTEs before it in scope."""
    with_ = statement.args.get("with_")
    ctes: list[exp.CTE] = list(with_.expressions) if with_ else []
    for index, cte in enumerate(ctes):
        cte.set("this", _expand_query(cte.this, ctes[:index], schema_of))
    body = statement.copy()
    body.set("with_", None)
    expanded = _expand_query(body, ctes, schema_of)
    if ctes:
        expanded.set("with_", exp.With(expressions=ctes))
    return expanded


def _expand_query(query: exp.Expression, scope: list[exp.CTE], schema_of: SchemaOf):
    unions = [n for n in query.walk() if isinstance(n, exp.Union) and n.args.get("by_name")]
    if not unions:
        return query
    top = unions[0]  # walk() is pre-order: the first is the outermost of its chain
    branches = _branches(top)
    columns = [_columns(branch, scope, schema_of) for branch in branches]
    order: list[str] = []
    types: dict[str, str] = {}
    for branch_columns in columns:
        for name, kind in branch_columns:
            if name.lower() not in types:
                order.append(name)
                types[name.lower()] = kind
    selects = []
    for index, (branch, branch_columns) in enumerate(zip(branches, columns, strict=True)):
        present = {name.lower() for name, _ in branch_columns}
        items = [
            exp.column(name, quoted=True)
            if name.lower() in present
            else exp.alias_(
                exp.cast(exp.null(), types[name.lower()], dialect="spark"), name, quoted=True
            )
            for name in order
        ]
        selects.append(
            exp.select(*items).from_(
                exp.Subquery(
                    this=branch,
                    alias=exp.TableAlias(this=exp.to_identifier(f"tmp_by_name_{index}")),
                )
            )
        )
    positional = selects[0]
    for select in selects[1:]:
        positional = exp.union(positional, select, distinct=bool(top.args.get("distinct")))
    if top is query:
        return _expand_query(positional, scope, schema_of)
    top.replace(positional)
    return _expand_query(query, scope, schema_of)


def _branches(union: exp.Union) -> list[exp.Expression]:
    """The branches of a left-deep chain of BY NAME unions, in order."""
    left = union.this
    if isinstance(left, exp.Union) and left.args.get("by_name"):
        return [*_branches(left), union.expression]
    return [left, union.expression]


def _columns(
    branch: exp.Expression, scope: list[exp.CTE], schema_of: SchemaOf
) -> Sequence[tuple[str, str]]:
    probe = exp.select("*").from_(
        exp.Subquery(this=branch.copy(), alias=exp.TableAlias(this=exp.to_identifier("tmp_probe")))
    )
    if scope:
        probe.set("with_", exp.With(expressions=[cte.copy() for cte in scope]))
    return schema_of(probe.sql("spark"))
