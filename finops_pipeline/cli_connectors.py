"""`finops ingest <cloud location>`: sync a cloud source into the warehouse, with progress.

A configured source with the same location (or the name given by --source) supplies its
settings; the options override them. Credentials come from each provider's standard chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from finops_pipeline import console as out
from finops_pipeline.errors import FinopsError

if TYPE_CHECKING:
    from finops_pipeline.connectors.staging import Progress

EndpointOpt = Annotated[
    str | None,
    typer.Option(help="Endpoint override (S3-compatible store, emulator, private endpoint)"),
]
ProfileOpt = Annotated[str | None, typer.Option(help="AWS profile [default: AWS's own chain]")]
RegionOpt = Annotated[str | None, typer.Option(help="AWS region")]
ProjectOpt = Annotated[
    str | None, typer.Option(help="GCP project that runs the BigQuery jobs [default: the table's]")
]
SinceOpt = Annotated[
    str | None, typer.Option(help="BigQuery: earliest invoice month YYYY-MM [12 months back]")
]


def remote_source_name(location: str) -> str:
    """A default source name from the location's last meaningful segment."""
    from finops_pipeline.connectors.locations import parse_location

    parsed = parse_location(location)
    tail = (parsed.path or parsed.container or parsed.host).rstrip("/").split("/")[-1]
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in tail).strip("-.") or "cloud"


def ingest_remote(
    location: str,
    format_name: str,
    source: str | None,
    warehouse: Path | None,
    config: Path | None,
    cloud: dict[str, Any],
    engine: str | None = None,
) -> None:
    from pydantic import ValidationError

    from finops_pipeline.config_lines import describe_errors
    from finops_pipeline.connectors.locations import check_endpoint_url, parse_location
    from finops_pipeline.engines.select import with_engine
    from finops_pipeline.refresh import sync_then_refresh
    from finops_pipeline.resources import WarehouseResource
    from finops_pipeline.settings import SourceSettings, load_settings
    from finops_pipeline.warehouse import connect

    try:
        parse_location(location)  # its own one-line error, before pydantic's longer one
        if cloud.get("endpoint_url"):
            check_endpoint_url(cloud["endpoint_url"], "--endpoint-url")
        settings = with_engine(load_settings(config, warehouse), engine)
        known = next(
            (s for s in settings.sources if s.location == location or s.name == source), None
        )
        base = known.model_dump() if known else {}
        base.update({k: v for k, v in cloud.items() if v is not None})
        base.update(location=location, path=None, name=source or base.get("name")
                    or remote_source_name(location))  # fmt: skip
        if format_name != "auto" or "format" not in base:
            base["format"] = format_name
        try:
            spec = SourceSettings.model_validate(base)
        except ValidationError as exc:  # its text quotes the input: keep only the reasons
            raise ValueError("; ".join(describe_errors("", exc.errors()))) from None
        resource = WarehouseResource.for_settings(str(settings.warehouse), settings.execution)
        with resource.landing(), byte_progress(f"syncing {spec.name}") as progress:
            report = sync_then_refresh(
                spec, settings, on_file=out.print_file_outcome, progress=progress
            )
    except (FinopsError, ValueError) as error:
        out.print_error(error)
        raise typer.Exit(code=2) from None
    out.console.print(
        f"{len(report.fetched)} delivery(ies) fetched, {len(report.unchanged)} unchanged at "
        f"{location}",
        soft_wrap=True,
        markup=False,
    )
    out.print_ingest_summary(report.ingest)
    from finops_pipeline.orchestration.materializations import months_of, record_for_cli

    out.print_recovered(report.ingest)

    if report.ingest.focus_rows_written:  # the run recorded focus_costs; the raw landing is ours
        with closing(connect(settings.warehouse)) as con:
            record_for_cli(con, sources=[spec.name], tables=(), months=months_of(con, spec.name))
    if report.ingest.rejected:
        raise typer.Exit(code=1)


@contextmanager
def byte_progress(label: str) -> Iterator[Progress]:
    """A download bar per object (bytes, speed) on stderr; yields the connectors' callback."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    bars = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=out.err_console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            task = out.esc(f"{label}: {name.rsplit('/', 1)[-1]}")
            tasks[name] = bars.add_task(task, total=total)
        bars.update(tasks[name], completed=done, total=total)

    with bars:
        yield update
