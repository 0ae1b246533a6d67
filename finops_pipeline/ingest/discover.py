"""Find the export files under a path and group them into deliveries.

A delivery is what a provider writes for one billing period in one go: the files of one
folder (a multi-part CUR, a partitioned Azure export). A delivery replaces its periods as a
whole, so one bad part never leaves a period half-loaded. Legacy CUR keeps superseded
assemblies beside the current one; its `*-Manifest.json` says which assembly is current.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from finops_pipeline.ingest.reader import file_kind

PERIOD_PATTERNS = (
    re.compile(r"^BILLING_PERIOD=(\d{4})-(\d{2})$", re.IGNORECASE),
    re.compile(r"^invoice_month=(\d{4})(\d{2})$", re.IGNORECASE),
    re.compile(r"^(\d{4})(\d{2})01-\d{8}$"),
)


@dataclass
class Delivery:
    folder: Path
    files: list[Path]
    period: date | None


@dataclass
class Discovery:
    deliveries: list[Delivery] = field(default_factory=list)
    superseded: list[Path] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)


def folder_period(path: Path) -> date | None:
    """The billing period a provider's folder naming states for a file, if any."""
    for part in reversed(path.parent.parts):
        for pattern in PERIOD_PATTERNS:
            match = pattern.match(part)
            if match:
                return date(int(match.group(1)), int(match.group(2)), 1)
    return None


def discover(root: Path) -> Discovery:
    """Deliveries under `root` (a file or a folder, searched recursively), oldest path first."""
    result = Discovery()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    current_assemblies = _legacy_cur_assemblies(files)
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        if path.name.startswith(("_", ".")):
            # data lake convention (_SUCCESS, _metadata; `finops export` writes
            # _focus_metadata.json and _period.json): metadata, never a billing export
            continue
        if file_kind(path) is None:
            if not path.name.lower().endswith("manifest.json") and path.suffix.lower() not in (
                ".md",
                ".txt",
                ".yaml",
                ".yml",
            ):
                result.ignored.append(path)
            continue
        if _is_superseded(path, current_assemblies):
            result.superseded.append(path)
            continue
        by_folder.setdefault(path.parent, []).append(path)
    for folder, folder_files in by_folder.items():
        result.deliveries.append(Delivery(folder, folder_files, folder_period(folder_files[0])))
    return result


def _legacy_cur_assemblies(files: list[Path]) -> dict[Path, str]:
    """Period folder -> current assemblyId, from legacy CUR manifests."""
    current: dict[Path, str] = {}
    for path in files:
        if not path.name.endswith("-Manifest.json"):
            continue
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        assembly = manifest.get("assemblyId") if isinstance(manifest, dict) else None
        if assembly and "reportKeys" in manifest:
            current[path.parent] = str(assembly)
    return current


def _is_superseded(path: Path, current_assemblies: dict[Path, str]) -> bool:
    period_folder = path.parent.parent
    assembly = current_assemblies.get(period_folder)
    return assembly is not None and path.parent.name != assembly
