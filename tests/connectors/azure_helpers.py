"""Uploading sample export trees to Azurite."""

from __future__ import annotations

import contextlib
from pathlib import Path

from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import BlobServiceClient, ContainerClient

from tests.connectors.conftest import AZURITE_ACCOUNT, AZURITE_KEY


def container(url: str, name: str) -> ContainerClient:
    service = BlobServiceClient(
        url, credential={"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY}
    )
    client = service.get_container_client(name)
    with contextlib.suppress(ResourceExistsError):
        client.create_container()
    return client


def upload_tree(client: ContainerClient, folder: Path, under: str = "") -> list[str]:
    names = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = (Path(under) / path.relative_to(folder)).as_posix()
        with path.open("rb") as data:
            client.upload_blob(name, data, overwrite=True)
        names.append(name)
    return names
