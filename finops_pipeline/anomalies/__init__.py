"""Cost anomalies: daily EffectiveCost per provider, service, sub-account, sub-account x
service, team and total, each series judged from its 10th day against a robust level with
weekday effects shrunk by empirical Bayes (model.py, season.py, monthly.py) and turned into
spikes, drops, level shifts, ramps and new spend (detect.py); the same change seen at several
levels becomes one row at its most specific explaining level, the others kept in
`also_seen_at` (incidents.py), with the counter-moves that hid it from its parent
(offsets.py); graded against planted anomalies by accuracy.py, checked by quality.py."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from finops_pipeline.anomalies.settings import AnomalySettings, ImpactFloor

if TYPE_CHECKING:
    from finops_pipeline.anomalies.build import build_cost_anomalies
    from finops_pipeline.anomalies.detect import (
        Event,
        SeriesKey,
        SeriesResult,
        detect,
        detect_series,
    )

# The detector pulls in numpy, pandas and scipy (~2 s). `finops_pipeline.settings` imports
# this package for AnomalySettings, so every CLI command paid for it at start-up (`finops sql
# --help` took 9 s); the heavy names load on first use instead (PEP 562).
_LAZY = {
    "build_cost_anomalies": "finops_pipeline.anomalies.build",
    "Event": "finops_pipeline.anomalies.detect",
    "SeriesKey": "finops_pipeline.anomalies.detect",
    "SeriesResult": "finops_pipeline.anomalies.detect",
    "detect": "finops_pipeline.anomalies.detect",
    "detect_series": "finops_pipeline.anomalies.detect",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AnomalySettings",
    "Event",
    "ImpactFloor",
    "SeriesKey",
    "SeriesResult",
    "build_cost_anomalies",
    "detect",
    "detect_series",
]
