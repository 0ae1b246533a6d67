"""Shared helpers for the provider estate builders: scaled resource creation and tagging."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from .estate import Account, Estate, Resource, Use
from .ids import Ids
from .periods import Window
from .tags import common_tags, team_tags

ENV_BY_TEAM = {"ml": "research", "platform": "shared"}
_GENERIC = {
    "vm",
    "asp",
    "cosmos",
    "st",
    "kv",
    "log",
    "pip",
    "redis",
    "aks",
    "kestrel",
    "eu",
    "us",
    "kc",
    "kd",
    "gke",
    "bq",
    "labs",
    "legacy",
}


def app_name(resource_name: str) -> str:
    """``vm-payments-api-1`` -> ``payments``: the first token that is not a naming prefix."""
    tokens = resource_name.split("-")
    return next((t for t in tokens if t not in _GENERIC and not t.isdigit()), tokens[0])


class EstateBuilder:
    """Adds resources to an estate ``scale`` times over, with messy but seeded tags.

    Provider builders describe one copy of the estate; ``scale`` repeats every resource with
    a fresh id, so row counts grow linearly while the shape of the bill stays the same.
    """

    def __init__(self, estate: Estate, window: Window, seed: int, scale: int) -> None:
        self.estate = estate
        self.window = window
        self.scale = scale
        self.ids = Ids(seed, estate.source)
        self.tag_rng = random.Random(f"{seed}:{estate.source}:tags")
        self.copy = 0  # which scaled copy is being built
        self.lowercase_tags = False  # GCP labels allow lower case only

    @property
    def n_months(self) -> int:
        return len(self.window.months)

    def month_start(self, index: int) -> date:
        """First day of window month ``index`` (clamped into the window)."""
        index = max(0, min(index, self.n_months - 1))
        return self.window.months[index].start

    def tags(self, team: str | None, app: str) -> dict:
        env = ENV_BY_TEAM.get(team or "", "prod")
        cost_center = f"CC-{1000 + (hash_team(team) % 90) * 10}"
        out = team_tags(team, self.tag_rng, lowercase_only=self.lowercase_tags)
        out.update(common_tags(env, app, cost_center, self.tag_rng))
        if self.lowercase_tags:
            out = {k: v.lower() for k, v in out.items()}
        return out

    def add(
        self,
        make_id: Callable[[], str],
        name: str,
        account: Account,
        region: str,
        uses: list[Use],
        *,
        team: str | None = None,
        tags: dict | None = None,
        **kwargs: object,
    ) -> list[Resource]:
        """Add the resource once per scale copy; returns the copies."""
        made = []
        for copy in range(self.scale):
            self.copy = copy
            suffix = "" if copy == 0 else f"-{copy + 1}"
            team_ = team if team is not None else account.team
            resource = Resource(
                id=make_id(),
                name=f"{name}{suffix}",
                account=account,
                region=region,
                uses=tuple(uses),
                team=team_,
                tags=dict(tags) if tags is not None else self.tags(team_, app_name(name)),
                **kwargs,  # type: ignore[arg-type]
            )
            self.estate.resources.append(resource)
            made.append(resource)
        return made


def hash_team(team: str | None) -> int:
    """A stable small number per team (``hash()`` of str is salted per process)."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(team or "shared"))
