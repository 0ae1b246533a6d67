"""Read an ODCS v3 contract into the rules we check: one contract, the source of every rule.

What a contract can say and how it becomes a rule (each rule measures one number in DuckDB,
then great-expectations judges the number against the contract's threshold):
- property `required: true`              -> nullValues must be 0
- property `primaryKey: true` (all)      -> duplicate key rows must be 0
- property `quality: [{metric: nullValues | invalidValues, arguments: {validValues | pattern}}]`
- object `quality: [{metric: rowCount | duplicateValues}]` and `{type: sql, query: ...}`
- `slaProperties: [{property: latency, value, unit, element: table.column}]` -> freshness
Thresholds are ODCS's: mustBe, mustNotBe, mustBe(Greater|Less)Than, mustBe(Greater|Less)OrEqualTo,
mustBeBetween. `severity: error` blocks downstream assets; anything else
(warning, info) is reported without blocking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from finops_pipeline.errors import ConfigError
from finops_pipeline.package_files import data_dir

CONTRACTS_DIR = data_dir("data_contracts")
OPERATORS = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
)
LATENCY_UNITS_HOURS = {"h": 1, "hour": 1, "hours": 1, "d": 24, "day": 24, "days": 24}


@dataclass(frozen=True)
class Rule:
    """One measurable expectation. `kind` says how DuckDB measures it (see measure.py)."""

    name: str
    kind: str  # nulls | invalid_values | pattern | row_count | duplicates | sql | freshness_hours
    severity: str  # "error" blocks downstream; "warning" does not
    operator: str
    threshold: Any
    column: str | None = None
    columns: tuple[str, ...] = ()
    values: tuple[Any, ...] = ()
    query: str | None = None
    description: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


@dataclass
class Contract:
    table: str
    path: Path
    columns: list[tuple[str, str]]
    partition_column: str | None
    rules: list[Rule] = field(default_factory=list)


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """Every `<table>.odcs.yaml` in `directory`, keyed by table name."""
    folder = directory or CONTRACTS_DIR
    contracts = [load_contract(path) for path in sorted(folder.glob("*.odcs.yaml"))]
    return {c.table: c for c in contracts}


def load_contract(path: Path) -> Contract:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        [obj] = doc["schema"]
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{path}: not an ODCS v3 contract with exactly one schema object ({exc}); "
            "follow data_contracts/focus_costs.odcs.yaml"
        ) from exc
    table = obj.get("physicalName") or obj.get("name")
    if path.name != f"{table}.odcs.yaml":
        raise ConfigError(f"{path}: file stem must equal schema[0].physicalName {table!r}")
    props = obj.get("properties") or []
    contract = Contract(
        table=table,
        path=path,
        columns=[(p["name"], p["physicalType"]) for p in props],
        partition_column=next((p["name"] for p in props if p.get("partitioned")), None),
    )
    rules = contract.rules
    for prop in props:
        column = prop["name"]
        if prop.get("required"):
            rules.append(Rule(f"{column}_not_null", "nulls", "error", "mustBe", 0, column))
        for i, item in enumerate(prop.get("quality") or []):
            rules.append(_property_rule(path, table, column, i, item))
    keys = sorted((p for p in props if p.get("primaryKey")), key=_key_position)
    if keys:
        columns = tuple(p["name"] for p in keys)
        rules.append(Rule("primary_key_unique", "duplicates", "error", "mustBe", 0, None, columns))
    for i, item in enumerate(obj.get("quality") or []):
        rules.append(_object_rule(path, table, i, item))
    for i, sla in enumerate(doc.get("slaProperties") or []):
        if sla.get("property") == "latency":
            rules.append(_latency_rule(path, table, i, sla))
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"{path}: rule names must be unique; repeated: {', '.join(repeated)}")
    return contract


def _key_position(prop: dict) -> int:
    return int(prop.get("primaryKeyPosition") or 0)


def _threshold(path: Path, where: str, item: dict) -> tuple[str, Any]:
    found = [op for op in OPERATORS if op in item]
    if len(found) != 1:
        raise ConfigError(
            f"{path}: {where}: expected exactly one of {', '.join(OPERATORS)}, found "
            f"{found or 'none'}"
        )
    return found[0], item[found[0]]


def _severity(item: dict) -> str:
    return "error" if str(item.get("severity", "error")).lower() == "error" else "warning"


def _property_rule(path: Path, table: str, column: str, i: int, item: dict) -> Rule:
    where = f"{table}.{column} quality[{i}]"
    metric = item.get("metric") or item.get("rule")
    operator, threshold = _threshold(path, where, item)
    args = item.get("arguments") or {}
    name = item.get("name") or f"{column}_{metric}"
    common = dict(severity=_severity(item), operator=operator, threshold=threshold, column=column)
    common["description"] = item.get("description", "")
    if metric == "nullValues":
        return Rule(name, "nulls", **common)
    if metric == "invalidValues" and "validValues" in args:
        return Rule(name, "invalid_values", values=tuple(args["validValues"]), **common)
    if metric == "invalidValues" and "pattern" in args:
        return Rule(name, "pattern", values=(args["pattern"],), **common)
    raise ConfigError(
        f"{path}: {where}: unsupported metric {metric!r}; use nullValues or invalidValues "
        "(arguments validValues or pattern), or a type: sql rule on the object"
    )


def _object_rule(path: Path, table: str, i: int, item: dict) -> Rule:
    where = f"{table} quality[{i}]"
    operator, threshold = _threshold(path, where, item)
    severity, description = _severity(item), item.get("description", "")
    metric = item.get("metric") or item.get("rule")
    if item.get("type") == "sql":
        if not item.get("query") or not item.get("name"):
            raise ConfigError(f"{path}: {where}: a sql rule needs a name and a query")
        return Rule(
            item["name"], "sql", severity, operator, threshold, query=item["query"],
            description=description,
        )  # fmt: skip
    if metric == "rowCount":
        name = item.get("name") or "row_count"
        return Rule(name, "row_count", severity, operator, threshold, description=description)
    if metric == "duplicateValues":
        columns = tuple((item.get("arguments") or {}).get("properties") or ())
        if not columns:
            raise ConfigError(f"{path}: {where}: duplicateValues needs arguments.properties")
        name = item.get("name") or "duplicate_values"
        return Rule(name, "duplicates", severity, operator, threshold, None, columns)
    raise ConfigError(
        f"{path}: {where}: unsupported rule {metric or item.get('type')!r}; use type: sql, "
        "metric: rowCount or metric: duplicateValues"
    )


def _latency_rule(path: Path, table: str, i: int, sla: dict) -> Rule:
    unit = str(sla.get("unit", "d")).lower()
    element = str(sla.get("element", ""))
    column = element.split(".")[-1]
    if unit not in LATENCY_UNITS_HOURS or not column:
        raise ConfigError(
            f"{path}: slaProperties[{i}]: latency needs element: {table}.<column> and a unit "
            f"in {', '.join(LATENCY_UNITS_HOURS)}"
        )
    hours = float(sla["value"]) * LATENCY_UNITS_HOURS[unit]
    return Rule(
        "freshness",
        "freshness_hours",
        _severity(sla),
        "mustBeLessOrEqualTo",
        hours,
        column,
        description=f"newest {column} at most {sla['value']} {unit} old (open period only)",
    )
