-- tag_compliance: how much of the bill carries the tags the policy requires, and the trend.
-- Grain: one row per billing_month × provider × sub_account_id × team (× billing_currency,
-- one per sub-account in practice). team is x_Team, or 'unallocated' when there is none.
-- KPI: share_cost_compliant = compliant EffectiveCost / EffectiveCost;
--      share_resources_compliant = compliant resources / resources;
--      change_pts = (share_cost_compliant - share_cost_compliant_prev_month) × 100,
--      NULL when the group has no previous month.
-- A resource (resource_key, as in tag_violations) is compliant in a month when it has no
-- violation of a key required for it: every required key present, allowed, spelled without
-- aliases. Exempt charges are compliant. Reads focus_costs, tag_violations (built first, in
-- the same transaction) and the existing tag_compliance rows of the previous month.
-- Parameters (named): $period = billing month (DATE, first of month), or NULL for every
-- month (bound by the build runner).
with

charges as (
    select
        cast(f.BillingPeriodStart as date) as billing_month,
        f.ProviderName as provider,
        f.SubAccountId as sub_account_id,
        f.SubAccountName as sub_account_name,
        coalesce(f.x_Team, 'unallocated') as team,
        finops_resource_key(
            f.ResourceId, f.ProviderName, f.SubAccountId, f.ServiceName, f.SkuId
        ) as resource_key,
        coalesce(f.x_TagExempt, false) as is_exempt,
        f.EffectiveCost as effective_cost,
        f.BillingCurrency as billing_currency
    from focus_costs as f
    where cast($period as date) is null or f.BillingPeriodStart = cast($period as date)
),

failing_resources as (
    select distinct
        billing_month,
        resource_key
    from tag_violations
    where is_required and (cast($period as date) is null or billing_month = cast($period as date))
),

classified as (
    select
        charges.*,
        failing_resources.resource_key is null as is_resource_compliant,
        charges.is_exempt or failing_resources.resource_key is null as is_compliant
    from charges
    left join failing_resources
        on failing_resources.billing_month = charges.billing_month
        and failing_resources.resource_key = charges.resource_key
),

groups as (
    select
        billing_month,
        provider,
        sub_account_id,
        team,
        billing_currency,
        min(sub_account_name) as sub_account_name,
        sum(effective_cost) as total_effective_cost,
        coalesce(sum(effective_cost) filter (where is_compliant), 0) as compliant_effective_cost,
        count(distinct resource_key) as resources,
        count(distinct resource_key) filter (where is_resource_compliant) as compliant_resources
    from classified
    group by all
),

shares as (
    select
        *,
        round(cast(compliant_effective_cost as double) / nullif(cast(total_effective_cost as double), 0), 6)
            as share_cost_compliant,
        round(cast(compliant_resources as double) / nullif(resources, 0), 6) as share_resources_compliant
    from groups
),

-- The previous month comes from this build when it covers it, else from the table.
previous as (
    select billing_month, provider, sub_account_id, team, billing_currency, share_cost_compliant
    from shares
    union all
    select billing_month, provider, sub_account_id, team, billing_currency, share_cost_compliant
    from tag_compliance
    where billing_month not in (select distinct billing_month from shares)
),

final as (
    select
        shares.billing_month,
        shares.provider,
        shares.sub_account_id,
        shares.sub_account_name,
        shares.team,
        shares.billing_currency,
        shares.total_effective_cost,
        shares.compliant_effective_cost,
        shares.share_cost_compliant,
        shares.resources,
        shares.compliant_resources,
        shares.share_resources_compliant,
        previous.share_cost_compliant as share_cost_compliant_prev_month,
        round((shares.share_cost_compliant - previous.share_cost_compliant) * 100, 4) as change_pts
    from shares
    left join previous
        on previous.billing_month = cast(shares.billing_month - interval 1 month as date)
        and previous.provider is not distinct from shares.provider
        and previous.sub_account_id is not distinct from shares.sub_account_id
        and previous.team = shares.team
        and previous.billing_currency is not distinct from shares.billing_currency
)

select * from final
