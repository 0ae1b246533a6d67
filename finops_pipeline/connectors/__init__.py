"""Cloud connectors: fetch billing exports from where providers deliver them (S3, BigQuery,
Azure Blob / Cost Management) into a local staging mirror, then land them with the same
`ingest_path` as local files, so landing semantics live in one place."""
