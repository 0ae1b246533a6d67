"""`finops init`: a commented starter finops.yaml from what the warehouse holds.

A new user's first config should describe their data, not the demo's: the sources that were
loaded (name, format, folder), the tag keys found with every spelling and the share of cost
that carries them, the billing currencies and whether rates to the reporting currency are
missing, and the accounts whose cost is untagged, as candidate owner mappings. The result is
valid YAML that loads as is (the generic defaults, made explicit); the suggestions that need
a human decision are comments.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

from finops_pipeline.settings import Settings
from finops_pipeline.warehouse import table_exists

DEFAULT_POLICY = "tagging/default_policy.yaml"
# A key spelled `user:Team`, `user_team`, ` TEAM ` or `Cost_Center` groups with `team` /
# `cost-center`: AWS's prefixes dropped, case and separators folded.
FOLDED_KEY_SQL = (
    "regexp_replace(regexp_replace(lower(trim(k)), '^user[:_]', ''), '[-_ .:/]', '', 'g')"
)


@dataclass
class TagKeyFound:
    folded: str
    spellings: list[str]
    share: dict[str, Decimal] = field(default_factory=dict)  # currency -> share of cost
    is_team: bool = False


def starter_config(
    con: duckdb.DuckDBPyConnection, settings: Settings, destination: Path, top: int = 10
) -> str:
    """The text of a starter finops.yaml for the warehouse behind `con`."""
    from importlib import resources

    base = destination.parent
    team_spellings = _team_spellings()
    sources = _sources(con)
    currencies = _currencies(con)
    keys = _tag_keys(con, team_spellings)
    reporting = settings.reporting.currency
    missing = _missing_rates(con, currencies, reporting, settings.reporting.exchange_rates)
    owners = _untagged_accounts(con, top)
    policy_text = (
        resources.files("finops_pipeline").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")
    )
    lines = [
        f"# Starter finops.yaml written by `finops init` on {date.today():%Y-%m-%d} from "
        f"{settings.warehouse}.",
        "# It loads as is (the generic defaults, made explicit); the commented suggestions need",
        "# your decision. Relative paths are relative to this file's folder. Reference: README",
        "# sections 'Tagging and showback', 'Unit costs, forecast and budgets'.",
        f"warehouse: {_quoted(_relative(Path(str(settings.warehouse)), base))}",
        "",
        "# Sources seen in load_log (name, format, folder). `finops ingest` needs none of this;",
        "# listed here, the Dagster jobs (`finops ui`, schedules) re-land them each month.",
    ]
    if sources:
        lines.append("sources:")
        for name, fmt, folder, files, periods in sources:
            lines.append(
                f"  - {{name: {_quoted(name)}, format: {fmt}, path: "
                f"{_quoted(_relative(folder, base))}}}  # {files} file(s), {periods}"
            )
    else:
        lines.append("sources: []  # nothing loaded yet: `finops ingest PATH`")
    lines += ["", *_tag_lines(keys, policy_text)]
    lines += ["", *_currency_lines(currencies, reporting, missing, settings)]
    lines += ["", *_allocation_lines(owners)]
    lines += [
        "",
        "# Optional inputs; without them unit_costs / budget_variance stay empty with a warning.",
        "# metrics: {path: business_metrics.csv}   # date,dimension,metric,value",
        "# forecast:",
        "#   budgets_path: budgets.csv             # team,amount[,month][,currency]",
        "",
    ]
    text = "\n".join(lines)
    yaml.safe_load(text)  # a starter that does not parse would be worse than none
    return text


def _team_spellings() -> set[str]:
    from importlib import resources

    data = yaml.safe_load(
        resources.files("finops_pipeline").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")
    )
    team = data["tag_policy"]["keys"]["team"]
    return {_fold(s) for s in ["team", *team.get("aliases", [])]}


def _fold(key: str) -> str:
    import re

    return re.sub(r"[-_ .:/]", "", re.sub(r"^user[:_]", "", key.strip().lower()))


def _sources(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, Path, int, str]]:
    rows = con.execute(
        "select source_name, any_value(source_format), list(distinct file_path), "
        "min(p), max(p) from (select *, unnest(coalesce(billing_periods, [null])) as p "
        "from load_log where status = 'loaded') group by 1 order by 1"
    ).fetchall()
    found = []
    for name, fmt, files, first, last in rows:
        folders = {str(Path(f).parent) for f in files}
        folder = Path(os.path.commonpath(sorted(folders))) if folders else Path(".")
        periods = f"{first:%Y-%m}..{last:%Y-%m}" if first and last else "no billing period"
        found.append((name, fmt or "auto", folder, len(files), periods))
    return found


def _currencies(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[date], Decimal]]:
    if not table_exists(con, "focus_costs"):
        return []
    return [
        (cur or "(none)", sorted(months), total)
        for cur, months, total in con.execute(
            "select BillingCurrency, list(distinct cast(BillingPeriodStart as date)), "
            "sum(BilledCost) from focus_costs group by 1 order by 3 desc"
        ).fetchall()
    ]


def _tag_keys(con: duckdb.DuckDBPyConnection, team_spellings: set[str]) -> list[TagKeyFound]:
    if not table_exists(con, "focus_costs"):
        return []
    totals = dict(
        con.execute(
            "select BillingCurrency, sum(abs(EffectiveCost)) from focus_costs group by 1"
        ).fetchall()
    )
    found: dict[str, TagKeyFound] = {}
    for folded, spellings in con.execute(
        f"select {FOLDED_KEY_SQL} as folded, list(distinct k order by k) from "
        "(select unnest(json_keys(Tags)) as k from (select distinct Tags from focus_costs "
        "where Tags is not null)) group by 1"
    ).fetchall():
        found[folded] = TagKeyFound(folded, spellings, is_team=folded in team_spellings)
    for folded, currency, cost in con.execute(
        f"select folded, cur, sum(cost) from (select distinct rid, {FOLDED_KEY_SQL} as folded, "
        "cur, cost from (select rowid as rid, BillingCurrency as cur, abs(EffectiveCost) as cost, "
        "unnest(json_keys(Tags)) as k from focus_costs where Tags is not null)) group by 1, 2"
    ).fetchall():
        total = totals.get(currency) or Decimal(0)
        if folded in found and total:
            found[folded].share[currency or "(none)"] = cost / total
    return sorted(found.values(), key=lambda k: (-max(k.share.values(), default=0), k.folded))


def _missing_rates(
    con: duckdb.DuckDBPyConnection,
    currencies: list[tuple[str, list[date], Decimal]],
    reporting: str,
    rates_file: Path | None,
) -> dict[str, list[date]]:
    have: set[tuple[str, str]] = set()
    if rates_file is not None and rates_file.is_file():
        with rates_file.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if (row.get("to_currency") or "").strip().upper() == reporting:
                    have.add(
                        ((row.get("month") or "").strip(), (row.get("from_currency") or "").upper())
                    )
    missing: dict[str, list[date]] = {}
    for currency, months, _total in currencies:
        if currency == reporting:
            continue
        gaps = [m for m in months if (f"{m:%Y-%m}", currency) not in have]
        if gaps:
            missing[currency] = gaps
    return missing


def _untagged_accounts(
    con: duckdb.DuckDBPyConnection, top: int
) -> list[tuple[str, str, str, str, Decimal, Decimal]]:
    if not table_exists(con, "focus_costs"):
        return []
    return con.execute(
        "with untagged as (select ProviderName as provider, SubAccountId as id, "
        "any_value(SubAccountName) as name, BillingCurrency as cur, sum(EffectiveCost) as cost "
        "from focus_costs where x_Team is null and not coalesce(x_TagExempt, false) "
        "and SubAccountId is not null group by all), "
        "totals as (select BillingCurrency as cur, sum(EffectiveCost) as total from focus_costs "
        "group by 1) "
        "select provider, id, coalesce(name, id), u.cur, cost, cost / nullif(total, 0) "
        "from untagged as u join totals using (cur) where cost > 0 "
        "order by cost / nullif(total, 0) desc limit ?",
        [top],
    ).fetchall()


def _tag_lines(keys: list[TagKeyFound], policy_text: str) -> list[str]:
    lines = [
        "# Tag keys found in the data (spellings as delivered; share of |effective cost| per",
        "# billing currency on charges carrying the key). Keys marked `team` already count",
        "# as the team through the aliases below; add a key's spellings there to use it too.",
    ]
    for key in keys:
        shares = ", ".join(f"{c} {float(s) * 100:.1f}%" for c, s in sorted(key.share.items()))
        marker = " -> team" if key.is_team else ""
        lines.append(f"#   {', '.join(key.spellings)}: {shares or 'no cost'}{marker}")
    if not keys:
        lines.append("#   (no tags found on any charge)")
    policy = [line for line in policy_text.splitlines() if not line.startswith("#")]
    return lines + policy


def _currency_lines(
    currencies: list[tuple[str, list[date], Decimal]],
    reporting: str,
    missing: dict[str, list[date]],
    settings: Settings,
) -> list[str]:
    lines = ["# Billing currencies found (billed cost, months):"]
    for currency, months, total in currencies:
        state = ""
        if currency in missing:
            gaps = missing[currency]
            state = f"  NO RATE to {reporting} for {len(gaps)} month(s) ({gaps[0]:%Y-%m}..)"
        lines.append(f"#   {currency} {total:,.2f} in {len(months)} month(s){state}")
    lines += ["reporting:", f"  currency: {reporting}"]
    rates = settings.reporting.exchange_rates
    if rates is not None:
        lines.append(f"  exchange_rates: {_quoted(str(rates))}")
    elif missing:
        lines.append(
            "  # exchange_rates: rates.csv   # month,from_currency,to_currency,rate; needed for "
            + ", ".join(f"{c}->{reporting}" for c in sorted(missing))
        )
    return lines


def _allocation_lines(owners: list[tuple[str, str, str, str, Decimal, Decimal]]) -> list[str]:
    lines = [
        "allocation:",
        "  dimension: team",
        "  unallocated: {redistribute: false}   # untagged cost stays visible as `unallocated`",
        "  owners: []",
        "  # Candidate owner mappings: the accounts / projects / subscriptions with the most",
        "  # untagged cost (share of that currency's effective cost). Uncomment, name the team:",
    ]
    for provider, account_id, name, currency, cost, share in owners:
        lines.append(
            f"  # - {{match: {{all: [{{column: SubAccountId, equals: {_quoted(account_id)}}}]}}, "
            f"team: TEAM}}   # {provider} {name}: {currency} {cost:,.2f} untagged "
            f"({float(share or 0) * 100:.1f}%)"
        )
    if not owners:
        lines.append("  #   (no untagged cost in an account)")
    lines += [
        "  pools: []",
        "  # - {name: shared, match: {all: [{column: SubAccountName, equals: shared}]}, "
        "split: proportional}",
    ]
    return lines


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def _quoted(text: str) -> str:
    return json.dumps(text)


def group_spellings(keys: list[str]) -> dict[str, list[str]]:
    """Folded key -> its spellings (for tests and callers without a warehouse)."""
    out: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        out[_fold(key)].append(key)
    return dict(out)
