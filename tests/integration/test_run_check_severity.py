"""`finops run` fails only on error-severity checks: a warning is reported, not fatal."""

import dagster as dg

from finops_pipeline.dagster_run import failed_checks, split_failed_checks


@dg.asset
def table() -> None:
    return None


@dg.asset_check(asset=table)
def must_hold() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=table)
def should_hold() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=table)
def holds() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_failed_checks_split_by_severity() -> None:
    result = dg.materialize([table, must_hold, should_hold, holds])
    assert split_failed_checks(result) == (["table:must_hold"], ["table:should_hold"])
    assert sorted(failed_checks(result)) == ["table:must_hold", "table:should_hold"]
