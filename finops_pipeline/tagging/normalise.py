"""Normalised tags on focus_costs, the policy's reference tables, and the tag marts' build.

Per charge, the provider's raw `Tags` (JSON) are read in the provider's order; each key is
folded and looked up among the policy's spellings, each value is folded and mapped to its
canonical spelling, the first non-empty value of a key wins, and keys the policy does not
know are kept as written. Keys still missing get the first matching inheritance default, then
the first matching virtual tag. All policy data is bound as parameters: the SQL text varies
only with the *shape* of the policy (how many rules), never with its values.

Speed comes from normalising each distinct tag set once: the work on the tags happens in a
scalar subquery that reads `f.Tags` alone, which DuckDB evaluates once per distinct value
(every charge line of a resource carries the same tags) and joins back. `with_tag_columns`
does that once for all four columns; `tag_projection` is the select-list form, which needs
one subquery per column and is about twice as slow.
"""

from __future__ import annotations

from typing import Any

from finops_pipeline.tagging.conditions import Match, compile_match
from finops_pipeline.tagging.policy import TagPolicy

Sql = tuple[str, list[Any]]
# A charge's tags are normalised once per distinct value of these (see `select`).
TAG_SET_KEYS = ("BillingPeriodStart", "Tags")
_KEYS_LISTED = ", ".join(f'"{k}"' for k in TAG_SET_KEYS)
TAG_KEYS = "tmp_tag_keys"  # the distinct keys, for `tag_sets_apart`
TAG_SETS = "driver_tag_sets"  # the normalised tag sets, for `tag_sets_apart`
TAG_COLUMNS = ("x_Tags", "x_Team", "x_TagSource", "x_TagExempt")
_MAP = "MAP(VARCHAR, VARCHAR)"
# The raw tags as a list of (key, value) in the provider's order; json_keys plus a wildcard
# extract is about twice as fast as casting the JSON to a MAP.
_RAW = (
    'list_zip(coalesce(json_keys(f."Tags"), []), '
    "coalesce(json_extract_string(f.\"Tags\", '$.*'), []))"
)


def with_tag_columns(select_sql: str, policy: TagPolicy | None, dimension: str = "team") -> Sql:
    """`select_sql` (any query with the FOCUS columns) plus x_Tags, x_Team, x_TagSource and
    x_TagExempt, in that order: the fast form for the focus_costs build.

    Filters put around the result (source, billing period) are pushed down into `select_sql`,
    and tags are normalised once per distinct tag set of the filtered rows.
    """
    return _Projection(policy or NO_POLICY, dimension, shared=True).select(select_sql)


def tag_sets_apart(
    select_sql: str, policy: TagPolicy | None, dimension: str = "team"
) -> tuple[Sql, Sql]:
    """`with_tag_columns` in two parts, for an engine that cannot run the policy's SQL
    (DuckDB's maps and list lambdas) over its rows: the tag sets, computed by DuckDB over the
    table TAG_KEYS (the distinct TAG_SET_KEYS of the rows), and `select_sql` plus the tag
    columns reading them as the relation TAG_SETS. Composed from the same pieces as
    `with_tag_columns`, which is the two joined in one statement."""
    projection = _Projection(policy or NO_POLICY, dimension, shared=True)
    return projection.tag_sets(TAG_KEYS), projection.joined(select_sql, TAG_SETS)


def tag_projection(policy: TagPolicy | None, dimension: str = "team") -> Sql:
    """A select-list fragment adding the four tag columns over a relation aliased `f`."""
    return _Projection(policy or NO_POLICY, dimension, shared=False).columns()


# Without a policy every key is kept as written and the dimension is the raw `team` tag.
NO_POLICY = TagPolicy.model_construct(
    keys={}, fold_case=False, aws_user_prefix=False, inheritance=[], virtual_tags=[], exemptions=[]
)


def cat(*parts: str | Sql) -> Sql:
    """Concatenate SQL pieces, keeping each piece's parameters in the order its `?` appear."""
    text: list[str] = []
    params: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            text.append(part[0])
            params.extend(part[1])
    return "".join(text), params


def fill(template: str, *parts: str | Sql) -> Sql:
    """`template` with each `%s` replaced by the next part (text or SQL with parameters)."""
    pieces = template.split("%s")
    if len(pieces) != len(parts) + 1:
        raise ValueError(f"{len(pieces) - 1} placeholders for {len(parts)} parts")
    return cat(*(x for pair in zip(pieces, [*parts, ""], strict=True) for x in pair))


def bound(value: Any, cast: str | None = None) -> Sql:
    return (f"cast(? as {cast})" if cast else "?"), [value]


class _Projection:
    """SQL for the four tag columns, from the policy's shape.

    `shared=True`: one subquery computes the charge's own tags into a scratch column
    `tmp_tags` {tags, team, source} and the columns read it (`with_tag_columns`).
    `shared=False`: each column carries its own subquery (`tag_projection`).
    """

    def __init__(self, policy: TagPolicy, dimension: str, *, shared: bool) -> None:
        self.policy = policy
        self.dimension = dimension
        self.shared = shared

    def fold(self, expr: str, *, lower: bool = True) -> str:
        if not self.policy.fold_case:
            return expr
        return f"lower(trim({expr}))" if lower else f"trim({expr})"

    def match(self, match: Match) -> Sql:
        # `tag:<key>` in a rule reads the charge's own normalised tags, before any default.
        return compile_match(
            match,
            qualifier="f",
            tag_sql=lambda key: fill("map_extract_value(%s, %s)", self.mine("tags"), bound(key)),
        )

    def mine(self, field: str) -> Sql:
        """The charge's own `tags` (map), `team` or `source` (how the team was spelled)."""
        if self.shared:
            return f"struct_extract(f.\"tmp_tags\", '{field}')", []
        return self.own(self.own_field(field))

    def own_field(self, field: str) -> Sql:
        if field == "tags":
            return (
                f"map_from_entries(list_transform(t, lambda e: {{'key': e.k, 'value': e.v}}))::{_MAP}",
                [],
            )
        if field == "team":
            return "d.v", []
        # An alias: a key spelled otherwise than the key, or a value rewritten to an allowed one
        # (a disallowed value is a different problem, reported as such by tag_violations).
        spec = self.policy.keys.get(self.dimension)
        accepted: Sql = ("true", [])
        if spec is not None and spec.values.allowed is not None:
            accepted = fill("list_contains(%s, d.v)", bound(spec.values.allowed, "VARCHAR[]"))
        elif spec is not None and spec.values.pattern is not None:
            flags = "'i'" if self.policy.fold_case else "''"
            accepted = fill(f"regexp_full_match(d.v, %s, {flags})", bound(spec.values.pattern))
        return fill(
            "case when d.v is null then null when d.p and (%s[d.rk] is null "
            "or (d.rv <> d.v and %s)) then 'alias' else 'tag' end",
            bound(self.policy.exact_key_spellings(), _MAP),
            accepted,
        )

    def own(self, result: Sql, *defaults: Sql) -> Sql:
        """A scalar subquery computing `result` from the charge's own normalised tags.

        It reads `f.Tags` (and the columns the `defaults` read) only, so DuckDB evaluates it
        once per distinct value of those and joins the answer back: charges of one resource
        share their tags, which makes this far cheaper than normalising every row. Inside:
        `t` the entries {k, v, rk, rv, p}, `ks` their keys, `d` the dimension's entry,
        `dv<i>` the value of default i.
        """
        fold = self.fold
        # Per raw entry: raw key and value, canonical key `ck` (null outside the policy).
        entries = fill(
            f"list_transform({_RAW}, lambda e: {{'rk': e[1], 'rv': e[2], "
            f"'fv': {fold('e[2]')}, 'ck': %s[{fold('e[1]')}]}})",
            bound(self.policy.key_spellings(), _MAP),
        )
        # `k` canonical key, `v` normalised value (null when empty), `p` a policy key. Keys
        # outside the policy keep their raw spelling and value. A value not among the known
        # spellings is folded when its key has a list of allowed values (it is wrong anyway,
        # folding merges its variants), else only trimmed: free text keeps its case.
        enumerated = [k for k, spec in self.policy.keys.items() if spec.values.allowed]
        normalised = fill(
            "list_filter(list_transform(%s, lambda e: {'k': coalesce(e.ck, e.rk), "
            "'v': case when e.ck is null then e.rv when trim(e.rv) = '' then null "
            "else coalesce(%s[e.ck || chr(31) || e.fv], "
            f"case when list_contains(%s, e.ck) then e.fv else {self.fold('e.rv', lower=False)} end) end, "
            "'rk': e.rk, 'rv': e.rv, 'p': e.ck is not null}), "
            "lambda e: e.v is not null or not e.p)",
            entries,
            bound(self.policy.value_map(), _MAP),
            bound(enumerated, "VARCHAR[]"),
        )
        # The first spelling of a key wins (duplicates are rare: test before filtering).
        first = (
            "case when len(list_distinct(ks)) = len(l) then l "
            "else list_filter(l, lambda e, i: list_position(ks, e.k) = i) end"
        )
        extra = cat(*(fill(f", %s as dv{i}", d) for i, d in enumerate(defaults)))
        return fill(
            "(select %s from (select *, list_filter(t, lambda e: e.k = %s)[1] as d "
            f"from (select *, {first} as t "
            "from (select *, list_transform(l, lambda e: e.k) as ks "
            "from (select %s as l%s)))))",
            result,
            bound(self.dimension),
            normalised,
            extra,
        )

    def select(self, select_sql: str) -> Sql:
        # The distinct tag sets are normalised in a join, not a correlated subquery: DuckDB
        # answers the latter with a delim join that buffers every input row (memory in
        # proportion to the month, spilling under a memory limit). The join keys carry the
        # billing period (a FOCUS column), so a period filter put around the result reaches
        # both sides. select_sql goes in as a part, so a `%s` inside it is left alone.
        distinct = fill(f"(select distinct {_KEYS_LISTED} from (%s))", select_sql)
        return self.joined(select_sql, fill("(%s)", self.tag_sets(distinct)))

    def tag_sets(self, keys: str | Sql) -> Sql:
        """One row per distinct (BillingPeriodStart, Tags) of `keys` with its normalised
        tags `tmp_tags` {tags, team, source}."""
        own = self.own(
            fill(
                "{'tags': %s, 'team': %s, 'source': %s}",
                *map(self.own_field, ("tags", "team", "source")),
            )
        )
        return fill(f"select {_KEYS_LISTED}, %s as tmp_tags from %s as f", own, keys)

    def joined(self, select_sql: str, tag_sets: str | Sql) -> Sql:
        """`select_sql`'s rows with the four tag columns, their tag sets read from `tag_sets`."""
        on = " and ".join(f'f."{k}" is not distinct from n."{k}"' for k in TAG_SET_KEYS)
        return fill(
            "select * exclude (tmp_tags), %s from (select f.*, n.tmp_tags from (%s) as f "
            f"left join %s as n on {on}) as f",
            self.columns(),
            select_sql,
            tag_sets,
        )

    def columns(self) -> Sql:
        whens = [
            fill(f" when %s then '{src}'", self.match(m))
            for src, m, _ in self.rules(self.dimension)
        ]
        default_source = cat("case", *whens, " end") if whens else ("null::varchar", [])
        return fill(
            "%s as x_Tags,\ncoalesce(%s, %s) as x_Team,\ncoalesce(%s, %s) as x_TagSource,\n"
            "%s as x_TagExempt",
            self.tags(),
            self.mine("team"),
            self.default(self.dimension),
            self.mine("source"),
            default_source,
            self.exempt(),
        )

    def tags(self) -> Sql:
        """x_Tags: the charge's own tags plus, for keys it lacks, the first default that applies."""
        keys = [k for k in self.policy.keys if self.rules(k)]
        if not keys:
            return self.mine("tags")
        if not self.shared:  # defaults are computed inside this column's one subquery
            added = cat(
                *(
                    fill(
                        f", case when dv{i} is not null and not list_contains(ks, %s) "
                        f"then [{{'key': %s, 'value': dv{i}}}] else [] end",
                        bound(k),
                        bound(k),
                    )
                    for i, k in enumerate(keys)
                )
            )
            own = "list_transform(t, lambda e: {'key': e.k, 'value': e.v})"
            result = fill(f"map_from_entries(list_concat({own}%s))::{_MAP}", added)
            return self.own(result, *(self.default(k) for k in keys))
        # Building a map per row is costly: only rows that gain a default get a new one.
        mine = self.mine("tags")
        missing = [
            fill(
                "(map_extract_value(%s, %s) is null and %s is not null)",
                mine,
                bound(k),
                self.default(k),
            )
            for k in keys
        ]
        added = cat(
            *(
                fill(
                    ", case when %s then [{'key': %s, 'value': %s}] else [] end",
                    m,
                    bound(k),
                    self.default(k),
                )
                for m, k in zip(missing, keys, strict=True)
            )
        )
        return fill(
            f"case when %s then map_from_entries(list_concat(map_entries(%s)%s))::{_MAP} else %s end",
            cat(*(fill(" or %s" if i else "%s", m) for i, m in enumerate(missing))),
            mine,
            added,
            mine,
        )

    def rules(self, key: str) -> list[tuple[str, Match, str]]:
        """(source, match, value) of every rule that can set `key`, in the order they apply."""
        policy = self.policy
        found = [("inherited", r.match, r.tags[key]) for r in policy.inheritance if key in r.tags]
        found += [("virtual", r.match, r.tags[key]) for r in policy.virtual_tags if key in r.tags]
        return found

    def default(self, key: str) -> Sql:
        rules = self.rules(key)
        if not rules:
            return "null::varchar", []
        return cat(
            "case",
            *(fill(" when %s then %s", self.match(m), bound(v)) for _, m, v in rules),
            " end",
        )

    def exempt(self) -> Sql:
        if not self.policy.exemptions:
            return "false", []
        parts = [
            fill(" or %s" if i else "%s", self.match(e.match))
            for i, e in enumerate(self.policy.exemptions)
        ]
        return cat("(", *parts, ")")


# --- the policy as tables, and the tag marts -------------------------------------------------
