"""How each raw column type is read from a native column.

Each transform gives strict SQL (it raises on a bad value, so a file never lands half
parsed), optionally a `fast` variant of it, and a `bad` predicate used only after a failure
to name the first offending row and column. A file is first landed with the fast variants;
if that fails, the delivery is retried with the general ones (which accept every date
spelling we know and blank strings), and only a failure then is the file's fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from finops_pipeline.ingest import gcp_nested

DECIMAL = "decimal(38, 12)"


@dataclass(frozen=True)
class Transform:
    ddl: str
    strict: Callable[[str, str], str]
    bad: Callable[[str, str], str | None]
    expected: str
    fast: Callable[[str, str], str] | None = None
    # Native types the transform can read; None: any. Checked on the header, before the load,
    # because a cast would otherwise turn a BOOLEAN `true` into a cost of 1.00.
    accepts: Callable[[str], bool] | None = None

    def sql(self, expr: str, dtype: str, careful: bool) -> str:
        if careful or self.fast is None:
            return self.strict(expr, dtype)
        return self.fast(expr, dtype)

    def takes(self, dtype: str) -> bool:
        return self.accepts is None or self.accepts(dtype)


def _is_text(dtype: str) -> bool:
    return dtype.upper() in {"VARCHAR", "JSON"} or dtype.upper().startswith("VARCHAR")


def _is_numeric(dtype: str) -> bool:
    upper = dtype.upper()
    return upper.startswith(
        (
            "DECIMAL",
            "DOUBLE",
            "FLOAT",
            "REAL",
            "BIGINT",
            "INTEGER",
            "HUGEINT",
            "SMALLINT",
            "TINYINT",
            "UBIGINT",
            "UINTEGER",
            "UHUGEINT",
            "USMALLINT",
            "UTINYINT",
        )
    )


def _is_null(dtype: str) -> bool:
    """A column with no value at all (JSON or Parquet), typed NULL: reads as NULLs."""
    return dtype.strip('"').upper() == "NULL"


def _is_nested(dtype: str) -> bool:
    """LIST (`DOUBLE[]`, `VARCHAR[3]`), STRUCT, MAP, UNION: never one scalar value."""
    upper = dtype.upper()
    return upper.endswith("]") or upper.startswith(("STRUCT", "MAP", "UNION", "LIST"))


def _number_accepts(dtype: str) -> bool:
    if _is_nested(dtype):
        return False
    return _is_text(dtype) or _is_numeric(dtype) or _is_null(dtype)


def _ts_accepts(dtype: str) -> bool:
    if _is_nested(dtype):
        return False
    upper = dtype.upper()
    return _is_text(dtype) or _is_null(dtype) or upper == "DATE" or upper.startswith("TIMESTAMP")


def _money_strict(e: str, dtype: str) -> str:
    if _is_text(dtype):
        return f"finops_money({e})"
    return f"cast({e} as {DECIMAL})"


def _money_fast(e: str, dtype: str) -> str:
    """Exactly the strict result, 3x faster: most amounts fit a 64-bit DECIMAL(18, 12), and
    both casts round the same way at 12 places; the wide cast only runs when they don't."""
    if _is_text(dtype):
        return f"coalesce(try_cast({e} as decimal(18, 12)), cast({e} as {DECIMAL}))"
    return _money_strict(e, dtype)


def _money_bad(e: str, dtype: str) -> str | None:
    if _is_text(dtype):
        return f"not finops_blank({e}) and finops_money_try({e}) is null"
    if _is_numeric(dtype):
        return None
    return f"{e} is not null and try_cast({e} as {DECIMAL}) is null"


def _ts_strict(e: str, dtype: str) -> str:
    upper = dtype.upper()
    if _is_text(dtype):
        return f"finops_ts({e})"
    if upper == "TIMESTAMP WITH TIME ZONE":
        return f"cast(({e} at time zone 'UTC') as timestamp)"
    return f"cast({e} as timestamp)"


def _ts_fast(e: str, dtype: str) -> str:
    """ISO 8601 only (with or without an offset, converted to UTC; the session zone is UTC);
    an M/D/YYYY file fails here and is landed again with the general parser."""
    if _is_text(dtype):
        return f"cast(cast({e} as timestamptz) as timestamp)"
    return _ts_strict(e, dtype)


def _ts_bad(e: str, dtype: str) -> str | None:
    if _is_text(dtype):
        return f"not finops_blank({e}) and finops_ts_try({e}) is null"
    return None


def _yyyymm_strict(e: str, dtype: str) -> str:
    return f"finops_yyyymm(cast({e} as varchar))"


def _yyyymm_bad(e: str, dtype: str) -> str | None:
    return (
        f"not finops_blank({e}) and "
        f"try_strptime(trim(cast({e} as varchar)) || '01', '%Y%m%d') is null"
    )


def _text_strict(e: str, dtype: str) -> str:
    return f"nullif(cast({e} as varchar), '')"


def _json_strict(e: str, dtype: str) -> str:
    if _is_text(dtype):
        return f"cast(finops_json_text({e}) as json)"
    return f"cast(nullif(cast(to_json({e}) as varchar), '{{}}') as json)"


def _json_bad(e: str, dtype: str) -> str | None:
    if _is_text(dtype):
        return f"finops_json_text({e}) is not null and not json_valid(finops_json_text({e}))"
    return None


def _azure_tags_strict(e: str, dtype: str) -> str:
    if _is_text(dtype):
        return f"cast(finops_json_text(finops_azure_tags_text({e})) as json)"
    return _json_strict(e, dtype)


def _azure_tags_bad(e: str, dtype: str) -> str | None:
    if _is_text(dtype):
        inner = f"finops_json_text(finops_azure_tags_text({e}))"
        return f"{inner} is not null and not json_valid({inner})"
    return None


def _integer_strict(e: str, dtype: str) -> str:
    return f"cast(nullif(trim(cast({e} as varchar)), '') as bigint)"


def _integer_bad(e: str, dtype: str) -> str | None:
    return f"not finops_blank({e}) and try_cast(trim(cast({e} as varchar)) as bigint) is null"


def _none(e: str, dtype: str) -> str | None:
    return None


TRANSFORMS: dict[str, Transform] = {
    "money": Transform(
        DECIMAL,
        _money_strict,
        _money_bad,
        "a decimal number such as 12.34",
        _money_fast,
        _number_accepts,
    ),
    "decimal": Transform(
        DECIMAL,
        _money_strict,
        _money_bad,
        "a decimal number such as 0.5",
        _money_fast,
        _number_accepts,
    ),
    "timestamp": Transform(
        "timestamp",
        _ts_strict,
        _ts_bad,
        "a date or timestamp (ISO 8601, M/D/YYYY or YYYYMMDD)",
        _ts_fast,
        _ts_accepts,
    ),
    "yyyymm": Transform("timestamp", _yyyymm_strict, _yyyymm_bad, "a month as YYYYMM"),
    "text": Transform("varchar", _text_strict, _none, "text"),
    "json": Transform("json", _json_strict, _json_bad, "a JSON object"),
    "azure_tags": Transform(
        "json",
        _azure_tags_strict,
        _azure_tags_bad,
        'JSON object members such as "team": "payments"',
    ),
    "integer": Transform("bigint", _integer_strict, _integer_bad, "a whole number"),
    # GCP repeated columns, native or as Python-repr text (see gcp_nested for why).
    "kv_list_json": Transform(
        "json",
        gcp_nested.kv_list_strict,
        gcp_nested.kv_list_bad,
        "a list of {key, value} labels (JSON or Python repr)",
    ),
    "credits": Transform(
        gcp_nested.CREDITS_DDL,
        gcp_nested.credits_strict,
        gcp_nested.credits_bad,
        "a list of credits {name, amount, full_name, id, type}",
    ),
}


def register(name: str, transform: Transform) -> None:
    """Formats with nested native types (GCP credits, label lists) add their own transforms."""
    TRANSFORMS[name] = transform


def get_transform(name: str) -> Transform:
    if name not in TRANSFORMS:
        raise KeyError(f"no transform registered for column type {name!r}")
    return TRANSFORMS[name]
