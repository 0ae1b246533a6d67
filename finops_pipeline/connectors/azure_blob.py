"""Azure Blob Storage: Cost Management export deliveries under `azure://account/container/path`.

Partitioned exports write `<period>/<runId>/manifest.json` plus the blobs it names; a re-run of
the same month writes a new run folder, and the newest manifest wins. Non-partitioned exports
write `<period>/<name>_<guid>.csv`; the newest file of the period folder wins. Folders that are
not period folders are synced as they are. Retries are azure-core's (RetryPolicy).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from azure.storage.blob import BlobServiceClient, ContainerClient

from finops_pipeline.connectors.azure_credentials import blob_credential
from finops_pipeline.connectors.azure_errors import azure_errors
from finops_pipeline.connectors.base import Candidate, Fetched, below_prefix
from finops_pipeline.connectors.locations import Location
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import Progress, complete, part_file
from finops_pipeline.connectors.state import ObjectState
from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.discover import folder_period
from finops_pipeline.ingest.reader import file_kind

_PERIOD = re.compile(r"^\d{8}-\d{8}$")
READER_ROLE = "Storage Blob Data Reader"
RETRIES = 4


@dataclass(frozen=True)
class Blob:
    state: ObjectState
    modified: datetime
    md5: bytes | None


class AzureBlobFetcher:
    def __init__(
        self,
        source: SourceSettings,
        location: Location,
        endpoint_url: str | None = None,
    ) -> None:
        self.source = source
        self.account = location.host
        self.container_name = location.container
        self.prefix = location.path
        self.uri = location.uri
        endpoint = endpoint_url or source.endpoint_url
        account_url = endpoint or f"https://{self.account}.blob.core.windows.net"
        service = BlobServiceClient(
            account_url,
            credential=blob_credential(self.account),
            retry_total=RETRIES,
            retry_backoff_factor=0.5,
            connection_timeout=10,
            read_timeout=60,
        )
        self.container: ContainerClient = service.get_container_client(self.container_name)
        self.scope = f"storage account '{self.account}' (container '{self.container_name}')"
        self._blobs: dict[str, Blob] = {}

    def _list(self) -> dict[str, Blob]:
        prefix = f"{self.prefix}/" if self.prefix else None
        blobs: dict[str, Blob] = {}
        with azure_errors(self.source.name, self.uri, READER_ROLE, self.scope):
            for item in self.container.list_blobs(name_starts_with=prefix):
                md5 = item.content_settings.content_md5 if item.content_settings else None
                state = ObjectState(item.name, str(item.etag).strip('"'), int(item.size))
                blobs[item.name] = Blob(state, item.last_modified, bytes(md5) if md5 else None)
        self._blobs = blobs
        return blobs

    def candidates(self) -> list[Candidate]:
        blobs = self._list()
        listing = {name: blob.state for name, blob in blobs.items()}
        newest: dict[str, Blob] = {}
        plain: dict[str, list[ObjectState]] = {}
        run_folders = {posixpath.dirname(n) for n in blobs if _is_manifest(n)}
        for name, blob in blobs.items():
            parent = posixpath.dirname(name)
            if _is_manifest(name):
                period = posixpath.dirname(parent)
                if _PERIOD.match(posixpath.basename(period)):
                    _keep_newest(newest, period, blob)
            elif file_kind(Path(name)) is not None and parent not in run_folders:
                if _PERIOD.match(posixpath.basename(parent)):
                    _keep_newest(newest, parent, blob)
                else:
                    plain.setdefault(parent, []).append(blob.state)
        found = []
        for period, blob in sorted(newest.items()):
            role = "manifest" if blob.state.key.endswith("manifest.json") else "data"
            fingerprint = [ObjectState(blob.state.key, blob.state.etag, blob.state.size, role)]
            found.append(
                Candidate(
                    period,
                    folder_period(Path(period) / "x"),
                    self._relative(period),
                    fingerprint,
                    listing,
                    {"newest": blob.state.key},
                )
            )
        for folder, objs in sorted(plain.items()):
            found.append(
                Candidate(
                    folder,
                    folder_period(Path(objs[0].key)),
                    self._relative(folder),
                    objs,
                    listing,
                    {"files": [o.key for o in objs]},
                )
            )
        return found

    def known(self) -> dict[str, Blob]:
        """The container listing under the prefix (listed once per sync)."""
        return self._blobs or self._list()

    def candidate_for_run(self, manifest_blob: str) -> Candidate | None:
        """The delivery of one known run (from Cost Management's run history)."""
        blobs = self.known()
        blob = blobs.get(manifest_blob)
        if blob is None:
            return None
        period = posixpath.dirname(posixpath.dirname(manifest_blob))
        if not manifest_blob.endswith("manifest.json"):
            period = posixpath.dirname(manifest_blob)
        role = "manifest" if manifest_blob.endswith("manifest.json") else "data"
        listing = {name: b.state for name, b in blobs.items()}
        fingerprint = [ObjectState(blob.state.key, blob.state.etag, blob.state.size, role)]
        return Candidate(period, folder_period(Path(period) / "x"), self._relative(period),
                         fingerprint, listing, {"newest": manifest_blob})  # fmt: skip

    def _relative(self, name: str) -> str:
        return below_prefix(self.prefix, name)

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        if "files" in candidate.detail:
            names = candidate.detail["files"]
            for name in names:
                self._download(name, into / self._relative(name), progress)
            return Fetched([self._blobs[n].state for n in names], "")
        chosen = candidate.detail["newest"]
        if not chosen.endswith("manifest.json"):
            self._download(chosen, into / self._relative(chosen), progress)
            return Fetched([candidate.fingerprint[0]], posixpath.basename(chosen))
        target = into / self._relative(chosen)
        self._download(chosen, target, progress)
        manifest = _parse(target, f"azure://{self.account}/{self.container_name}/{chosen}")
        names = [str(b.get("blobName", "")) for b in manifest.get("blobs", [])]
        if not names or not all(names):
            raise IngestError(
                f"azure://{self.account}/{self.container_name}/{chosen}",
                f"source '{self.source.name}': the manifest lists no blobs",
                expected="blobs[].blobName",
                action="wait for the export run to finish, then run again",
            )
        run_folder = posixpath.dirname(chosen)
        objects = [candidate.fingerprint[0]]
        for name in names:
            if name not in self._blobs:
                raise IngestError(
                    f"azure://{self.account}/{self.container_name}/{name}",
                    f"source '{self.source.name}': named by {chosen} but not in the container",
                    action="wait for the export run to finish, then run again",
                )
            local = into / self._relative(run_folder) / posixpath.relpath(name, run_folder)
            self._download(name, local, progress)
            objects.append(self._blobs[name].state)
        run = manifest.get("runInfo", {}).get("runId") or posixpath.basename(run_folder)
        return Fetched(objects, str(run))

    def _download(self, name: str, target: Path, progress: Progress) -> None:
        blob = self._blobs[name]
        remote = f"azure://{self.account}/{self.container_name}/{name}"

        def hook(done: int, total: int | None) -> None:
            progress(remote, done, total)

        with part_file(target) as part:
            with azure_errors(self.source.name, remote, READER_ROLE, self.scope):
                stream = self.container.download_blob(
                    name, etag=f'"{blob.state.etag}"', match_condition=_if_match(),
                    max_concurrency=2, progress_hook=hook,
                )  # fmt: skip
                with part.open("wb") as out:
                    stream.readinto(out)
            complete(part, target, remote, blob.state.size, blob.md5)


def _if_match() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified


def _is_manifest(name: str) -> bool:
    return posixpath.basename(name).lower() == "manifest.json"


def _keep_newest(newest: dict[str, Blob], period: str, blob: Blob) -> None:
    current = newest.get(period)
    if current is None or (blob.modified, blob.state.key) > (current.modified, current.state.key):
        # A manifest always beats a plain file of the same period (partitioned runs).
        if (
            current is not None
            and current.state.key.endswith("manifest.json")
            and not (blob.state.key.endswith("manifest.json"))
        ):
            return
        newest[period] = blob


def _parse(path: Path, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise IngestError(where, f"manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise IngestError(where, "manifest is not a JSON object")
    return manifest
