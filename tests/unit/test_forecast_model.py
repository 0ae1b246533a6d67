"""The forecast statistics on series whose future is known: coverage, ordering, exclusions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from finops_pipeline.forecast.model import (
    MODEL,
    forecast_remaining,
    one_off_remaining,
    one_off_window_sums,
    seasonal_naive_path,
)
from finops_pipeline.forecast.monthly import forecast_month
from finops_pipeline.forecast.settings import ForecastSettings

WEEK = np.array([1000.0, 1010.0, 990.0, 1005.0, 995.0, 600.0, 580.0])  # Mon..Sun


def seasonal(days: int, noise: float, seed: int, start: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([WEEK[(start + i) % 7] for i in range(days)]) + rng.normal(0, noise, days)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_known_seasonal_series_future_falls_inside_the_interval(seed: int) -> None:
    series = seasonal(84 + 14, noise=15.0, seed=seed)
    history, future = series[:84], series[84:]
    result = forecast_remaining(history, 14)
    assert result.model == MODEL
    expected = WEEK.sum() * 2  # the noise-free sum of the two weeks ahead
    assert result.inner[0] <= expected <= result.inner[1]
    assert result.outer[0] <= future.sum() <= result.outer[1]
    assert abs(result.point - expected) / expected < 0.01


@pytest.mark.parametrize(
    ("days", "model"),
    [(60, MODEL), (20, MODEL), (10, "seasonal_naive"), (4, "run_rate")],
)
@pytest.mark.parametrize("horizon", [1, 9, 30])
def test_intervals_are_nested_around_the_point(days: int, model: str, horizon: int) -> None:
    result = forecast_remaining(seasonal(days, noise=40.0, seed=days), horizon)
    assert result.model == model
    lo95, hi95 = result.outer
    lo80, hi80 = result.inner
    assert lo95 <= lo80 <= result.point <= hi80 <= hi95
    assert hi95 - lo95 > hi80 - lo80 > 0


def test_wider_noise_gives_wider_intervals() -> None:
    calm = forecast_remaining(seasonal(70, noise=5.0, seed=4), 20)
    noisy = forecast_remaining(seasonal(70, noise=80.0, seed=4), 20)
    assert noisy.outer[1] - noisy.outer[0] > 3 * (calm.outer[1] - calm.outer[0])


def test_no_horizon_and_no_history() -> None:
    assert forecast_remaining([5.0] * 40, 0).point == 0.0
    empty = forecast_remaining([], 10)
    assert (empty.point, empty.model) == (0.0, "none (no history)")


def test_seasonal_naive_repeats_the_last_week() -> None:
    history = list(range(1, 15))  # last week is 8..14
    assert seasonal_naive_path(history, 9).tolist() == [8, 9, 10, 11, 12, 13, 14, 8, 9]


def test_one_off_remaining_is_the_median_of_the_same_days_before_month_end() -> None:
    tax_at_end = [[0.0] * 29 + [100.0], [0.0] * 30 + [120.0], [0.0] * 27 + [90.0]]
    assert one_off_remaining(tax_at_end, days_left=3, lookback=3) == 100.0
    assert one_off_remaining(tax_at_end, days_left=0) == 0.0
    assert one_off_remaining([], days_left=5) == 0.0


@pytest.mark.parametrize(("days", "model"), [(70, MODEL), (10, "seasonal_naive")])
def test_one_off_spread_widens_the_intervals_and_identical_one_offs_do_not(
    days: int, model: str
) -> None:
    history = seasonal(days, noise=10.0, seed=8)
    base = forecast_remaining(history, 5)
    same = forecast_remaining(history, 5, one_off_sums=[4000.0, 4000.0, 4000.0])
    assert same == base
    spread = forecast_remaining(history, 5, one_off_sums=[2000.0, 4000.0, 7000.0])
    assert spread.model == base.model == model
    assert spread.point == base.point  # the point (and so MAPE) is unchanged
    lo95, hi95 = spread.outer
    lo80, hi80 = spread.inner
    assert lo95 <= lo80 <= spread.point <= hi80 <= hi95
    # a draw of 2000 or 7000 around the median 4000: the recurring spread (~tens) is small,
    # so both intervals reach from about -2000 to +3000 around the recurring point
    for lo, hi, (b_lo, b_hi) in ((lo80, hi80, base.inner), (lo95, hi95, base.outer)):
        assert hi - lo >= 0.95 * (7000 - 2000) and hi - lo > b_hi - b_lo
        assert lo <= base.point - 0.95 * 2000 and hi >= base.point + 0.95 * 3000


def test_one_off_window_sums_are_the_past_months_same_final_days() -> None:
    months = [[0.0] * 29 + [100.0], [50.0] + [0.0] * 29 + [120.0], [0.0] * 27 + [90.0]]
    assert one_off_window_sums(months, days_left=3) == [100.0, 120.0, 90.0]
    assert one_off_window_sums(months, days_left=31) == [100.0, 170.0, 90.0]
    assert one_off_window_sums(months, days_left=0) == []


def test_month_forecast_interval_carries_the_one_off_spread() -> None:
    costs = [float(v) for v in seasonal(DAYS, noise=10.0, seed=6)]
    as_of = date(2026, 6, 12)
    plain = forecast_month(frame(START, costs), date(2026, 6, 1), as_of, scopes=("total",))[0]
    taxes = {date(2026, 3, 31): 3000.0, date(2026, 4, 30): 5000.0, date(2026, 5, 31): 9000.0}
    [f] = forecast_month(frame(START, costs, taxes), date(2026, 6, 1), as_of, scopes=("total",))
    assert f.one_off_remaining == pytest.approx(5000.0, rel=0.02)
    assert float(f.forecast_month_end) == pytest.approx(
        float(plain.forecast_month_end) + f.one_off_remaining, abs=0.01
    )
    lo80, hi80 = f.total(f.remaining.inner[0]), f.total(f.remaining.inner[1])
    lo95, hi95 = f.total(f.remaining.outer[0]), f.total(f.remaining.outer[1])
    assert lo95 <= lo80 <= f.forecast_month_end <= hi80 <= hi95
    plain_width = plain.remaining.inner[1] - plain.remaining.inner[0]
    assert float(hi80 - lo80) >= plain_width + 0.5 * (9000 - 3000)
    assert float(hi95 - lo95) >= 0.95 * (9000 - 3000)


def frame(
    start: date, costs: list[float], one_offs: dict[date, float] | None = None
) -> pd.DataFrame:
    """A daily frame for one total series (scope total, key total)."""
    rows = []
    for i, cost in enumerate(costs):
        day = start + timedelta(days=i)
        rows.append(["total", "total", day.replace(day=1), day, False, Decimal(str(cost))])
    for day, cost in (one_offs or {}).items():
        rows.append(["total", "total", day.replace(day=1), day, True, Decimal(str(cost))])
    return pd.DataFrame(
        rows, columns=["scope", "key", "billing_month", "day", "is_one_off", "cost"]
    )


START = date(2026, 3, 2)  # a Monday
DAYS = (date(2026, 6, 13) - START).days + 1  # through Saturday 13 June


def test_partial_day_is_neither_actual_nor_history() -> None:
    costs = [float(v) for v in seasonal(DAYS, noise=10.0, seed=5)]
    as_of = date(2026, 6, 12)
    complete = frame(START, costs[:-1])
    with_partial = frame(START, [*costs[:-1], costs[-1] * 0.3])  # 13 June, 30% delivered
    [a] = forecast_month(complete, date(2026, 6, 1), as_of, scopes=("total",))
    [b] = forecast_month(with_partial, date(2026, 6, 1), as_of, scopes=("total",))
    assert a == b
    june_to_date = sum(Decimal(str(c)) for c in costs[(date(2026, 6, 1) - START).days : -1])
    assert a.actual_to_date == june_to_date
    assert (a.as_of_date, a.horizon_days) == (as_of, 18)


def test_one_offs_are_left_out_of_the_model_and_forecast_separately() -> None:
    costs = [float(v) for v in seasonal(DAYS, noise=10.0, seed=6)]
    as_of = date(2026, 6, 12)
    taxes = {date(2026, m, 28 if m == 2 else 30): 5000.0 for m in (3, 4, 5)}
    taxes[date(2026, 5, 1)] = 3000.0  # a purchase at the start of May
    taxes[date(2026, 6, 1)] = 2500.0  # and one this month, already posted
    plain = forecast_month(frame(START, costs), date(2026, 6, 1), as_of, scopes=("total",))[0]
    mixed = forecast_month(frame(START, costs, taxes), date(2026, 6, 1), as_of, scopes=("total",))
    [f] = mixed
    assert f.remaining.point == plain.remaining.point  # the recurring model never saw one
    assert f.one_off_to_date == Decimal("2500.0")
    assert f.actual_to_date == plain.actual_to_date + Decimal("2500.0")
    # month-end tax, from March, April and May (x spend now / then, ~1 on a flat series)
    assert f.one_off_remaining == pytest.approx(5000.0, rel=0.02)
    assert float(f.forecast_month_end) == pytest.approx(
        float(plain.forecast_month_end) + 2500 + f.one_off_remaining, abs=0.01
    )


def test_one_offs_scale_with_spend() -> None:
    """Tax and support fees are a share of spend: after spend doubled, last months' month-end
    tax is expected doubled too."""
    costs = [float(v) for v in seasonal(DAYS, noise=5.0, seed=15)]
    doubled_from = (date(2026, 5, 16) - START).days
    costs = costs[:doubled_from] + [2 * c for c in costs[doubled_from:]]
    taxes = {date(2026, 3, 31): 1000.0, date(2026, 4, 30): 1000.0}
    [f] = forecast_month(frame(START, costs, taxes), date(2026, 5, 1), date(2026, 5, 29))
    assert f.one_off_remaining == pytest.approx(2000.0, rel=0.05)


def test_closed_month_is_its_actual_and_future_month_is_empty() -> None:
    costs = [float(v) for v in seasonal(DAYS, noise=10.0, seed=7)]
    daily = frame(START, costs)
    [closed] = forecast_month(daily, date(2026, 4, 1), date(2026, 6, 12), scopes=("total",))
    april = sum(Decimal(str(c)) for c in costs[(date(2026, 4, 1) - START).days :][:30])
    assert closed.forecast_month_end == closed.actual_to_date == april
    assert closed.remaining.outer == (0.0, 0.0)
    assert forecast_month(daily, date(2026, 8, 1), date(2026, 6, 12), scopes=("total",)) == []


def test_settings_reject_inverted_thresholds_and_intervals() -> None:
    with pytest.raises(ValueError, match="inner_interval"):
        ForecastSettings(inner_interval=0.95, outer_interval=0.8)
    with pytest.raises(ValueError, match="at_risk_at"):
        ForecastSettings(at_risk_at=Decimal("1.2"), over_budget_at=Decimal("1.0"))


def test_rolling_origin_errors_are_true_refits_at_the_same_horizon() -> None:
    """The interval's errors: from each origin, the candidates refitted on the data up to it
    only (changing later days must not change that origin's forecast)."""
    from finops_pipeline.forecast.local_level import candidate_paths

    values = seasonal(70, noise=20.0, seed=9)
    origin = 40
    before = candidate_paths(values[: origin + 1])
    changed = values.copy()
    changed[origin + 1 :] *= 3  # the future changes, the refit at the origin must not
    assert np.array_equal(candidate_paths(changed[: origin + 1]), before)
    assert before.shape[1] >= 31  # a whole month ahead from any origin


def test_level_shift_is_followed_within_three_days() -> None:
    """A 40 % step up: three days after it the forecast of the next 14 days is near the new
    level; the seasonal pattern of the old level stays (no weekday confused with the step)."""
    base = seasonal(56, noise=10.0, seed=11)
    step = seasonal(3, noise=10.0, seed=12, start=56) * 1.4
    result = forecast_remaining(np.concatenate([base, step]), 14)
    new_level = 1.4 * WEEK.sum() * 2
    old_level = WEEK.sum() * 2
    assert abs(result.point - new_level) / new_level < 0.06
    assert result.inner[0] > old_level  # the old level is no longer plausible


def test_early_spike_is_not_a_level_change() -> None:
    """A one-day 3x spike (e.g. a charge on the 1st) two days ago barely moves the forecast."""
    history = seasonal(56, noise=10.0, seed=13)
    spiked = history.copy()
    spiked[-2] *= 3
    calm, spike = forecast_remaining(history, 20), forecast_remaining(spiked, 20)
    assert abs(spike.point - calm.point) / calm.point < 0.03


@pytest.mark.parametrize("days", [15, 21, 35])
def test_short_history_gets_the_model_and_a_wider_interval_than_a_long_one(days: int) -> None:
    short = forecast_remaining(seasonal(days, noise=30.0, seed=14), 25)
    long = forecast_remaining(seasonal(112, noise=30.0, seed=14), 25)
    assert short.model == long.model == MODEL
    assert abs(short.point - long.point) / long.point < 0.08
    width = short.inner[1] - short.inner[0]
    assert width > 0 and short.outer[1] - short.outer[0] > width


def test_interval_coverage_computation_on_a_small_fixture() -> None:
    """The benchmark's coverage and width per day-of-month window, on forecasts whose
    intervals and actuals are known."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from forecast_eval import Scores, coverage_table

    scores = Scores()
    # window 1-7: actual 100; intervals hit, hit, miss (80) / hit, hit, hit (95)
    for lo80, hi80, lo95, hi95 in ((90, 110, 80, 120), (95, 105, 90, 110), (101, 120, 99, 130)):
        scores.add_interval(3, 100.0, (lo80, hi80), (lo95, hi95), short=False)
    scores.add_interval(10, 200.0, (150, 190), (100, 300), short=True)  # window 8-14: miss/hit
    table = coverage_table(scores)
    assert table[(1, 7)] == pytest.approx((200 / 3, 100.0, (20 + 10 + 19) / 3, (40 + 20 + 31) / 3))
    assert table[(8, 14)] == pytest.approx((0.0, 100.0, 20.0, 100.0))
    assert (15, 21) not in table


def test_coverage_uncertainty_counts_months_not_as_of_days() -> None:
    """The benchmark's 90 % intervals count months, not as-of days: 12 months whose 7 as-of
    days all hit or all miss together are 12 outcomes, so a coverage of 75 % from them is
    as uncertain as 12 coin flips' (Wilson: 52..89 %), and about sqrt(7) narrower when every
    case is its own month. Where every month hit, the interval still says how few they were
    (15 months: >= 84.7 %), not [100, 100] as the bootstrap's percentiles would. A MAPE
    difference's interval resamples whole months the same way."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from forecast_eval import cluster_interval, coverage_interval

    months = np.repeat(np.arange(12), 7)
    hits = (months < 9).astype(float)  # 9 of 12 months inside: 75 %
    lo, hi = coverage_interval(hits, list(months))
    assert lo == pytest.approx(52.4, abs=2.5) and hi == pytest.approx(89.3, abs=2.5)
    lo_iid, hi_iid = coverage_interval(hits, list(range(len(hits))))
    assert lo_iid < 75 < hi_iid
    assert (hi - lo) / (hi_iid - lo_iid) == pytest.approx(np.sqrt(7), rel=0.2)
    lo_all, hi_all = coverage_interval(np.ones(15 * 7), list(np.repeat(np.arange(15), 7)))
    assert lo_all == pytest.approx(100 * 15 / (15 + 1.6449**2), abs=0.1) and hi_all == 100
    difference = np.where(months < 9, -0.2, 0.1)
    d_lo, d_hi = cluster_interval(difference, list(months))
    assert d_lo < difference.mean() < d_hi and d_hi - d_lo > 0.1  # months disagree: wide
    assert cluster_interval(np.full(5, -0.2), [0, 0, 1, 1, 2]) == pytest.approx((-0.2, -0.2))


def test_one_offs_of_a_series_that_started_late_last_month_are_not_inflated() -> None:
    """A series that began on 25 May with a 500 fee on 31 May: in June the month-end fee is
    expected ~500. Its May spend per day it existed is June's, so no scaling; dividing May's
    7 days of spend by 31 days made June look 4.4x May and the fee 2200."""
    start = date(2026, 5, 25)
    costs = [1000.0] * ((date(2026, 6, 12) - start).days + 1)
    [f] = forecast_month(
        frame(start, costs, {date(2026, 5, 31): 500.0}), date(2026, 6, 1), date(2026, 6, 12)
    )
    assert f.one_off_remaining == pytest.approx(500.0, rel=0.01)


def test_near_duplicate_candidates_do_not_outvote_a_different_one() -> None:
    """Copies of a candidate (levels over different windows err together) add nothing: the
    weight of a family stays what it was with one member, where a score per candidate
    (inverse MSE, even squared) gave three copies three times the say."""
    from finops_pipeline.forecast.ensemble import least_squares_weights

    rng = np.random.default_rng(21)
    level = 0.5 + rng.normal(0, 0.3, 40)
    other = rng.normal(0, 0.6, 40)
    copies = [level + rng.normal(0, 0.01, 40) for _ in range(2)]
    alone = least_squares_weights(np.column_stack([level, other]))
    crowded = least_squares_weights(np.column_stack([level, *copies, other]))
    assert crowded.min() >= 0 and abs(crowded.sum() - 1) < 1e-12
    assert 0.2 < alone[1] < 0.8  # each candidate has a share to lose
    assert crowded[3] == pytest.approx(alone[1], abs=0.05)


def test_candidates_biased_opposite_ways_are_combined_to_cancel() -> None:
    """One candidate runs high and one low by the same: equal weights, whose combined
    errors are only the noise."""
    from finops_pipeline.forecast.ensemble import least_squares_weights

    rng = np.random.default_rng(22)
    noise = rng.normal(0, 0.1, 60)
    weights = least_squares_weights(np.column_stack([1.0 + noise, -1.0 + noise]))
    assert weights == pytest.approx([0.5, 0.5], abs=0.02)


def test_a_steady_ramp_is_forecast_by_the_trend_candidates() -> None:
    """+0.6 % a day for 60 days, 4 % noise: the month-end sum leans on the trend candidates
    (weights by each candidate's own MSE gave them 0.24-0.71, 0.48 on average, over these
    seeds, and were 8.4 % low on average; now 0.62-0.85 and 7.9 %: a damped trend stays
    below an undamped ramp)."""
    from finops_pipeline.forecast.ensemble import forecast_sum

    days = np.arange(85)
    pattern = np.array([1.0, 1.05, 1.05, 1.05, 1.0, 0.8, 0.75])[days % 7]
    misses, trend_weights = [], []
    for seed in range(5):
        noise = 1 + 0.04 * np.random.default_rng(seed).standard_normal(len(days))
        y = 100 * 1.006**days * pattern * noise
        result = forecast_sum(y[:60], 25)
        misses.append(abs(result.point - y[60:].sum()) / y[60:].sum())
        trend_weights.append(result.weights["trend28"] + result.weights["trend56"])
    assert min(trend_weights) > 0.55
    assert np.mean(trend_weights) > 0.65
    assert np.mean(misses) < 0.082
