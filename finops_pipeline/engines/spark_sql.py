"""A model of sql/ (DuckDB's dialect) as Spark SQL: sqlglot plus the rewrites it lacks.

The SQL stays written once. sqlglot translates most of it; what it passes through unchanged
or with another meaning is rewritten here, each rewrite keeping DuckDB's result:

- `* REPLACE (e as c)` and `* EXCLUDE (c)`: Spark has neither; the star is written out as
  the columns Spark reports for the select's source, `e as c` in c's place, c left out.
- `/` divides in DOUBLE (DuckDB divides decimals and integers in DOUBLE; Spark would divide
  decimals in decimal and round to 6 places).
- `UNION [ALL] BY NAME`: Spark SQL has none. Each branch's columns are asked of Spark
  (`schema_of`, analysis only, nothing runs) and the union is written out by position, with
  a typed NULL for a column a branch lacks, in DuckDB's order (the first branch's columns,
  then each new one where it first appears).
- `json_object(k, v, ...)` becomes `to_json(named_struct(k, v, ...))` (nested objects stay
  structs inside the outer one); `cast(x as json)` keeps the text (Spark has no JSON type).
- `list_bool_or(list_transform(l, lambda))` becomes `exists(l, lambda)`.
- a list element `l[i]` (from 1, NULL out of range) becomes `get(l, i - 1)`; `[...]` is
  always read as a list element, so a map is read with `map_extract_value(m, k)` (DuckDB's
  own name for `m[k]`), which becomes `try_element_at(m, k)` (NULL for a missing key).
- `regexp_extract`'s options ('i') go into the pattern as `(?i)`; `json_valid(x)` becomes
  `try_parse_json(x) is not null` (NULL for a NULL x, as DuckDB answers).
- `to_months(n)` becomes `make_ym_interval(0, n)`; `regexp_full_match(x, p[, 'i'])` becomes
  `x rlike concat('(?i)^(?:', p, ')$')`.
- `json_merge_patch(a, b, ...)` of flat objects (the GCP label objects) becomes a merge of
  string maps in DuckDB's key order: the keys of the target the patch lacks, then the
  patch's keys in its own order (a JSON null in the patch removes the key), folded left.
- sql/macros.sql's macros are written out in place (sql_macros.py: Spark has no SQL macros),
  and `unnest(struct)` in a select list (DuckDB spreads a struct into columns) becomes one
  aliased column per field.
- `json_keys(o)` and `json_extract_string(o, '$.*')` (a flat object's keys and values, in
  document order) become `map_keys` / `map_values` of `from_json(o, 'map<string,string>')`,
  which keeps that order and gives a number or a nested value as its JSON text.
- Several `unnest(list)` in one select list (DuckDB zips them, padding the shorter with
  NULL; Spark allows one generator per select) become one `inline(arrays_zip(...)) AS (...)`.

Anything else sqlglot cannot write for Spark raises UnsupportedError naming the model, and
the portability lint (portability.py, `SPARK_HANDLED`) flags the constructs neither handles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlglot
from sqlglot import exp

from finops_pipeline.engines.sql_macros import inline_macros

# The lint's constructs this module rewrites (see portability.py).
SPARK_HANDLED = frozenset({"UNION ... BY NAME", "json_object()"})

# (name, Spark type) of each column of a Spark SQL query, in order.
SchemaOf = Callable[[str], Sequence[tuple[str, str]]]


def to_spark(sql: str, schema_of: SchemaOf | None = None) -> str:
    """`sql` (one DuckDB statement) as Spark SQL. `schema_of` answers the column names and
    types of a Spark query; it is needed only when `sql` has a UNION BY NAME or * REPLACE."""
    statement = inline_macros(sqlglot.parse_one(sql, read="duckdb"))
    statement = _rewrite_bottom_up(statement)
    for select in list(statement.find_all(exp.Select)):
        _spread_struct_unnest(select)
        _zip_list_unnests(select)
    if any(_needs_columns(node) for node in statement.walk()):
        if schema_of is None:
            raise ValueError(
                "UNION BY NAME and * REPLACE need schema_of to learn the columns they cover"
            )
        statement = _expand_by_name(statement, schema_of)
    return statement.sql("spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def _rewrite_bottom_up(tree: exp.Expression) -> exp.Expression:
    """`_rewrite` on every node, children before their parent: sqlglot's `transform` does not
    descend into a node it replaced, so `cast(... list_position(...) ... as json)` kept the
    inner call, and `a / (b / c)` its inner division, as DuckDB wrote them."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = _rewrite(node)
        if new is node:
            continue
        if node is tree:
            tree = new
        else:
            node.replace(new)
    return tree


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Div):
        if not _is_double(node.this):
            node.set("this", exp.cast(node.this, exp.DataType.Type.DOUBLE))
        return node
    if (
        isinstance(node, exp.Bracket)
        and len(node.expressions) == 1
        and not (isinstance(node.expressions[0], exp.Literal) and node.expressions[0].is_string)
    ):
        # a list element: DuckDB counts from 1 (-1 is the last) and answers NULL out of
        # range; Spark's [i] counts from 0 and fails out of range under ANSI. sqlglot has
        # already moved an integer literal to 0-based (1 -> 0, -1 -> -2), not an expression.
        (index,) = node.expressions
        literal = _int_literal(index)
        if literal is not None and literal < 0:
            from_end = exp.Literal.number(literal + 1)
            return exp.func("try_element_at", node.this.copy(), from_end)
        if literal is None:
            index = exp.Sub(this=exp.Paren(this=index.copy()), expression=exp.Literal.number(1))
        return exp.func("get", node.this.copy(), index)
    if isinstance(node, exp.JSONType):
        return _json_type(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_position":
        haystack, needle = node.expressions
        position = exp.func("array_position", haystack, needle)
        return exp.func("nullif", position, exp.Literal.number(0))  # DuckDB: NULL if absent
    if isinstance(node, exp.FromJson):
        return _from_json(node)
    if isinstance(node, exp.ArrayFilter | exp.Transform) and isinstance(
        node.expression, exp.Lambda
    ):
        _index_from_one(node.expression)
        return node
    if isinstance(node, exp.JSONObject):  # nested objects were rewritten first: unwrapped
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
    if isinstance(node, exp.RegexpFullMatch):
        return _regexp_full_match(node)
    if isinstance(node, exp.RegexpExtract) and node.args.get("parameters") is not None:
        return _regexp_flags_inline(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        (months,) = node.expressions  # a year-month interval, as DuckDB's
        return exp.func("make_ym_interval", exp.Literal.number(0), months)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "map_extract_value":
        return exp.func("try_element_at", *node.expressions)  # NULL for a missing key
    if isinstance(node, exp.Anonymous) and node.name.lower() == "json_merge_patch":
        return _json_merge_objects(node.expressions)
    if isinstance(node, exp.JSONKeys):
        return exp.func("map_keys", _string_map(node.this))
    if isinstance(node, exp.JSONExtractScalar) and _is_all_values(node.expression):
        return exp.func("map_values", _string_map(node.this))
    if isinstance(node, exp.Anonymous) and node.name.lower() == "json_valid":
        (text,) = node.expressions
        valid = exp.Not(
            this=exp.Is(this=exp.func("try_parse_json", text.copy()), expression=exp.null())
        )
        return exp.Case(
            ifs=[exp.If(this=exp.Is(this=text.copy(), expression=exp.null()), true=exp.null())],
            default=valid,
        )
    return node


def _json_merge_objects(objects: list[exp.Expression]) -> exp.Expression:
    """DuckDB's json_merge_patch of flat JSON objects, as Spark maps.

    DuckDB (yyjson's merge patch) writes the target's keys that the patch does not name, in
    their order, then the patch's keys in theirs; a null in the patch removes its key. The
    arguments are parsed as map<string, string> (flat label objects: a nested object would
    come back as its JSON text, quoted) and the result written back with to_json. A NULL
    argument is a JSON null, as in DuckDB: as the target it merges as {}, as a patch it
    replaces everything merged so far with NULL."""

    def as_map(text: exp.Expression) -> exp.Expression:
        return exp.func("from_json", text.copy(), exp.Literal.string("map<string, string>"))

    def keys_lambda(body: exp.Expression) -> exp.Lambda:
        return exp.Lambda(this=body, expressions=[exp.to_identifier("k"), exp.to_identifier("v")])

    merged = as_map(objects[0])
    for patch_text in objects[1:]:
        patch_keys = exp.func("map_keys", as_map(patch_text))
        not_patched = exp.not_(exp.func("array_contains", patch_keys, exp.column("k")))
        not_null = exp.not_(exp.Is(this=exp.column("v"), expression=exp.null()))
        target = exp.func("coalesce", merged, as_map(exp.Literal.string("{}")))
        kept = exp.func("map_filter", target, keys_lambda(not_patched))
        present = exp.func("map_filter", as_map(patch_text), keys_lambda(not_null))
        merged = exp.Case(
            ifs=[
                exp.If(this=exp.Is(this=patch_text.copy(), expression=exp.null()), true=exp.null())
            ],
            default=exp.func("map_concat", kept, present),
        )
    return exp.func("to_json", merged)


def _int_literal(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Neg):
        inner = _int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and node.this.lstrip("-").isdigit():
        return int(node.this)
    return None


def _json_type(node: exp.JSONType) -> exp.Expression:
    """json_type(x): 'ARRAY' and 'OBJECT' as DuckDB names them, NULL for NULL; a scalar gets
    Spark's name for its variant type (STRING, BIGINT, ...), which the models never compare."""
    text = node.this
    kind = exp.func("upper", exp.func("schema_of_variant", exp.func("try_parse_json", text)))
    cases = [
        exp.If(this=exp.Is(this=text.copy(), expression=exp.null()), true=exp.null()),
        exp.If(
            this=exp.func("startswith", kind.copy(), exp.Literal.string("ARRAY")),
            true=exp.Literal.string("ARRAY"),
        ),
        exp.If(
            this=exp.func("startswith", kind.copy(), exp.Literal.string("OBJECT")),
            true=exp.Literal.string("OBJECT"),
        ),
    ]
    return exp.Case(ifs=cases, default=kind)


_SPARK_SCALARS = {
    "VARCHAR": "string",
    "JSON": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}


def _from_json(node: exp.FromJson) -> exp.Expression:
    """from_json(x, '<DuckDB structure as JSON>'): Spark wants a DDL type instead."""
    import json

    text, structure = node.this, node.expression
    if not (isinstance(structure, exp.Literal) and structure.is_string):
        raise sqlglot.errors.UnsupportedError("from_json with a structure that is not a literal")

    def ddl(shape: object) -> str:
        if isinstance(shape, list) and len(shape) == 1:
            return f"array<{ddl(shape[0])}>"
        if isinstance(shape, dict):
            return "struct<" + ",".join(f"{k}:{ddl(v)}" for k, v in shape.items()) + ">"
        if isinstance(shape, str) and shape.upper() in _SPARK_SCALARS:
            return _SPARK_SCALARS[shape.upper()]
        raise sqlglot.errors.UnsupportedError(f"from_json structure {shape!r}")

    return exp.func("from_json", text, exp.Literal.string(ddl(json.loads(structure.this))))


def _index_from_one(function: exp.Lambda) -> None:
    """DuckDB's list lambdas number elements from 1 (`lambda x, i:`), Spark's from 0."""
    if len(function.expressions) != 2:
        return
    index = function.expressions[1].name

    def shift(n: exp.Expression) -> exp.Expression:
        named = isinstance(n, exp.Column) and not n.table and n.name == index
        bare = (
            isinstance(n, exp.Identifier)
            and n.name == index
            and not isinstance(n.parent, exp.Column)
        )
        if (named or bare) and n.parent is not function:
            return exp.Paren(this=exp.Add(this=n.copy(), expression=exp.Literal.number(1)))
        return n

    function.set("this", function.this.transform(shift))


_INLINE_FLAGS = frozenset("ims")


def _regexp_flags_inline(node: exp.RegexpExtract) -> exp.Expression:
    """`regexp_extract(x, p, g, 'i')`: Spark takes no options argument; the flags go into
    the pattern as `(?i)` (Java and RE2 read it the same)."""
    flags, pattern = node.args["parameters"], node.expression
    if not (flags.is_string and pattern.is_string and set(flags.this) <= _INLINE_FLAGS):
        raise sqlglot.errors.UnsupportedError(f"regexp_extract options {flags.sql('duckdb')}")
    node = node.copy()
    node.set("parameters", None)
    node.set("expression", exp.Literal.string(f"(?{flags.this}){pattern.this}"))
    return node


def _regexp_full_match(node: exp.RegexpFullMatch) -> exp.Expression:
    """`regexp_full_match(x, p[, 'i'])`: Spark has none; `x rlike '(?i)^(?:p)$'` matches the
    whole text the same way, the pattern being a column or a literal."""
    flags = node.args.get("options")
    if flags is not None and not (flags.is_string and set(flags.this) <= _INLINE_FLAGS):
        raise sqlglot.errors.UnsupportedError(f"regexp_full_match options {flags.sql('duckdb')}")
    prefix = f"(?{flags.this})" if flags is not None and flags.this else ""
    anchored = exp.func(
        "concat",
        exp.Literal.string(f"{prefix}^(?:"),
        node.expression.copy(),
        exp.Literal.string(")$"),
    )
    return exp.RegexpLike(this=node.this.copy(), expression=anchored)


def _spread_struct_unnest(select: exp.Select) -> None:
    """`unnest({'a': x, 'b': y})` among `select`'s columns becomes `x as a, y as b`."""
    columns: list[exp.Expression] = []
    for column in select.expressions:
        inner = column.this if isinstance(column, exp.Explode) else None
        while isinstance(inner, exp.Paren):
            inner = inner.this
        fields = inner.expressions if isinstance(inner, exp.Struct) else None
        if fields and all(isinstance(f, exp.PropertyEQ) for f in fields):
            columns += [exp.alias_(f.expression, f.this.name) for f in fields]
        else:
            columns.append(column)
    select.set("expressions", columns)


def _zip_list_unnests(select: exp.Select) -> None:
    """`unnest(a) as x, unnest(b) as y` among `select`'s columns becomes one
    `inline(arrays_zip(a, b)) as (x, y)` where the first of them stood."""
    unnests = [
        column
        for column in select.expressions
        if isinstance(column, exp.Alias) and isinstance(column.this, exp.Explode)
    ]
    if len(unnests) < 2:
        return
    zipped = exp.Aliases(
        this=exp.func("inline", exp.func("arrays_zip", *[u.this.this.copy() for u in unnests])),
        expressions=[exp.to_identifier(u.alias) for u in unnests],
    )
    columns: list[exp.Expression] = []
    for column in select.expressions:
        if column is unnests[0]:
            columns.append(zipped)
        elif not any(column is u for u in unnests):
            columns.append(column)
    select.set("expressions", columns)


def _string_map(json_text: exp.Expression) -> exp.Expression:
    return exp.Anonymous(
        this="from_json", expressions=[json_text.copy(), exp.Literal.string("map<string,string>")]
    )


def _is_all_values(path: exp.Expression) -> bool:
    """The JSON path `$.*`: every value of an object."""
    parts = path.expressions if isinstance(path, exp.JSONPath) else []
    return (
        len(parts) == 2
        and isinstance(parts[0], exp.JSONPathRoot)
        and isinstance(parts[1], exp.JSONPathKey)
        and isinstance(parts[1].this, exp.JSONPathWildcard)
    )


def _is_double(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(
        exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT
    )


def _named_struct(node: exp.JSONObject) -> exp.Expression:
    args: list[exp.Expression] = []
    for pair in node.expressions:
        if not isinstance(pair, exp.JSONKeyValue):
            raise sqlglot.errors.UnsupportedError(f"json_object argument {pair.sql('duckdb')}")
        args += [pair.this, _as_struct(pair.expression)]
    return exp.Anonymous(this="named_struct", expressions=args)


def _as_struct(value: exp.Expression) -> exp.Expression:
    """A nested json_object (already `to_json(named_struct(...))`, directly or in a list)
    stays a struct inside the outer one, so it is written as an object, not a string."""
    if (
        isinstance(value, exp.Anonymous)
        and value.name.lower() == "to_json"
        and len(value.expressions) == 1
        and isinstance(value.expressions[0], exp.Anonymous)
        and value.expressions[0].name.lower() == "named_struct"
    ):
        return value.expressions[0]
    if isinstance(value, exp.Array):
        return exp.Array(expressions=[_as_struct(e) for e in value.expressions])
    return value


def _hoist_ctes(statement: exp.Expression) -> exp.Expression:
    """Every CTE of the statement and of its nested queries in one WITH at the top, each
    after the CTEs it reads (the engine wraps a model as `select * from (model) where ...`,
    and a branch's columns are asked with the CTEs before it in scope). Models inlined from
    several files reuse names (`params`, `month_costs` in each waste check): a name already
    taken is renamed (`params_2`), and the references in its own scope follow it."""
    hoisted: list[exp.CTE] = []
    _hoist(statement, {}, set(), hoisted)
    if hoisted:
        statement.set("with_", exp.With(expressions=hoisted))
    return statement


def _hoist(
    node: exp.Expression, scope: dict[str, str], taken: set[str], hoisted: list[exp.CTE]
) -> None:
    """Move the CTEs defined in `node` to `hoisted`, renaming table references by `scope`
    (a CTE's name as written -> its name at the top)."""
    with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
    if isinstance(with_, exp.With):
        scope = dict(scope)
        for cte in list(with_.expressions):
            _hoist(cte.this, scope, taken, hoisted)  # its body sees the CTEs before it
            name = cte.alias_or_name
            final = name
            suffix = 1
            while final.lower() in taken:
                suffix += 1
                final = f"{name}_{suffix}"
            taken.add(final.lower())
            scope[name.lower()] = final
            if final != name:
                cte.set("alias", exp.TableAlias(this=exp.to_identifier(final)))
            hoisted.append(cte.pop())
        with_.pop()
    for child in list(node.iter_expressions()):
        if isinstance(child, exp.Table) and not child.args.get("db"):
            final = scope.get(child.name.lower())
            if final is not None and final != child.name:
                if not child.alias:  # `params.x` still names the table as written
                    child.set("alias", exp.TableAlias(this=exp.to_identifier(child.name)))
                child.set("this", exp.to_identifier(final))
        else:
            _hoist(child, scope, taken, hoisted)


def _expand_by_name(statement: exp.Expression, schema_of: SchemaOf) -> exp.Expression:
    """Write each UNION BY NAME out by position, CTE by CTE, asking Spark each branch's
    columns with the CTEs before it in scope."""
    statement = _hoist_ctes(statement)
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


def _needs_columns(node: exp.Expression) -> bool:
    by_name = isinstance(node, exp.Union) and node.args.get("by_name")
    return bool(by_name or _is_star_with_columns(node))


def _is_star_with_columns(node: exp.Expression) -> bool:
    """`* REPLACE (...)` or `* EXCLUDE (...)`: Spark SQL has neither."""
    return isinstance(node, exp.Star) and bool(node.args.get("replace") or node.args.get("except_"))


def _expand_star_replace(
    query: exp.Expression, scope: list[exp.CTE], schema_of: SchemaOf
) -> exp.Expression:
    """`select * replace (e as c) from src` / `select * exclude (c) from src`: Spark has
    neither, so the star is written out as src's columns (asked of Spark with the CTEs before
    it in scope), `e as c` in c's place, an excluded column left out."""
    for select in [s for s in query.find_all(exp.Select)][::-1]:  # innermost first
        stars = [e for e in select.expressions if _is_star_with_columns(e)]
        if not stars:
            continue
        if select.args.get("group") or len(stars) > 1:
            raise sqlglot.errors.UnsupportedError(
                "* REPLACE/EXCLUDE with GROUP BY or twice in one select"
            )
        probe = select.copy()
        probe.set("expressions", [exp.Star()])
        for clause in ("where", "group", "having", "qualify", "order", "limit", "with_"):
            probe.set(clause, None)
        if scope:
            probe.set("with_", exp.With(expressions=[cte.copy() for cte in scope]))
        replaced = {alias.alias.lower(): alias for alias in stars[0].args.get("replace") or []}
        excluded = {column.name.lower() for column in stars[0].args.get("except_") or []}
        columns: list[exp.Expression] = []
        for expression in select.expressions:
            if expression is not stars[0]:
                columns.append(expression)
                continue
            for name, _ in schema_of(probe.sql("spark")):
                if name.lower() in excluded:
                    continue
                own = replaced.get(name.lower())
                columns.append(own.copy() if own else exp.column(name, quoted=True))
        select.set("expressions", columns)
    return query


def _expand_query(query: exp.Expression, scope: list[exp.CTE], schema_of: SchemaOf):
    query = _expand_star_replace(query, scope, schema_of)
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
