"""Dagster wiring of the alerts: the `anomaly_alerts` job, its sensor, and run-failure alerts.

The sensor watches the event log for new materialisations of `cost_anomalies` and asks for
an `anomaly_alerts` run; it never opens the warehouse itself. DuckDB allows one writer per
file, and a sensor tick runs in the daemon while asset runs write: by sending from a run,
the run queue (one run at a time) serialises alerting with every other write. The run reads
the new incidents, sends them, and records them in `alert_log` (dispatch.py).
"""

import json
import warnings
from datetime import UTC, datetime

import dagster as dg

from finops_pipeline.alerts.destinations import DeliveryError, send
from finops_pipeline.alerts.dispatch import dispatch_digest, dispatch_new
from finops_pipeline.alerts.messages import run_failure_message
from finops_pipeline.alerts.settings import AlertSettings
from finops_pipeline.resources import WarehouseResource

ANOMALY_KEY = dg.AssetKey("cost_anomalies")
JOB_NAME = "anomaly_alerts"
OP_NAME = "send_anomaly_alerts"


class AlertRunConfig(dg.Config):
    digest: bool = False  # True: send the queued low-severity digest instead of new incidents


def build_alert_job(settings: AlertSettings) -> dg.JobDefinition:
    @dg.op(name=OP_NAME, description="Send new cost anomalies (or the daily digest) once each.")
    def send_anomaly_alerts(
        context: dg.OpExecutionContext, config: AlertRunConfig, warehouse: WarehouseResource
    ) -> dg.Output[None]:
        with warehouse.connection() as con:
            report = (dispatch_digest if config.digest else dispatch_new)(con, settings)
        for failure in report.failures:
            context.log.error(failure)
        metadata = {
            "sent": len(report.sent),
            "queued_for_digest": len(report.queued),
            "already_alerted": report.already_alerted,
            "failed": len(report.failures),
            "sent_to": dg.MetadataValue.json([f"{i} -> {d}" for i, d in report.sent]),
        }
        if report.failures:
            raise dg.Failure(
                description=f"{len(report.failures)} alert(s) not delivered; retried next run",
                metadata=metadata,
            )
        return dg.Output(None, metadata=metadata)

    @dg.job(
        name=JOB_NAME,
        description="Send cost anomaly alerts (started by anomaly_alert_sensor).",
        executor_def=dg.in_process_executor,
    )
    def anomaly_alerts() -> None:
        send_anomaly_alerts()

    return anomaly_alerts


def build_anomaly_sensor(settings: AlertSettings, job: dg.JobDefinition) -> dg.SensorDefinition:
    configured = bool(settings.destinations and settings.routes)

    @dg.sensor(
        name="anomaly_alert_sensor",
        job=job,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=(
            dg.DefaultSensorStatus.RUNNING if configured else dg.DefaultSensorStatus.STOPPED
        ),
        description=(
            "After each new materialisation of cost_anomalies, runs anomaly_alerts, which sends "
            "every incident not yet in alert_log to the routed destinations; once a day after "
            f"{settings.digest_hour_utc:02d}:00 UTC it also runs the low-severity digest."
        ),
    )
    def anomaly_alert_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        if not configured:
            return dg.SensorResult(
                skip_reason="no alert destinations or routes configured (alerts: in finops.yaml)"
            )
        cursor = json.loads(context.cursor) if context.cursor else {}
        requests = []
        found = context.instance.fetch_materializations(ANOMALY_KEY, limit=1)
        latest = found.records[0].storage_id if found.records else 0
        if latest > cursor.get("storage_id", 0):
            requests.append(dg.RunRequest(run_key=f"anomalies-{latest}"))
            cursor["storage_id"] = latest
        now = datetime.now(UTC)
        today = now.date().isoformat()
        digest_due = settings.has_digest and now.hour >= settings.digest_hour_utc
        if digest_due and cursor.get("digest") != today:
            config = dg.RunConfig(ops={OP_NAME: AlertRunConfig(digest=True)})
            requests.append(dg.RunRequest(run_key=f"digest-{today}", run_config=config))
            cursor["digest"] = today
        if not requests:
            return dg.SensorResult(skip_reason="no new cost_anomalies materialisation")
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))

    return anomaly_alert_sensor


def build_run_failure_sensor(settings: AlertSettings) -> dg.SensorDefinition:
    rules = settings.run_failures
    names = rules.destinations or [d.name for d in settings.destinations]
    active = rules.enabled and bool(names)

    @dg.run_failure_sensor(
        name="run_failure_alert_sensor",
        default_status=(
            dg.DefaultSensorStatus.RUNNING if active else dg.DefaultSensorStatus.STOPPED
        ),
        description=(
            "Alerts the configured destinations when a "
            + ("scheduled " if rules.only_scheduled else "")
            + "run fails, with the failed steps and a link to the run."
        ),
    )
    def run_failure_alert_sensor(context: dg.RunFailureSensorContext) -> dg.SkipReason | None:
        run = context.dagster_run
        schedule = run.tags.get("dagster/schedule_name")
        if not active:
            return dg.SkipReason("run-failure alerts are off or have no destination")
        if rules.only_scheduled and not schedule:
            return dg.SkipReason(f"run {run.run_id} was not started by a schedule")
        steps = [e.step_key or "?" for e in context.get_step_failure_events()]
        message = run_failure_message(
            job=run.job_name,
            run_id=run.run_id,
            partition=run.tags.get("dagster/partition"),
            schedule=schedule,
            error=context.failure_event.message or "",
            failed_steps=steps,
            dagster_url=settings.dagster_url,
        )
        problems = []
        for name in names:
            try:
                send(settings.destination(name), message)
            except DeliveryError as exc:
                problems.append(str(exc))
        if problems:
            raise DeliveryError("; ".join(problems))
        return None

    return run_failure_alert_sensor


def build_alerting(
    settings: AlertSettings,
) -> tuple[list[dg.JobDefinition], list[dg.SensorDefinition]]:
    job = build_alert_job(settings)
    # The sensor decorators pass `owners=None` through a beta parameter: nothing to act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        sensors = [build_anomaly_sensor(settings, job), build_run_failure_sensor(settings)]
    return [job], sensors
