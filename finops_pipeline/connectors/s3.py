"""AWS S3: legacy CUR (period `*-Manifest.json` -> the newest assembly's `reportKeys`) and
CUR 2.0 / FOCUS Data Exports (`metadata/BILLING_PERIOD=YYYY-MM/*-Manifest.json` ->
`dataFiles`); a prefix without manifests is synced folder by folder.

Retries are botocore's (standard mode, AWS_MAX_ATTEMPTS) for requests and s3transfer's
(`num_download_attempts`) for bodies cut mid-stream.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from finops_pipeline.connectors.base import Candidate, Fetched, below_prefix, folder_candidates
from finops_pipeline.connectors.locations import Location
from finops_pipeline.connectors.s3_errors import s3_errors
from finops_pipeline.connectors.settings import SourceSettings
from finops_pipeline.connectors.staging import Progress, complete, part_file
from finops_pipeline.connectors.state import ObjectState
from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.discover import folder_period

_LEGACY_PERIOD = re.compile(r"^\d{8}-\d{8}$")
_DATA_EXPORT_PERIOD = re.compile(r"^BILLING_PERIOD=\d{4}-\d{2}$", re.IGNORECASE)
DOWNLOAD_ATTEMPTS = 5


class S3Fetcher:
    def __init__(self, source: SourceSettings, location: Location) -> None:
        self.source = source
        self.bucket = location.host
        self.prefix = location.path
        self.uri = location.uri
        session = boto3.Session(profile_name=source.profile, region_name=source.region)
        config = Config(
            retries={"mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
            s3={"addressing_style": "path"} if source.endpoint_url else None,
        )
        with s3_errors(source.name, self.uri, "credentials", "the profile"):
            self.client = session.client("s3", endpoint_url=source.endpoint_url, config=config)
        self.transfer = TransferConfig(
            num_download_attempts=DOWNLOAD_ATTEMPTS, multipart_threshold=256 << 20
        )

    # ---- listing -------------------------------------------------------------------------

    def _list(self) -> dict[str, ObjectState]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        arn = f"arn:aws:s3:::{self.bucket}"
        listing: dict[str, ObjectState] = {}
        with s3_errors(self.source.name, self.uri, "s3:ListBucket", arn):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if not key.endswith("/"):
                        listing[key] = ObjectState(key, item["ETag"].strip('"'), item["Size"])
        return listing

    def candidates(self) -> list[Candidate]:
        listing = self._list()
        manifests = [
            k for k in listing if k.endswith("-Manifest.json") and self._is_period_manifest(k)
        ]
        if not manifests:
            return folder_candidates(listing, self.prefix)
        found = []
        for key in sorted(manifests):
            period_folder = posixpath.dirname(key)
            found.append(
                Candidate(
                    key=period_folder,
                    period=folder_period(Path(key)),
                    folder=self._relative(period_folder),
                    fingerprint=[_as(listing[key], "manifest")],
                    listing=listing,
                    detail={"manifest": key},
                )
            )
        return found

    @staticmethod
    def _is_period_manifest(key: str) -> bool:
        """The period-level manifest (not the copy inside each legacy assembly folder)."""
        folder = posixpath.basename(posixpath.dirname(key))
        return bool(_LEGACY_PERIOD.match(folder) or _DATA_EXPORT_PERIOD.match(folder))

    def _relative(self, key: str) -> str:
        return below_prefix(self.prefix, key)

    # ---- fetching ------------------------------------------------------------------------

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched:
        if "files" in candidate.detail:
            keys = candidate.detail["files"]
            for key in keys:
                self._download(key, into / self._relative(key), candidate.listing or {}, progress)
            return Fetched([candidate.listing[k] for k in keys], "")  # type: ignore[index]
        manifest_key = candidate.detail["manifest"]
        body = self._get_small(manifest_key)
        manifest = self._parse(manifest_key, body)
        listing = candidate.listing or {}
        if "reportKeys" in manifest:
            keys = [str(k) for k in manifest["reportKeys"]]
            version = str(manifest.get("assemblyId", ""))
            target = into / self._relative(manifest_key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)  # discover() reads it to pick the current assembly
        else:
            keys = [_key_of(f, self.bucket) for f in manifest.get("dataFiles", [])]
            version = str(manifest.get("executionId", ""))
        if not keys:
            raise IngestError(
                f"s3://{self.bucket}/{manifest_key}",
                f"source '{self.source.name}': the manifest lists no data files",
                expected="reportKeys (legacy CUR) or dataFiles (Data Exports)",
                action="wait for the provider to finish the delivery, then run again",
            )
        data_folder = posixpath.dirname(keys[0])
        candidate.folder = self._relative(
            candidate.key if "reportKeys" in manifest else data_folder
        )
        objects = [_as(listing[manifest_key], "manifest")]
        for key in keys:
            if key not in listing:
                raise IngestError(
                    f"s3://{self.bucket}/{key}",
                    f"source '{self.source.name}': named by {manifest_key} but not in the bucket",
                    action="wait for the delivery to complete, then run again",
                )
            if not key.startswith(candidate.key + "/") and posixpath.dirname(key) != data_folder:
                raise IngestError(
                    f"s3://{self.bucket}/{key}",
                    f"source '{self.source.name}': the delivery's files are spread over folders",
                    expected=f"every data file of {manifest_key} in one folder",
                )
            self._download(key, into / self._relative(key), listing, progress)
            objects.append(listing[key])
        return Fetched(objects, version)

    def _get_small(self, key: str) -> bytes:
        arn = f"arn:aws:s3:::{self.bucket}/{self.prefix + '/' if self.prefix else ''}*"
        with s3_errors(self.source.name, f"s3://{self.bucket}/{key}", "s3:GetObject", arn):
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def _parse(self, key: str, body: bytes) -> dict[str, Any]:
        try:
            manifest = json.loads(body)
        except ValueError as exc:
            raise IngestError(
                f"s3://{self.bucket}/{key}",
                f"source '{self.source.name}': manifest is not valid JSON ({exc})",
            ) from exc
        if not isinstance(manifest, dict):
            raise IngestError(f"s3://{self.bucket}/{key}", "manifest is not a JSON object")
        return manifest

    def _download(
        self, key: str, target: Path, listing: dict[str, ObjectState], progress: Progress
    ) -> None:
        obj = listing[key]
        remote = f"s3://{self.bucket}/{key}"
        arn = f"arn:aws:s3:::{self.bucket}/{self.prefix + '/' if self.prefix else ''}*"
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            progress(remote, done, obj.size)

        with part_file(target) as part:
            with s3_errors(self.source.name, remote, "s3:GetObject", arn):
                self.client.download_file(
                    self.bucket, key, str(part), Callback=advance, Config=self.transfer
                )
            md5 = obj.etag if re.fullmatch(r"[0-9a-f]{32}", obj.etag) else None
            complete(part, target, remote, obj.size, md5)


def _as(obj: ObjectState, role: str) -> ObjectState:
    return ObjectState(obj.key, obj.etag, obj.size, role)


def _key_of(data_file: str, bucket: str) -> str:
    """`s3://bucket/key` (as Data Exports manifests write it) -> key."""
    if data_file.startswith("s3://"):
        return data_file[5:].partition("/")[2]
    return data_file.lstrip("/")
