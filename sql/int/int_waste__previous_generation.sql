-- int_waste__previous_generation: on-demand compute of a previous generation, from the
-- maintained lists: AWS EC2 hours of an instance family on ref_waste_previous_generation
-- (finops_pipeline/waste/previous_generation.csv, AWS CID), and Azure and GCP VMs of a series
-- on ref_waste_previous_generation_series (finops_pipeline/waste/previous_generation_series.csv).
-- Grain: one row per billing month x instance or VM x billing currency.
-- Formula: savings = on-demand cost (GCP: sustained-use credits netted) x
--   previous_generation_savings.
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

previous_series as (
    select * from ref_waste_previous_generation_series
),

instance_usage as (
    select * from int_waste_instance_usage
),

month_costs as (
    select * from int_waste_month_costs
),

-- AWS: EC2 instance families on the maintained list.
aws_previous_rows as (
    select
        usage.*,
        usage.tmp_instance_type as tmp_size,
        families.successor as tmp_successor,
        families.graviton_successor as tmp_graviton_successor
    from instance_usage as usage
    inner join previous_families as families
        on families.family = lower(split_part(usage.tmp_instance_type, '.', 1))
),

-- Azure and GCP: on-demand VMs whose size the export names (Azure cost details:
-- Standard_D2s_v3 -> series dsv3; GCP: n1-standard-8 -> n1) and whose series is on the
-- maintained list. GCP nets its sustained-use discount as Credit rows of the same resource:
-- they count, so the cost is what the VM really costs. Azure's FOCUS export names no size:
-- its VMs are not judged.
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

series_previous_rows as (
    select
        usage.*,
        usage.x_InstanceType as tmp_size,
        series.successor as tmp_successor,
        series.note as tmp_note
    from vm_series_usage as usage
    inner join previous_series as series
        on series.provider = usage.ProviderName and series.series = usage.tmp_series
),

-- The two lists judge different providers (AWS; Azure, GCP): a resource's rows come from one
-- (a column only one side has is NULL on the other's rows).
previous_rows as (
    select * from aws_previous_rows
    union all by name
    select * from series_previous_rows
),

previous_generation as (
    select
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        'previous_generation' as check_name,
        finops_waste_share_of(
            sum(EffectiveCost), any_value(params.previous_generation_savings)
        ) as estimated_monthly_savings,
        case
            when ProviderName = 'AWS' then 'previous generation (AWS CID)'
            else 'previous generation VM series'
        end
        || ': savings = on-demand cost * '
        || cast(any_value(params.previous_generation_savings) as double)
        || case
            when ProviderName = 'AWS' then '; instance type ' || min(tmp_size)
            else '; size ' || min(tmp_size) || ', series ' || arg_min(tmp_series, tmp_size)
        end as assumptions,
        case
            when ProviderName = 'AWS' then
                'Move ' || min(tmp_size) || ' to the ' || arg_min(tmp_successor, tmp_size)
                || ' family'
                || coalesce(' (or Graviton ' || arg_min(tmp_graviton_successor, tmp_size) || ')', '')
                || '.'
            else
                'Resize ' || min(tmp_size) || ' to the ' || arg_min(tmp_successor, tmp_size)
                || ' series (' || arg_min(tmp_note, tmp_size) || ').'
        end as recommendation
    from previous_rows
    cross join params
    group by billing_month, ProviderName, ResourceId, BillingCurrency
)

select * from previous_generation
