"""Turn a format mapping plus a file's header into the SELECT that lands it.

Also decides which format a header belongs to (`--format auto`): a format matches when all
its required columns resolve and its detect markers agree; the best match wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.mapping import FormatMapping, header_key, load_mappings
from finops_pipeline.ingest.read_errors import clip
from finops_pipeline.ingest.reader import NativeColumn, NativeSchema
from finops_pipeline.ingest.staged_columns import landed_columns
from finops_pipeline.ingest.transforms import Transform, get_transform
from finops_pipeline.warehouse import quote_identifier


@dataclass
class Selection:
    """The landing SELECT list for one file, and what each raw column was read from (the
    columns no staging model reads land as NULL: ingest/staged_columns.py)."""

    mapping: FormatMapping
    expressions: dict[str, str]
    sources: dict[str, NativeColumn] = field(default_factory=dict)
    tag_columns: list[str] = field(default_factory=list)

    def select_list(self) -> str:
        return ",\n    ".join(
            f"{expr} as {quote_identifier(name)}" for name, expr in self.expressions.items()
        )


def resolve_column(mapping: FormatMapping, schema: NativeSchema, name: str) -> NativeColumn | None:
    spec = mapping.columns[name]
    for alias in [name, *spec.aliases]:
        found = schema.resolve(alias)
        if found is not None:
            return found
    return None


def tag_prefix_columns(mapping: FormatMapping, schema: NativeSchema) -> list[tuple[str, str]]:
    """(tag key, native column) for header columns that carry one tag each."""
    pairs: list[tuple[str, str]] = []
    for rule in mapping.tag_prefixes:
        for name in schema.names:
            header = schema.header(name)
            if not header.lower().startswith(rule.prefix.lower()) or len(header) <= len(
                rule.prefix
            ):
                continue
            key = header[len(rule.prefix) :]
            if rule.style == "athena" and "_" in key:
                namespace, rest = key.split("_", 1)
                key = f"{namespace}:{rest}"
            pairs.append((key, name))
    return pairs


def _tags_from_columns(pairs: list[tuple[str, str]]) -> str:
    entries = ", ".join(
        "struct_pack(k := '{}', v := nullif(trim(cast({} as varchar)), ''))".format(
            key.replace("'", "''"), quote_identifier(col)
        )
        for key, col in pairs
    )
    filtered = f"list_filter([{entries}], lambda e: e.v is not null)"
    return (
        f"case when len({filtered}) = 0 then null "
        f"else cast(to_json(map_from_entries({filtered})) as json) end"
    )


def build_selection(
    mapping: FormatMapping, schema: NativeSchema, path: Path, careful: bool = True
) -> Selection:
    missing = [n for n in mapping.required_columns() if resolve_column(mapping, schema, n) is None]
    if missing:
        expected = ", ".join(" or ".join([n, *mapping.columns[n].aliases][:3]) for n in missing)
        raise IngestError(
            path,
            f"missing required column(s) for format {mapping.format}",
            expected=expected,
            action="export with the provider's full column set, or pass the right --format",
            column=", ".join(missing),
        )
    selection = Selection(mapping, {})
    prefix_pairs = tag_prefix_columns(mapping, schema)
    landed = landed_columns(mapping)
    for name, spec in mapping.columns.items():
        transform = get_transform(spec.type)
        native = resolve_column(mapping, schema, name)
        if native is not None:
            _check_type(path, native, transform, spec.type)
        if native is not None and name in landed:
            selection.sources[name] = native
            selection.expressions[name] = transform.sql(native.sql, native.dtype, careful)
        elif name == mapping.tag_column and prefix_pairs:
            selection.tag_columns = [col for _, col in prefix_pairs]
            selection.expressions[name] = _tags_from_columns(prefix_pairs)
        else:
            selection.expressions[name] = f"cast(null as {transform.ddl})"
    return selection


def _check_type(path: Path, native: NativeColumn, transform: Transform, kind: str) -> None:
    """Refuse a native type the column cannot mean (a BOOLEAN or LIST cost), naming it."""
    if transform.takes(native.dtype):
        return
    allowed = "text or a date/timestamp type" if kind == "timestamp" else "text or a number type"
    raise IngestError(
        path,
        f"the column has type {native.dtype}, which cannot hold a {kind} value",
        expected=f"{transform.expected}, stored as {allowed}",
        action="re-export the file with the provider's column types, or fix that column",
        column=native.name,
    )


@dataclass
class Detection:
    mapping: FormatMapping
    matched: int
    total: int


def detect_format(schema: NativeSchema, path: Path) -> Detection:
    """The format whose required columns all resolve and whose markers fit, best first."""
    keys = schema.keys()
    candidates: list[tuple[int, float, Detection]] = []
    for mapping in load_mappings().values():
        if any(resolve_column(mapping, schema, n) is None for n in mapping.required_columns()):
            continue
        rule = mapping.detect
        if rule.any_of and not any(_marker(schema, keys, m) for m in rule.any_of):
            continue
        if any(_marker(schema, keys, m) for m in rule.none_of):
            continue
        matched = sum(resolve_column(mapping, schema, n) is not None for n in mapping.columns)
        detection = Detection(mapping, matched, len(mapping.columns))
        candidates.append((rule.priority, matched / len(mapping.columns), detection))
    if not candidates:
        _raise_for_near_miss(schema, path)
        raise IngestError(
            path,
            "unknown export format: the header matches none of the known formats",
            expected=(
                "an AWS CUR / CUR 2.0 / FOCUS export, a GCP billing export, an Azure cost "
                "details export or a FOCUS file; first columns seen: "
                + ", ".join(clip(n, 60) for n in schema.names[:6])
            ),
            action="pass --format explicitly if it is one of these, or check the file",
        )
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return candidates[0][2]


def _marker(schema: NativeSchema, keys: set[str], marker: str) -> bool:
    """`name` is present; `name:map` is present and a MAP; `name*` is a header prefix."""
    if marker.endswith("*"):
        prefix = header_key(marker[:-1])
        return any(k.startswith(prefix) for k in keys)
    name, _, kind = marker.partition(":")
    if header_key(name) not in keys:
        return False
    if not kind:
        return True
    native = schema.resolve(name)
    return native is not None and native.dtype.upper().startswith(kind.upper())


def _raise_for_near_miss(schema: NativeSchema, path: Path) -> None:
    """A header that has most of one format's required columns is that format, incomplete."""
    best: tuple[float, FormatMapping] | None = None
    for mapping in load_mappings().values():
        required = mapping.required_columns()
        found = sum(resolve_column(mapping, schema, n) is not None for n in required)
        share = found / len(required) if required else 0.0
        if share >= 0.6 and (best is None or share > best[0]):
            best = (share, mapping)
    if best is not None:
        build_selection(best[1], schema, path)  # raises the missing-columns error
