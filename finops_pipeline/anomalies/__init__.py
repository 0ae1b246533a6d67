"""Cost anomalies: daily EffectiveCost per provider, service, sub-account, sub-account x
service, team and total, each series judged from its 10th day against a robust level with
weekday effects shrunk by empirical Bayes (model.py, season.py, monthly.py) and turned into
spikes, drops, level shifts, ramps and new spend (detect.py); the same change seen at several
levels becomes one row at its most specific explaining level, the others kept in
`also_seen_at` (incidents.py), with the counter-moves that hid it from its parent
(offsets.py); graded against planted anomalies by accuracy.py, checked by quality.py."""

from finops_pipeline.anomalies.build import build_cost_anomalies
from finops_pipeline.anomalies.detect import Event, SeriesKey, SeriesResult, detect, detect_series
from finops_pipeline.anomalies.settings import AnomalySettings, ImpactFloor

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
