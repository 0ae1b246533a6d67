"""The FinOps Foundation's FOCUS sample data loads as FOCUS and reconciles exactly.

Also: no other shared sample export (CUR, Azure cost details, GCP) is ever taken for FOCUS.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from finops_pipeline.core.reconcile import reconcile
from finops_pipeline.errors import IngestError
from finops_pipeline.ingest.reader import file_kind, read_schema
from finops_pipeline.ingest.select import detect_format
from finops_pipeline.refresh import ingest_and_refresh
from tests.conformance.reference_totals import dec, read_rows, totals_by

pytestmark = pytest.mark.conformance

SAMPLE = "focus-sample-data/focus_sample.csv"


def _null(value: str | None) -> bool:
    return value is None or value.strip() in ("", "NULL")


def test_focus_sample_loads_and_reconciles(warehouse, shared_datasets: Path) -> None:
    path = shared_datasets / SAMPLE
    rows = read_rows(path)
    report = ingest_and_refresh(warehouse, path, source="focus-sample")
    [outcome] = report.files
    assert outcome.status == "loaded", outcome.reason
    assert (outcome.format, outcome.detected, outcome.rows) == ("focus", True, 1000)

    reference = totals_by(rows, lambda r: r["BillingCurrency"], lambda r: dec(r["BilledCost"]))
    assert outcome.totals == reference
    focus = dict(
        warehouse.execute(
            "select BillingCurrency, sum(BilledCost) from focus_costs group by 1"
        ).fetchall()
    )
    assert focus == reference  # exact, not only to the cent
    effective = warehouse.execute("select sum(EffectiveCost) from focus_costs").fetchone()
    assert effective == (sum(dec(r["EffectiveCost"]) for r in rows),)

    providers = dict(
        warehouse.execute("select ProviderName, count(*) from focus_costs group by 1").fetchall()
    )
    assert providers == {"AWS": 942, "Microsoft": 51, "Oracle": 7}
    assert all(row.ok for row in reconcile(warehouse))


def test_focus_sample_tags_are_queryable(warehouse, shared_datasets: Path) -> None:
    path = shared_datasets / SAMPLE
    expected = Counter(
        None if _null(r["Tags"]) else json.loads(r["Tags"]).get("environment")
        for r in read_rows(path)
    )
    ingest_and_refresh(warehouse, path, source="focus-sample")
    found = warehouse.execute(
        "select Tags->>'environment', count(*) from focus_costs group by 1"
    ).fetchall()
    assert Counter(dict(found)) == expected
    assert expected["prod"] > 0


def test_focus_sample_keeps_stated_categories(warehouse, shared_datasets: Path) -> None:
    path = shared_datasets / SAMPLE
    rows = read_rows(path)
    ingest_and_refresh(warehouse, path, source="focus-sample")
    stated = Counter(r["ServiceCategory"] for r in rows)
    found = dict(
        warehouse.execute("select ServiceCategory, count(*) from focus_costs group by 1").fetchall()
    )
    assert found == dict(stated)
    charge = dict(
        warehouse.execute("select ChargeCategory, count(*) from focus_costs group by 1").fetchall()
    )
    assert charge == dict(Counter(r["ChargeCategory"] for r in rows))


def test_reloading_the_sample_is_a_no_op(warehouse, shared_datasets: Path) -> None:
    path = shared_datasets / SAMPLE
    ingest_and_refresh(warehouse, path, source="focus-sample")
    [again] = ingest_and_refresh(warehouse, path, source="focus-sample").files
    assert again.status == "skipped_duplicate"
    assert warehouse.execute("select count(*) from focus_costs").fetchone() == (1000,)


def _other_exports(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and file_kind(p) is not None and "focus-sample-data" not in p.parts
    )


def test_no_other_shared_export_is_detected_as_focus(warehouse, shared_datasets: Path) -> None:
    others = _other_exports(shared_datasets)
    assert others, "expected CUR, Azure and GCP samples beside the FOCUS sample"
    for path in others:
        try:
            detected = detect_format(read_schema(warehouse, path, file_kind(path)), path)
        except IngestError:
            continue  # a format that another mapping has not claimed yet
        assert detected.mapping.format not in {"focus", "aws-focus"}, path


def test_forecast_intervals_of_the_sparse_sample_stay_near_its_scale(
    warehouse, shared_datasets: Path
) -> None:
    """The sample's costs are cents for 11 days and then $1-2 on some days. Errors measured
    relative to those near-zero weeks (up to 200,000x) once made its total's 95 % interval
    -35,789..35,811 on a $10.90 forecast: an origin that had not started adds no errors now
    (forecast/ensemble.py, STARTED_SHARE). Bound: the interval is narrower than every
    remaining day costing 10x the series' most expensive day so far."""
    from datetime import date

    from finops_pipeline.forecast.as_of import forecast_as_of
    from finops_pipeline.forecast.series import load_series
    from finops_pipeline.settings import Settings
    from finops_pipeline.showback.allocate import build_showback

    ingest_and_refresh(warehouse, shared_datasets / SAMPLE, source="focus-sample")
    settings = Settings()
    build_showback(warehouse, settings.showback)
    frame = load_series(warehouse, settings.showback, settings.forecast).frame
    as_of = date(2024, 9, 20)
    forecasts = forecast_as_of(frame, as_of, settings.forecast)
    assert {(f.scope, f.key) for f in forecasts} >= {("total", "total"), ("provider", "AWS")}
    for f in forecasts:
        seen = frame[(frame["scope"] == f.scope) & (frame["key"] == f.key)]
        seen = seen[seen["day"] <= as_of]
        largest_day = float(seen.groupby("day")["cost"].sum().abs().max())
        low, high = f.total(f.remaining.outer[0]), f.total(f.remaining.outer[1])
        assert float(high - low) <= 10 * f.horizon_days * largest_day, (f.scope, f.key)
