"""Which raw columns a delivery lands: the ones the staging models read (issue 16).

Writing a column costs far more than scanning it (DuckDB's own `CREATE TABLE AS` of a
94-column CUR takes ~6x its bare scan, in proportion to the columns written), and a quarter
to a third of each provider mapping's columns are read by no staging model. Those are
landed as NULL; the raw tables keep every mapped column, and the values stay readable
from the delivered file, whose path every row records in `x_source_file`
(`select * from read_csv(x_source_file)`). FINOPS_LAND_ALL_COLUMNS=1 lands them all.

A column counts as read when its name appears as a word in any `sql/staging/*.sql` file,
so a staging model that starts reading a column lands it without a second list to keep in
step; a column the landing itself needs (required, billing period, currency, totals, tags)
or marked `keep` in its mapping is always landed.
"""

from __future__ import annotations

import os
import re
from functools import cache

from finops_pipeline.ingest.mapping import FormatMapping
from finops_pipeline.warehouse import SQL_DIR

LAND_ALL_ENV = "FINOPS_LAND_ALL_COLUMNS"


def land_all_columns() -> bool:
    """FINOPS_LAND_ALL_COLUMNS=1 (or true/yes): land every mapped column, read or not."""
    return os.environ.get(LAND_ALL_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@cache
def _staging_words() -> frozenset[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (SQL_DIR / "staging").glob("*.sql"))
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def _words(sql: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql)}


def landed_columns(mapping: FormatMapping) -> set[str]:
    """The mapping's columns that land with values; the others land as NULL."""
    if land_all_columns():
        return set(mapping.columns)
    needed = _staging_words() | _words(
        " ".join([mapping.currency_sql, mapping.total_cost_sql, mapping.cost_basis_sql])
    )
    return {
        name
        for name, spec in mapping.columns.items()
        if name.lower() in needed
        or spec.required
        or spec.keep
        or name in mapping.billing_period_columns
        or name == mapping.tag_column
    }
