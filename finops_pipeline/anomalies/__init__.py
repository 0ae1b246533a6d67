"""Cost anomalies: daily EffectiveCost per provider, service, sub-account, team and total,
judged against a weekday-seasonal robust baseline (detect.py); the same change seen at several
levels becomes one row at its most specific explaining level, the others kept in
`also_seen_at` (incidents.py); graded against the generator's planted anomalies by
accuracy.py, checked by quality.py."""

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
