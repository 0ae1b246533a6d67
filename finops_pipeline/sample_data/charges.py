"""The provider-neutral view of one generated billing line, and money helpers.

Each provider module prices usage into ``Charge`` objects. The common fields carry what the
ground truth needs (billed and effective cost as ``Decimal``, the slice keys used by anomaly
and waste checks); ``native`` carries the provider columns the writers put in the files.
Ground truth is summed from these objects, never re-read from the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)
CENT10 = Decimal("0.0000000001")  # AWS/Azure: costs carry up to 10 decimals
MICRO = Decimal("0.000001")  # GCP: costs carry up to 6 decimals


def money(value: Decimal, quantum: Decimal = CENT10) -> Decimal:
    """Round a cost the way the generator's providers do (half up at the cost's precision)."""
    return value.quantize(quantum, ROUND_HALF_UP)


def plain(value: Decimal | None) -> str:
    """A decimal as a plain string without exponent or trailing zeros (``"0"`` for zero)."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(slots=True)
class Charge:
    """One line on a provider bill, in semantic form.

    ``billed`` is what the invoice counts, ``effective`` the amortized FOCUS EffectiveCost.
    ``baseline`` is the effective cost the line would have had without a planted anomaly
    (None when no anomaly touched it). ``waste`` names the waste check it belongs to and
    ``waste_resource`` the resource id that check reports.
    """

    month: str
    day: date
    billed: Decimal
    effective: Decimal
    service: str
    sub_account: str
    team: str | None
    resource_id: str
    kind: str
    baseline: Decimal | None = None
    waste: str | None = None
    waste_resource: str | None = None
    native: dict[str, Any] = field(default_factory=dict)

    @property
    def effective_without_anomaly(self) -> Decimal:
        return self.effective if self.baseline is None else self.baseline
