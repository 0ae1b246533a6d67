-- int_waste__processor_candidate: the graviton_candidate and amd_candidate checks (AWS CID):
-- current-generation m, c, r, t instances on Linux on-demand hours that could move to
-- Graviton or (from Intel) to AMD. One file for both: they judge the same hours and are
-- alternatives for one instance, so their savings must never be added.
-- Grain: one row per billing month x instance x check x billing currency.
-- Formula: savings = on-demand cost x graviton_savings (Intel -> Graviton), amd_savings
--   (Intel -> AMD, and AMD -> Graviton).
-- Parameters (named): $period, $graviton_savings, $amd_savings.
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

-- Graviton / AMD candidates: current-generation m, c, r, t families on Linux on-demand hours
-- (previous generations have their own check). Graviton is 'g' in the family's attributes,
-- AMD 'a'; the two checks are alternatives for one instance, so never add their savings.
processor_usage as (
    select
        usage.*,
        lower(split_part(usage.tmp_instance_type, '.', 1)) as tmp_family,
        regexp_extract(lower(usage.tmp_instance_type), '^([a-z]+)[0-9]', 1) as tmp_prefix,
        regexp_extract(lower(usage.tmp_instance_type), '^[a-z]+([0-9]+)', 1) as tmp_gen,
        regexp_extract(lower(usage.tmp_instance_type), '^[a-z]+[0-9]+([a-z-]*)\.', 1) as tmp_attrs
    from instance_usage as usage
    where coalesce(usage.x_Operation, 'RunInstances') = 'RunInstances'
),

processor_candidates as (
    select
        usage.*,
        case when usage.tmp_attrs like '%a%' then 'AMD' else 'Intel' end as tmp_processor
    from processor_usage as usage
    left join previous_families as families on families.family = usage.tmp_family
    where families.family is null
        and usage.tmp_prefix in ('m', 'c', 'r', 't')
        and usage.tmp_gen <> ''
        and usage.tmp_attrs not like '%g%'
),

processor_findings as (
    select
        unnest(finops_waste_resource(
            usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency,
            usage.SubAccountId, usage.ServiceName, usage.x_Team, usage.EffectiveCost
        )),
        checks.check_name,
        min(usage.tmp_instance_type) as tmp_instance_type,
        arg_min(usage.tmp_processor, usage.tmp_instance_type) as tmp_processor,
        arg_min(usage.tmp_prefix, usage.tmp_instance_type) as tmp_prefix,
        arg_min(usage.tmp_gen, usage.tmp_instance_type) as tmp_gen,
        case
            when checks.check_name = 'amd_candidate' then any_value(params.amd_savings)
            when arg_min(usage.tmp_processor, usage.tmp_instance_type) = 'AMD' then any_value(params.amd_savings)
            else any_value(params.graviton_savings)
        end as tmp_share
    from processor_candidates as usage
    inner join (
        select 'graviton_candidate' as check_name union all select 'amd_candidate'
    ) as checks
        on checks.check_name = 'graviton_candidate' or usage.tmp_processor = 'Intel'
    cross join params
    group by
        usage.billing_month, usage.ProviderName, checks.check_name, usage.ResourceId,
        usage.BillingCurrency
),

processor_candidate as (
    select
        * exclude (tmp_instance_type, tmp_processor, tmp_prefix, tmp_gen, tmp_share),
        finops_waste_share_of(monthly_cost, tmp_share) as estimated_monthly_savings,
        check_name || ' (AWS CID): savings = on-demand cost * ' || cast(tmp_share as double)
        || ' (' || tmp_processor || ' ' || tmp_instance_type || '); an alternative to the '
        || case when check_name = 'amd_candidate' then 'Graviton' else 'AMD' end
        || ' finding, do not add both' as assumptions,
        case
            when check_name = 'amd_candidate' then
                'Move ' || tmp_instance_type || ' to the AMD family ' || tmp_prefix || tmp_gen
                || 'a (same size, no code change).'
            else
                'Move ' || tmp_instance_type || ' to Graviton (' || tmp_prefix
                || case when tmp_prefix = 't' then '4g' else '7g' end
                || ') once the workload builds for arm64.'
        end as recommendation
    from processor_findings
)

select * from processor_candidate
