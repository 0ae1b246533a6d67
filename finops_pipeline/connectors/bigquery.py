"""GCP: a BigQuery billing export table (`bigquery://project.dataset.table`), standard or
detailed. Only invoice months whose rows changed (max export_time, row count) since the last
load are read, each by one bounded query (partition filter) into Arrow (through the BigQuery
Storage API when google-cloud-bigquery-storage is installed, else the REST API), and written as
Parquet in the gcp-billing layout (`invoice_month=YYYYMM/`) for the existing mapping to land.

Retries are google-api-core's (`Retry` with exponential backoff and a deadline).
"""

from __future__ import annotations

import importlib.util
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from google.api_core.retry import Retry
from google.cloud import bigquery

from finops_pipeline.connectors.base import Candidate, Fetched
from finops_pipeline.connectors.bigquery_errors import bigquery_errors, google_client_args
from finops_pipeline.connectors.bigquery_sql import bigquery_sql
from finops_pipeline.connectors.locations import Location
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import Progress, part_file
from finops_pipeline.connectors.state import ObjectState

LOOKBACK_MONTHS = 12
# Rows of an invoice month are exported from its first day on; two days' margin for the
# invoice month being Pacific time while partitions are UTC.
PARTITION_MARGIN = timedelta(days=2)


def api_retry() -> Retry:
    deadline = float(os.environ.get("FINOPS_BIGQUERY_RETRY_DEADLINE", "120"))
    return Retry(initial=0.5, maximum=8.0, multiplier=2.0, timeout=deadline)


def first_month(since: str | None, today: date | None = None) -> date:
    if since:
        return date(int(since[:4]), int(since[5:7]), 1)
    today = today or datetime.now(UTC).date()
    months = today.year * 12 + today.month - 1 - (LOOKBACK_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


class BigQueryFetcher:
    def __init__(
        self, source: SourceSettings, location: Location, client: bigquery.Client | None = None
    ) -> None:
        """`client`: one already made for this source (the FOCUS path reuses the one that read
        the schema, rather than looking up credentials twice)."""
        self.source = source
        self.table_id = location.table_id
        self.uri = location.uri
        self.first = first_month(source.since)
        if client is not None:
            self.client = client
            return
        self.client = bigquery.Client(
            project=source.project or location.host, **google_client_args(source, self.uri)
        )

    def _run(self, name: str, params: list[Any]) -> bigquery.table.RowIterator:
        sql = bigquery_sql(name, self.table_id)
        config = bigquery.QueryJobConfig(query_parameters=params)
        job = self.client.query(sql, job_config=config, retry=api_retry(), job_retry=api_retry())
        return job.result(retry=api_retry())

    def candidates(self) -> list[Candidate]:
        params = [
            bigquery.ScalarQueryParameter("partition_from", "DATE", self.first - PARTITION_MARGIN),
            bigquery.ScalarQueryParameter("first_month", "STRING", f"{self.first:%Y%m}"),
        ]
        with bigquery_errors(self.source.name, self.uri, self.table_id, self.client.project):
            rows = list(self._run("bigquery_changed_months", params))
        found = []
        for row in rows:
            month = str(row["invoice_month"])
            exported = row["last_export_time"]
            stamp = exported.isoformat() if exported else ""
            obj = ObjectState(f"{self.table_id}#{month}", stamp, int(row["row_count"]), "month")
            period = date(int(month[:4]), int(month[4:6]), 1)
            found.append(
                Candidate(
                    f"{self.table_id}#{month}",
                    period,
                    f"invoice_month={month}",
                    [obj],
                    None,
                    {"month": month},
                )
            )
        return found

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        month = candidate.detail["month"]
        assert candidate.period is not None
        params = [
            bigquery.ScalarQueryParameter(
                "partition_from", "DATE", candidate.period - PARTITION_MARGIN
            ),
            bigquery.ScalarQueryParameter("invoice_month", "STRING", month),
        ]
        target = into / candidate.folder / "part-000.parquet"
        remote = f"{self.uri} invoice month {month}"
        with bigquery_errors(self.source.name, remote, self.table_id, self.client.project):
            rows = self._run("bigquery_month", params)
            storage = importlib.util.find_spec("google.cloud.bigquery_storage") is not None
            table = rows.to_arrow(create_bqstorage_client=storage)
        progress(remote, table.num_rows, table.num_rows)
        with part_file(target) as part:
            pq.write_table(table, part, compression="zstd")
            part.replace(target)
        return Fetched(candidate.fingerprint, candidate.fingerprint[0].etag)
