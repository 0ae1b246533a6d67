-- report/unallocated_resources: the resources whose cost nobody owns this month, and the tag
-- fix that would allocate them.
-- Grain: one row per resource (or, for charges without a resource, per sub-account x
-- service) x billing currency with a non-zero cost, largest first.
-- Reads tmp_report_charges: focus_costs of the month classified by the allocation rules
-- themselves (showback/allocate.py:classify_charges, with ResourceId), and tag_violations
-- for the fix. Parameters: $month (DATE), $reporting_currency, $dimension (the tag key
-- allocated by), $top (rows).
with

unowned as (
    select * from tmp_report_charges
    where pool_index is null and tag_owner is null and owner_index is null
),

rates as (
    select from_currency, rate from exchange_rates
    where month = $month and to_currency = $reporting_currency
),

fixes as (
    select resource_id, billing_currency, any_value(fix) as fix
    from tag_violations
    where billing_month = $month and tag_key = $dimension and resource_id is not null
    group by all
),

resources as (
    select
        provider_name as provider,
        coalesce(sub_account_name, sub_account_id) as sub_account,
        "ResourceId" as resource_id,
        service_name,
        billing_currency,
        bool_and(is_tag_exempt) as is_tag_exempt,
        sum(effective_cost) as effective_cost
    from unowned
    group by all
),

final as (
    select
        resources.provider,
        resources.sub_account,
        coalesce(resources.resource_id, '(no resource: ' || coalesce(resources.service_name, 'charges') || ')')
            as resource,
        resources.service_name,
        resources.billing_currency,
        resources.effective_cost,
        resources.effective_cost * case
            when resources.billing_currency = $reporting_currency then 1 else rates.rate
        end as effective_cost_reporting,
        case
            when fixes.fix is not null then fixes.fix
            when resources.resource_id is not null and not resources.is_tag_exempt
                then 'set tag ' || $dimension || ' on ' || resources.resource_id
            else case
                when resources.resource_id is null then 'charges without a resource cannot carry tags'
                else 'tag-exempt charges (tax, credits, commitment fees) are not judged by tags'
            end || ': map ' || coalesce(resources.sub_account, 'the account')
                || ' to a team in allocation.owners, or share them with a pool in allocation.pools'
        end as fix
    from resources
    left join rates on rates.from_currency = resources.billing_currency
    left join fixes
        on fixes.resource_id = resources.resource_id
        and fixes.billing_currency is not distinct from resources.billing_currency
)

select * from final
where effective_cost <> 0
order by abs(effective_cost_reporting) desc, resource
limit $top
