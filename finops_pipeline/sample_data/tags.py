"""Messy ownership tags, and the policy that cleans them.

Real estates tag the same thing many ways: ``team``/``Team``/``TEAM``/``owner-team``, values in
upper case, padded with spaces, singular instead of plural, or missing. The generator plants
these variants on purpose; ``TAG_POLICY`` (also written to ground_truth.json) is the clean-up a
showback should apply, and ``resolve_team`` is that clean-up in code for the ground truth.
"""

from __future__ import annotations

import random

TEAM_KEYS = ("team", "Team", "TEAM", "owner-team")
VALUE_ALIASES = {
    "payment": "payments",
    "data_platform": "data-platform",
    "dataplatform": "data-platform",
    "mobile-app": "mobile",
    "machine-learning": "ml",
    "platform-eng": "platform",
}
_ALIAS_FOR = {canonical: alias for alias, canonical in VALUE_ALIASES.items()}

TAG_POLICY = {
    "canonical_key": "team",
    "key_variants": [*TEAM_KEYS, "user:team", "user:Team", "user:TEAM", "user:owner-team"],
    "value_normalisation": "strip, lower-case, then map aliases",
    "value_aliases": VALUE_ALIASES,
}


def _team_key_names() -> set[str]:
    keys = {k.lower() for k in TEAM_KEYS}
    return keys | {f"user:{k}" for k in keys} | {f"user_{k.replace('-', '_')}" for k in keys}


_KEYS = _team_key_names()


def resolve_team(tags: dict[str, str] | None) -> str | None:
    """The canonical team a clean tag policy derives from ``tags`` (None if untagged)."""
    if not tags:
        return None
    for key, value in tags.items():
        if key.lower() in _KEYS and value and value.strip():
            v = value.strip().lower()
            return VALUE_ALIASES.get(v, v)
    return None


def team_tags(team: str | None, rng: random.Random, *, lowercase_only: bool = False) -> dict:
    """Ownership tag(s) for one resource, drawn from realistic variants.

    ``lowercase_only`` follows GCP label rules (keys and values must be lower case).
    """
    if team is None:
        return {}
    roll = rng.random()
    if roll < 0.09:
        return {}  # never tagged
    if roll < 0.13:
        return {"team": ""}  # tagged by a template that left the value empty
    keys = ("team", "owner-team") if lowercase_only else TEAM_KEYS
    weights = (0.8, 0.2) if lowercase_only else (0.58, 0.2, 0.07, 0.15)
    key = rng.choices(keys, weights)[0]
    value_roll = rng.random()
    if value_roll < 0.62:
        value = team
    elif value_roll < 0.78 and team in _ALIAS_FOR:
        value = _ALIAS_FOR[team]
    elif lowercase_only:
        value = team
    elif value_roll < 0.88:
        value = team.upper()
    elif value_roll < 0.94:
        value = f" {team} "
    else:
        value = team.title()
    return {key: value}


def common_tags(env: str, app: str, cost_center: str, rng: random.Random) -> dict[str, str]:
    """The non-ownership tags most resources carry (some go missing, as in real estates)."""
    out = {"env": env, "app": app}
    if rng.random() < 0.8:
        out["cost-center"] = cost_center
    return out
