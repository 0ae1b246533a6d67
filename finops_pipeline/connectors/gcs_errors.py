"""google-cloud-storage / google-api-core / google-auth failures -> IngestError naming the
source, the gs:// object and, for a refusal, the IAM permission (and predefined role) to grant.

Kept apart from the fetcher so the messages can be tested on the real exception types even
where the emulator cannot produce them (it never answers 403).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from google.api_core import exceptions as gexc
from google.auth.exceptions import RefreshError, TransportError
from google.cloud.storage.exceptions import DataCorruption, InvalidResponse

from finops_pipeline.connectors.bigquery_errors import api_failure, network_failure
from finops_pipeline.errors import IngestError

VIEWER_ROLE = "roles/storage.objectViewer"


@contextmanager
def gcs_errors(source: str, where: str, permission: str, bucket: str) -> Iterator[None]:
    """Translate what one Cloud Storage call raised; `where` is the gs:// URI being read and
    `permission` the one that call needs (`storage.objects.list` or `storage.objects.get`)."""
    grant = f"{permission} on bucket {bucket} ({VIEWER_ROLE} has it)"
    try:
        yield
    except gexc.NotFound as exc:
        if permission == "storage.objects.list":
            raise IngestError(
                where,
                f"source '{source}': the bucket does not exist (404 {exc.message})",
                action="check the source's location (gs://bucket/prefix) and endpoint_url",
            ) from exc
        raise IngestError(
            where,
            f"source '{source}': the object is not there any more (404; rewritten or deleted "
            "since it was listed)",
            action="run the ingest again; the export may be rewriting this delivery",
        ) from exc
    except (gexc.Forbidden, gexc.Unauthorized, RefreshError) as exc:
        reason = getattr(exc, "message", None) or str(exc)
        raise IngestError(
            where,
            f"source '{source}': access denied ({reason})",
            expected=f"permission {grant}",
            action=f"grant {permission} on gs://{bucket} (e.g. {VIEWER_ROLE} on the bucket) to "
            "the identity in use (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, "
            "`gcloud auth application-default login`, a service account or workload identity)",
        ) from exc
    except DataCorruption as exc:
        raise IngestError(
            where,
            f"source '{source}': download corrupt: the checksum differs from the object's",
            action="run the ingest again; nothing from this delivery was loaded",
        ) from exc
    except (gexc.RetryError, gexc.ServerError, gexc.TooManyRequests, requests.ConnectionError,
            requests.Timeout, requests.exceptions.ChunkedEncodingError, TransportError,
            ConnectionError, InvalidResponse) as exc:  # fmt: skip
        raise network_failure(source, where, exc, "Cloud Storage", "delivery") from exc
    except gexc.GoogleAPICallError as exc:
        raise api_failure(source, where, exc, "Cloud Storage") from exc
