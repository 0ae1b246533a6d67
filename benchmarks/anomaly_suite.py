"""An anomaly test suite built independently of the demo generator (finops_pipeline/sample_data).

One case per seed: daily AWS-like cost per account x service, in FOCUS columns, starting on
the 1st of a month (billing exports come per month) and running 4-7 months, with planted
events and traps. Nothing here is read from the detector's settings.

Series: base cost log-uniform $60-$3,000/day; weekly pattern none / mild weekend dip
(0.6-0.9) / deep weekend dip (0.15-0.4); a trend of -20%..+50% over the history; lognormal
day-to-day noise with a CV drawn uniformly from 2% to 15%; 1-3 resources per series.

Events (about 8 per case), their first day uniform over the judged history (day 10 to the
third-last day, so the first three weeks after day 10 are covered as often as any other):
spike (x1.3-5 for 1-3 days), drop (to 10-50% for 1-3 days), level shift (x1.3-3 or
x0.3-0.7, from at least 14 days before the end to the end), ramp (+2-5% a day for 10-14 days, then holding), new spend (a
new account x service from its first day), and offsetting pairs (+$D on one service, -$D on
another in the same account on the same 1-3 days, the account total unchanged). Events are
planted only where their impact is at least $60, never overlap in one series, and each
moves one resource of the series.

Traps (no event planted, every row there is a false positive): a monthly support fee on the
1st of each month (one-day Usage charge; half of the accounts label it ChargeFrequency
Recurring, the others Usage-Based), tax on the 1st and one-off purchases (RI upfront) on
random days, one high-noise series (CV 25-35%) per case, an amortised commitment spread
evenly over each month's days (its daily cost steps at every month boundary), deep weekend
dips, and an incomplete last day (30-70% of its cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

SERVICES = [
    "Amazon Elastic Compute Cloud",
    "Amazon Relational Database Service",
    "Amazon Simple Storage Service",
    "AWS Lambda",
    "Amazon DynamoDB",
    "Amazon CloudWatch",
    "Elastic Load Balancing",
    "Amazon Elastic Kubernetes Service",
    "Amazon ElastiCache",
    "Amazon OpenSearch Service",
]
MIN_IMPACT = 60.0
LEVEL = "sub_account_service"


@dataclass
class Series:
    account: str
    service: str
    base: float
    weekly: np.ndarray  # factor per weekday (Mon..Sun)
    trend: float
    noise: float
    start: int = 0
    resources: list[str] = field(default_factory=list)
    shares: np.ndarray | None = None
    factor: np.ndarray | None = None  # multiplicative events per day (resource 0)
    add: np.ndarray | None = None  # additive events per day (resource 0)
    busy_until: int = -1

    @property
    def key(self) -> str:
        return f"{self.account} / {self.service}"


@dataclass
class Case:
    seed: int
    days: list[date]
    as_of: date
    focus: pd.DataFrame
    planted: list[dict]
    noise: dict[str, float] = field(default_factory=dict)  # account x service key -> CV

    def truth(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "anomalies": self.planted}


def _weekly(rng: np.random.Generator) -> np.ndarray:
    kind = rng.choice(["none", "mild", "deep"], p=[0.3, 0.5, 0.2])
    weekend = {"none": 1.0, "mild": rng.uniform(0.6, 0.9), "deep": rng.uniform(0.15, 0.4)}[kind]
    return np.array([1.0] * 5 + [weekend] * 2)


def _series(rng: np.random.Generator, account: str, service: str, n: int) -> Series:
    s = Series(
        account=account,
        service=service,
        base=float(np.exp(rng.uniform(np.log(60), np.log(3000)))),
        weekly=_weekly(rng),
        trend=float(rng.uniform(-0.2, 0.5)),
        noise=float(rng.uniform(0.02, 0.15)),
    )
    k = int(rng.integers(1, 4))
    s.resources = [f"arn:aws:{service.split()[-1].lower()}:{account}:r-{j}" for j in range(k)]
    s.shares = rng.dirichlet(np.ones(k) * 3)
    s.factor, s.add = np.ones(n), np.zeros(n)
    return s


def _expected(s: Series, days: list[date]) -> np.ndarray:
    n = len(days)
    t = np.arange(n) / max(n - 1, 1)
    wd = np.array([s.weekly[d.weekday()] for d in days])
    out = s.base * wd * np.exp(np.log1p(s.trend) * t)
    out[: s.start] = 0.0
    return out


def _plant(
    rng: np.random.Generator, case_series: list[Series], days: list[date], seed: int
) -> list[dict]:
    n = len(days)
    planted: list[dict] = []
    kinds = ["spike", "drop", "level_shift", "ramp", "new_spend", "offset_pair"]
    weights = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1]
    attempts = 0
    while len(planted) < 8 and attempts < 400:
        attempts += 1
        kind = str(rng.choice(kinds, p=weights))
        if kind == "new_spend":
            account = case_series[int(rng.integers(len(case_series)))].account
            used = {s.service for s in case_series if s.account == account}
            free = [x for x in SERVICES if x not in used]
            if not free:
                continue
            first = int(rng.integers(10, n - 5))
            s = _series(rng, account, free[0], n)
            s.start, s.busy_until = first, first + 21
            if (_expected(s, days)[first : first + 9].sum()) < MIN_IMPACT:
                continue
            case_series.append(s)
            planted.append(
                _truth(seed, len(planted), s, kind, "up", days[first], days[min(first + 8, n - 2)])
            )
            continue
        first = int(rng.integers(10, n - 2))
        if kind == "offset_pair":
            account = case_series[int(rng.integers(len(case_series)))].account
            pair = [
                s
                for s in case_series
                if s.account == account and s.busy_until < first - 21 and s.start == 0
            ]
            if len(pair) < 2:
                continue
            a, b = (pair[i] for i in rng.choice(len(pair), 2, replace=False))
            length = int(rng.integers(1, 4))
            last = min(first + length - 1, n - 2)
            ea, eb = _expected(a, days)[first], _expected(b, days)[first]
            amount = float(rng.uniform(0.3, 1.0)) * min(ea, eb * 0.9 * rng.uniform(0.55, 1.0))
            if (
                amount * (last - first + 1) < MIN_IMPACT
                or amount < 0.3 * ea
                or amount < 0.5 * eb * 0.55
            ):
                continue
            a.add[first : last + 1] += amount
            b.add[first : last + 1] -= amount
            a.busy_until = b.busy_until = last
            planted.append(
                _truth(seed, len(planted), a, "offset_pair", "up", days[first], days[last])
            )
            planted.append(
                _truth(seed, len(planted), b, "offset_pair", "down", days[first], days[last])
            )
            continue
        candidates = [s for s in case_series if s.busy_until < first - 21 and s.start == 0]
        if not candidates:
            continue
        s = candidates[int(rng.integers(len(candidates)))]
        exp = _expected(s, days)
        if kind in ("spike", "drop"):
            length = int(rng.integers(1, 4))
            last = min(first + length - 1, n - 2)
            m = (
                float(np.exp(rng.uniform(np.log(1.3), np.log(5.0))))
                if kind == "spike"
                else float(rng.uniform(0.1, 0.5))
            )
        elif kind == "level_shift":
            if first > n - 16:
                continue
            up = rng.random() < 0.6
            m = float(rng.uniform(1.3, 3.0)) if up else float(rng.uniform(0.3, 0.7))
            last = n - 2  # a shift persists (to the last complete day)
        else:  # ramp
            if first > n - 12:
                continue
            rate = float(rng.uniform(0.02, 0.05))
            length = int(rng.integers(10, 15))
            last = min(first + length - 1, n - 2)
            ramp = (1 + rate) ** np.arange(1, last - first + 2)
            if exp[first : last + 1].dot(ramp - 1) < MIN_IMPACT:
                continue
            hold = int(rng.integers(0, 15))
            s.factor[first : last + 1] *= ramp
            s.factor[last + 1 : min(last + 1 + hold, n)] *= ramp[-1]
            s.busy_until = min(last + hold, n - 1)
            planted.append(_truth(seed, len(planted), s, "ramp", "up", days[first], days[last]))
            continue
        if abs(m - 1) * exp[first : last + 1].sum() < MIN_IMPACT:
            continue
        s.factor[first : (n if kind == "level_shift" else last + 1)] *= m
        s.busy_until = n if kind == "level_shift" else last
        direction = "up" if m > 1 else "down"
        planted.append(_truth(seed, len(planted), s, kind, direction, days[first], days[last]))
    return planted


def _truth(
    seed: int, k: int, s: Series, kind: str, direction: str, first: date, last: date
) -> dict:
    return {
        "id": f"s{seed}-{k}-{kind}",
        "level": LEVEL,
        "key": s.key,
        "provider": "AWS",
        "currency": "USD",
        "kind": kind,
        "direction": direction,
        "first_date": first.isoformat(),
        "last_date": last.isoformat(),
    }


def generate_case(seed: int) -> Case:
    rng = np.random.default_rng(10_000 + seed)
    year, month = int(rng.choice([2024, 2025])), int(rng.integers(1, 13))
    first_day = date(year, month, 1)
    n = int(rng.integers(120, 213))
    days = [first_day + timedelta(days=k) for k in range(n)]
    accounts = [f"{rng.integers(10**11, 10**12)}" for _ in range(int(rng.integers(2, 5)))]
    series = []
    for account in accounts:
        for service in rng.choice(SERVICES[:8], int(rng.integers(4, 8)), replace=False):
            series.append(_series(rng, account, str(service), n))
    noisy = series[int(rng.integers(len(series)))]
    noisy.noise, noisy.busy_until = float(rng.uniform(0.25, 0.35)), n  # trap: no event there
    planted = _plant(rng, series, days, seed)
    rows = []
    for s in series:
        exp = _expected(s, days) * s.factor
        noise = np.exp(rng.normal(0, s.noise, n) - s.noise**2 / 2)
        for j, resource in enumerate(s.resources):
            cost = exp * s.shares[j] * noise
            if j == 0:
                cost = np.maximum(cost + s.add, 0.0)
            for d in range(s.start, n):
                rows.append(
                    _row(
                        s.account, s.service, resource, days[d], 1, cost[d], "Usage", "Usage-Based"
                    )
                )
    rows += _traps(rng, accounts, days)
    focus = pd.DataFrame(rows)
    last = days[-1]
    incomplete = focus["ChargePeriodStart"] >= pd.Timestamp(last)
    focus.loc[incomplete, "EffectiveCost"] *= float(rng.uniform(0.3, 0.7))
    focus["EffectiveCost"] = focus["EffectiveCost"].round(6)
    noise = {s.key: s.noise for s in series}
    return Case(seed, days, last + timedelta(days=1), focus, planted, noise)


def _row(
    account: str,
    service: str,
    resource: str,
    day: date,
    span: int,
    cost: float,
    category: str,
    frequency: str,
) -> dict:
    start = pd.Timestamp(day)
    return {
        "ProviderName": "AWS",
        "BillingCurrency": "USD",
        "ServiceName": service,
        "SubAccountId": account,
        "ResourceId": resource,
        "x_UsageType": f"{service.split()[-1]}:Usage",
        "RegionId": "us-east-1",
        "SkuId": f"SKU-{service[:12]}-{resource[-4:]}",
        "ChargeCategory": category,
        "ChargeFrequency": frequency,
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + pd.Timedelta(days=span),
        "EffectiveCost": float(cost),
        "x_Team": f"team-{account[-2:]}",
    }


def _traps(rng: np.random.Generator, accounts: list[str], days: list[date]) -> list[dict]:
    rows = []
    commitment = float(rng.uniform(900, 9000))  # a month's amortised commitment
    for k, account in enumerate(accounts):
        fee = float(rng.uniform(100, 800))
        frequency = "Recurring" if k % 2 == 0 else "Usage-Based"
        for d in days:
            if d.day == 1:
                rows.append(
                    _row(
                        account,
                        "AWS Support (Business)",
                        f"support-{account}",
                        d,
                        1,
                        fee * rng.uniform(0.97, 1.03),
                        "Usage",
                        frequency,
                    )
                )
                rows.append(
                    _row(account, "Tax", f"tax-{account}", d, 1, fee * 3, "Tax", "One-Time")
                )
        for _ in range(2):
            d = days[int(rng.integers(0, len(days)))]
            rows.append(
                _row(
                    account,
                    "Amazon Elastic Compute Cloud",
                    f"ri-upfront-{account}",
                    d,
                    1,
                    float(rng.uniform(1000, 5000)),
                    "Purchase",
                    "One-Time",
                )
            )
    account = accounts[0]
    for d in days:
        month_days = (
            (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        ).day
        rows.append(
            _row(
                account,
                "Amazon EC2 Savings Plans",
                f"sp-{account}",
                d,
                1,
                commitment / month_days,
                "Usage",
                "Usage-Based",
            )
        )
    return rows
