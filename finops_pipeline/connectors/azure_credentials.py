"""Azure credentials from the standard chain, never from the config.

azure-identity's DefaultAzureCredential (environment, workload identity, managed identity,
Azure CLI) is used when installed. Without it: Blob Storage reads AZURE_STORAGE_CONNECTION_STRING,
AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN from the environment; the management plane
reads a bearer token from AZURE_ACCESS_TOKEN (e.g. `az account get-access-token`).
"""

from __future__ import annotations

import os
import time
from typing import Any

from azure.core.credentials import AccessToken

from finops_pipeline.errors import ConfigError


def _default_credential() -> Any | None:
    try:
        from azure.identity import DefaultAzureCredential  # type: ignore[import-not-found]
    except ImportError:
        return None
    return DefaultAzureCredential()


def blob_credential(account: str) -> Any | None:
    """A credential for BlobServiceClient; None means anonymous (public containers)."""
    key = os.environ.get("AZURE_STORAGE_KEY")
    if key:
        return {"account_name": account, "account_key": key}
    sas = os.environ.get("AZURE_STORAGE_SAS_TOKEN")
    if sas:
        return sas
    return _default_credential()


class StaticToken:
    """A TokenCredential over a bearer token taken from the environment."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3000)


def management_credential(source: str) -> Any:
    token = os.environ.get("AZURE_ACCESS_TOKEN")
    if token:
        return StaticToken(token)
    credential = _default_credential()
    if credential is None:
        raise ConfigError(
            f"source '{source}': no Azure credential: install azure-identity (managed identity, "
            "workload identity, az login) or set AZURE_ACCESS_TOKEN to a management-plane "
            "bearer token"
        )
    return credential
