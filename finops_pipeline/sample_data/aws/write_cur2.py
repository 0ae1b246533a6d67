"""Write a CUR 2.0 Data Export (Parquet, fixed schema, nested MAP columns).

Column names and order follow ``aws bcm-data-exports get-table COST_AND_USAGE_REPORT`` with
INCLUDE_RESOURCES. Product attributes without a top-level column go into the ``product``
map, tags into ``resource_tags`` (``user:team`` becomes ``user_team``), and each account's
owning team into the ``cost_category`` map.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..charges import Charge
from ..estate import Estate
from ..ids import Ids
from ..periods import Month
from .common import account_names, bill_columns
from .data_exports import DOUBLE, DOUBLE_MAP, STR_MAP, STRING, TIMESTAMP, map_items, write_period

EXPORT = "kestrel-eu-cur2"
_TIMESTAMPS = {
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "reservation_start_time",
    "reservation_end_time",
    "savings_plan_start_time",
    "savings_plan_end_time",
}
_DOUBLES = re.compile(
    r"(_cost|_rate|_amount|_factor|_fee|_value|_quantity|_units|_commitment|_to_date|"
    r"_for_usage|_billing_period|_discount)$"
)
_STRINGS = {
    "reservation_number_of_reservations",
    "reservation_units_per_reservation",
    "reservation_normalized_units_per_reservation",
}
COLUMNS = [
    "identity_line_item_id",
    "identity_time_interval",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_billing_entity",
    "bill_bill_type",
    "bill_payer_account_id",
    "bill_payer_account_name",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_usage_account_name",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_normalization_factor",
    "line_item_normalized_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_user_identifier",
    "line_item_blended_rate",
    "line_item_blended_cost",
    "line_item_line_item_description",
    "line_item_tax_type",
    "line_item_net_unblended_rate",
    "line_item_net_unblended_cost",
    "line_item_legal_entity",
    "product_servicecode",
    "product_operation",
    "product_usagetype",
    "product_sku",
    "product_product_family",
    "product_comment",
    "product_fee_code",
    "product_fee_description",
    "product_location",
    "product_location_type",
    "product_region_code",
    "product_from_location",
    "product_from_location_type",
    "product_from_region_code",
    "product_to_location",
    "product_to_location_type",
    "product_to_region_code",
    "product_instance_family",
    "product_instance_type",
    "product_instancesku",
    "product_pricing_unit",
    "product",
    "pricing_lease_contract_length",
    "pricing_offering_class",
    "pricing_purchase_option",
    "pricing_rate_code",
    "pricing_rate_id",
    "pricing_currency",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
    "pricing_term",
    "pricing_unit",
    "reservation_availability_zone",
    "reservation_start_time",
    "reservation_end_time",
    "reservation_modification_status",
    "reservation_amortized_upfront_cost_for_usage",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_recurring_fee_for_usage",
    "reservation_unused_recurring_fee",
    "reservation_effective_cost",
    "reservation_upfront_value",
    "reservation_net_amortized_upfront_cost_for_usage",
    "reservation_net_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_recurring_fee_for_usage",
    "reservation_net_unused_recurring_fee",
    "reservation_net_effective_cost",
    "reservation_net_upfront_value",
    "reservation_normalized_units_per_reservation",
    "reservation_number_of_reservations",
    "reservation_reservation_a_r_n",
    "reservation_subscription_id",
    "reservation_total_reserved_normalized_units",
    "reservation_total_reserved_units",
    "reservation_units_per_reservation",
    "reservation_unused_normalized_unit_quantity",
    "reservation_unused_quantity",
    "savings_plan_total_commitment_to_date",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_rate",
    "savings_plan_used_commitment",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "savings_plan_recurring_commitment_for_billing_period",
    "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_net_amortized_upfront_commitment_for_billing_period",
    "savings_plan_net_recurring_commitment_for_billing_period",
    "savings_plan_start_time",
    "savings_plan_end_time",
    "savings_plan_instance_type_family",
    "savings_plan_offering_type",
    "savings_plan_payment_option",
    "savings_plan_purchase_term",
    "savings_plan_region",
    "discount_bundled_discount",
    "discount_total_discount",
    "discount",
    "resource_tags",
    "tags",
    "cost_category",
]
_PREFIXES = {"lineItem": "line_item", "savingsPlan": "savings_plan"}


@lru_cache(maxsize=4096)
def snake(legacy: str) -> str:
    """``lineItem/UnblendedCost`` -> ``line_item_unblended_cost`` (``ARN`` -> ``a_r_n``)."""
    category, name = legacy.split("/", 1)
    return f"{_PREFIXES.get(category, category)}_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _type(column: str) -> pa.DataType:
    if column in ("product", "resource_tags", "tags", "cost_category"):
        return STR_MAP
    if column == "discount":
        return DOUBLE_MAP
    if column in _TIMESTAMPS:
        return TIMESTAMP
    if column in _STRINGS or not _DOUBLES.search(column):
        return STRING
    return DOUBLE


SCHEMA = pa.schema([(c, _type(c)) for c in COLUMNS])
_TOP = set(COLUMNS)


def tag_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", key)


def record(estate: Estate, month: Month, c: Charge, names: dict[str, str]) -> dict[str, Any]:
    n = c.native
    out: dict[str, Any] = {}
    product: dict[str, str] = {}
    values = {**n, **bill_columns(estate, month, c, True)}
    for key, value in values.items():
        if key.startswith("_"):
            continue
        col = snake(key)
        if col in _TOP:
            out[col] = value
        elif key.startswith("product/") and value:
            product[col.removeprefix("product_")] = str(value)
    out["identity_time_interval"] = (
        f"{n['_start']:%Y-%m-%dT%H:%M:%SZ}/{n['_end']:%Y-%m-%dT%H:%M:%SZ}"
    )
    out["line_item_usage_start_date"], out["line_item_usage_end_date"] = n["_start"], n["_end"]
    out["bill_payer_account_name"] = estate.billing_account_name
    out["line_item_usage_account_name"] = names.get(c.sub_account, "")
    out["product_pricing_unit"] = n.get("pricing/unit")
    out["product"] = map_items(product)
    out["resource_tags"] = map_items({tag_key(k): v for k, v in (n.get("_tags") or {}).items()})
    team = next((a.team for a in estate.accounts if a.id == c.sub_account), None)
    out["cost_category"] = map_items({"team": team or "shared"})
    return out


def write_month(estate: Estate, outdir: Path, month: Month, lines: list[Charge], ids: Ids) -> str:
    names = account_names(estate)
    records = [record(estate, month, c, names) for c in lines]
    columns = {col: [r.get(col) for r in records] for col in COLUMNS}
    for col in COLUMNS:
        kind = SCHEMA.field(col).type
        if kind == STRING:
            columns[col] = [None if v is None or v == "" else str(v) for v in columns[col]]
        elif kind == DOUBLE:
            columns[col] = [None if v is None or v == "" else float(v) for v in columns[col]]
    query = f"SELECT {', '.join(COLUMNS)} FROM COST_AND_USAGE_REPORT"
    return write_period(
        estate, outdir, EXPORT, month, SCHEMA, columns, query, ids, "COST_AND_USAGE_REPORT"
    )
