"""What every fetcher and the sync share: a listed delivery, a fetched one, the fetcher's shape.

Kept apart from `sync.py` (the orchestrator that uses fetchers) so a fetcher depends on these
types only, never on the code that drives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from finops_pipeline.connectors.staging import Progress
from finops_pipeline.connectors.state import ObjectState


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
