"""google-api-core / google-auth failures -> IngestError naming the source, the table and the
IAM permissions (and predefined roles) to grant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import google.auth
import requests
from google.api_core import exceptions as gexc
from google.auth.exceptions import DefaultCredentialsError, TransportError

from finops_pipeline.errors import IngestError

if TYPE_CHECKING:
    from finops_pipeline.connectors.settings import SourceSettings

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


def google_client_args(
    source: SourceSettings, where: str, scopes: tuple[str, ...] = BIGQUERY_SCOPES
) -> dict[str, Any]:
    """The keyword arguments every Google client of `source` gets: its credentials
    (`google_credentials`) and, for an endpoint override (an emulator), the endpoint."""
    args: dict[str, Any] = {}
    if source.endpoint_url:
        args["client_options"] = {"api_endpoint": source.endpoint_url}
    args["credentials"] = google_credentials(source.name, where, bool(source.endpoint_url), scopes)
    return args


def network_failure(source: str, where: str, exc: Exception, api: str, unit: str) -> IngestError:
    """A Google call that failed on the network after the client's own retries: nothing of
    the `unit` (month, delivery) was loaded, so running again is safe."""
    return IngestError(
        where,
        f"source '{source}': network failure after the client's retries ({exc})",
        action=f"check connectivity to {api} and run the ingest again; nothing from this "
        f"{unit} was loaded",
    )


def api_failure(source: str, where: str, exc: gexc.GoogleAPICallError, api: str) -> IngestError:
    """Any other error a Google API answered, in its own words."""
    return IngestError(where, f"source '{source}': {api} error: {exc.message}")


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
        raise network_failure(source, where, exc, "BigQuery", "month") from exc
    except gexc.GoogleAPICallError as exc:
        raise api_failure(source, where, exc, "BigQuery") from exc
