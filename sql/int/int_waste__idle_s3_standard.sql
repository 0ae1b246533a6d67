-- int_waste__idle_s3_standard: S3 buckets with Standard storage billed in each of the last
-- s3_idle_months months (this one included) and no Tier1/Tier2 requests in any (AWS CID).
-- Grain: one row per billing month x bucket x billing currency.
-- Formula: savings = Standard storage cost x s3_idle_savings.
-- Parameters (named): $period, $s3_idle_months, $s3_idle_savings.
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

-- Idle S3 Standard: storage billed in each of the last N months (this one included) and no
-- PUT/COPY/POST/LIST (Tier1) or GET (Tier2) requests in any of them.
s3_months as (
    select
        billing_month,
        ResourceId as resource_id,
        sum(
            case when x_UsageType like '%TimedStorage-ByteHrs' then EffectiveCost end
        ) as tmp_standard_cost,
        coalesce(
            sum(
                case
                    when x_UsageType like '%Requests-Tier1' or x_UsageType like '%Requests-Tier2'
                        then ConsumedQuantity
                end
            ),
            0
        ) as tmp_requests
    from costs
    where ProviderName = 'AWS'
        and x_ServiceCode = 'AmazonS3'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
    group by all
),

s3_idle_buckets as (
    select current_month.billing_month, current_month.resource_id
    from s3_months as current_month
    cross join params
    inner join s3_months as window_month
        on window_month.resource_id = current_month.resource_id
        and window_month.billing_month
            > current_month.billing_month - to_months(params.s3_idle_months)
        and window_month.billing_month <= current_month.billing_month
    group by current_month.billing_month, current_month.resource_id
    having count(*) filter (where window_month.tmp_standard_cost > 0)
            = any_value(params.s3_idle_months)
        and sum(window_month.tmp_requests) = 0
),

idle_s3_standard as (
    select
        unnest(finops_waste_resource(
            usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency,
            usage.SubAccountId, usage.ServiceName, usage.x_Team, usage.EffectiveCost
        )),
        'idle_s3_standard' as check_name,
        finops_waste_share_of(
            sum(usage.EffectiveCost), any_value(params.s3_idle_savings)
        ) as estimated_monthly_savings,
        'idle S3 Standard (AWS CID): no requests for ' || any_value(params.s3_idle_months)
        || ' months; savings = Standard storage cost * '
        || cast(any_value(params.s3_idle_savings) as double) as assumptions,
        'Add a lifecycle rule to a colder class (Standard-IA, Glacier Instant Retrieval) or '
        || 'delete the data if nobody needs it.' as recommendation
    from month_costs as usage
    inner join s3_idle_buckets as idle
        on idle.resource_id = usage.ResourceId and idle.billing_month = usage.billing_month
    cross join params
    where usage.ChargeCategory = 'Usage' and usage.x_UsageType like '%TimedStorage-ByteHrs'
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
)

select * from idle_s3_standard
