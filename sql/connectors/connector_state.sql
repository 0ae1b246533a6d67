-- connector_state: what each cloud source's last successful land fetched.
-- Grain: one row per source x delivery (a billing period's export) x remote object.
-- `version` is the provider's id for the delivery (CUR assemblyId, Data Exports executionId,
-- Azure export runId, BigQuery max(export_time)); etag and size_bytes identify the object as
-- listed (for BigQuery: the month's max export_time and row count; for a FOCUS view:
-- `max(x_ExportTime)|sum(BilledCost)` and row count). Rows of a delivery are
-- replaced only after its files landed, so a failed run is retried next time.
create table if not exists connector_state (
    source_name varchar not null,
    delivery_key varchar not null,
    object_key varchar not null,
    role varchar not null,
    etag varchar,
    size_bytes bigint,
    version varchar,
    billing_period date,
    synced_at timestamp not null
);
