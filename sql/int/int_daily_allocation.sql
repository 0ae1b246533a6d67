-- int_daily_allocation: allocated effective cost per charge day x team x charge category x
-- spans_days (the charge period is longer than a day: finops_spans_days) x billing currency,
-- in the billing currency and in the reporting currency (NULL where the month has no rate
-- for that currency); temp tables for unit_costs and the team forecasts.
-- Grain: one row per billing month x day x team x charge category x spans_days x billing
-- currency (tmp_daily_allocation).
-- Reads tmp_daily_classified (focus_costs rows with pool or owner decided, per day; built by
-- finops_pipeline/unit_costs/daily.py), tmp_daily_months, allocation_ledger (each pool's
-- split), showback_monthly (the monthly totals the days must sum to) and exchange_rates.
-- Pool shares come from the ledger's rounded split, so the days can miss the month by cents:
-- the residual goes to the largest day of the team x month x billing currency, in both
-- currencies (tmp_daily_residuals keeps it).
create or replace temp table tmp_daily_rated as
with

classified as (
    select * from tmp_daily_classified
),

pool_lines as (
    select
        billing_month,
        billing_currency,
        pool_name,
        team,
        sum(effective_cost) as effective_cost,
        sum(billed_cost) as billed_cost
    from allocation_ledger
    where source_kind = 'pool'
        and billing_month in (select billing_month from tmp_daily_months)
    group by all
),

pool_shares as (
    select
        billing_month,
        billing_currency,
        pool_name,
        team,
        case
            when sum(effective_cost) over pool <> 0
                then cast(effective_cost as double) / cast(sum(effective_cost) over pool as double)
            when sum(billed_cost) over pool <> 0
                then cast(billed_cost as double) / cast(sum(billed_cost) over pool as double)
            else 1.0 / count(*) over pool
        end as share
    from pool_lines
    window pool as (partition by billing_month, billing_currency, pool_name)
),

direct as (
    select billing_month, day, team, charge_category, spans_days, billing_currency, effective_cost
    from classified
    where pool_name is null
),

pooled as (
    select
        classified.billing_month,
        classified.day,
        pool_shares.team,
        classified.charge_category,
        classified.spans_days,
        classified.billing_currency,
        cast(classified.effective_cost * pool_shares.share as decimal(38, 12)) as effective_cost
    from classified
    inner join pool_shares
        on classified.billing_month = pool_shares.billing_month
        and classified.billing_currency is not distinct from pool_shares.billing_currency
        and classified.pool_name = pool_shares.pool_name
    where classified.pool_name is not null
),

lines as (
    select * from direct
    union all
    select * from pooled
),

reporting as (
    select min(reporting_currency) as currency from showback_monthly
),

final as (
    select
        lines.billing_month,
        lines.day,
        lines.team,
        lines.charge_category,
        lines.spans_days,
        reporting.currency,
        cast(sum(
            lines.effective_cost
            * case when lines.billing_currency = reporting.currency then 1 else rates.rate end
        ) as decimal(38, 12)) as effective_cost,
        lines.billing_currency,
        cast(sum(lines.effective_cost) as decimal(38, 12)) as billing_effective_cost
    from lines
    cross join reporting
    left join exchange_rates as rates
        on rates.month = lines.billing_month
        and rates.from_currency = lines.billing_currency
        and rates.to_currency = reporting.currency
    group by all
)

select * from final;

create or replace temp table tmp_daily_residuals as
with

target as (
    select
        billing_month,
        team,
        billing_currency,
        sum(effective_cost_reporting) as effective_cost,
        sum(effective_cost) as billing_effective_cost
    from showback_monthly
    where billing_month in (select billing_month from tmp_daily_months)
    group by all
),

summed as (
    select
        billing_month,
        team,
        billing_currency,
        sum(effective_cost) as effective_cost,
        sum(billing_effective_cost) as billing_effective_cost
    from tmp_daily_rated
    group by all
),

final as (
    select
        coalesce(target.billing_month, summed.billing_month) as billing_month,
        coalesce(target.team, summed.team) as team,
        coalesce(target.billing_currency, summed.billing_currency) as billing_currency,
        -- an absent side counts 0; a present side without a rate keeps the residual NULL
        coalesce(target.effective_cost, case when target.team is null then 0 end)
        - coalesce(summed.effective_cost, case when summed.team is null then 0 end) as residual,
        coalesce(target.billing_effective_cost, 0)
        - coalesce(summed.billing_effective_cost, 0) as billing_residual,
        summed.team is null as is_missing_days
    from target
    full outer join summed
        on target.billing_month = summed.billing_month
        and target.team = summed.team
        and target.billing_currency is not distinct from summed.billing_currency
)

select * from final;

create or replace temp table tmp_daily_allocation as
with

ranked as (
    select
        *,
        row_number() over (
            partition by billing_month, team, billing_currency
            order by abs(billing_effective_cost) desc, day, charge_category, spans_days
        ) as tmp_rank
    from tmp_daily_rated
),

fixed as (
    select
        ranked.billing_month,
        ranked.day,
        ranked.team,
        ranked.charge_category,
        ranked.spans_days,
        ranked.currency,
        ranked.effective_cost
        + case
            when ranked.tmp_rank = 1 and residuals.team is not null then residuals.residual
            else 0
        end as effective_cost,
        ranked.billing_currency,
        ranked.billing_effective_cost
        + case when ranked.tmp_rank = 1 then coalesce(residuals.billing_residual, 0) else 0 end
            as billing_effective_cost
    from ranked
    left join tmp_daily_residuals as residuals
        on ranked.billing_month = residuals.billing_month
        and ranked.team = residuals.team
        and ranked.billing_currency is not distinct from residuals.billing_currency
),

missing as (
    select
        residuals.billing_month,
        residuals.billing_month as day,
        residuals.team,
        '(allocation residual)' as charge_category,
        false as spans_days,
        (select min(reporting_currency) from showback_monthly) as currency,
        residuals.residual as effective_cost,
        residuals.billing_currency,
        residuals.billing_residual as billing_effective_cost
    from tmp_daily_residuals as residuals
    where residuals.is_missing_days
),

final as (
    select
        cast(billing_month as date) as billing_month,
        cast(day as date) as day,
        cast(team as varchar) as team,
        cast(charge_category as varchar) as charge_category,
        cast(spans_days as boolean) as spans_days,
        cast(currency as varchar) as currency,
        cast(effective_cost as decimal(38, 12)) as effective_cost,
        cast(billing_currency as varchar) as billing_currency,
        cast(billing_effective_cost as decimal(38, 12)) as billing_effective_cost
    from (
        select * from fixed
        union all
        select * from missing
    )
)

select * from final;
