"""Monthly charges: an excess that recurs on the same day of the month is expected again.

A support fee on the 1st, a licence on the 15th: the baseline model (model.py) has no
monthly term, so these would be a spike every month. An isolated positive excess (the days
either side were not in excess) on the same day of the month, or the month's last day, in
most of the previous 1-3 months is expected again up to its usual size; a bigger excess is
still judged. The series' unjudged first days are re-judged once a baseline exists.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from finops_pipeline.anomalies.season import MAD_TO_SIGMA, ModelParams, Season, nanmedian


def month_echo_days(days: list[date]) -> list[list[int]]:
    """For each day, the axis indexes of the same day of the month 1-3 months back (and, on a
    month's last day, the previous months' last days)."""
    index = {d: i for i, d in enumerate(days)}
    out = []
    for d in days:
        found = []
        for back in (1, 2, 3):
            y, m = divmod(d.month - 1 - back, 12)
            year, month = d.year + y, m + 1
            try:
                same = date(year, month, d.day)
            except ValueError:
                same = None
            if same in index:
                found.append(index[same])
            if (d + timedelta(days=1)).day == 1:
                last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
                if last in index and index[last] not in found:
                    found.append(index[last])
        out.append(found)
    return out


def recheck_first_days(
    back: list[int],
    starts: np.ndarray,
    p: ModelParams,
    logs: np.ndarray,
    values: np.ndarray,
    delta: np.ndarray,
    season: Season,
    mu: np.ndarray,
    spread: np.ndarray,
    dows: np.ndarray,
    day: int,
    width: int,
    judged: np.ndarray,
    excess: np.ndarray,
    strong: np.ndarray,
) -> None:
    """Judge again, with today's baseline, the same day of earlier months when it fell in a
    series' unjudged first days: the 1st of the first month carries the fee that recurs
    on every 1st, but nine days could not tell it from a weekly pattern."""
    for j in back:
        rows = judged & (j - starts >= 0) & (j - starts < p.min_history_days - 1)
        if not rows.any():
            continue
        level = mu - season.wday[:, dows[day]]
        mu_j = level + season.wday[:, dows[j]]
        z = (logs[:, j + width] - mu_j) / spread
        base = np.maximum(np.exp(mu_j) - delta, 0.0)
        excess[rows, j] = (values[:, j + width] - base)[rows]
        strong[rows, j] = (z >= p.z_continue)[rows]


def early_cut(first: np.ndarray) -> float:
    first = first[~np.isnan(first)]
    if not first.size:
        return np.inf
    median = float(np.median(first))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(first - median)))
    return max(0.25 * median, 3 * spread, 1e-9)


def echo(excess: np.ndarray, strong: np.ndarray, back: list[int]) -> np.ndarray:
    """The usual excess of this day of the month, where most earlier months had one.

    Only an isolated excess counts (the days either side of it were not in excess): a fee
    is one day; a shift that happened to cover the same date last month is not a fee."""
    if not back:
        return np.zeros(excess.shape[0])
    edge = np.zeros((strong.shape[0], 1), dtype=bool)
    padded = np.hstack([edge, strong, edge])  # no day before the first or after the last
    alone = strong[:, back] & ~padded[:, back] & ~padded[:, [j + 2 for j in back]]
    past = excess[:, back]
    seen = ~np.isnan(past)
    hits = (alone & seen).sum(axis=1)
    usual = np.nan_to_num(nanmedian(np.where(alone, past, np.nan), axis=1))
    recurs = (hits > 0) & (2 * hits >= seen.sum(axis=1))
    return np.where(recurs, np.maximum(usual, 0.0), 0.0)


def delta_of(first: np.ndarray) -> float:
    positive = first[(first > 0) & ~np.isnan(first)]
    return max(0.05 * float(np.median(positive)), 1e-6) if positive.size else 1e-6


def early_median(first: np.ndarray) -> float:
    first = first[~np.isnan(first)]
    return float(np.median(first)) if first.size else 0.0
