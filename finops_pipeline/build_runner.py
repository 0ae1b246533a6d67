"""The one runner that replaces a partition of a table from a model, atomically.

Every derived table is built the same way, here and nowhere else: in one transaction, drop
the table if its columns no longer match its model (and then, by default, rebuild every
partition, so a table never holds one month alone), create it from the model if absent,
delete the partition's rows (one billing month, several, or all of them), insert the model's
rows for that partition, and commit; any failure rolls back and leaves the previous good
data. An engine other than DuckDB (issue 15) plugs in at this one place: inside
`use_engine(engine)`, `build_partitions` hands the same targets and partition to that engine
(engines/spark_engine.py); outside it (the default), DuckDB builds them on `con` as below.

A model is a SQL file under `sql/` (`"marts/waste_findings.sql"`), SQL text composed in
Python (`Query`), the name of a table or view already on the connection (rows a Python step
stored), or a function returning rows
(Arrow, pandas or polars) that runs inside the transaction. Parameters are named (`$name`):
each statement is bound exactly the names DuckDB's parser finds in it, so a model never has
to stay in step with a list in Python. A model that names an intermediate model
(`sql/int/int_<name>.sql`) gets it inlined as a CTE (`with_ephemeral`). The shared macros
of `sql/macros.sql` are created on any connection that lacks them (`ensure_macros`). Models that build one month read `$period` (DATE,
NULL = every month), which the runner binds to the partition being built.

Add a table: write its model, then call `build_partition(con, table=..., model=...,
params=..., period=...)` from the domain's build function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, Protocol

import duckdb

from finops_pipeline.warehouse import SQL_DIR, read_sql, run_sql_file, table_exists, transaction


@dataclass(frozen=True)
class DriverStep:
    """Part of a model an engine other than DuckDB computes with DuckDB on its driver.

    Some composed SQL is DuckDB's only (the tag policy: maps bound as parameters, list
    lambdas) but runs over a small aggregate (the distinct tag sets). The engine collects the
    distinct `keys` of `source`'s rows in the partition being built, gives them to `sql` as
    the table `keys_table`, runs `sql` on DuckDB and makes its rows available as `name`."""

    name: str
    source: str
    keys: tuple[str, ...]
    keys_table: str
    sql: str


@dataclass(frozen=True)
class Query:
    """A model composed in Python (a SQL file plus generated columns), as SQL text.

    DuckDB runs `sql`. An engine that cannot run all of it runs `engine_sql` instead: the
    same model reading the result of each `driver` step by its name (engines/spark_engine.py).
    Both are composed from the same pieces (tagging/normalise.py), never written twice."""

    sql: str
    engine_sql: str | None = None
    driver: tuple[DriverStep, ...] = ()


Model = str | Query | Callable[[duckdb.DuckDBPyConnection], Any]
OnChange = Literal["rebuild", "drop"]


@dataclass(frozen=True)
class Partition:
    """The rows of a table one build replaces: `where` (a predicate over the table's columns,
    with named `params`), or the whole table when `where` is None. `period` is what models
    receive as `$period` (None: every month)."""

    where: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    period: date | None = None

    @property
    def whole(self) -> bool:
        return self.where is None


WHOLE = Partition()
Period = date | Sequence[date] | Partition | None


def month_partition(period: Period, column: str = "billing_month") -> Partition:
    """One billing month (a date), several (a list), or everything (None) of `column`."""
    if period is None:
        return WHOLE
    if isinstance(period, Partition):
        return period
    if isinstance(period, date):
        month = period.replace(day=1)
        return Partition(f"{column} = $partition_month", {"partition_month": month}, month)
    months = [m.replace(day=1) for m in period]
    return Partition(
        f"{column} in (select unnest(cast($partition_months as date[])))",
        {"partition_months": months},
    )


@dataclass(frozen=True)
class Target:
    """One table of a build: its model, parameters and (optionally) its own partition.

    `ddl` (a file under sql/ or the statement itself, `create table if not exists ...`)
    declares the table when its types are not the model's (rows from Python, a table that
    reads itself); the schema check then compares the table with it. `fill=False` creates the
    table and clears the partition without inserting (an optional input is missing)."""

    table: str
    model: Model
    params: Mapping[str, Any] = field(default_factory=dict)
    partition: Partition | None = None
    ddl: str | None = None
    fill: bool = True


Hook = Callable[[duckdb.DuckDBPyConnection, Partition], None]


class Engine(Protocol):
    """What builds the tables when it is not DuckDB on `con` (issue 15): the same targets and
    partition `build_partitions` receives, with `con` still the DuckDB warehouse the hooks
    and Python models use. Returns the rows written per table."""

    name: str

    def build_partitions(
        self,
        con: duckdb.DuckDBPyConnection,
        targets: Sequence[Target],
        partition: Partition,
        *,
        on_change: OnChange,
        prepare: Callable[[duckdb.DuckDBPyConnection], None] | None,
        before_fill: Hook | None,
        finish: Hook | None,
        frames: Mapping[str, Any],
    ) -> dict[str, int]: ...


# None: DuckDB builds on the connection it is given (the default, and every caller today).
_ENGINE: ContextVar[Engine | None] = ContextVar("finops_build_engine", default=None)


@contextmanager
def use_engine(engine: Engine | None) -> Iterator[None]:
    """Build every table through `engine` inside the block (None: DuckDB)."""
    token = _ENGINE.set(engine)
    try:
        yield
    finally:
        _ENGINE.reset(token)


def current_engine() -> Engine | None:
    return _ENGINE.get()


def build_partition(
    con: duckdb.DuckDBPyConnection,
    *,
    table: str,
    model: Model,
    params: Mapping[str, Any] | None = None,
    period: Period = None,
    column: str = "billing_month",
    ddl: str | None = None,
    fill: bool = True,
    on_change: OnChange = "rebuild",
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    finish: Hook | None = None,
    frames: Mapping[str, Any] | None = None,
) -> int:
    """Replace `period` (a month, a list of months, a Partition, None: all) of `table` with
    the rows of `model`; returns the rows written. See `build_partitions` for the rest."""
    target = Target(table, model, params or {}, None, ddl, fill)
    written = build_partitions(
        con,
        [target],
        period,
        column=column,
        on_change=on_change,
        prepare=prepare,
        finish=finish,
        frames=frames,
    )
    return written[table]


def build_partitions(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[Target],
    period: Period = None,
    *,
    column: str = "billing_month",
    on_change: OnChange = "rebuild",
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    before_fill: Hook | None = None,
    finish: Hook | None = None,
    frames: Mapping[str, Any] | None = None,
) -> dict[str, int]:
    """Replace the partition of each target, in order, in one transaction; rows per table.

    `prepare` runs first (reference tables the models read), then the schema check: when a
    table's columns differ from its model, with `on_change="rebuild"` every target is dropped
    and rebuilt whole; with `"drop"` that table alone is dropped and the partition stays.
    `before_fill` and `finish` run before the first target and before the commit, with the
    partition finally built.
    `frames` (name -> rows) are registered for the models to read during the build.
    """
    partition = month_partition(period, column)
    engine = _ENGINE.get()
    if engine is not None:
        return engine.build_partitions(
            con,
            targets,
            partition,
            on_change=on_change,
            prepare=prepare,
            before_fill=before_fill,
            finish=finish,
            frames=frames or {},
        )
    ensure_macros(con)
    with transaction(con), _registered(con, frames or {}):
        if prepare is not None:
            prepare(con)
        # Every table is judged before any is dropped: a model may read another target.
        stale = [t.table for t in _distinct(targets) if _is_stale(con, t, partition)]
        if stale and on_change == "rebuild":
            for target in _distinct(targets):  # all rebuilt whole: drop every table
                con.execute(f"drop table if exists {target.table}")
            partition = WHOLE
            targets = [replace(t, partition=None) for t in _distinct(targets)]
        for table in stale if on_change == "drop" else []:
            con.execute(f"drop table {table}")
        if before_fill is not None:
            before_fill(con, partition)
        written: dict[str, int] = {}
        for target in targets:
            rows = _replace(con, target, target.partition or partition)
            written[target.table] = written.get(target.table, 0) + rows
        if finish is not None:
            finish(con, partition)
    return written


_MACRO = re.compile(r"^create or replace macro (\w+)", re.MULTILINE)


def ensure_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the shared macros of sql/macros.sql on a connection that lacks one (a connection
    not opened by `warehouse.connect`, which creates them); models may use any of them."""
    names = _MACRO.findall(read_sql("macros.sql"))
    row = con.execute(
        "select count(distinct function_name) from duckdb_functions() "
        "where function_name in (select unnest(cast($names as varchar[])))",
        {"names": names},
    ).fetchone()
    if not row or row[0] < len(set(names)):
        run_sql_file(con, "macros.sql")


def named(sql: str, positional: Sequence[Any], prefix: str = "p") -> tuple[str, dict[str, Any]]:
    """SQL composed with positional `?` (the tag-policy builder) as `$prefix_N` parameters,
    found by DuckDB's own tokenizer (never a `?` inside a string or a comment)."""
    text = sql.encode()  # the tokenizer's positions are UTF-8 byte offsets
    marks = [
        pos
        for pos, kind in duckdb.tokenize(sql)
        if kind == duckdb.token_type.operator and text[pos : pos + 1] == b"?"
    ]
    if len(marks) != len(positional):
        raise ValueError(f"{len(marks)} placeholders in the SQL, {len(positional)} values")
    pieces, params, last = [], {}, 0
    for index, (pos, value) in enumerate(zip(marks, positional, strict=True)):
        name = f"{prefix}_{index}"
        pieces += [text[last:pos], f"${name}".encode()]
        params[name] = value
        last = pos + 1
    pieces.append(text[last:])
    return b"".join(pieces).decode(), params


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run one statement, binding exactly the named parameters it uses."""
    wanted = bound(sql, params)
    return con.execute(sql, wanted) if wanted else con.execute(sql)


def bound(sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values of exactly the named parameters one statement uses (DuckDB refuses
    others); a missing one fails naming it."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise ValueError(f"expected one statement, found {len(statements)}")
    wanted = set(statements[0].named_parameters)
    supplied = dict(params or {})
    missing = sorted(wanted - supplied.keys())
    if missing:
        raise ValueError(f"no value for parameter(s) {', '.join('$' + m for m in missing)}")
    return {name: supplied[name] for name in wanted}


def _model_sql(con: duckdb.DuckDBPyConnection, target: Target) -> str:
    return model_sql(con, target, con.register)


def model_sql(
    con: duckdb.DuckDBPyConnection, target: Target, register: Callable[[str, Any], object]
) -> str:
    """The SQL that selects `target`'s rows: a Query's text, a `sql/` file (its `int_` models
    inlined), a table's name, or a Python model's rows handed to `register` (DuckDB's
    `con.register`, or an engine's way to ship small rows) under a temporary name."""
    model = target.model
    if isinstance(model, Query):
        return model.sql
    if callable(model):
        name = f"tmp_model_{target.table}"
        register(name, model(con))
        return f"select * from {name}"
    if model.endswith(".sql"):
        return with_ephemeral(read_sql(model))
    return f"select * from {model}"


def with_ephemeral(sql: str) -> str:
    """`sql` with the intermediate models it names (`sql/int/<name>.sql`, e.g. one waste
    check each) inlined as CTEs, theirs first: one statement, as if written in one file."""
    order: list[str] = []

    def visit(text: str, path: tuple[str, ...]) -> None:
        for name in _int_models_named(text):
            if name in path:
                raise ValueError(f"intermediate models read each other: {' -> '.join(path)}")
            if name not in order:
                visit(read_sql(f"int/{name}.sql"), (*path, name))
                order.append(name)

    visit(sql, ())
    if not order:
        return sql
    ctes = ",\n".join(f"{name} as (\n{read_sql(f'int/{name}.sql')}\n)" for name in order)
    return f"with\n{ctes}\nselect * from (\n{sql}\n)"


def _int_models_named(sql: str) -> list[str]:
    """The identifiers of `sql` that are intermediate models (never strings or comments)."""
    stems = {path.stem for path in (SQL_DIR / "int").glob("int_*.sql")}
    text = sql.encode()  # the tokenizer's positions are UTF-8 byte offsets
    names = []
    for start, kind in duckdb.tokenize(sql):
        if kind != duckdb.token_type.identifier:
            continue
        word = re.match(rb"[A-Za-z_][A-Za-z0-9_]*", text[start : start + 200])
        name = word.group(0).decode() if word else ""
        if name in stems and name not in names:
            names.append(name)
    return names


def ddl_sql(target: Target) -> str | None:
    """The target's `create table` statement, if it declares one."""
    if target.ddl is None:
        return None
    return read_sql(target.ddl) if target.ddl.endswith(".sql") else target.ddl


def _params(target: Target, partition: Partition) -> dict[str, Any]:
    return {"period": partition.period, **target.params, **partition.params}


def _is_stale(con: duckdb.DuckDBPyConnection, target: Target, partition: Partition) -> bool:
    """The table exists and its columns are not the model's (or its DDL's)."""
    if not table_exists(con, target.table):
        return False
    ddl = ddl_sql(target)
    if ddl is not None:
        probe = duckdb.connect()
        try:
            probe.execute(ddl)
            wanted = probe.execute(f"describe {target.table}").fetchall()
        finally:
            probe.close()
        current = con.execute(f"describe {target.table}").fetchall()
    else:
        if callable(target.model):
            raise ValueError(f"{target.table}: a model computed in Python needs a ddl")
        sql = f"select * from ({_model_sql(con, target)}) limit 0"
        description = execute(con, sql, _params(target, partition)).description or []
        wanted = [(d[0], str(d[1])) for d in description]
        current_description = con.execute(f"select * from {target.table} limit 0").description
        current = [(d[0], str(d[1])) for d in current_description or []]
    return [tuple(row) for row in current] != [tuple(row) for row in wanted]


def _replace(con: duckdb.DuckDBPyConnection, target: Target, partition: Partition) -> int:
    table = target.table
    params = _params(target, partition)
    ddl = ddl_sql(target)
    if ddl is not None:
        con.execute(ddl)
        model = _model_sql(con, target)  # after the table exists: a Python model may read it
    else:
        model = _model_sql(con, target)
        create = f"create table if not exists {table} as select * from ({model}) limit 0"
        execute(con, create, params)
    try:
        where = "" if partition.whole else f" where {partition.where}"
        execute(con, f"delete from {table}{where}", partition.params)
        if not target.fill:
            return 0
        insert = f"insert into {table} by name select * from ({model}) as tmp_model{where}"
        row = execute(con, insert, params).fetchone()
        return int(row[0]) if row else 0
    finally:
        if callable(target.model):
            con.unregister(f"tmp_model_{table}")


def _distinct(targets: Sequence[Target]) -> list[Target]:
    seen: dict[str, Target] = {}
    for target in targets:
        seen.setdefault(target.table, target)
    return list(seen.values())


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, frames: Mapping[str, Any]) -> Iterator[None]:
    for name, rows in frames.items():
        con.register(name, rows)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)
