"""Showback: who owns each unit of cost, by which rule, and a ledger that always adds up.

`build_showback` turns `focus_costs` into `allocation_ledger` and `showback_monthly` for one
billing month or all; `conservation` proves Σ showback = Σ focus_costs per month and currency.
The policy (owners, shared-cost pools, reporting currency) is data in finops.yaml, validated
by the models in `rules`.
"""

from finops_pipeline.showback.allocate import (
    ConservationRow,
    ShowbackBuild,
    build_showback,
    conservation,
)
from finops_pipeline.showback.rules import ShowbackSection

__all__ = [
    "ConservationRow",
    "ShowbackBuild",
    "ShowbackSection",
    "build_showback",
    "conservation",
]
