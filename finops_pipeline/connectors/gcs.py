"""Google Cloud Storage (`gs://bucket/prefix`): billing or FOCUS exports that a scheduled job
(an `EXPORT DATA` query, a Dataflow or Cloud Run job, a FOCUS export) writes as CSV, Parquet or
newline JSON files into a bucket.

Objects under the prefix are grouped into deliveries folder by folder, exactly as the local
ingest groups files (`finops_pipeline.ingest.discover`): one folder = one delivery, its billing
period from the folder names discover understands (`invoice_month=YYYYMM`,
`BILLING_PERIOD=YYYY-MM`, `YYYYMMDD-YYYYMMDD`; any other folder lands with the periods its
rows state). A delivery is unchanged while every object keeps its generation, checksum and
size. A GCS object is only visible once its upload finished, so no object is ever read
half-written; each is downloaded at the generation the listing showed (a rewrite between
listing and download is a clean 404, retried next run), to a `.part` file checked against
the listed size, MD5 (or CRC32C for composite objects, which have no MD5) before renaming.

Retries are google-cloud-storage's own `DEFAULT_RETRY` (exponential backoff on 429/5xx and
connection errors; a download cut mid-body resumes from the byte it reached) with a deadline
of FINOPS_GCS_RETRY_DEADLINE seconds [120].
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import google_crc32c
from google.api_core.retry import Retry
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from finops_pipeline.connectors.base import Candidate, Fetched, below_prefix, folder_candidates
from finops_pipeline.connectors.bigquery_errors import google_client_args
from finops_pipeline.connectors.gcs_errors import gcs_errors
from finops_pipeline.connectors.locations import Location
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import (
    Progress,
    b64_md5,
    complete,
    part_file,
    refuse_download,
)
from finops_pipeline.connectors.state import ObjectState

SCOPES = ("https://www.googleapis.com/auth/devstorage.read_only",)


def storage_retry() -> Retry:
    """google-cloud-storage's DEFAULT_RETRY (its own retryable errors) with our deadline."""
    deadline = float(os.environ.get("FINOPS_GCS_RETRY_DEADLINE", "120"))
    return DEFAULT_RETRY.with_timeout(deadline)


def object_version(blob: storage.Blob) -> str:
    """What `connector_state.etag` keeps for an object: generation and checksum, so a
    rewrite (new generation) is a change even when the bytes are identical."""
    checksum = f"md5:{blob.md5_hash}" if blob.md5_hash else f"crc32c:{blob.crc32c}"
    return f"{blob.generation}/{checksum}"


class GcsFetcher:
    def __init__(
        self, source: SourceSettings, location: Location, client: storage.Client | None = None
    ) -> None:
        self.source = source
        self.bucket = location.host
        self.prefix = location.path
        self.uri = location.uri
        self._blobs: dict[str, storage.Blob] = {}  # the last listing's, for their generations
        if client is not None:
            self.client = client
            return
        self.client = storage.Client(
            project=source.project, **google_client_args(source, self.uri, SCOPES)
        )

    # ---- listing -------------------------------------------------------------------------

    def _list(self) -> dict[str, ObjectState]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        listing: dict[str, ObjectState] = {}
        self._blobs = {}
        with gcs_errors(self.source.name, self.uri, "storage.objects.list", self.bucket):
            for blob in self.client.list_blobs(self.bucket, prefix=prefix, retry=storage_retry()):
                if blob.name.endswith("/"):  # a console-made "folder" placeholder
                    continue
                listing[blob.name] = ObjectState(blob.name, object_version(blob), blob.size or 0)
                self._blobs[blob.name] = blob
        return listing

    def candidates(self) -> list[Candidate]:
        return folder_candidates(self._list(), self.prefix)

    def _relative(self, key: str) -> str:
        return below_prefix(self.prefix, key)

    # ---- fetching ------------------------------------------------------------------------

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        keys: list[str] = candidate.detail["files"]
        for key in keys:
            self._download(key, into / self._relative(key), progress)
        listing = candidate.listing or {}
        return Fetched([listing[k] for k in keys], "")

    def _download(self, key: str, target: Path, progress: Progress) -> None:
        listed = self._blobs[key]
        remote = f"gs://{self.bucket}/{key}"
        # Pinned to the listed generation: the bytes checked are the bytes listed.
        blob = self.client.bucket(self.bucket).blob(key, generation=listed.generation)
        with part_file(target) as part:
            with (
                gcs_errors(self.source.name, remote, "storage.objects.get", self.bucket),
                part.open("wb") as stream,
            ):
                # raw_download: the stored bytes, which the listed size and hashes describe
                # (no decompressive transcoding of gzip-encoded objects).
                blob.download_to_file(
                    _Counting(stream, remote, listed.size, progress),
                    raw_download=True,
                    checksum="md5" if listed.md5_hash else "crc32c",
                    retry=storage_retry(),
                )
            if not listed.md5_hash:
                _check_crc32c(part, remote, listed.crc32c)
            complete(part, target, remote, listed.size, b64_md5(listed.md5_hash))


class _Counting:
    """A file wrapper reporting bytes written to the progress callback (the client has no
    progress hook; a resumed download just keeps counting)."""

    def __init__(self, stream: Any, name: str, total: int | None, progress: Progress) -> None:
        self._stream, self._name, self._total, self._progress = stream, name, total, progress
        self._done = 0

    def write(self, data: bytes) -> int:
        written = self._stream.write(data)
        self._done += len(data)
        self._progress(self._name, self._done, self._total)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _check_crc32c(part: Path, remote: str, expected: str | None) -> None:
    """CRC32C (base64, big-endian) for objects without an MD5 (composite uploads)."""
    if not expected:
        return
    checksum = google_crc32c.Checksum()
    with part.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            checksum.update(chunk)
    actual = base64.b64encode(checksum.digest()).decode("ascii")
    if actual != expected:
        refuse_download(
            part, remote, f"corrupt: CRC32C {actual} differs from the object's {expected}"
        )
