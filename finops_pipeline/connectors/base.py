"""What every fetcher and the sync share: a listed delivery, a fetched one, the fetcher's shape.

Kept apart from `sync.py` (the orchestrator that uses fetchers) so a fetcher depends on these
types only, never on the code that drives it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from finops_pipeline.connectors.staging import Progress
from finops_pipeline.connectors.state import ObjectState
from finops_pipeline.ingest.discover import folder_period
from finops_pipeline.ingest.reader import file_kind


@dataclass
class Candidate:
    """A delivery the listing shows: one billing period's export, as the provider lays it out."""

    key: str  # stable id of the delivery, e.g. its period folder
    period: date | None
    folder: str  # folder, relative to the mirror, that holds the delivery once fetched
    fingerprint: list[ObjectState]  # listed objects that define it (manifest, or files)
    listing: dict[str, ObjectState] | None = None  # the whole listing, to re-check data files
    detail: dict = field(default_factory=dict)  # fetcher-private (chosen run, month, ...)


@dataclass
class Fetched:
    objects: list[ObjectState]
    version: str
    # The format the fetcher knows it wrote (a FOCUS view's months are `focus` even when the
    # source says `auto`); None lands with the source's own format.
    format: str | None = None


class Fetcher(Protocol):
    def candidates(self) -> list[Candidate]: ...

    def fetch(self, candidate: Candidate, into: Path, progress: Progress) -> Fetched: ...


def below_prefix(prefix: str, key: str) -> str:
    """`key` (an object or folder of the listing) relative to the location's `prefix`: where
    it goes under the mirror ('.' for the prefix itself)."""
    if prefix and key.startswith(prefix):
        key = key[len(prefix) :]
    return key.strip("/") or "."


def folder_candidates(listing: dict[str, ObjectState], prefix: str) -> list[Candidate]:
    """One delivery per folder of billing files, for a location with no manifest: the folder's
    files are its fingerprint, and its period is read from the folder's path."""
    folders: dict[str, list[ObjectState]] = {}
    for key, obj in listing.items():
        if file_kind(Path(key)) is not None:
            folders.setdefault(posixpath.dirname(key), []).append(obj)
    return [
        Candidate(
            key=folder,
            period=folder_period(Path(objs[0].key)),
            folder=below_prefix(prefix, folder),
            fingerprint=objs,
            listing=listing,
            detail={"files": [o.key for o in objs]},
        )
        for folder, objs in sorted(folders.items())
    ]
