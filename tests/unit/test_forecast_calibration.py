"""The pooled split-conformal interval computation (forecast/calibration.py) on small
fixtures whose answers are known by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from finops_pipeline.forecast.calibration import (
    MIN_POOLED,
    PRIOR_WINDOWS,
    ErrorPool,
    conformal_quantile,
    few_windows_factor,
    half_width,
    independent_windows,
    own_weight,
)
from finops_pipeline.forecast.fallback_errors import fallback_errors
from finops_pipeline.forecast.model import MODEL, forecast_remaining, pool_errors, rolling_errors


def test_conformal_quantile_takes_the_finite_sample_rank() -> None:
    errors = np.arange(1.0, 10.0)  # 9 errors: 1..9
    # ceil((9 + 1) * 0.8) = 8th smallest, not the plain 80th percentile (7.4)
    assert conformal_quantile(errors, 0.8) == 8.0
    assert conformal_quantile(-errors, 0.8) == 8.0  # absolute errors
    assert conformal_quantile(np.arange(1.0, 20.0), 0.95) == 19.0  # ceil(20 * .95) = 19 of 19
    assert conformal_quantile(np.arange(1.0, 5.0), 0.95) == 4.0  # too few: the largest
    assert np.isnan(conformal_quantile(np.zeros(0), 0.8))


def test_conformal_quantile_covers_new_exchangeable_errors_at_least_at_its_level() -> None:
    """Coverage computed over many draws: a new error from the same distribution falls
    inside the quantile of 9 earlier ones >= 80 % of the time (the corrected rank gives
    8/10 exactly; the uncorrected 80th percentile gives less)."""
    rng = np.random.default_rng(0)
    inside = plain = 0
    trials = 20_000
    for _ in range(trials):
        sample = rng.standard_normal(10)
        past, new = sample[:9], abs(sample[9])
        inside += new <= conformal_quantile(past, 0.8)
        plain += new <= np.quantile(np.abs(past), 0.8)
    assert inside / trials == pytest.approx(0.8, abs=0.01)
    assert plain / trials < 0.79


def test_few_windows_widen_the_interval_and_many_leave_it() -> None:
    """The predictive-t factor: wide on a handful of independent windows, wider at 95 % than
    at 80 %, shrinking towards 1 as the windows grow (the pool's quantile as it is)."""
    assert few_windows_factor(3, 0.8) > few_windows_factor(10, 0.8) > few_windows_factor(100, 0.8)
    assert few_windows_factor(3, 0.95) > few_windows_factor(3, 0.8) > 1.2
    assert few_windows_factor(10_000, 0.95) == pytest.approx(1.0, abs=0.01)
    assert math.isfinite(few_windows_factor(1, 0.95))  # one window: wide, not infinite
    assert few_windows_factor(0, 0.8) == 1.0


def test_the_pool_counts_windows_per_series() -> None:
    """40 errors from 40 series are 40 windows; 40 consecutive origins of one series at
    h = 20 are about 3; one series counts once however many names it was added under
    (forecast/monthly.py gives its copies one id)."""
    h = 20
    many = ErrorPool()
    for e in np.linspace(-0.2, 0.2, 40):
        many.add(h, np.array([e]), np.array([70]))
    one = ErrorPool()
    one.add(h, np.linspace(-0.2, 0.2, 40), np.full(40, 70))
    assert many.windows(h, (5,)) == 40.0
    assert one.windows(h, (5,)) == pytest.approx(independent_windows(40, h))
    # one series added under three names: its errors three times, its windows once
    thrice = ErrorPool()
    series = thrice.new_series()
    for _ in range(3):
        thrice.add_many(np.full(40, h), np.full(40, 70), np.linspace(-0.2, 0.2, 40), series)
    assert len(thrice.at(h)) == 120
    assert thrice.windows(h, (5,)) == pytest.approx(independent_windows(40, h))
    # the same errors: the one series' interval is the wider one
    assert one.quantile(h, 0.8, 70) > many.quantile(h, 0.8, 70) > 0


def test_coverage_of_errors_from_overlapping_windows() -> None:
    """Coverage computed on a fixture where the answer is known: a series' 60 consecutive
    origins at h = 20 are the means of 60 overlapping 20-day windows of iid daily noise
    (79 days: about 4 independent windows), and the error to cover is the next, disjoint
    window's. The plain conformal quantile of the 60 holds it less than 80 % of the time;
    with the windows counted it holds it at least that often (a little more: on iid noise
    the overlapping windows know more than the t of their count assumes; a level shift, which
    this fixture has none of, is what the widening is for)."""
    rng = np.random.default_rng(11)
    h, origins, trials = 20, 60, 4000
    plain = counted = 0
    for _ in range(trials):
        days = rng.standard_normal(origins + 2 * h - 1)
        means = np.convolve(days, np.full(h, 1 / h), mode="valid")
        past, new = means[:origins], abs(means[-1])
        pool = ErrorPool()
        pool.add(h, past, np.full(origins, 70))
        plain += new <= conformal_quantile(past, 0.8)
        counted += new <= pool.quantile(h, 0.8, 70)
    assert plain / trials < 0.78
    assert 0.8 <= counted / trials <= 0.9


def test_own_errors_weigh_by_their_independent_windows() -> None:
    assert independent_windows(0, 10) == 0.0
    assert independent_windows(1, 10) == 1.0  # one origin: one window
    assert independent_windows(21, 10) == 3.0  # 21 consecutive origins span 30 days
    assert own_weight(0, 5) == 0.0
    short, long = own_weight(40, 3), own_weight(40, 28)
    assert short > 0.5 > long  # at a long horizon the same origins are worth less
    assert own_weight(1000, 5) > 0.95  # many own windows: the series' own errors rule


def test_half_width_shrinks_between_own_and_pooled_and_floors_young_series() -> None:
    pool = ErrorPool()
    pool.add(5, np.linspace(-0.10, 0.10, 41))  # pooled 80 % quantile: 0.08 (34th of 41 |e|)
    # one series' 41 consecutive origins: 9 independent 5-day windows
    pooled = conformal_quantile(pool.at(5), 0.8) * few_windows_factor(9.0, 0.8)
    assert pool.quantile(5, 0.8) == pytest.approx(pooled)
    assert half_width(np.zeros(0), pool, 5, 0.8) == pytest.approx(pooled)  # no own errors
    calm_few = np.full(3, 0.01)  # young and calm: never narrower than the pool
    assert half_width(calm_few, pool, 5, 0.8) == pytest.approx(pooled)
    calm_many = np.full(400, 0.01)  # long and calm: mostly its own, narrower than the pool
    w = own_weight(400, 5)
    assert half_width(calm_many, pool, 5, 0.8) == pytest.approx(w * 0.01 + (1 - w) * pooled)
    assert half_width(calm_many, pool, 5, 0.8) < pooled / 2
    wild = np.full(3, 0.5)  # young and wild: wider than the pool
    assert half_width(wild, pool, 5, 0.8) > pooled
    # the pool cannot calibrate a horizon it has too few errors at: the caller falls back
    assert half_width(calm_many, pool, 6, 0.8) is None
    sparse = ErrorPool()
    sparse.add(5, np.ones(MIN_POOLED - 1))
    assert half_width(calm_many, sparse, 5, 0.8) is None
    assert PRIOR_WINDOWS > 0


def test_forecast_with_a_pool_uses_its_quantiles() -> None:
    """A series whose own past errors are tiny gets the pooled (wider) interval at a long
    horizon, and the point does not move; without a pool it keeps its own interval."""
    rng = np.random.default_rng(3)
    week = np.array([100.0, 101, 99, 100, 100, 60, 58])
    history = np.tile(week, 8) + rng.normal(0, 0.5, 56)
    h = 25
    alone = forecast_remaining(history, h)
    pool = ErrorPool()
    pool.add(h, np.linspace(-0.2, 0.2, 101))  # others missed by up to 20 % of a mean day
    pooled = forecast_remaining(history, h, pool=pool)
    assert pooled.model == alone.model == MODEL
    assert pooled.point == alone.point
    level = history[-28:].mean()
    expected = pool.quantile(h, 0.8, len(history)) * h * level  # own errors: none this long
    assert pool.quantile(h, 0.8, len(history)) > conformal_quantile(pool.at(h), 0.8)
    assert len(rolling_errors(history, h)) < 10
    assert pooled.inner[1] - pooled.point == pytest.approx(expected, rel=0.05)
    assert pooled.outer[1] - pooled.outer[0] > pooled.inner[1] - pooled.inner[0]
    assert pooled.inner[1] - pooled.inner[0] > 5 * (alone.inner[1] - alone.inner[0])


def test_pool_cells_keep_young_errors_out_of_a_mature_series_interval() -> None:
    """Errors made from 14-20 days of data (wide) calibrate a series that young, and do not
    widen the interval of a series with months of data (whose cell holds the narrow ones)."""
    pool = ErrorPool()
    young, mature = np.linspace(-0.5, 0.5, 41), np.linspace(-0.05, 0.05, 41)
    pool.add(5, young, np.full(41, 15))
    pool.add(5, mature, np.full(41, 70))
    one = few_windows_factor(independent_windows(41, 5), 0.8)  # each cell: one series
    assert pool.quantile(5, 0.8, 15) == pytest.approx(conformal_quantile(young, 0.8) * one)
    assert pool.quantile(5, 0.8, 91) == pytest.approx(conformal_quantile(mature, 0.8) * one)
    assert pool.quantile(5, 0.8, 91) < pool.quantile(5, 0.8, 15) / 5
    # no history asked: every error, both series' windows
    both = few_windows_factor(2 * independent_windows(41, 5), 0.8)
    everything = conformal_quantile(np.concatenate([young, mature]), 0.8) * both
    assert pool.quantile(5, 0.8) == pytest.approx(everything)


def test_a_thin_history_cell_borrows_from_its_neighbours() -> None:
    pool = ErrorPool()
    pool.add(3, np.full(MIN_POOLED - 5, 0.2), np.full(MIN_POOLED - 5, 22))  # [21, 28): thin
    pool.add(3, np.full(30, 0.1), np.full(30, 30))  # [28, 42)
    pool.add(3, np.full(30, 0.9), np.full(30, 100))  # [42, ...): two cells away
    # 21-27 days: too few of its own at h = 3, so with both neighbours ([14, 21) is empty)
    windows = independent_windows(MIN_POOLED - 5, 3) + independent_windows(30, 3)
    assert pool.quantile(3, 0.5, 25) == pytest.approx(0.1 * few_windows_factor(windows, 0.5))
    assert math.isnan(ErrorPool().quantile(3, 0.5, 25))


def test_interval_width_is_monotone_in_the_horizon() -> None:
    """The width k x quantile never falls as the horizon grows, even where the raw
    quantile of a longer horizon (fewer, luckier origins) came out below a shorter one's."""
    rng = np.random.default_rng(5)
    pool = ErrorPool()
    raw = {}
    for k in range(1, 11):
        spread = 0.02 * np.sqrt(k) if k != 8 else 0.001  # horizon 8: implausibly calm
        errors = rng.normal(0, spread / k * 3, 60)
        pool.add(k, errors, np.full(60, 80))
        raw[k] = k * conformal_quantile(errors, 0.8)
    assert raw[8] < raw[7]  # the fixture is non-monotone
    widths = [k * pool.quantile(k, 0.8, 80) for k in range(1, 11)]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(widths))
    # monotone where the raw widths already were: nothing changes there
    assert widths[0] == pytest.approx(raw[1] * few_windows_factor(60.0, 0.8))


def test_fallback_errors_are_the_young_forecasts_misses() -> None:
    """A run rate from 1-6 days and a seasonal naive from 7-13, scaled by k x the mean day."""
    y = np.array([10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    ks, days, errors = fallback_errors(y, 2, min_history_days=14)
    first = (ks == 1) & (days == 1)  # one day seen (10): the next day (20) missed by +10
    assert errors[first] == pytest.approx([(20 - 10) / (1 * 10)])
    two = (ks == 2) & (days == 3)  # mean 20, next two days 40 + 50 vs 40
    assert errors[two] == pytest.approx([(90 - 40) / (2 * 20)])
    naive = (ks == 2) & (days == 7)  # last week repeated: 10 + 20 vs 80 + 90
    assert errors[naive] == pytest.approx([(170 - 30) / (2 * 40)])
    assert days.max() == 9 and ks.max() == 2  # only what the last day has seen
    assert len(fallback_errors(y, 2, min_history_days=5)[0]) == 2 * 4


def test_young_series_gets_the_pooled_fallback_interval() -> None:
    """Ten days of history: seasonal naive point, interval from fallback errors made with
    as little data (not the normal model of ten calm days)."""
    history = np.array([100.0, 101, 99, 100, 100, 60, 58, 100, 101, 99])
    h = 20
    pool = ErrorPool()
    pool.add(h, np.linspace(-0.3, 0.3, 61), np.full(61, 10))
    alone = forecast_remaining(history, h)
    pooled = forecast_remaining(history, h, pool=pool)
    assert pooled.model == alone.model == "seasonal_naive"
    assert pooled.point == alone.point
    expected = pool.quantile(h, 0.8, len(history)) * h * history.mean()
    assert pooled.inner[1] - pooled.point == pytest.approx(expected)
    assert pooled.inner[1] - pooled.inner[0] > 3 * (alone.inner[1] - alone.inner[0])


def test_pool_errors_tag_each_origin_with_its_history_and_method() -> None:
    rng = np.random.default_rng(2)
    history = np.tile([100.0, 101, 99, 100, 100, 60, 58], 6) + rng.normal(0, 1, 42)
    ks, days, errors = pool_errors(history, 5, min_history_days=14)
    assert len(ks) == len(days) == len(errors) > 0
    assert ks.min() == 1 and ks.max() == 5
    assert days.min() == 1 and days.max() == 41  # the last origin with a day after it
    assert np.all(days + ks <= len(history))
    assert np.all(np.isfinite(errors))


def test_origins_before_a_series_started_add_no_errors() -> None:
    """$2 a day after two weeks of $0.001: errors relative to the quiet weeks' level would
    be ~2,000x (a real FOCUS export's were up to 200,000x and made its intervals thousands
    of times its forecast). Origins below 1 % of the current level add none, to the pool or
    to the series' own errors."""
    rng = np.random.default_rng(0)
    quiet_then_on = np.r_[np.full(14, 0.001), 2.0 * rng.uniform(0.9, 1.1, 21)]
    _, days, errors = pool_errors(quiet_then_on, 10)
    assert len(errors) > 0
    assert days.min() > 14  # no origin inside the quiet weeks
    assert np.abs(errors).max() < 50  # the first $2 days against a level of 2 weeks of cents
    # the series' own errors (origins with 4 weeks of data) too
    longer_quiet = np.r_[np.full(30, 0.001), 2.0 * rng.uniform(0.9, 1.1, 25)]
    own = rolling_errors(longer_quiet, 10)
    assert len(own) > 0 and np.abs(own).max() < 50
    # a series that only grew (10x, not from nothing) keeps every origin
    grew = np.r_[np.full(14, 0.2), 2.0 * rng.uniform(0.9, 1.1, 21)]
    assert pool_errors(grew, 10)[1].min() == 1
