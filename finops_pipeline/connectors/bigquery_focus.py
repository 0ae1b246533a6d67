"""GCP: a FOCUS-shaped BigQuery table or view (`bigquery://project.dataset.view`), such as the
FOCUS view Google publishes over the detailed billing export.

What this relies on (Google's published FOCUS view template, "last updated March 19, 2024", as
copied in public repositories): BilledCost / EffectiveCost / ListCost / ContractedCost are
`CAST(... AS NUMERIC)`; BillingPeriodStart is `PARSE_TIMESTAMP("%Y%m", invoice.month,
"America/Los_Angeles")` (a TIMESTAMP at Pacific midnight, 07:00/08:00 UTC); ChargePeriodStart /
End are usage_start_time / usage_end_time; SubAccountId is the billing account; Tags is an
ARRAY of STRUCT<key, value, x_type, x_inherited, x_namespace>; x_ExportTime is the export's
export_time; x_Credits, x_CostType, x_CurrencyConversionRate, x_Location, x_Project and
x_ServiceId complete it. The view selects no partition column.

Detection: the table's schema (`get_table`, metadata only) has BilledCost, ChargePeriodStart
and BillingPeriodStart; `format: focus` on the source forces this path.
Change detection per BillingPeriodStart month: row count, sum(BilledCost) and, when the view
has it, max(x_ExportTime). The sum catches a restatement that keeps the row count (a view
without an export time column could not show it otherwise); the export time catches a
re-export that happens to keep both.
Each changed month is one query `BillingPeriodStart = @billing_period_start` into Arrow, then
Parquet in `BILLING_PERIOD=YYYY-MM/`, landed as format `focus`. Money stays exact: NUMERIC
arrives as decimal128(38, 9) and is written as a Parquet decimal; BIGNUMERIC (decimal256,
wider than DuckDB's DECIMAL) and FLOAT64 columns are written as their decimal text, which the
focus mapping parses exactly (a FLOAT64 at its shortest round-trip form, as BigQuery prints it).
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlglot
from google.cloud import bigquery
from sqlglot import exp

from finops_pipeline.connectors.base import Candidate, Fetched
from finops_pipeline.connectors.bigquery import BigQueryFetcher, api_retry
from finops_pipeline.connectors.bigquery_errors import bigquery_errors
from finops_pipeline.connectors.bigquery_sql import bigquery_sql
from finops_pipeline.connectors.locations import Location
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import Progress, part_file
from finops_pipeline.connectors.state import ObjectState
from finops_pipeline.errors import IngestError

# BilledCost and ChargePeriodStart are FOCUS's required columns; BillingPeriodStart is what the
# month bound needs. A billing export table has none of them (cost, usage_start_time, invoice).
FOCUS_COLUMNS = ("BilledCost", "ChargePeriodStart", "BillingPeriodStart")
# Google's view calls the detailed export's export_time x_ExportTime.
EXPORT_TIME_COLUMNS = ("x_ExportTime",)
PERIOD_TYPES = {"TIMESTAMP": "TIMESTAMP", "DATETIME": "DATETIME", "DATE": "DATE"}


def is_focus_schema(schema: list[bigquery.SchemaField]) -> bool:
    names = {field.name.lower() for field in schema}
    return all(column.lower() in names for column in FOCUS_COLUMNS)


def table_schema(client: bigquery.Client, table_id: str) -> list[bigquery.SchemaField]:
    """The columns of a table or view from its metadata (tables.get). A view whose metadata
    carries no schema (bqemulator's views; a BigQuery view whose stored schema is empty)
    is asked by a dry run of `select *`: it returns the result's columns, reads no data and is
    not billed."""
    table = client.get_table(table_id, retry=api_retry())
    if table.schema or table.table_type != "VIEW":
        return list(table.schema)
    project, dataset, name = table_id.rsplit(".", 2)
    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)
    job = client.query(f"select * from `{project}`.`{dataset}`.`{name}`", job_config=config,
                       retry=api_retry())  # fmt: skip
    return list(job.schema or [])


class BigQueryFocusFetcher(BigQueryFetcher):
    """Changed billing months of a FOCUS table or view, each fetched by one bounded query."""

    def __init__(
        self,
        source: SourceSettings,
        location: Location,
        schema: list[bigquery.SchemaField] | None = None,
        client: bigquery.Client | None = None,
    ) -> None:
        super().__init__(source, location, client)
        self._schema = schema

    def _columns(self) -> dict[str, bigquery.SchemaField]:
        if self._schema is None:
            with bigquery_errors(self.source.name, self.uri, self.table_id, self.client.project):
                self._schema = table_schema(self.client, self.table_id)
        fields = {field.name.lower(): field for field in self._schema}
        missing = [c for c in FOCUS_COLUMNS if c.lower() not in fields]
        if missing:
            raise IngestError(
                self.uri,
                f"source '{self.source.name}': format focus, but {self.table_id} has no "
                f"{', '.join(missing)} column",
                expected=f"a FOCUS table or view with {', '.join(FOCUS_COLUMNS)}",
                action="point the source at Google's FOCUS view (or a table with its schema), "
                "or drop `format: focus` to load a billing export table",
            )
        return fields

    def _period_type(self) -> str:
        kind = self._columns()["billingperiodstart"].field_type.upper()
        if kind not in PERIOD_TYPES:
            raise IngestError(
                self.uri,
                f"source '{self.source.name}': BillingPeriodStart of {self.table_id} is {kind}",
                expected="a TIMESTAMP, DATETIME or DATE column",
            )
        return PERIOD_TYPES[kind]

    def _export_time(self) -> exp.Expression:
        fields = self._columns()
        for name in EXPORT_TIME_COLUMNS:
            if name.lower() in fields:
                return exp.column(fields[name.lower()].name, quoted=True)
        return sqlglot.parse_one("CAST(NULL AS TIMESTAMP)", read="bigquery")

    def _query(self, name: str, params: list[Any]) -> bigquery.table.RowIterator:
        sql = bigquery_sql(name, self.table_id, {"export_time_column": self._export_time()})
        config = bigquery.QueryJobConfig(query_parameters=params)
        job = self.client.query(sql, job_config=config, retry=api_retry(), job_retry=api_retry())
        return job.result(retry=api_retry())

    def candidates(self) -> list[Candidate]:
        with bigquery_errors(self.source.name, self.uri, self.table_id, self.client.project):
            kind = self._period_type()
            # A day's margin: BillingPeriodStart at Pacific (or any western) midnight is later
            # in UTC; months before `since` are dropped below, on the UTC month as landed.
            start = datetime.combine(self.first - timedelta(days=1), datetime.min.time())
            value = _as_type(start.replace(tzinfo=UTC), kind)
            params = [bigquery.ScalarQueryParameter("period_from", kind, value)]
            rows = list(self._query("bigquery_focus_changed_months", params))
        found: dict[str, Candidate] = {}
        for row in rows:
            period_start = row["billing_period_start"]
            period = _utc_month(period_start)
            if period is None or period < self.first:
                continue
            month = f"{period:%Y-%m}"
            if month in found:
                raise IngestError(
                    self.uri,
                    f"source '{self.source.name}': two BillingPeriodStart values in {month} "
                    f"({found[month].detail['period_start']} and {period_start})",
                    expected="one BillingPeriodStart per billing month",
                )
            exported = row["last_export_time"]
            stamp = exported.isoformat() if exported else ""
            billed = row["billed_cost"]
            etag = f"{stamp}|{billed}"
            key = f"{self.table_id}#{month}"
            obj = ObjectState(key, etag, int(row["row_count"]), "month")
            detail = {"month": month, "period_start": period_start, "kind": kind}
            found[month] = Candidate(key, period, f"BILLING_PERIOD={month}", [obj], None, detail)
        return list(found.values())

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        detail = candidate.detail
        params = [
            bigquery.ScalarQueryParameter(
                "billing_period_start", detail["kind"], detail["period_start"]
            )
        ]
        target = into / candidate.folder / "part-000.parquet"
        remote = f"{self.uri} billing period {detail['month']}"
        with bigquery_errors(self.source.name, remote, self.table_id, self.client.project):
            rows = self._query("bigquery_focus_month", params)
            storage = importlib.util.find_spec("google.cloud.bigquery_storage") is not None
            table = exact_money(rows.to_arrow(create_bqstorage_client=storage))
        progress(remote, table.num_rows, table.num_rows)
        with part_file(target) as part:
            pq.write_table(table, part, compression="zstd")
            part.replace(target)
        return Fetched(candidate.fingerprint, candidate.fingerprint[0].etag, format="focus")


def exact_money(table: pa.Table) -> pa.Table:
    """NUMERIC (decimal128) stays a decimal; BIGNUMERIC (decimal256, beyond DuckDB's 38 digits)
    and FLOAT64 become their decimal text, which the focus mapping parses exactly, instead of a
    double that would round."""
    for index, field in enumerate(table.schema):
        if pa.types.is_decimal256(field.type) or pa.types.is_floating(field.type):
            column = pc.cast(table.column(index), pa.string())
            table = table.set_column(index, pa.field(field.name, pa.string()), column)
    return table


def _as_type(moment: datetime, kind: str) -> Any:
    if kind == "DATE":
        return moment.date()
    if kind == "DATETIME":
        return moment.replace(tzinfo=None)
    return moment


def _utc_month(value: Any) -> date | None:
    """The billing month as landing computes it (finops_month of the UTC timestamp)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return date(value.year, value.month, 1)
    return date(value.year, value.month, 1)


class BigQuerySource:
    """A `bigquery://` location whose kind is known only from its schema: the billing export
    table goes to BigQueryFetcher, a FOCUS table or view to BigQueryFocusFetcher. The schema is
    read once (tables.get, metadata only) on the first listing, so building it costs nothing."""

    def __init__(self, source: SourceSettings, location: Location) -> None:
        self.source = source
        self.location = location
        self._chosen: BigQueryFetcher | None = None

    def _fetcher(self) -> BigQueryFetcher:
        if self._chosen is not None:
            return self._chosen
        export = BigQueryFetcher(self.source, self.location)
        if self.source.format == "gcp-billing":
            self._chosen = export
            return export
        client, table_id = export.client, self.location.table_id
        with bigquery_errors(self.source.name, self.location.uri, table_id, client.project):
            schema = table_schema(client, table_id)
        if self.source.format == "focus" or is_focus_schema(schema):
            self._chosen = BigQueryFocusFetcher(self.source, self.location, schema, client)
        else:
            self._chosen = export
        return self._chosen

    def candidates(self) -> list[Candidate]:
        return self._fetcher().candidates()

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        return self._fetcher().fetch(candidate, into, progress)
