"""Uploading sample export trees to gcp-storage-emulator with google-cloud-storage itself."""

from __future__ import annotations

from pathlib import Path

from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage


def gcs_client(url: str) -> storage.Client:
    return storage.Client(
        project="test-project",
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=url),
    )


def upload_tree(client: storage.Client, bucket: str, folder: Path, prefix: str = "") -> list[str]:
    """Put every file under `folder` at `prefix/<relative path>` (as an export job writes)."""
    target = client.bucket(bucket)
    if not target.exists():
        target = client.create_bucket(bucket)
    names = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = "/".join(p for p in (prefix, path.relative_to(folder).as_posix()) if p)
        target.blob(name).upload_from_filename(str(path))
        names.append(name)
    return names
