"""google-api-core / google-auth failures -> IngestError naming the source, the table and the
IAM permissions (and predefined roles) to grant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import google.auth
import requests
from google.api_core import exceptions as gexc
from google.auth.exceptions import DefaultCredentialsError, TransportError

from finops_pipeline.errors import IngestError

BIGQUERY_SCOPES = ("https://www.googleapis.com/auth/bigquery.readonly",
                   "https://www.googleapis.com/auth/cloud-platform.read-only")  # fmt: skip


def google_credentials(
    source: str, where: str, has_endpoint: bool, scopes: tuple[str, ...] = BIGQUERY_SCOPES
) -> Any:
    """Application Default Credentials; anonymous only for an endpoint override (emulators).

    `scopes`: read-only ones for the API in use (BigQuery by default, Cloud Storage for gs://).
    """
    try:
        credentials, _project = google.auth.default(scopes=list(scopes))
        return credentials
    except DefaultCredentialsError as exc:
        if has_endpoint:
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()
        raise IngestError(
            where,
            f"source '{source}': no Google credentials (Application Default Credentials)",
            action="run `gcloud auth application-default login`, set "
            "GOOGLE_APPLICATION_CREDENTIALS, or run with a service account / workload identity",
        ) from exc


@contextmanager
def bigquery_errors(source: str, where: str, table: str, project: str) -> Iterator[None]:
    grant = (
        f"bigquery.jobs.create on project {project} (roles/bigquery.jobUser) and "
        f"bigquery.tables.get, bigquery.tables.getData on {table} (roles/bigquery.dataViewer; "
        "for a FOCUS view that is not an authorized view, also bigquery.tables.getData on the "
        "tables it reads)"
    )
    try:
        yield
    except gexc.NotFound as exc:
        raise IngestError(
            where,
            f"source '{source}': not found ({exc.message})",
            expected=f"the billing export table or FOCUS view {table}",
            action="check the location (project.dataset.table) and endpoint_url",
        ) from exc
    except (gexc.Forbidden, gexc.Unauthorized) as exc:
        raise IngestError(
            where,
            f"source '{source}': access denied ({exc.message})",
            expected=grant,
            action=f"grant {grant} to the identity in use",
        ) from exc
    except (gexc.RetryError, gexc.ServerError, gexc.TooManyRequests, requests.ConnectionError,
            requests.Timeout, TransportError, ConnectionError) as exc:  # fmt: skip
        raise IngestError(
            where,
            f"source '{source}': network failure after the client's retries ({exc})",
            action="check connectivity to BigQuery and run the ingest again; nothing from this "
            "month was loaded",
        ) from exc
    except gexc.GoogleAPICallError as exc:
        raise IngestError(where, f"source '{source}': BigQuery error: {exc.message}") from exc
