-- int_waste__gp2_volume: AWS gp2 EBS volumes that would cost less as gp3 (AWS CID).
-- Grain: one row per billing month x volume x billing currency.
-- Formula: GB = Σ GB-Mo scaled to the whole month; unit = cost x gp3_price_ratio / GB;
--   added_iops = clamp(3 x GB, 3000, 16000) - 3000; added_throughput = 0 up to 150 GB else
--   125 MB/s; savings = max(cost - (cost x gp3_price_ratio + unit x
--   gp3_throughput_price_ratio x added_throughput + unit x gp3_iops_price_ratio x
--   added_iops), 0).
-- Parameters (named): $period, $gp3_price_ratio, $gp3_throughput_price_ratio,
--   $gp3_iops_price_ratio.
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

-- gp2 volumes: GB is Σ ConsumedQuantity in GB-Mo scaled from the hours billed to the whole
-- month (the size itself, also for the open month or a volume created mid-month).
gp2_usage as (
    select
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        sum(ConsumedQuantity) as tmp_gb_months,
        date_diff('hour', min(ChargePeriodStart), max(ChargePeriodEnd)) as tmp_billed_hours,
        date_diff('hour', billing_month, billing_month + interval 1 month) as tmp_month_hours
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and (x_VolumeApiName = 'gp2' or x_UsageType like '%EBS:VolumeUsage.gp2')
    group by billing_month, ProviderName, ResourceId, BillingCurrency
),

gp2_gb as (
    select
        gp2_usage.*,
        tmp_gb_months * tmp_month_hours / greatest(least(tmp_billed_hours, tmp_month_hours), 1)
            as tmp_gb
    from gp2_usage
),

gp2_sized as (
    select
        gp2_gb.*,
        greatest(least(tmp_gb * 3, 16000), 3000) - 3000 as tmp_added_iops,
        case when tmp_gb <= 150 then 0 else 125 end as tmp_added_throughput,
        cast(monthly_cost * gp3_price_ratio as double) / nullif(tmp_gb, 0) as tmp_gp3_unit
    from gp2_gb
    cross join params
),

gp2_savings as (
    select
        gp2_sized.*,
        monthly_cost - (
            cast(monthly_cost * gp3_price_ratio as double)
            + tmp_gp3_unit * gp3_throughput_price_ratio * tmp_added_throughput
            + tmp_gp3_unit * gp3_iops_price_ratio * tmp_added_iops
        ) as tmp_savings
    from gp2_sized
    cross join params
),

gp2_findings as (
    select
        gp2_savings.*,
        'gp2_volume' as check_name,
        cast(greatest(tmp_savings, 0) as decimal(38, 12)) as estimated_monthly_savings,
        'gp2->gp3 (AWS CID): savings = cost - (cost*' || cast(gp3_price_ratio as double)
        || ' + unit*' || cast(gp3_throughput_price_ratio as double) || '*added_throughput + unit*'
        || cast(gp3_iops_price_ratio as double) || '*added_iops), unit = cost*' || cast(gp3_price_ratio as double)
        || '/GB; GB=' || round(tmp_gb, 1) || ', added_iops=' || cast(round(tmp_added_iops) as integer)
        || ', added_throughput=' || tmp_added_throughput || ' MB/s; negative savings shown as 0'
            as assumptions,
        case
            when tmp_savings > 0 then
                'Change the volume type to gp3 (online, no detach); provision '
                || (3000 + cast(round(tmp_added_iops) as integer)) || ' IOPS and '
                || (125 + tmp_added_throughput) || ' MB/s to match gp2.'
            else
                'gp3 matching gp2''s throughput costs no less: change to gp3 only if its '
                || 'baseline 3000 IOPS and 125 MB/s suffice (then storage costs '
                || cast(round(100 * (1 - gp3_price_ratio)) as integer) || '% less).'
        end as recommendation
    from gp2_savings
    cross join params
),

gp2_volume as (
    select
        * exclude (
            tmp_gb_months, tmp_billed_hours, tmp_month_hours, tmp_gb, tmp_added_iops,
            tmp_added_throughput, tmp_gp3_unit, tmp_savings
        )
    from gp2_findings
)

select * from gp2_volume
