"""What one domain folder adds to the Dagster code location.

Each domain's `assets.py` has a `domain(...)` that builds its assets and their checks and
names the tables it reads itself (waste reads focus_costs, unit costs read showback_monthly),
so `definitions.py` only lists the domains and hands each the settings and the partitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Domain:
    assets: Sequence[dg.AssetsDefinition]
    checks: Sequence[dg.AssetChecksDefinition] = ()

    @property
    def keys(self) -> list[dg.AssetKey]:
        """Every asset key of the domain (a multi-asset has several)."""
        return [key for asset in self.assets for key in asset.keys]


def assets_of(domains: Iterable[Domain]) -> list[dg.AssetsDefinition]:
    return [asset for domain in domains for asset in domain.assets]


def checks_of(domains: Iterable[Domain]) -> list[dg.AssetChecksDefinition]:
    return [check for domain in domains for check in domain.checks]


def keys_of(domains: Iterable[Domain]) -> list[dg.AssetKey]:
    return [key for domain in domains for key in domain.keys]
