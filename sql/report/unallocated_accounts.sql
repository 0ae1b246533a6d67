-- report/unallocated_accounts: the accounts and services whose cost nobody owns this month.
-- Grain: one row per provider x sub-account x service x billing currency with a non-zero
-- cost, largest first.
-- Parameters: $month (DATE), $top (rows). Reads allocation_ledger (rule 'unallocated').
with

unowned as (
    select * from allocation_ledger
    where billing_month = $month and source_kind = 'charge' and rule = 'unallocated'
),

final as (
    select
        provider_name as provider,
        coalesce(sub_account_name, sub_account_id) as sub_account,
        service_name,
        billing_currency,
        sum(effective_cost) as effective_cost,
        sum(effective_cost_reporting) as effective_cost_reporting,
        any_value(basis) as reason
    from unowned
    group by all
)

select * from final
where effective_cost <> 0
order by abs(effective_cost_reporting) desc, provider, sub_account, service_name
limit $top
