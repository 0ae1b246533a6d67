-- int_waste__previous_generation_series: Azure and GCP on-demand VMs of a previous-generation
-- series (check_name previous_generation), from ref_waste_previous_generation_series
-- (finops_pipeline/waste/previous_generation_series.csv).
-- Grain: one row per billing month x VM x billing currency.
-- Formula: savings = on-demand cost (GCP sustained-use credits netted) x
--   previous_generation_savings.
-- Parameters (named): $period, $previous_generation_savings.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

month_costs as (
    select * from int_waste_month_costs
),

previous_series as (
    select * from ref_waste_previous_generation_series
),

-- Previous-generation Azure and GCP VM series: on-demand VMs whose size the export names
-- (Azure cost details: Standard_D2s_v3 -> series dsv3; GCP: n1-standard-8 -> n1) and whose
-- series is on the maintained list. GCP nets its sustained-use discount as Credit rows of the
-- same resource: they count, so the cost is what the VM really costs. Azure's FOCUS export
-- names no size: its VMs are not judged.
vm_series_usage as (
    select
        month_costs.*,
        case
            when ProviderName = 'Microsoft' then
                regexp_extract(lower(x_InstanceType), '^standard_([a-z]+)[0-9]+', 1)
                || regexp_extract(lower(x_InstanceType), '^standard_[a-z]+[0-9]+([a-z]*)', 1)
                || coalesce(
                    'v' || nullif(regexp_extract(lower(x_InstanceType), '_v([0-9]+)$', 1), ''),
                    ''
                )
            else split_part(lower(x_InstanceType), '-', 1)
        end as tmp_series
    from month_costs
    where ProviderName in ('Microsoft', 'Google Cloud')
        and ChargeCategory in ('Usage', 'Credit')
        and ResourceId is not null
        and nullif(x_InstanceType, '') is not null
        and CommitmentDiscountId is null
        and coalesce(PricingCategory, 'Standard') not in ('Committed', 'Dynamic')
),

previous_generation_series as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        'previous_generation' as check_name,
        usage.ResourceId as resource_id,
        usage.BillingCurrency as billing_currency,
        unnest(finops_waste_resource(
            usage.SubAccountId, usage.ServiceName, usage.x_Team, usage.EffectiveCost
        )),
        cast(
            sum(usage.EffectiveCost) * any_value(params.previous_generation_savings)
            as decimal(38, 12)
        ) as estimated_monthly_savings,
        'previous generation VM series: savings = on-demand cost * '
        || cast(any_value(params.previous_generation_savings) as double)
        || '; size ' || any_value(usage.x_InstanceType) || ', series '
        || any_value(usage.tmp_series) as assumptions,
        'Resize ' || any_value(usage.x_InstanceType) || ' to the '
        || any_value(series.successor) || ' series (' || any_value(series.note) || ').'
            as recommendation
    from vm_series_usage as usage
    inner join previous_series as series
        on series.provider = usage.ProviderName and series.series = usage.tmp_series
    cross join params
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
)

select * from previous_generation_series
