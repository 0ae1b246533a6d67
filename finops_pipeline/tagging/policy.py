"""The tag policy: the `tag_policy:` section of finops.yaml, validated when it is loaded.

A policy says which tag keys matter (with every spelling providers and people use for them),
which values are allowed (with their misspellings), which keys are required where, and how a
missing value is filled: inherited from an account-level default or set by an ordered virtual
tag rule. Exemptions name charges that cannot carry tags at all (tax, credits, purchases).
Everything here is data, so a mistake is caught on load with the path of the offending key
instead of turning into a silently wrong showback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from finops_pipeline.tagging.conditions import TAG_COLUMNS, Match, optional_regex

DEMO_POLICY_FILE = Path(__file__).with_name("demo_policy.yaml")
# AWS writes user tags as `user:<key>` (legacy CUR, FOCUS) and `user_<key>` with every
# non-alphanumeric character replaced by `_` (CUR 2.0, Athena); both name the same tag.
AWS_USER_PREFIXES = ("user:", "user_")


def aws_spellings(key: str) -> list[str]:
    """How AWS exports spell the user tag `key`."""
    return [f"user:{key}", "user_" + re.sub(r"[^A-Za-z0-9]", "_", key)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TagValues(_Strict):
    """What a key's value may be: a list or a (RE2, whole-value) pattern, plus misspellings."""

    allowed: list[str] | None = None
    pattern: str | None = None
    aliases: dict[str, str] = Field(default_factory=dict)

    _valid_pattern = field_validator("pattern")(optional_regex)

    @field_validator("aliases")
    @classmethod
    def _aliases_point_at_allowed_values(
        cls, value: dict[str, str], info: ValidationInfo
    ) -> dict[str, str]:
        probe = TagValues.model_construct(
            allowed=info.data.get("allowed"), pattern=info.data.get("pattern")
        )
        for alias, target in value.items():
            if not probe.accepts(target):
                raise ValueError(
                    f"{alias}: {target!r} is not an allowed value ({probe.expected()})"
                )
        return value

    @model_validator(mode="after")
    def _list_or_pattern(self) -> Self:
        if self.allowed is not None and self.pattern is not None:
            raise ValueError("give either 'allowed' (a list) or 'pattern', not both")
        if self.allowed is not None and not self.allowed:
            raise ValueError("allowed: the list is empty; leave it out to allow any value")
        return self

    def accepts(self, value: str) -> bool:
        if self.allowed is not None:
            return value in self.allowed
        if self.pattern is not None:
            return re.fullmatch(self.pattern, value) is not None
        return True

    def expected(self) -> str:
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        if self.pattern is not None:
            return f"matching {self.pattern}"
        return "any value"


class TagKey(_Strict):
    """One canonical key: its other spellings, its values, and where it is required."""

    aliases: list[str] = Field(default_factory=list)
    values: TagValues = Field(default_factory=TagValues)
    required: bool | Match = False


class TagDefault(_Strict):
    """Inheritance: tags a resource gets from its account, project, subscription or group."""

    level: Literal["billing_account", "sub_account", "resource_group"]
    match: Match
    tags: dict[str, str]


class VirtualTag(_Strict):
    """A named rule that sets tags on matching charges still missing them after inheritance."""

    name: str
    match: Match
    tags: dict[str, str]


class Exemption(_Strict):
    """Charges that cannot carry tags: never a violation, still allocated by the pools."""

    name: str
    match: Match


class TagPolicy(_Strict):
    """The `tag_policy:` section: canonical keys, how missing values are filled, exemptions.

    Every check that needs more than one field (a spelling claimed by two keys, a default
    value that is not allowed, a rule on a column the policy itself computes) runs here, so a
    bad policy fails on load with the path of the offending entry.
    """

    keys: dict[str, TagKey]
    fold_case: bool = True  # compare keys and values ignoring case and surrounding spaces
    aws_user_prefix: bool = True  # accept AWS's `user:<key>` / `user_<key>` spellings
    inheritance: list[TagDefault] = Field(default_factory=list)
    virtual_tags: list[VirtualTag] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.keys:
            raise ValueError("keys: name at least one tag key")
        self.key_spellings()  # raises on a spelling claimed by two keys
        for key, spec in self.keys.items():
            folded = {self.fold(v): v for v in spec.values.allowed or []}
            for alias, target in spec.values.aliases.items():
                clash = folded.setdefault(self.fold(alias), target)
                if clash != target:
                    raise ValueError(
                        f"keys.{key}.values.aliases.{alias}: maps to {target!r} but a spelling "
                        f"that folds to the same text maps to {clash!r}"
                    )
        for section, rules in (
            ("inheritance", self.inheritance),
            ("virtual_tags", self.virtual_tags),
        ):
            for i, rule in enumerate(rules):
                self._check_tags(f"{section}.{i}.tags", rule.tags)
        for section, matches in self._matches():
            for column in (c.column for c in matches.conditions()):
                if column in TAG_COLUMNS:
                    raise ValueError(
                        f"{section}: {column} is computed from this policy; use 'tag:<key>' "
                        "for a tag's normalised value"
                    )
        names = [r.name for r in self.virtual_tags] + [e.name for e in self.exemptions]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"rule names must be unique; repeated: {', '.join(dupes)}")
        return self

    def _check_tags(self, where: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            if key not in self.keys:
                raise ValueError(
                    f"{where}.{key}: not a key of the policy (keys: {', '.join(self.keys)})"
                )
            values = self.keys[key].values
            if not values.accepts(value):
                raise ValueError(
                    f"{where}.{key}: {value!r} is not an allowed value ({values.expected()})"
                )

    def _matches(self) -> list[tuple[str, Match]]:
        found = [
            (f"keys.{k}.required", spec.required)
            for k, spec in self.keys.items()
            if isinstance(spec.required, Match)
        ]
        found += [(f"inheritance.{i}.match", r.match) for i, r in enumerate(self.inheritance)]
        found += [(f"virtual_tags.{i}.match", r.match) for i, r in enumerate(self.virtual_tags)]
        found += [(f"exemptions.{i}.match", r.match) for i, r in enumerate(self.exemptions)]
        return found

    def fold(self, text: str) -> str:
        return text.strip().lower() if self.fold_case else text

    def key_spellings(self) -> dict[str, str]:
        """Folded spelling -> canonical key, for every spelling of every key (AWS's included)."""
        out: dict[str, str] = {}
        for key, spec in self.keys.items():
            for spelling in [key, *spec.aliases]:
                variants = [spelling, *(aws_spellings(spelling) if self.aws_user_prefix else [])]
                for variant in variants:
                    owner = out.setdefault(self.fold(variant), key)
                    if owner != key:
                        raise ValueError(
                            f"keys.{key}.aliases: {spelling!r} is also a spelling of key {owner!r}"
                        )
        return out

    def exact_key_spellings(self) -> dict[str, str]:
        """Raw spellings that are the canonical key itself (no rename needed) -> key."""
        out: dict[str, str] = {}
        for key in self.keys:
            for variant in [key, *(aws_spellings(key) if self.aws_user_prefix else [])]:
                out[variant] = key
        return out

    def value_map(self) -> dict[str, str]:
        """`<key>\\x1f<folded value>` -> normalised value (allowed spellings and aliases)."""
        out: dict[str, str] = {}
        for key, spec in self.keys.items():
            for value in spec.values.allowed or []:
                out[f"{key}\x1f{self.fold(value)}"] = value
            for alias, target in spec.values.aliases.items():
                out.setdefault(f"{key}\x1f{self.fold(alias)}", target)
        return out

    @classmethod
    def from_yaml(cls, text: str) -> TagPolicy:
        """A policy from YAML text holding a `tag_policy:` mapping (or the bare mapping)."""
        data = yaml.safe_load(text) or {}
        return cls.model_validate(data.get("tag_policy", data))

    @classmethod
    def example_for_demo(cls) -> TagPolicy:
        """The policy that folds every tag mess the sample-data generator plants."""
        return cls.from_yaml(DEMO_POLICY_FILE.read_text(encoding="utf-8"))
