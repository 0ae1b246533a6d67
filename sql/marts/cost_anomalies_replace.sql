-- Replace the judged window of cost_anomalies with this run's events, in one transaction
-- (the caller opens it). Every event starts on or before the last complete day, so the run
-- owns exactly the rows with first_date <= $last_complete; newer rows (from a run with a
-- later as-of date) stay. Reads tmp_new_anomalies (registered by build.py, same columns).
-- Parameters (named): $last_complete DATE.
delete from cost_anomalies
where first_date <= $last_complete;

insert into cost_anomalies by name
select * from tmp_new_anomalies
where first_date <= $last_complete;
