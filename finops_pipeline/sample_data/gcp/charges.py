"""Price Google Cloud usage into detailed-export rows with credits, CUD fees and tax.

GCP bills on-demand prices and then subtracts credits on the same row: committed use
discounts (CUD), sustained use discounts (SUD) and promotions. The commitment itself is a
daily fee SKU in the project that bought it. Invoice total = Σ cost + Σ credits.amount; the
standard export has no amortization, so EffectiveCost equals BilledCost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..charges import MICRO, ZERO, Charge, money
from ..estate import Account, Estate, Resource
from ..ids import Ids
from ..periods import Window, month_key
from ..tags import resolve_team
from ..usage import UsageRow
from .catalog import sku
from .write import resource_global_name

TAX_RATE = Decimal("0.0725")
PROMOTION_BUDGET = Decimal(1500)
SUD_SHARE = Decimal("0.2")


def _ts(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


class GcpBill:
    """Accumulates one billing account's rows (``Charge.native`` is the export row)."""

    def __init__(self, estate: Estate, window: Window, seed: int) -> None:
        self.estate = estate
        self.window = window
        self.ids = Ids(seed, estate.source + ":rows")
        self.lines: list[Charge] = []
        self.cud = next((c for c in estate.commitments if c.kind == "gcp_cud"), None)
        self.promo_ids = set(estate.attrs.get("promotion_resources", "").split(",")) - {""}
        self.promo_left = PROMOTION_BUDGET * len(self.promo_ids)
        self.promo_until = window.months[min(4, len(window.months) - 1)].start

    def row(
        self,
        day: date,
        project: Account,
        meter_key: str,
        qty: Decimal,
        resource: Resource | None,
        credits: list[dict],
        cost_type: str = "regular",
        cost: Decimal | None = None,
        **extra: object,
    ) -> Charge:
        meter = sku(meter_key) if meter_key else None
        if cost is None:
            cost = money(qty * meter.rate, MICRO) if meter else ZERO
        billed = cost + sum((Decimal(c["amount"]) for c in credits), ZERO)
        labels = resource.tags if resource else {}
        native = {
            "_day": day,
            "_project": project,
            "_meter": meter,
            "_qty": qty,
            "_resource": resource,
            "cost": cost,
            "credits": credits,
            "cost_type": cost_type,
            "export_time": _ts(
                day + timedelta(days=1), 4 + len(self.lines) % 5, len(self.lines) % 60
            ),
            **extra,
        }
        charge = Charge(
            month=extra.get("invoice_month", month_key(day)),  # type: ignore[arg-type]
            day=day,
            billed=billed,
            effective=billed,
            service=meter.service if meter else str(extra.get("service_description", "")),
            sub_account=project.id,
            team=resolve_team(labels),
            resource_id=resource.id if resource else "",
            kind=cost_type,
            native=native,
        )
        self.lines.append(charge)
        return charge

    def price_day(self, day: date, rows: Iterable[UsageRow]) -> None:
        cud = self.cud if self.cud and self.cud.start <= day < self.cud.end else None
        left = (
            {"core": Decimal(cud.units * 24), "ram": Decimal(cud.attrs["ram_gib"]) * 24}
            if cud
            else {}
        )
        for row in rows:
            meter = row.use.meter
            cost = money(row.qty * meter.rate, MICRO)
            credits: list[dict] = []
            kind = meter.key.split("_")[-1]
            if cud and row.resource.commitment == cud.id and kind in left:
                covered = min(row.qty, left[kind])
                left[kind] -= covered
                amount = -money(covered * meter.rate, MICRO)
                if amount:
                    credits.append(
                        self._credit(
                            f"Committed Usage Discount: {'CPU' if kind == 'core' else 'RAM'}",
                            amount,
                            "COMMITTED_USAGE_DISCOUNT",
                            cud.id,
                        )
                    )
            if meter.key in ("n1_core", "n1_ram"):
                credits.append(
                    self._credit(
                        "Sustained Usage Discount",
                        -money(cost * SUD_SHARE, MICRO),
                        "SUSTAINED_USAGE_DISCOUNT",
                    )
                )
            if row.resource.id in self.promo_ids and day < self.promo_until and self.promo_left:
                amount = min(cost, self.promo_left)
                self.promo_left -= amount
                credits.append(
                    self._credit(
                        "Google for Startups Cloud Program",
                        -amount,
                        "PROMOTION",
                        "promo-startups-2025",
                    )
                )
            charge = self.row(
                day, row.resource.account, meter.key, row.qty, row.resource, credits, cost=cost
            )
            if row.baseline is not None:
                charge.baseline = money(row.baseline * meter.rate, MICRO)
            charge.waste = row.resource.waste_on(day)
            if charge.waste:
                charge.waste_resource = resource_global_name(
                    row.resource, row.resource.account.id, meter.service
                )
        if cud:
            self.row(day, cud.account, "cud_cpu", Decimal(cud.units * 24), None, [])
            self.row(day, cud.account, "cud_ram", Decimal(cud.attrs["ram_gib"]) * 24, None, [])

    def _credit(self, name: str, amount: Decimal, kind: str, cid: str = "") -> dict:
        full = {"PROMOTION": "Google for Startups Cloud Program credit"}.get(kind)
        return {
            "name": name,
            "amount": amount,
            "full_name": full,
            "id": cid or f"{kind.lower()}-{self.estate.billing_account_id}",
            "type": kind,
        }

    def add_month_end_rows(self) -> None:
        """Tax per project, one adjustment and one rounding line per closed month."""
        for index, month in enumerate(self.window.months):
            if month.is_open:
                continue
            last = month.data_days[-1]
            per_project: dict[str, Decimal] = defaultdict(lambda: ZERO)
            projects = {a.id: a for a in self.estate.accounts}
            for c in self.lines:
                if c.month == month.key:
                    per_project[c.sub_account] += c.billed
            for pid in sorted(per_project):
                tax = money(per_project[pid] * TAX_RATE, Decimal("0.01"))
                if tax > 0:
                    self.row(
                        last,
                        projects[pid],
                        "",
                        Decimal(0),
                        None,
                        [],
                        "tax",
                        cost=tax,
                        invoice_month=month.key,
                        service_description="Invoice",
                        sku_description="Tax",
                    )
            rounding = Decimal(self.ids.rng.randint(-9, 9)) / 1000
            self.row(
                last,
                projects[self.estate.accounts[-1].id],
                "",
                Decimal(0),
                None,
                [],
                "rounding_error",
                cost=rounding,
                invoice_month=month.key,
                service_description="Invoice",
                sku_description="Rounding error",
            )
            if index == max(0, len(self.window.months) - 5):
                self.row(
                    last,
                    projects[self.estate.accounts[1].id],
                    "egress",
                    Decimal(0),
                    None,
                    [],
                    "adjustment",
                    cost=Decimal("-48.250000"),
                    invoice_month=month.key,
                    adjustment_info={
                        "id": f"adj-{self.ids.hex(12)}",
                        "mode": "MANUAL_ADJUSTMENT",
                        "description": "Credit for network egress billing error",
                        "type": "GENERAL_ADJUSTMENT",
                    },
                )
