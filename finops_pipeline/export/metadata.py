"""The export's metadata file, `_focus_metadata.json`, beside the billing period folders.

FOCUS metadata (1.2: DataGenerator and Schema with FocusVersion and column definitions;
1.3: Recency, one TimeSector per billing period with its last update and whether it is
complete). Each period folder carries its own record (`_period.json`), written with the
period's files and swapped in with them; the top-level file is rebuilt from the period
records on every export, so it always describes exactly the periods on disk.

Complete: a billing period is complete when its data was last loaded after the period
ended (a provider's final or restated month); the month still being billed is not.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

METADATA_FILE = "_focus_metadata.json"
PERIOD_FILE = "_period.json"

_TYPES = {
    "DECIMAL": "Decimal",
    "TIMESTAMP": "DateTime",
    "JSON": "JSON",
    "VARCHAR": "String",
}


def generator_name() -> str:
    try:
        return f"finops-pipeline {version('finops-pipeline')}"
    except PackageNotFoundError:
        return "finops-pipeline"


def period_record(
    con: duckdb.DuckDBPyConnection,
    where: str,
    params: list,
    period: date,
    columns: list[str],
    data_file: str,
) -> dict:
    """Row count, BilledCost/EffectiveCost per currency and recency for one period."""
    totals = con.execute(
        "select BillingCurrency, count(*), sum(BilledCost), sum(EffectiveCost) "
        f"from focus_costs {where} group by 1 order by 1",
        params,
    ).fetchall()
    loaded = con.execute(
        "select max(loaded_at) from load_log where load_id in "
        f"(select distinct x_LoadId from focus_costs {where})",
        params,
    ).fetchone()
    last_updated = loaded[0] if loaded and loaded[0] else datetime.now(UTC).replace(tzinfo=None)
    period_end = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    types = dict((row[0], row[1]) for row in con.execute("describe focus_costs").fetchall())
    return {
        "BillingPeriod": f"{period:%Y-%m}",
        "BillingPeriodStart": f"{period:%Y-%m-%d}T00:00:00Z",
        "BillingPeriodEnd": f"{period_end:%Y-%m-%d}T00:00:00Z",
        "DataFile": data_file,
        "RowCount": sum(int(r[1]) for r in totals),
        "Totals": [
            {
                "BillingCurrency": r[0],
                "RowCount": int(r[1]),
                "BilledCost": str(r[2]),
                "EffectiveCost": str(r[3]),
            }
            for r in totals
        ],
        "LastUpdated": f"{last_updated:%Y-%m-%dT%H:%M:%S}Z",
        "Complete": last_updated.date() >= period_end,
        "Columns": [{"ColumnName": c, "DataType": _focus_type(types.get(c, ""))} for c in columns],
    }


def _focus_type(duckdb_type: str) -> str:
    for prefix, name in _TYPES.items():
        if duckdb_type.upper().startswith(prefix):
            return name
    return "String"


def read_periods(out: Path) -> list[dict]:
    records = []
    for folder in sorted(out.glob("billing_period=*")):
        path = folder / PERIOD_FILE
        if folder.is_dir() and path.exists():
            records.append(json.loads(path.read_text(encoding="utf-8")))
    return records


def write_metadata(out: Path, focus_version: str, file_format: str, source: str | None) -> Path:
    """Rebuild _focus_metadata.json from the period records on disk (atomic replace)."""
    periods = read_periods(out)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    columns = periods[-1]["Columns"] if periods else []
    document: dict = {
        "DataGenerator": {"DataGenerator": generator_name()},
        "Schema": {
            "SchemaId": f"finops-pipeline-focus-{focus_version}",
            "FocusVersion": focus_version,
            "CreationDate": now,
            "ColumnDefinition": columns,
        },
        "Periods": [{k: v for k, v in p.items() if k != "Columns"} for p in periods],
        "x_Export": {"FocusVersion": focus_version, "Format": file_format, "Source": source},
    }
    if focus_version == "1.3":
        document["Recency"] = [
            {
                "DatasetInstanceId": f"focus-costs-{source or 'all-sources'}",
                "RecencyLastUpdated": max((p["LastUpdated"] for p in periods), default=now),
                "TimeSectors": [
                    {
                        "TimeSectorStart": p["BillingPeriodStart"],
                        "TimeSectorEnd": p["BillingPeriodEnd"],
                        "TimeSectorLastUpdated": p["LastUpdated"],
                        "TimeSectorComplete": p["Complete"],
                    }
                    for p in periods
                ],
            }
        ]
    target = out / METADATA_FILE
    temporary = out / f".{METADATA_FILE}.tmp"
    temporary.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(temporary, target)
    return target
