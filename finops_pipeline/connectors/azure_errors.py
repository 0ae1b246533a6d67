"""azure-core failures -> IngestError naming the source, the blob or scope, and the role to
assign (Storage Blob Data Reader, Cost Management Reader / Contributor)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    IncompleteReadError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

from finops_pipeline.errors import IngestError


@contextmanager
def azure_errors(source: str, where: str, role: str, scope: str) -> Iterator[None]:
    """Translate what one Azure call raised; `role` on `scope` is what a refusal needs."""
    try:
        yield
    except ClientAuthenticationError as exc:
        raise _denied(source, where, role, scope, exc) from exc
    except ResourceNotFoundError as exc:
        code = _provider_code(exc) or "NotFound"
        raise IngestError(
            where,
            f"source '{source}': not found ({code})",
            action="check the source's location (account, container, path or scope) and "
            "endpoint_url",
        ) from exc
    except (ServiceRequestError, ServiceResponseError, IncompleteReadError) as exc:
        raise _network(source, where, exc) from exc
    except HttpResponseError as exc:
        if exc.status_code is None:  # no response: the body was cut after the download retries
            raise _network(source, where, exc) from exc
        if exc.status_code in (401, 403):
            raise _denied(source, where, role, scope, exc) from exc
        raise IngestError(
            where, f"source '{source}': Azure error {exc.status_code}: {exc.message}"
        ) from exc


def _denied(source: str, where: str, role: str, scope: str, exc: Exception) -> IngestError:
    code = _provider_code(exc) or getattr(exc, "status_code", None) or "denied"
    return IngestError(
        where,
        f"source '{source}': access denied ({code})",
        expected=f"the role {role} on {scope}",
        action=f"assign {role} on {scope} to the identity in use (managed identity, workload "
        "identity, AZURE_* environment or az login)",
    )


def _network(source: str, where: str, exc: Exception) -> IngestError:
    return IngestError(
        where,
        f"source '{source}': network failure after the client's retries ({exc})",
        action="check connectivity to the endpoint and run the ingest again; nothing from "
        "this delivery was loaded",
    )


def _provider_code(exc: Exception) -> str | None:
    """The service's error code (AuthorizationFailed, ContainerNotFound, ...) where given."""
    code = getattr(exc, "error_code", None)
    if code:
        return str(code)
    for holder in (
        getattr(exc, "error", None),
        getattr(getattr(exc, "model", None), "error", None),
    ):
        code = getattr(holder, "code", None)
        if code:
            return str(code)
    return None
