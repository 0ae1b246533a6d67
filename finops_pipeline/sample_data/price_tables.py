"""Read a price catalogue kept as CSV beside its provider's catalog module.

Prices, regions and meter attributes are data, not code: one row per meter, readable and
diffable on their own. They ship inside the package, so they are read through
``importlib.resources``, never by a path relative to the source tree. Every value stays text
(``"0.10"`` is not ``"0.1"``: the writers print prices as given), the caller converts.
"""

from __future__ import annotations

import csv
import io
from importlib import resources


def read_table(package: str, filename: str) -> list[dict[str, str]]:
    """The rows of `filename` in `package`, in file order, every value as written."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def keyed(package: str, filename: str) -> dict[str, tuple[str, ...]]:
    """First column -> the other columns as a tuple, in file order."""
    return {
        key: tuple(rest) for key, *rest in (row.values() for row in read_table(package, filename))
    }
