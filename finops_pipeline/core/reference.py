"""Reference tables kept as data beside the format mappings, loaded into the warehouse.

- `mappings/pricing_units.csv` -> ref_pricing_unit: provider unit spellings (`Hrs`, `GB-Mo`,
  Azure's `1 GB/Month`, GCP's `gibibyte month`) -> the FOCUS Unit Format. A block size stays
  in the unit (`10K` -> `10000 Units`) so PricingQuantity keeps the meaning it had.
- `mappings/regions.csv` -> ref_region: region code -> display name, for rows whose export
  carries only the code (AWS data transfer rows name a location, not the region).
- `mappings/provider_entities.csv` -> ref_provider_entity: legal entities that are the
  provider itself (`Amazon Web Services EMEA SARL` is AWS). FOCUS compares InvoiceIssuerName
  with ProviderName to tell a third party's charge (BilledCost 0) from the provider's own.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

REFERENCE_TABLES = {
    "ref_pricing_unit": ("pricing_units.csv", ["provider", "unit", "focus_unit"]),
    "ref_region": ("regions.csv", ["provider", "region_id", "region_name"]),
    "ref_provider_entity": ("provider_entities.csv", ["provider", "entity_like"]),
}


def mappings_dir() -> Path:
    return Path(str(resources.files("finops_pipeline.mappings")))


def load_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)load every reference CSV into its table; text only, read exactly as written."""
    for table, (filename, columns) in REFERENCE_TABLES.items():
        select = ", ".join(columns)
        con.execute(
            f"create or replace table {table} as select {select} from read_csv(?, header = true, "
            "all_varchar = true, quote = '\"', delim = ',')",
            [str(mappings_dir() / filename)],
        )
