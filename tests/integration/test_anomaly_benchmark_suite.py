"""The independent anomaly suite (benchmarks/anomaly_suite.py) still goes through the real
build and is graded: the benchmark's figures are only worth something while it runs against
the models as they are. It broke once without a failing test: cost_anomalies_daily began to
read CommitmentDiscountStatus, which the generated rows did not have, and
`anomaly_accuracy.py --suite` stopped with a binder error for four days.

Not an accuracy gate (the benchmark over 30 seeds is, and its figures are in the README): two
seeds, real DuckDB, build_cost_anomalies at the default settings, strict grading; the model
must find most of the planted events and raise few rows that match none.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

from anomaly_suite import generate_case
from anomaly_suite_run import _warehouse

from finops_pipeline.anomalies import AnomalySettings, build_cost_anomalies
from finops_pipeline.anomalies.accuracy import grade, reported


def test_the_independent_suite_builds_and_grades() -> None:
    planted = found = rows = false = 0
    for seed in (1, 2):
        case = generate_case(seed)
        con = _warehouse(case.focus)
        try:
            build_cost_anomalies(con, AnomalySettings(), as_of=case.as_of)
            result = grade(reported(con), case.truth())
        finally:
            con.close()
        planted += result.planted
        found += len(result.found)
        rows += result.rows
        false += len(result.false_positives)
    assert planted >= 10
    assert found >= 0.7 * planted
    assert false <= 0.3 * rows
