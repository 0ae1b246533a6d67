-- alert_log: what was alerted, where and when. Grain: one row per anomaly x destination.
-- The dedup state of the anomaly alerts: an anomaly (or another anomaly of its incident)
-- with a row here for a destination is never sent there again, across reruns of
-- cost_anomalies, daemon restarts and sensor cursor resets.
create table if not exists alert_log (
    anomaly_id varchar not null,
    incident_id varchar not null,
    destination varchar not null,
    mode varchar not null,          -- immediate | digest
    status varchar not null,        -- sent | queued (waits for the digest) | failed (retried)
    severity varchar,
    team varchar,
    error varchar,
    queued_at timestamp not null,
    sent_at timestamp,
    primary key (anomaly_id, destination)
);
