-- Asset check cost_anomalies.anomalies_are_sound (finops_pipeline/sql_checks.py): rows
-- breaking a rule.
-- Grain: one row per rule x offending anomaly (empty when the table is sound).
-- Rules: every row has expected, actual and impact (impact = actual - expected) in the
-- direction it names; it passes both floors of its level; it has contributors; no row or
-- level it was also seen at starts or ends after its last complete day, and that day is
-- at least the configured lag before the latest charge day (no anomaly on an incomplete
-- day); no event (anomaly id) is reported on two rows.
-- Parameters (named): $levels VARCHAR[], $absolute DOUBLE[], $relative DOUBLE[] (the floors,
-- aligned by position), $lag_days INTEGER.
with

anomalies as (
    select * from cost_anomalies
),

floors as (
    select
        unnest($levels::varchar[]) as level,
        unnest($absolute::double[]) as absolute_floor,
        unnest($relative::double[]) as relative_floor
),

latest_day as (
    select max(cast(ChargePeriodStart as date)) as day from focus_costs
),

members as (
    select
        a.anomaly_id,
        a.last_complete_date,
        cast(json_extract_string(m.member, '$.anomaly_id') as varchar) as member_id,
        cast(json_extract_string(m.member, '$.first_date') as date) as first_date,
        cast(json_extract_string(m.member, '$.last_date') as date) as last_date
    from anomalies as a,
        unnest(cast(a.also_seen_at as json[])) as m(member)
),

missing_figures as (
    select 'figures_missing_or_inconsistent' as rule, anomaly_id
    from anomalies
    where expected_cost is null or actual_cost is null or impact is null
        or abs(impact - (actual_cost - expected_cost)) > 0.0002
        or (direction = 'up' and impact <= 0)
        or (direction = 'down' and impact >= 0)
),

below_floor as (
    select 'below_impact_floor' as rule, a.anomaly_id
    from anomalies as a
    inner join floors as f on f.level = a.level
    where abs(a.impact) < f.absolute_floor
        or (a.expected_cost > 0 and abs(a.impact) / a.expected_cost < f.relative_floor)
),

no_contributors as (
    select 'contributors_empty' as rule, anomaly_id
    from anomalies
    where contributors is null or json_array_length(contributors) = 0
),

incomplete_day as (
    select 'on_incomplete_day' as rule, a.anomaly_id
    from anomalies as a, latest_day
    where a.first_date > a.last_complete_date
        or coalesce(a.last_date, a.last_complete_date) > a.last_complete_date
        or a.last_complete_date > latest_day.day - cast($lag_days as integer)
    union all
    select 'on_incomplete_day', anomaly_id
    from members
    where first_date > last_complete_date or last_date > last_complete_date
),

reported_twice as (
    select 'event_reported_twice' as rule, anomaly_id
    from (
        select anomaly_id, anomaly_id as event_id from anomalies
        union all
        select anomaly_id, member_id from members
    )
    qualify count(*) over (partition by event_id) > 1
),

final as (
    select * from missing_figures
    union all
    select * from below_floor
    union all
    select * from no_contributors
    union all
    select * from incomplete_day
    union all
    select * from reported_twice
)

select * from final
