"""Showback: who owns each unit of cost, by which rule, and a ledger that always adds up.

`build_showback` turns `focus_costs` into `allocation_ledger` and `showback_monthly` for one
billing month or all; `conservation` proves Σ showback = Σ focus_costs per month and currency.
The policy (owners, shared-cost pools, reporting currency) is data in finops.yaml, validated
by the models in `rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_pipeline.lazy_names import lazy_getattr
from finops_pipeline.showback.rules import ShowbackSection

if TYPE_CHECKING:
    from finops_pipeline.showback.allocate import (
        ConservationRow,
        ShowbackBuild,
        build_showback,
        conservation,
    )

# The allocator pulls in pyarrow (~0.5 s). `finops_pipeline.settings` imports this package for
# ShowbackSection, so every CLI command paid for it at start-up; the allocator's names load on
# first use instead (PEP 562), as in `finops_pipeline.anomalies`.
_LAZY = {
    "ConservationRow": "finops_pipeline.showback.allocate",
    "ShowbackBuild": "finops_pipeline.showback.allocate",
    "build_showback": "finops_pipeline.showback.allocate",
    "conservation": "finops_pipeline.showback.allocate",
}

__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "ConservationRow",
    "ShowbackBuild",
    "ShowbackSection",
    "build_showback",
    "conservation",
]
