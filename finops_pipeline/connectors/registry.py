"""Which fetcher serves a location's scheme (imported lazily: each pulls in a cloud SDK)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_pipeline.connectors.locations import parse_location
from finops_pipeline.errors import ConfigError

if TYPE_CHECKING:
    from finops_pipeline.connectors.base import Fetcher
    from finops_pipeline.connectors.settings import SourceSettings


def make_fetcher(source: SourceSettings) -> Fetcher:
    if not source.location:
        raise ConfigError(f"source {source.name!r} has no location")
    location = parse_location(source.location)
    if location.scheme == "s3":
        from finops_pipeline.connectors.s3 import S3Fetcher

        return S3Fetcher(source, location)
    if location.scheme == "azure":
        from finops_pipeline.connectors.azure_blob import AzureBlobFetcher

        return AzureBlobFetcher(source, location)
    if location.scheme == "azure-exports":
        from finops_pipeline.connectors.azure_exports import AzureExportsFetcher

        return AzureExportsFetcher(source, location)
    if location.scheme == "bigquery":
        # The export table or a FOCUS view: told apart by the table's schema on first listing.
        from finops_pipeline.connectors.bigquery_focus import BigQuerySource

        return BigQuerySource(source, location)
    if location.scheme == "gs":
        from finops_pipeline.connectors.gcs import GcsFetcher

        return GcsFetcher(source, location)
    raise ConfigError(f"source {source.name!r}: {location.uri}: unknown scheme")
