"""What happened to each file and delivery of a load: returned to callers, written to load_log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from finops_pipeline.ingest.discover import Delivery


@dataclass
class FileOutcome:
    path: Path
    status: str
    format: str | None = None
    rows: int = 0
    periods: list[date] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    reason: str | None = None
    detected: bool = False
    cost_basis: str | None = None


@dataclass
class DeliveryOutcome:
    delivery: Delivery
    load_id: str
    files: list[FileOutcome]

    @property
    def loaded(self) -> bool:
        return any(f.status == "loaded" for f in self.files)

    @property
    def periods(self) -> set[date]:
        return {p for f in self.files if f.status == "loaded" for p in f.periods}
