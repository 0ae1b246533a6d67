"""Score cost_anomalies and the three naive baselines on the independent suite; time detection.

Per seed: benchmarks/anomaly_suite.py builds a case, its FOCUS rows go into an in-memory
DuckDB `focus_costs`, `build_cost_anomalies` runs at the default settings as of the day
after the (incomplete) last day, and the rows are graded strictly by
finops_pipeline/anomalies/accuracy.py (each planted event found by one row only; every
other row is a false positive). The baselines read the same daily series
(`build.daily_costs`) at the account x service level. Figures are pooled over all seeds.
Detection delay = the day a daily run would first have shown the row (the model's
`confirmed_date`, a baseline's first flagged day) minus the event's first day.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
from anomaly_baselines import RULES, naive_rows
from anomaly_suite import LEVEL, generate_case

from finops_pipeline.anomalies import AnomalySettings, build_cost_anomalies
from finops_pipeline.anomalies.accuracy import grade, reported
from finops_pipeline.anomalies.build import daily_costs, last_complete_day
from finops_pipeline.anomalies.detect import detect

METHOD = "cost_anomalies (model)"


class Tally:
    def __init__(self) -> None:
        self.rows = self.true_rows = self.planted = self.found = 0
        self.delays: list[int] = []
        self.seconds = 0.0
        self.by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.early = [0, 0]  # found, planted: events in the first three weeks after day 10
        self.kind_right = [0, 0]
        self.false_by_level: dict[str, int] = defaultdict(int)

    def add(self, rows: list[dict], truth: dict, start: date, seconds: float) -> None:
        result = grade(rows, truth)
        self.rows += result.rows
        self.true_rows += result.rows - len(result.false_positives)
        self.planted += result.planted
        self.found += len(result.found)
        self.seconds += seconds
        for fp in result.false_positives:
            self.false_by_level[f"{fp['level']}:{fp.get('kind')}"] += 1
        found = set(result.found)
        for p in truth["anomalies"]:
            hit = p["id"] in found
            self.by_kind[p["kind"]][0] += hit
            self.by_kind[p["kind"]][1] += 1
            age = (date.fromisoformat(p["first_date"]) - start).days
            if 9 <= age < 31:
                self.early[0] += hit
                self.early[1] += 1
        for row, p in result.matches:
            seen = row.get("confirmed_date") or row["first_date"]
            self.delays.append(max((seen - date.fromisoformat(p["first_date"])).days, 0))
            if p["kind"] != "offset_pair":
                self.kind_right[0] += row.get("kind") == p["kind"]
                self.kind_right[1] += 1

    @property
    def precision(self) -> float:
        return self.true_rows / self.rows if self.rows else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _warehouse(focus: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory focus_costs of the generated rows, with the FOCUS columns the anomaly
    models read that the generator leaves out (NULL: no commitment discount on any row)."""
    con = duckdb.connect()
    con.register("tmp_focus", focus)
    con.execute(
        "create table focus_costs as select * replace ("
        "cast(EffectiveCost as decimal(38, 12)) as EffectiveCost, "
        "cast(ChargePeriodStart as timestamp) as ChargePeriodStart, "
        "cast(ChargePeriodEnd as timestamp) as ChargePeriodEnd), "
        "cast(null as varchar) as CommitmentDiscountStatus from tmp_focus"
    )
    con.unregister("tmp_focus")
    return con


def run_suite(seeds: list[int]) -> None:
    settings = AnomalySettings()
    tallies = {METHOD: Tally(), **{name: Tally() for name in RULES}}
    events = series = 0
    for seed in seeds:
        case = generate_case(seed)
        con = _warehouse(case.focus)
        t0 = time.perf_counter()
        build_cost_anomalies(con, settings, as_of=case.as_of)
        model_s = time.perf_counter() - t0
        tallies[METHOD].add(reported(con), case.truth(), case.days[0], model_s)
        last_complete = last_complete_day(con, case.as_of, settings.data_lag_days)
        daily, _ = daily_costs(con, settings, last_complete)
        series += daily[daily["level"] == LEVEL]["key"].nunique()
        for name, rule in RULES.items():
            t0 = time.perf_counter()
            rows = naive_rows(daily, LEVEL, rule, last_complete)
            tallies[name].add(rows, case.truth(), case.days[0], time.perf_counter() - t0)
        events += len(case.planted)
        con.close()
    print(
        f"independent suite: {len(seeds)} seeds, {events} planted events, {series} account x service series"
    )
    print(
        f"{'detector':<30} {'rows':>5} {'found':>9} {'recall':>7} {'precision':>9} {'F1':>6} {'median delay d':>14} {'runtime s':>9}"
    )
    for name, t in tallies.items():
        delay = f"{np.median(t.delays):.1f}" if t.delays else "-"
        print(
            f"{name:<30} {t.rows:>5} {t.found:>4}/{t.planted:<4} {t.recall:>7.3f} {t.precision:>9.3f} "
            f"{t.f1:>6.3f} {delay:>14} {t.seconds:>9.2f}"
        )
    print("recall by kind (found/planted):")
    kinds = sorted(tallies[METHOD].by_kind)
    print(f"{'detector':<30} " + " ".join(f"{k:>12}" for k in kinds) + f" {'days 10-31':>12}")
    for name, t in tallies.items():
        cells = " ".join(f"{t.by_kind[k][0]:>6}/{t.by_kind[k][1]:<5}" for k in kinds)
        print(f"{name:<30} {cells} {t.early[0]:>6}/{t.early[1]:<5}")
    m = tallies[METHOD]
    print(f"model kind right on found events: {m.kind_right[0]}/{m.kind_right[1]}")
    print("model false rows by level:kind:", dict(sorted(m.false_by_level.items())))


def run_runtime(n_series: int, months: int) -> None:
    """Detection alone (model + events) on n_series account x service series, then the
    whole build of cost_anomalies from the same series as one focus_costs row per day."""
    rng = np.random.default_rng(7)
    n_days = round(months * 30.4)
    first = date(2025, 1, 1)
    days = [first + timedelta(days=k) for k in range(n_days)]
    weekly = np.array([1.0 if d.weekday() < 5 else 0.6 for d in days])
    base = np.exp(rng.uniform(np.log(60), np.log(3000), n_series))
    noise = rng.uniform(0.02, 0.15, n_series)
    costs = (
        base[:, None]
        * weekly[None, :]
        * np.exp(rng.normal(0, 1, (n_series, n_days)) * noise[:, None])
    )
    frame = pd.DataFrame(
        {
            "level": LEVEL,
            "provider": "AWS",
            "key": np.repeat([f"acct-{k // 10} / svc-{k % 10}" for k in range(n_series)], n_days),
            "currency": "USD",
            "day": days * n_series,
            "cost": costs.ravel(),
        }
    )
    t0 = time.perf_counter()
    results = detect(frame, days[-1], AnomalySettings())
    seconds = time.perf_counter() - t0
    events = sum(len(r.events) for r in results)
    print(
        f"runtime: {n_series} series x {n_days} days: detection {seconds:.2f} s ({events} events on pure noise)"
    )
    # the whole build as `finops run` does it: the daily series' SQL over focus_costs, the
    # detection at every configured level, folding, contributors and the table written
    accounts = [f"{100000000000 + k // 10}" for k in range(n_series)]
    services = [f"Amazon Service {k % 10}" for k in range(n_series)]
    starts = pd.to_datetime(pd.Series(days * n_series))
    focus = pd.DataFrame(
        {
            "ProviderName": "AWS",
            "BillingCurrency": "USD",
            "ServiceName": np.repeat(services, n_days),
            "SubAccountId": np.repeat(accounts, n_days),
            "ResourceId": np.repeat([f"res-{k}" for k in range(n_series)], n_days),
            "x_UsageType": "Usage",
            "RegionId": "us-east-1",
            "SkuId": np.repeat([f"SKU-{k % 10}" for k in range(n_series)], n_days),
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Usage-Based",
            "ChargePeriodStart": starts,
            "ChargePeriodEnd": starts + pd.Timedelta(days=1),
            "EffectiveCost": costs.ravel().round(6),
            "x_Team": np.repeat([f"team-{k // 100}" for k in range(n_series)], n_days),
        }
    )
    con = _warehouse(focus)
    t0 = time.perf_counter()
    build_cost_anomalies(con, AnomalySettings(), as_of=days[-1] + timedelta(days=1))
    build_s = time.perf_counter() - t0
    rows = con.execute("select count(*) from cost_anomalies").fetchone()
    con.close()
    print(
        f"runtime: the same series as {len(focus):,} focus_costs rows: build_cost_anomalies "
        f"{build_s:.2f} s (SQL, every level, folding, contributors; {rows[0] if rows else 0} rows)"
    )
