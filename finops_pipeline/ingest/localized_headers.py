"""Azure exports downloaded in another language: which English column a localized header is.

The Azure portal writes a localized usage file's header as `<localized text> (<EnglishName>)`,
e.g. `Abonnement-GUID (SubscriptionGuid)`: the name in parentheses is the English column name
the format mapping knows. Headers with the localized text alone are looked up in
`mappings/azure_localized_headers.csv` (language, localized, english, source: where the
spelling was seen), kept as data so a new spelling is one line. Only what is documented or
seen in real files is listed; nothing is machine-translated.
Their local number and date formats are read by localized_values.py.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from finops_pipeline.ingest.mapping import get_mapping, header_key

TABLE = Path(__file__).resolve().parents[1] / "mappings" / "azure_localized_headers.csv"
_PARENTHESIZED = re.compile(r"^(?P<local>.*\S)\s*\((?P<english>[A-Za-z][A-Za-z0-9]*)\)\s*$")


class LocalizedHeader(BaseModel):
    """One localized header spelling and the English column name it stands for."""

    model_config = ConfigDict(extra="forbid")

    language: str
    localized: str
    english: str
    source: str

    @field_validator("english")
    @classmethod
    def _english(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", value):
            raise ValueError(f"{value!r} is not an English column name such as MeterCategory")
        return value


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@cache
def localized_headers() -> dict[str, LocalizedHeader]:
    """Folded localized spelling -> entry, validated; the same spelling twice must agree."""
    entries: dict[str, LocalizedHeader] = {}
    with TABLE.open(encoding="utf-8", newline="") as stream:
        for line, row in enumerate(csv.DictReader(stream), start=2):
            try:
                entry = LocalizedHeader.model_validate(row)
            except ValueError as exc:
                raise ValueError(f"{TABLE}, line {line}: {exc}") from exc
            key = _fold(entry.localized)
            if key in entries and entries[key].english != entry.english:
                raise ValueError(f"{TABLE}, line {line}: {entry.localized!r} is mapped twice")
            entries[key] = entry
    return entries


def english_name(header: str) -> str | None:
    """The English column name a localized header stands for, or None for other headers."""
    match = _PARENTHESIZED.match(header.strip())
    if match and header_key(match["english"]) in _azure_names():
        return match["english"]
    entry = localized_headers().get(_fold(header))
    return entry.english if entry else None


@cache
def _azure_names() -> frozenset[str]:
    """The azure-cost mapping's column names and aliases: a parenthesised word is an English
    column name only if it is one of them (`Cost (USD)` in another export is not)."""
    mapping = get_mapping("azure-cost")
    return frozenset(
        header_key(n) for name, spec in mapping.columns.items() for n in [name, *spec.aliases]
    )
