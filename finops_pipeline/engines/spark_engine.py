"""The Spark engine behind the build runner: the same targets, on Spark, into the lake.

`build_runner.build_partitions` hands it the targets of a build and the partition they
replace (inside `use_engine(SparkEngine(...))`). For each target it reads the model (the
same SQL file or composed SQL DuckDB runs), writes it as Spark SQL (spark_sql.to_spark),
runs it with the parameters bound by Spark (`:name`), and replaces the partition in the
lake: the rows of the affected partition folders that the partition's predicate does not
cover are kept, folders left empty are removed, the others are overwritten (dynamic
partition overwrite), so a restated month replaces only its own folders.

What a model reads is found by name: a table already in the lake; a staging view of
sql/staging (built on Spark from its SQL, as DuckDB's view is); else a table on the DuckDB
warehouse, copied over through Arrow. The last is for the small tables Python steps and
reference files fill (ref_*, rates, policies), never line items: raw exports reach Spark
through the lake, where landing with `engine: spark` keeps them (engines/lake_store.py).

The hooks (`prepare`, `before_fill`, `finish`) run on the DuckDB warehouse, which still
keeps load_log, lineage and run state. Not atomic across partitions: each partition
folder is replaced on its own (a table format such as Delta would make the build one
commit).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import exp

from finops_pipeline.build_runner import (
    WHOLE,
    DriverStep,
    Hook,
    OnChange,
    Partition,
    Query,
    Target,
    bound,
    ddl_sql,
    model_sql,
    with_ephemeral,
)
from finops_pipeline.engines.lake import (
    DERIVED,
    DUCKDB_TYPE,
    SCHEMA_FILE,
    create_duckdb_views,
    partition_spec,
    table_path,
)
from finops_pipeline.engines.spark_session import schema_of
from finops_pipeline.engines.spark_sql import to_spark
from finops_pipeline.ingest.raw_tables import raw_tables
from finops_pipeline.warehouse import (
    SQL_DIR,
    read_sql,
    table_exists,
    transaction,
    view_exists,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class SparkEngine:
    """Builds on `session`, stores in `lake` (a folder or a URI Spark writes)."""

    name = "spark"

    def __init__(self, session: SparkSession, lake: str) -> None:
        self.session = session
        self.lake = lake.rstrip("/")
        self._schema_of = schema_of(session)

    # -- the runner's entry point -------------------------------------------------------
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
    ) -> dict[str, int]:
        self._adopt_raw_tables(con)
        for view in self.session.catalog.listTables():
            if view.isTemporary:  # inputs are read afresh each build: the lake may have moved
                self.session.catalog.dropTempView(view.name)
        for name, rows in frames.items():
            self._ship(name, rows)
        if prepare is not None:
            with transaction(con):
                prepare(con)
        for target in targets:
            self._declare(con, target)
        distinct = list({t.table: t for t in reversed(targets)}.values())[::-1]
        stale = [t.table for t in distinct if self._is_stale(con, t, partition)]
        if stale and on_change == "rebuild":
            partition = WHOLE
            targets = [Target(t.table, t.model, t.params, None, t.ddl, t.fill) for t in distinct]
        if before_fill is not None:
            with transaction(con):
                before_fill(con, partition)
        written: dict[str, int] = {}
        for target in targets:
            dropped = on_change == "drop" and target.table in stale
            rows = self._replace(con, target, target.partition or partition, dropped)
            written[target.table] = written.get(target.table, 0) + rows
        if finish is not None:
            with transaction(con):
                finish(con, partition)
        create_duckdb_views(con, self.lake, [t.table for t in distinct])
        return written

    def _adopt_raw_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        """A warehouse landed with `engine: duckdb` keeps raw rows in its tables: they move
        into the (local) lake once, as the first Spark landing would move them, so Spark
        reads line items from Parquet, never through the driver."""
        if "://" in self.lake and not self.lake.startswith("file://"):
            return  # an object-store lake: landing there is not supported yet (lake_store)
        raw = set(raw_tables())
        if not any(row[0] in raw for row in con.execute(_BASE_TABLES).fetchall()):
            return
        from finops_pipeline.engines.lake_store import adopt_raw_tables, local_lake

        adopt_raw_tables(con, local_lake(self.lake))

    # -- one target ---------------------------------------------------------------------
    def _replace(
        self, con: duckdb.DuckDBPyConnection, target: Target, partition: Partition, whole: bool
    ) -> int:
        where = "" if partition.whole else f" where {partition.where}"
        params = {"period": partition.period, **target.params, **partition.params}
        model = self._model_sql(con, target, partition, params)
        new = self._query(con, f"select * from ({model}) as tmp_model{where}", params)
        ddl = ddl_sql(target)
        if ddl is not None:
            new = _as_declared(new, declared_types(ddl, target.table))
        else:  # JSON, which Spark keeps as text, stays JSON in the lake's DuckDB view
            new = _as_declared(new, _json_columns(con, target, params))
        if not target.fill:
            new = new.limit(0)
        path = table_path(self.lake, target.table)
        spec = partition_spec(target.table, new.columns)
        if partition.whole or whole or not self._exists(path):
            _with_partition_columns(new, spec).write.mode("overwrite").option(
                "partitionOverwriteMode", "static"
            ).partitionBy(*[name for name, _ in spec]).parquet(path)
        else:
            self._overwrite_partitions(con, target.table, path, new, spec, partition)
        self._write_schema(path, new)  # after: a whole rewrite clears the folder
        self.session.catalog.dropTempView(target.table)
        return self._count(con, target.table, partition)

    def _overwrite_partitions(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        path: str,
        new: DataFrame,
        spec: list[tuple[str, str]],
        partition: Partition,
    ) -> None:
        current = _with_partition_columns(self._read(path), spec)
        derived = [name for name, _ in spec]
        if not derived:  # one folder (no period column): the rows not covered, plus the new
            kept = self._query(
                con,
                f"select * from tmp_current where not coalesce(({partition.where}), false)",
                partition.params,
                current,
            ).localCheckpoint(eager=True)  # read before the folder is rewritten
            new.unionByName(kept).write.mode("overwrite").parquet(path)
            return
        covered = self._query(
            con, f"select * from tmp_current where {partition.where}", partition.params, current
        )
        touched = _with_partition_columns(new, spec).select(*derived).distinct()
        affected = covered.select(*derived).distinct().unionByName(touched).distinct()
        affected_rows = [tuple(r) for r in affected.collect()]  # a few (source, month) keys
        if not affected_rows:
            return
        in_affected = _keys_in(derived, affected_rows)
        kept = self._query(
            con,
            f"select * from tmp_current where not ({partition.where})",
            partition.params,
            current,
        ).where(in_affected)
        out = _with_partition_columns(new, spec)
        if kept.limit(1).count():  # rows of a touched folder this build does not replace
            kept = kept.localCheckpoint(eager=True)  # read before the folder is rewritten
            out = out.unionByName(kept)
        written = {tuple(r) for r in out.select(*derived).distinct().collect()}
        out.write.mode("overwrite").option("partitionOverwriteMode", "dynamic").partitionBy(
            *derived
        ).parquet(path)
        for key in set(affected_rows) - written:  # restated to nothing: drop the folder
            folder = "/".join(f"{c}={v}" for c, v in zip(derived, key, strict=True))
            self._delete(f"{path}/{folder}")

    # -- reading models and their inputs ------------------------------------------------
    def _model_sql(
        self,
        con: duckdb.DuckDBPyConnection,
        target: Target,
        partition: Partition,
        params: Mapping[str, Any],
        *,
        keys: bool = True,
    ) -> str:
        """The model's Spark-side SQL; a Query's driver steps are run first (`keys=False`:
        with no rows, enough for Spark to analyse the model)."""
        model = target.model
        if isinstance(model, Query) and model.driver:
            for step in model.driver:
                self._run_driver_step(con, step, partition, params, keys=keys)
            return model.engine_sql or model.sql
        return model_sql(con, target, self._ship)  # a Python model's rows shipped to Spark

    def _run_driver_step(
        self,
        con: duckdb.DuckDBPyConnection,
        step: DriverStep,
        partition: Partition,
        params: Mapping[str, Any],
        *,
        keys: bool,
    ) -> None:
        """The distinct keys of the partition's rows, collected from Spark (a small
        aggregate, never line items), `step.sql` run over them by DuckDB, its rows shipped
        back to Spark as `step.name`."""
        listed = ", ".join(f'"{k}"' for k in step.keys)
        where = "" if partition.whole else f" where {partition.where}"
        collect = f"select distinct {listed} from ({step.source}) as f{where}"
        found = self._query(con, collect, params)
        rows = found.toArrow() if keys else found.limit(0).toArrow()
        cursor = con.cursor()  # its own registrations and result
        try:
            cursor.register(step.keys_table, rows)
            self._ship(
                step.name, cursor.sql(step.sql, params=bound(step.sql, params)).to_arrow_table()
            )
        finally:
            cursor.close()

    def _query(
        self,
        con: duckdb.DuckDBPyConnection,
        duckdb_sql: str,
        params: Mapping[str, Any],
        current: DataFrame | None = None,
    ) -> DataFrame:
        """Run DuckDB-dialect SQL on Spark, its relations made available first."""
        if current is not None:
            current.createOrReplaceTempView("tmp_current")
        self._provide(con, _relations(duckdb_sql), skip={"tmp_current"})
        wanted = {
            p.name for p in sqlglot.parse_one(duckdb_sql, read="duckdb").find_all(exp.Placeholder)
        }
        args = {name: _literal(params[name]) for name in wanted}
        spark_sql = to_spark(duckdb_sql, schema_of(self.session, args))
        return self.session.sql(spark_sql, args=args or None)

    def _provide(self, con: duckdb.DuckDBPyConnection, names: set[str], skip: set[str]) -> None:
        for name in sorted(names - skip):
            if self.session.catalog.tableExists(name):
                continue
            path = table_path(self.lake, name)
            staging = SQL_DIR / "staging" / f"{name}.sql"
            if self._has_table(path):
                self._read(path).createOrReplaceTempView(name)
            elif staging.is_file() or name == "stg_all":
                sql = read_sql(f"staging/{name}.sql") if staging.is_file() else _stg_all()
                self._provide(con, _relations(sql), skip={name})
                self.session.sql(to_spark(sql, self._schema_of)).createOrReplaceTempView(name)
            elif _is_temporary(con, name):  # a build's scratch table, seen by `con` only
                self._ship(name, con.sql(f"select * from {name}").to_arrow_table())
            elif table_exists(con, name) or view_exists(con, name):
                cursor = con.cursor()  # its own result: `con` may hold an unfinished one
                try:
                    self._ship(name, cursor.sql(f"select * from {name}").to_arrow_table())
                finally:
                    cursor.close()
            else:
                raise LookupError(f"{name}: not in the lake {self.lake} nor the warehouse")

    def _ship(self, name: str, rows: Any) -> None:
        """Small rows from DuckDB or Python (Arrow, pandas, polars) as a Spark temp view."""
        import pyarrow as pa

        if hasattr(rows, "to_arrow"):
            rows = rows.to_arrow()
        if not isinstance(rows, pa.Table):
            rows = pa.Table.from_pandas(rows, preserve_index=False)
        if rows.num_rows == 0:  # Spark cannot read a table of no chunks: give it one, empty
            rows = pa.Table.from_batches([pa.RecordBatch.from_pylist([], schema=rows.schema)])
        self.session.createDataFrame(rows).createOrReplaceTempView(name)

    def _read(self, path: str) -> DataFrame:
        """The table at `path`; a table with no rows yet (a schema file, no data) as an empty
        frame of its columns."""
        if not self._exists(path):
            from pyspark.sql.types import StructType

            return self.session.createDataFrame([], StructType.fromJson(self._schema(path)))
        frame = self.session.read.option("mergeSchema", "false").parquet(path)
        return frame.drop(*[c for c in DERIVED if c in frame.columns])

    def _has_table(self, path: str) -> bool:
        """Rows, or none yet but a schema (a table built empty, or declared by its DDL)."""
        fs, _ = self._fs(path)
        schema = self.session._jvm.org.apache.hadoop.fs.Path(f"{path}/{SCHEMA_FILE}")
        return self._exists(path) or fs.exists(schema)

    def _schema(self, path: str) -> dict:
        fs, _ = self._fs(path)
        stream = fs.open(self.session._jvm.org.apache.hadoop.fs.Path(f"{path}/{SCHEMA_FILE}"))
        try:
            text = self.session._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()
        return json.loads(text)

    def _declare(self, con: duckdb.DuckDBPyConnection, target: Target) -> None:
        """A table with a DDL that has never been built exists, empty, before its first build
        (as DuckDB's `create table if not exists` makes it): models and hooks that read the
        table itself (tag_compliance's previous month, the anomalies' first detections) find
        it, on Spark and through the DuckDB view."""
        ddl = ddl_sql(target)
        path = table_path(self.lake, target.table)
        if ddl is None or self._has_table(path):
            return
        types = declared_types(ddl, target.table)
        columns = ", ".join(f"`{name}` {_spark_type(kind)}" for name, kind in types.items())
        empty = self.session.createDataFrame([], columns)
        self._write_schema(path, _as_declared(empty, types))
        create_duckdb_views(con, self.lake, [target.table])

    def _count(self, con: duckdb.DuckDBPyConnection, table: str, partition: Partition) -> int:
        path = table_path(self.lake, table)
        if not self._exists(path):
            return 0
        current = self._read(path)
        if partition.whole:
            return current.count()
        return self._query(
            con, f"select * from tmp_current where {partition.where}", partition.params, current
        ).count()

    def _is_stale(
        self, con: duckdb.DuckDBPyConnection, target: Target, partition: Partition
    ) -> bool:
        path = table_path(self.lake, target.table)
        if not self._exists(path) or callable(target.model):
            return False
        params = {"period": partition.period, **target.params, **partition.params}
        model = self._model_sql(con, target, partition, params, keys=False)
        wanted = self._query(con, f"select * from ({model}) limit 0", params)
        return [f.name for f in wanted.schema.fields] != self._read(path).columns

    # -- the file system (any URI Hadoop knows) -----------------------------------------
    def _fs(self, path: str) -> tuple[Any, Any]:
        jvm = self.session._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        conf = self.session._jsc.hadoopConfiguration()
        return hadoop_path.getFileSystem(conf), hadoop_path

    def _exists(self, path: str) -> bool:
        fs, hadoop_path = self._fs(path)
        if not fs.exists(hadoop_path):
            return False
        return any(
            not s.getPath().getName().startswith(("_", ".")) for s in fs.listStatus(hadoop_path)
        )

    def _delete(self, path: str) -> None:
        fs, hadoop_path = self._fs(path)
        fs.delete(hadoop_path, True)

    def _write_schema(self, path: str, frame: DataFrame) -> None:
        fs, hadoop_path = self._fs(path)
        fs.mkdirs(hadoop_path)
        out = fs.create(self.session._jvm.org.apache.hadoop.fs.Path(f"{path}/{SCHEMA_FILE}"), True)
        out.write(bytearray(json.dumps(json.loads(frame.schema.json()), indent=1).encode()))
        out.close()


_BASE_TABLES = "select table_name from duckdb_tables() where not temporary"


def declared_types(ddl: str, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of the table `ddl` creates (run on a scratch database)."""
    scratch = duckdb.connect()
    try:
        scratch.execute(ddl)
        return {row[0]: row[1] for row in scratch.execute(f"describe {table}").fetchall()}
    finally:
        scratch.close()


def _json_columns(
    con: duckdb.DuckDBPyConnection, target: Target, params: Mapping[str, Any]
) -> dict[str, str]:
    """The JSON columns of a model without a DDL, as DuckDB types the same SQL (analysed on
    the warehouse, nothing read); none where DuckDB cannot analyse it alone (a model over a
    driver step's or a Python model's rows)."""
    model = target.model
    if isinstance(model, Query):
        sql = model.sql
    elif isinstance(model, str) and model.endswith(".sql"):
        sql = with_ephemeral(read_sql(model))
    else:
        return {}
    query = f"describe select * from ({sql}) as tmp_model limit 0"
    cursor = con.cursor()
    try:
        rows = cursor.execute(query, bound(query, params)).fetchall()
    except (duckdb.Error, ValueError):
        return {}
    finally:
        cursor.close()
    return {row[0]: "JSON" for row in rows if row[1] == "JSON"}


def _as_declared(frame: DataFrame, types: Mapping[str, str]) -> DataFrame:
    """`frame` with the DDL's types, as DuckDB's insert into the declared table casts: a
    Python model's rows arrive as Arrow's types (float, text, a zoned timestamp). DuckDB's
    TIMESTAMP is Spark's TIMESTAMP_NTZ; JSON is stored as text, its DuckDB type kept in the
    field's metadata so the lake's DuckDB view reads it back as JSON."""
    from pyspark.sql import functions as F

    columns = []
    for name in frame.columns:
        kind = types.get(name)
        column = F.col(name)
        if kind is None:
            columns.append(column)
        elif kind == "JSON":
            columns.append(column.cast("string").alias(name, metadata={DUCKDB_TYPE: kind}))
        else:
            columns.append(column.cast(_spark_type(kind)).alias(name))
    return frame.select(*columns)


def _spark_type(duckdb_type: str) -> str:
    """The Spark type a DuckDB column type is stored as: TIMESTAMP (no zone) is Spark's
    TIMESTAMP_NTZ, JSON is text."""
    if duckdb_type == "TIMESTAMP":
        return "timestamp_ntz"
    if duckdb_type == "JSON":
        return "string"
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql("spark")


def _with_partition_columns(frame: DataFrame, spec: list[tuple[str, str]]) -> DataFrame:
    from pyspark.sql import functions as F

    for name, column in spec:
        value = F.col(column)
        if name == DERIVED[0]:
            value = F.date_format(F.to_date(value), "yyyy-MM-dd")
        frame = frame.withColumn(name, value.cast("string"))
    return frame


def _keys_in(columns: list[str], keys: list[tuple]) -> Any:
    from functools import reduce

    from pyspark.sql import functions as F

    matches = [
        reduce(lambda a, b: a & b, [F.col(c) == v for c, v in zip(columns, key, strict=True)])
        for key in keys
    ]
    return reduce(lambda a, b: a | b, matches)


def _relations(sql: str) -> set[str]:
    """The tables and views `sql` reads (its own CTE names excluded)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}


def _stg_all() -> str:
    models = sorted(p.stem for p in (SQL_DIR / "staging").glob("stg_*.sql"))
    return "\nunion all by name\n".join(f"select * from {m}" for m in models)


def _is_temporary(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "select count(*) from duckdb_tables() where table_name = ? and temporary", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


def _literal(value: Any) -> Any:
    """A parameter as Spark binds it: lists become arrays, the rest as is."""
    if isinstance(value, list | tuple):
        from pyspark.sql import functions as F

        return F.array(*[F.lit(v) for v in value])
    return value
