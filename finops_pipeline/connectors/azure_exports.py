"""Azure Cost Management exports of a scope (`azure-exports:/subscriptions/<id>`): list the
exports and their run history with azure-mgmt-costmanagement, then fetch each month's newest
completed run from the Blob Storage the export delivers to (see azure_blob).

Optionally (`trigger_export: true`) asks each export to run for the current month first; that
run's files are picked up once delivered, on this or a later sync.
"""

from __future__ import annotations

import posixpath
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from azure.mgmt.costmanagement import CostManagementClient

from finops_pipeline.connectors.azure_blob import AzureBlobFetcher
from finops_pipeline.connectors.azure_credentials import management_credential
from finops_pipeline.connectors.azure_errors import azure_errors
from finops_pipeline.connectors.base import Candidate, Fetched
from finops_pipeline.connectors.locations import Location, parse_location
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import Progress
from finops_pipeline.errors import IngestError

READER_ROLE = "Cost Management Reader"
CONTRIBUTOR_ROLE = "Cost Management Contributor"


class AzureExportsFetcher:
    def __init__(self, source: SourceSettings, location: Location) -> None:
        self.source = source
        self.scope = location.path
        self.uri = location.uri
        base_url = source.endpoint_url or "https://management.azure.com"
        # Bearer tokens over plain http only for a local endpoint override (emulators, tests).
        self.call_options: dict[str, Any] = (
            {"enforce_https": False} if base_url.startswith("http://") else {}
        )
        self.client = CostManagementClient(
            management_credential(source.name),
            base_url=base_url,
            retry_total=4,
            retry_backoff_factor=0.5,
        )
        self._owner: dict[str, tuple[AzureBlobFetcher, str]] = {}

    def _call(self, role: str, action: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with azure_errors(self.source.name, f"{self.uri} ({action})", role, f"scope {self.scope}"):
            return fn(*args, **kwargs, **self.call_options)

    def candidates(self) -> list[Candidate]:
        ops = self.client.exports
        exports = self._call(READER_ROLE, "list exports", ops.list, self.scope).value or []
        if self.source.export:
            exports = [e for e in exports if e.name == self.source.export]
            if not exports:
                raise IngestError(
                    self.uri,
                    f"source '{self.source.name}': no export named '{self.source.export}' "
                    "on this scope",
                    action="check the source's export (or leave it out to sync every export)",
                )
        found: list[Candidate] = []
        for export in exports:
            if self.source.trigger_export:
                self._call(CONTRIBUTOR_ROLE, f"run export {export.name}", ops.execute,
                           self.scope, export.name)  # fmt: skip
            history = self._call(
                READER_ROLE, f"run history of {export.name}", ops.get_execution_history,
                self.scope, export.name,
            ).value or []  # fmt: skip
            found.extend(self._export_candidates(export, history))
        return found

    def _export_candidates(self, export: Any, history: list[Any]) -> list[Candidate]:
        blobs = self._blob_fetcher(export)
        newest: dict[date, Any] = {}
        for run in history:
            props = run.properties
            if not props or str(props.status) != "Completed" or not props.start_date:
                continue
            month = props.start_date.date().replace(day=1)
            stamp = props.submitted_time or datetime.min
            if month not in newest or stamp > (newest[month].properties.submitted_time or stamp):
                newest[month] = run
        candidates: list[Candidate] = []
        if not newest or not any(_run_blob(r, blobs) for r in newest.values()):
            # No usable run history (older API versions): the newest manifest per month.
            candidates = blobs.candidates()
        for _month, run in sorted(newest.items()):
            blob_name = _run_blob(run, blobs)
            if blob_name is None:
                continue
            candidate = blobs.candidate_for_run(blob_name)
            if candidate is None:
                raise IngestError(
                    f"azure://{blobs.account}/{blobs.container_name}/{blob_name}",
                    f"source '{self.source.name}': export '{export.name}' run "
                    f"{run.name} reports this file, but it is not in the container",
                    action="wait for the run's delivery to finish, then run again",
                )
            candidates.append(candidate)
        for candidate in candidates:
            candidate.key = f"{export.name}:{candidate.key}"
            candidate.folder = f"{export.name}/{candidate.folder}"
            self._owner[candidate.key] = (blobs, export.name)
        return candidates

    def _blob_fetcher(self, export: Any) -> AzureBlobFetcher:
        dest = export.properties.delivery_info.destination
        account = dest.storage_account or (dest.resource_id or "").rstrip("/").split("/")[-1]
        if not account or not dest.container:
            raise IngestError(
                self.uri,
                f"source '{self.source.name}': export '{export.name}' has no storage destination",
            )
        root = posixpath.join(dest.root_folder_path or "", export.name).strip("/")
        location = parse_location(f"azure://{account}/{dest.container}/{root}")
        return AzureBlobFetcher(self.source, location, endpoint_url=self.source.blob_endpoint_url)

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        blobs, export = self._owner[candidate.key]
        return blobs.fetch(candidate, into / export, progress)


def _run_blob(run: Any, blobs: AzureBlobFetcher) -> str | None:
    """The run's manifest (or single file) as a blob name in the export's container."""
    props = run.properties
    for value in (props.manifest_file, props.file_name):
        if not value:
            continue
        path = urlparse(value).path if "://" in value else value
        path = path.lstrip("/")
        for prefix in (f"{blobs.account}/{blobs.container_name}/", f"{blobs.container_name}/"):
            if path.startswith(prefix) and path[len(prefix) :] in blobs.known():
                return path[len(prefix) :]
        if path in blobs.known():
            return path
    return None
