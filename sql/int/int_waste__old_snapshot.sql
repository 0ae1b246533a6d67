-- int_waste__old_snapshot: AWS EBS snapshots first billed at least snapshot_age_months
-- before the month (AWS CID), looking back over every loaded month.
-- Grain: one row per billing month x snapshot x billing currency.
-- Formula: savings = the snapshot's whole cost.
-- Parameters (named): $period, $snapshot_age_months.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

costs as (
    select * from int_waste_costs
),

month_costs as (
    select * from int_waste_month_costs
),

-- Old snapshots: first billed >= N months before the month, over every loaded month.
snapshot_first as (
    select ResourceId as resource_id, min(billing_month) as first_billed_month
    from costs
    where ProviderName = 'AWS' and x_UsageType like '%EBS:SnapshotUsage%'
    group by all
),

old_snapshot as (
    select
        unnest(finops_waste_resource(
            usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency,
            usage.SubAccountId, usage.ServiceName, usage.x_Team, usage.EffectiveCost
        )),
        'old_snapshot' as check_name,
        sum(usage.EffectiveCost) as estimated_monthly_savings,
        'old snapshot (AWS CID): first billed ' || strftime(min(snapshots.first_billed_month), '%Y-%m')
        || ', >= ' || any_value(params.snapshot_age_months)
        || ' months before; savings = full cost' as assumptions,
        'Delete the snapshot, or archive it (EBS Snapshots Archive) if it must be kept.'
            as recommendation
    from month_costs as usage
    inner join snapshot_first as snapshots on snapshots.resource_id = usage.ResourceId
    cross join params
    where usage.ProviderName = 'AWS'
        and usage.ChargeCategory = 'Usage'
        and usage.x_UsageType like '%EBS:SnapshotUsage%'
        and usage.billing_month >= snapshots.first_billed_month
            + to_months(params.snapshot_age_months)
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
)

select * from old_snapshot
