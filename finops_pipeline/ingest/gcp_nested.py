"""SQL for GCP's repeated columns: label lists (`labels`, `project.labels`, `system_labels`,
`tags`) and the `credits` list, whatever shape the file gives them.

BigQuery rows keep them as native lists of structs (Parquet, newline JSON). Flattened to CSV
by pandas (as koku's test data is), they become Python reprs: `[{'key': 'env', 'value':
None}]`. A blind quote swap would corrupt any value holding a quote, so the repr is
tokenised instead: every string, number, keyword and bracket is matched as a whole token,
each is rewritten to its JSON spelling, and a value the tokens do not cover exactly is
rejected rather than guessed at. Doing this in SQL keeps the load vectorised and needs no
Python UDF registered on every connection.

Lambdas bind a computed value once (`list_transform([x], lambda tmp_t: ...)[1]`), so the
conversion is not repeated in every branch of a CASE. Lambda parameters start with `tmp_`
because DuckDB resolves a file column of the same name before a lambda parameter.
"""

from __future__ import annotations

# One token of a Python literal or JSON text: quoted strings (escapes kept whole), numbers,
# keywords, structure and whitespace. Anything else leaves a gap and the value is rejected.
_TOKEN = (
    r"'(?:[^'\\]|\\.)*'"
    r'|"(?:[^"\\]|\\.)*"'
    r"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
    r"|None|True|False|null|true|false"
    r"|[\[\]{}:,]|\s+"
)
# One piece of a quoted string's body: an escape (\xhh, \Uhhhhhhhh, or any other \c), a bare
# double quote (legal inside Python's '...' strings, not in JSON), or a run of plain text.
_PIECE = r'\\x[0-9a-fA-F]{2}|\\U[0-9a-fA-F]{8}|\\.|"|[^\\"]+'

CREDITS_DDL = (
    'struct("name" varchar, amount decimal(38, 12), full_name varchar, id varchar, '
    '"type" varchar)[]'
)
_CREDITS_JSON_SHAPE = (
    '[{"name": "VARCHAR", "amount": "VARCHAR", "full_name": "VARCHAR", "id": "VARCHAR", '
    '"type": "VARCHAR"}]'
)
_KV_JSON_SHAPE = '[{"key": "VARCHAR", "value": "VARCHAR", "namespace": "VARCHAR"}]'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _is_text(dtype: str) -> bool:
    return dtype.upper().startswith(("VARCHAR", "JSON"))


def _bind(value: str, name: str, cases: str) -> str:
    """A CASE (`cases`: " when ... then ...", then " else ...") over `value` computed once and
    bound as the lambda parameter `name` (see above)."""
    return f"list_transform([{value}], lambda {name}: case{cases} end)[1]"


def _json_piece(p: str) -> str:
    """A Python string escape or character, spelled as JSON wants it."""
    code = f"cast('0x' || substr({p}, 3) as integer)"
    return (
        f"case"
        f" when {p} = '\"' then '\\\"'"
        f" when {p} = '\\''' then ''''"
        f" when starts_with({p}, '\\x') then '\\u00' || substr({p}, 3)"
        f" when starts_with({p}, '\\U') and {code} < 65536 then printf('\\u%04x', {code})"
        f" when starts_with({p}, '\\U') then printf('\\u%04x\\u%04x',"
        f" 55296 + (({code} - 65536) >> 10), 56320 + (({code} - 65536) & 1023))"
        f" else {p} end"
    )


def _json_token(t: str) -> str:
    body = f"substr({t}, 2, length({t}) - 2)"
    pieces = f"regexp_extract_all({body}, {_literal(_PIECE)})"
    plain = f"not contains({t}, '\\') and not contains({body}, '\"')"
    return (
        f"case"
        f" when {t} = 'None' then 'null'"
        f" when {t} = 'True' then 'true'"
        f" when {t} = 'False' then 'false'"
        # The common string, with no escape and no inner quote: only its delimiters change.
        f" when starts_with({t}, '''') and {plain} then '\"' || {body} || '\"'"
        f" when starts_with({t}, '''') or starts_with({t}, '\"') then"
        f" '\"' || array_to_string(list_transform({pieces}, lambda tmp_p: {_json_piece('tmp_p')}), '')"
        f" || '\"'"
        f" else {t} end"
    )


def repr_to_json(e: str) -> str:
    """JSON text for a Python-repr or JSON literal; NULL when blank; the input itself when
    the tokens do not cover it (so `json_valid` fails and the caller can name the value)."""
    src = f"cast({e} as varchar)"
    tokens = f"regexp_extract_all(tmp_src, {_literal(_TOKEN)})"
    converted = _bind(
        tokens,
        "tmp_toks",
        " when array_to_string(tmp_toks, '') <> tmp_src then tmp_src"
        f" else array_to_string(list_transform(tmp_toks, lambda tmp_t: {_json_token('tmp_t')}), '')",
    )
    return _bind(
        src,
        "tmp_src",
        " when tmp_src is null or trim(tmp_src) in ('', 'None', 'null', 'NULL') then null"
        # JSON already ('[]' above all); a repr that parses as JSON means the same thing.
        " when json_valid(tmp_src) then tmp_src"
        f" else {converted}",
    )


def json_text(e: str, dtype: str) -> str:
    """The column as JSON text, from a native nested type or from a text literal."""
    if _is_text(dtype):
        return repr_to_json(e)
    return f"cast(to_json({e}) as varchar)"


# ---- label lists -> one JSON object ---------------------------------------------------------


def _kv_object(j: str) -> str:
    """`{key: value}` from a JSON list of {key, value[, namespace]}; namespaced keys (resource
    manager tags) become `namespace/key`, GCP's own spelling; the first of a repeated key wins."""
    entries = (
        f"list_transform(from_json({j}, {_literal(_KV_JSON_SHAPE)}), lambda tmp_x: struct_pack("
        f"k := case when coalesce(tmp_x.namespace, '') = '' then tmp_x.key"
        f" else tmp_x.namespace || '/' || tmp_x.key end, v := tmp_x.value))"
    )
    unique = "list_filter(tmp_kv, lambda tmp_e, tmp_i: list_position(list_transform(tmp_kv, lambda tmp_f: tmp_f.k), tmp_e.k) = tmp_i)"
    return _bind(
        entries,
        "tmp_kv",
        " when list_bool_or(list_transform(tmp_kv, lambda tmp_x: tmp_x.k is null)) then"
        f" error('not a list of {{key, value}}: ' || {j})"
        " when len(tmp_kv) = 0 then null"
        f" else cast(to_json(map_from_entries({unique})) as json)",
    )


def _each_json(e: str, dtype: str, if_null: str, if_invalid: str, cases: str) -> str:
    """A CASE over the column's JSON text `tmp_j` (bound once): `if_null` for NULL,
    `if_invalid` for text that is not JSON, then `cases` (" when ... then ..." and an "else").
    The strict readers and their *_bad twins (which find the offending row) share it."""
    return _bind(
        json_text(e, dtype),
        "tmp_j",
        f" when tmp_j is null then {if_null} when not json_valid(tmp_j) then {if_invalid}{cases}",
    )


def kv_list_strict(e: str, dtype: str) -> str:
    invalid = "error('not a JSON or Python list of labels: ' || tmp_j)"
    return _each_json(
        e, dtype, "null", invalid,
        " when json_type(tmp_j) = 'NULL' then null"
        " when json_type(tmp_j) = 'OBJECT' then cast(nullif(tmp_j, '{}') as json)"
        f" when json_type(tmp_j) = 'ARRAY' then {_kv_object('tmp_j')}"
        " else error('not a list of labels: ' || tmp_j)",
    )  # fmt: skip


def kv_list_bad(e: str, dtype: str) -> str:
    return _bad_list(e, dtype, "in ('NULL', 'OBJECT')", _KV_JSON_SHAPE, "tmp_x: tmp_x.key is null")


def _bad_list(e: str, dtype: str, fine: str, shape: str, bad_item: str) -> str:
    """True when the strict reader would fail: not JSON, a JSON type that is neither `fine`
    (a condition on json_type) nor a list, or a list with an item for which the lambda
    `bad_item` ("tmp_x: ...") is true."""
    return _each_json(
        e, dtype, "false", "true",
        f" when json_type(tmp_j) {fine} then false"
        " when json_type(tmp_j) <> 'ARRAY' then true"
        f" else list_bool_or(list_transform(from_json(tmp_j, {_literal(shape)}),"
        f" lambda {bad_item}))",
    )  # fmt: skip


# ---- credits -> typed list with decimal amounts -----------------------------------------------


def credits_strict(e: str, dtype: str) -> str:
    """Each credit's amount is read from its text (never through a float), strictly."""
    credit = (
        "struct_pack(name := tmp_c.name, amount := case when tmp_c.amount is null"
        " then error('a credit has no amount: ' || tmp_j) else finops_money(tmp_c.amount) end,"
        " full_name := tmp_c.full_name, id := tmp_c.id, type := tmp_c.type)"
    )
    invalid = "error('not a JSON or Python list of credits: ' || tmp_j)"
    return _each_json(
        e, dtype, "null", invalid,
        " when json_type(tmp_j) = 'NULL' then null"
        " when json_type(tmp_j) <> 'ARRAY' then error('not a list of credits: ' || tmp_j)"
        f" else list_transform(from_json(tmp_j, {_literal(_CREDITS_JSON_SHAPE)}),"
        f" lambda tmp_c: {credit})",
    )  # fmt: skip


def credits_bad(e: str, dtype: str) -> str:
    bad = "tmp_c: tmp_c.amount is null or finops_money_try(tmp_c.amount) is null"
    return _bad_list(e, dtype, "= 'NULL'", _CREDITS_JSON_SHAPE, bad)
