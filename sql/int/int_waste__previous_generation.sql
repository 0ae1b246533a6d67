-- int_waste__previous_generation: AWS EC2 on-demand hours of a previous-generation family
-- (AWS CID), from the maintained list ref_waste_previous_generation
-- (finops_pipeline/waste/previous_generation.csv).
-- Grain: one row per billing month x instance x billing currency.
-- Formula: savings = on-demand cost x previous_generation_savings.
-- Parameters (named): $period, $previous_generation_savings.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

previous_families as (
    select * from ref_waste_previous_generation
),

instance_usage as (
    select * from int_waste_instance_usage
),

previous_generation as (
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
        'previous generation (AWS CID): savings = on-demand cost * '
        || cast(any_value(params.previous_generation_savings) as double)
        || '; instance type ' || any_value(usage.tmp_instance_type) as assumptions,
        'Move ' || any_value(usage.tmp_instance_type) || ' to the '
        || any_value(families.successor) || ' family'
        || coalesce(' (or Graviton ' || any_value(families.graviton_successor) || ')', '')
        || '.' as recommendation
    from instance_usage as usage
    inner join previous_families as families
        on families.family = lower(split_part(usage.tmp_instance_type, '.', 1))
    cross join params
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
)

select * from previous_generation
