"""Run the Dagster jobs in-process (for `finops run` and the tests), on a real instance.

`finops ui` and `finops run` share one DAGSTER_HOME (`.dagster_home` beside the warehouse
unless DAGSTER_HOME is set), so runs started from the command line show up in the UI with
their asset checks, whatever folder either was started from.
"""

from __future__ import annotations

import os
import re
import socket
import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

# Dagster's own API-stability notices (beta parameters, `dagster dev` superseded by `dg`)
# say nothing a finops user can act on. `quiet_dagster_warnings` hides them in this process;
# DAGSTER_WARNINGS_ENV does the same for the processes `finops ui` starts.
DAGSTER_WARNING_CLASSES = ("BetaWarning", "PreviewWarning", "SupersessionWarning")
# PYTHONWARNINGS cannot name a category from a package (it is parsed before site-packages is
# importable), so the notice `dagster dev` itself prints is matched by its message; the code
# location's beta notices are hidden in-process by build_definitions.
DAGSTER_WARNINGS_ENV = "ignore:Function `dev_command` is superseded"


def quiet_dagster_warnings() -> None:
    for name in DAGSTER_WARNING_CLASSES:
        warnings.simplefilter("ignore", getattr(dg, name))


DAGSTER_YAML = """\
telemetry:
  enabled: false
nux:
  enabled: false
run_queue:
  max_concurrent_runs: 1
"""


# The CLI reports one line per month (and per failed step); Dagster's step-by-step log,
# stack traces included, stays in the run's event log (the UI) and `finops run --verbose`.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
VERBOSE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def dagster_home(beside: Path | None = None) -> Path:
    """DAGSTER_HOME, else `.dagster_home` in `beside` (the warehouse's folder; default the
    working directory), created with telemetry off, no first-visit dialog (nux) and one run
    at a time."""
    default = (beside or Path.cwd()) / ".dagster_home"
    home = Path(os.environ.get("DAGSTER_HOME") or default).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


# Who runs a run in-process: a run left STARTED by a finops process that no longer exists
# (killed with SIGKILL, the machine lost; SIGINT and SIGTERM end it as failed, see
# `fail_abandoned_runs`) is marked failed by the next run on the same instance.
PID_TAG = "finops/pid"
HOST_TAG = "finops/host"
UNFINISHED = (
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
)


def own_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the unfinished runs a finops process on this host started in-process and
    that process is gone; their run ids.

    Dagster records an in-process run's end from inside the run: Ctrl+C and SIGTERM reach it
    (it captures both) and it ends the run as failed, but a process killed outright leaves the
    run STARTED forever, since no daemon watches an in-process run. Runs the UI launched carry
    no pid tag and are left to Dagster."""
    host = socket.gethostname()
    abandoned = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(UNFINISHED),
                                                       tags={HOST_TAG: host})):  # fmt: skip
        pid = int(run.tags.get(PID_TAG) or 0)
        if pid and not _alive(pid):
            instance.report_run_failed(
                run,
                f"The finops process that ran this run (pid {pid} on {host}) ended without "
                "finishing it (killed); marked failed by a later run.",
            )
            abandoned.append(run.run_id)
    return abandoned


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def run_partitions(
    defs: dg.Definitions,
    job_name: str,
    partition_keys: list[str],
    on_done: Callable[[str, dg.ExecuteInProcessResult], None] | None = None,
    verbose: bool = False,
    home_beside: Path | None = None,
) -> list[dg.ExecuteInProcessResult]:
    """Execute `job_name` once per partition, in order, on the persistent instance."""
    dagster_home(home_beside)
    job = defs.resolve_job_def(job_name)
    results = []
    with dg.DagsterInstance.get() as instance:
        fail_abandoned_runs(instance)
        for key in partition_keys:
            result = job.execute_in_process(
                partition_key=key,
                instance=instance,
                raise_on_error=False,
                run_config=VERBOSE if verbose else QUIET,
                tags=own_tags(),
            )
            results.append(result)
            if on_done:
                on_done(key, result)
    return results


# The tags that make one run cover a range of partitions (what a single-run backfill sets).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def run_partition_range(
    defs: dg.Definitions,
    job_name: str,
    first: str,
    last: str,
    verbose: bool = False,
    home_beside: Path | None = None,
    *,
    assets: Collection[dg.AssetKey] = (),
    tags: Mapping[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute `job_name` once over the partitions `first`..`last` (inclusive) on the
    persistent instance: each step runs once for all of them (a one-partition range is an
    ordinary partition run). `assets`: only those assets, without their checks (default: the
    whole job); `tags`: added to the run's tags (the assets read them)."""
    dagster_home(home_beside)
    job = defs.resolve_job_def(job_name)
    if assets:
        job = job.get_subset(asset_selection=set(assets), asset_check_selection=set())
    target = (
        {"partition_key": first}
        if first == last
        else {"tags": {RANGE_START_TAG: first, RANGE_END_TAG: last}}
    )
    run_tags = {**(tags or {}), **target.pop("tags", {}), **own_tags()}
    with dg.DagsterInstance.get() as instance:
        fail_abandoned_runs(instance)
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=VERBOSE if verbose else QUIET,
            tags=run_tags,
            **target,
        )


def split_failed_checks(result: dg.ExecuteInProcessResult) -> tuple[list[str], list[str]]:
    """Failed checks as (error severity, warning severity): only errors fail a run's exit code,
    as only they block downstream assets."""
    errors, warnings = [], []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN
            (warnings if is_warning else errors).append(name)
    return errors, warnings


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failures = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failures.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failures


@dataclass(frozen=True)
class StepFailure:
    """A failed step of a run: which step, the one-line reason, and the full trace."""

    step: str
    reason: str
    trace: str


def step_failures(result: dg.ExecuteInProcessResult) -> list[StepFailure]:
    """Each failed step with one line: the first error in the cause chain that finops raised
    for users (a ConfigError over the DuckDB error it explains), else the innermost (not
    Dagster's "Error occurred while executing op" wrapper)."""
    users = user_error_names()
    failures = []
    for event in result.all_events:
        if not event.is_step_failure or event.step_key is None:
            continue
        error = event.event_specific_data.error  # type: ignore[union-attr]
        if error is None:
            failures.append(StepFailure(event.step_key, "failed (no error recorded)", ""))
            continue
        chain = [error]
        while chain[-1].cause is not None:
            chain.append(chain[-1].cause)
        chosen = next((e for e in chain if e.cls_name in users), chain[-1])
        failures.append(StepFailure(event.step_key, one_line(chosen), error.to_string()))
    return failures


def one_line(error: object) -> str:
    """`ClassName: message` -> the message's first non-empty line; the class name is kept
    for unexpected errors (bugs), dropped for the errors finops raises for users."""
    cls_name = getattr(error, "cls_name", None) or type(error).__name__
    if cls_name == "DagsterExecutionInterruptedError":  # Dagster's name for SIGINT / SIGTERM
        return "interrupted (Ctrl+C or SIGTERM)"
    message = str(getattr(error, "message", error)).strip()
    # "ValueError: ..." or "_duckdb.InvalidInputException: ...": the class is said once.
    message = re.sub(rf"^([\w.]+\.)?{re.escape(cls_name)}:\s*", "", message)
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return first if cls_name in user_error_names() else f"{cls_name}: {first}"


def user_error_names() -> set[str]:
    """Errors finops raises on purpose with a message meant for users (FinopsError and its
    subclasses): shown without their class name; anything else is a bug and says what it is."""
    from finops_pipeline.errors import FinopsError

    names, todo = set(), [FinopsError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names
