-- int_waste__idle_nat_gateway: AWS NAT gateways billed by the hour while processing (almost)
-- no data in the month.
-- Grain: one row per billing month x NAT gateway x billing currency.
-- Formula: idle when hours > 0 and GB processed <= nat_idle_gb_per_month; savings = the
--   gateway's whole cost.
-- Parameters (named): $period, $nat_idle_gb_per_month.
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

-- Idle NAT gateways: hourly charges while processing (almost) no data in the month.
nat_usage as (
    select
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        sum(case when x_UsageType like '%NatGateway-Hours' then ConsumedQuantity end) as tmp_hours,
        coalesce(
            sum(case when x_UsageType like '%NatGateway-Bytes' then ConsumedQuantity end), 0
        ) as tmp_gb
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and x_UsageType like '%NatGateway-%'
    group by billing_month, ProviderName, ResourceId, BillingCurrency
),

nat_findings as (
    select
        nat_usage.*,
        'idle_nat_gateway' as check_name,
        monthly_cost as estimated_monthly_savings,
        'idle NAT gateway: <= ' || cast(nat_idle_gb_per_month as double) || ' GB processed in the month ('
        || round(tmp_gb, 3) || ' GB over ' || cast(round(tmp_hours) as integer)
        || ' h); savings = full cost' as assumptions,
        'Delete the NAT gateway (and release its Elastic IP) if nothing routes through it.'
            as recommendation
    from nat_usage
    cross join params
    where tmp_hours > 0 and tmp_gb <= nat_idle_gb_per_month
),

idle_nat_gateway as (
    select * exclude (tmp_hours, tmp_gb)
    from nat_findings
)

select * from idle_nat_gateway
