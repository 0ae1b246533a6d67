"""Counter-moves: what hid a change from its parent.

AWS's account monitors are criticised for letting opposite changes cancel out: +$110 on EC2
and -$110 on RDS in one account leave the account flat. Detection runs at the account x
service level, so both moves are found where they happen; this module tells the reader why
the parent did not move. For an event whose parent slice (its account, its service, its
provider, ...) changed by less than half of the event's impact over the same days, the
siblings inside that parent that moved the other way are listed, largest first, with their
own actual - expected (each sibling judged by its own baseline).
"""

from __future__ import annotations

from finops_pipeline.anomalies.detect import Event, SeriesKey, SeriesResult

PARENT_SHARE = 0.5  # the parent "moved little": |parent change| < this share of |impact|
MIN_SHARE = 0.1  # a sibling listed moved at least this share of |impact| the other way


def parents(series: SeriesKey) -> list[tuple[str, str | None, str]]:
    """(level, provider, key) of the slices that contain `series`."""
    if series.level == "sub_account_service":
        if series.sub_account is None or series.service is None:
            return []  # not known (the key is not parsed: an id may hold ' / ')
        return [
            ("sub_account", series.provider, series.sub_account),
            ("service", series.provider, series.service),
        ]
    if series.level in ("service", "sub_account", "team"):
        return [("provider", series.provider, series.provider or "")]
    if series.level == "provider":
        return [("total", None, series.currency)]
    return []


def _is_child(child: SeriesKey, parent: tuple[str, str | None, str], level: str) -> bool:
    if child.level != level:
        return False
    p_level, p_provider, p_key = parent
    if p_level == "total":
        return True
    if child.provider != p_provider:
        return False
    if p_level == "provider":
        return True
    return (child.sub_account if p_level == "sub_account" else child.service) == p_key


def counter_moves(event: Event, results: list[SeriesResult], top: int = 5) -> list[dict]:
    """Siblings that offset `event` inside each parent that moved little (see module doc)."""
    impact = event.impact
    if event.kind == "new_spend" or impact == 0:
        return []
    index = {
        (r.series.level, r.series.provider, r.series.key, r.series.currency): r for r in results
    }
    out: list[dict] = []
    for parent in parents(event.series):
        p_level, p_provider, p_key = parent
        found = index.get((p_level, p_provider, p_key, event.series.currency))
        parent_change = found.change(event.first_date, event.end_date) if found else None
        if parent_change is None or abs(parent_change) >= PARENT_SHARE * abs(impact):
            continue
        moves = []
        for r in results:
            s = r.series
            if s == event.series or s.currency != event.series.currency:
                continue
            if not _is_child(s, parent, event.series.level):
                continue
            change = r.change(event.first_date, event.end_date)
            if (
                change is not None
                and change * impact < 0
                and abs(change) >= MIN_SHARE * abs(impact)
            ):
                moves.append((change, s))
        moves.sort(key=lambda m: -abs(m[0]))
        out += [
            {
                "parent_level": p_level,
                "parent_key": p_key,
                "parent_change": round(parent_change, 4),
                "level": s.level,
                "key": s.key,
                "change": round(change, 4),
            }
            for change, s in moves[:top]
        ]
    return out
