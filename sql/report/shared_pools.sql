-- report/shared_pools: where each shared-cost pool went this month: its rule, the basis of
-- each team's share, and the amount in the reporting currency.
-- Grain: one row per pool x recipient team (summed over billing currencies).
-- Parameters: $month (DATE, first of month). Reads allocation_ledger (pool lines).
with

pool_lines as (
    select * from allocation_ledger
    where billing_month = $month and source_kind = 'pool'
),

final as (
    select
        pool_name,
        rule,
        team,
        string_agg(distinct basis, '; ' order by basis) as basis,
        string_agg(distinct billing_currency, ', ' order by billing_currency) as billing_currencies,
        sum(effective_cost_reporting) as effective_cost_reporting,
        sum(billed_cost_reporting) as billed_cost_reporting
    from pool_lines
    group by pool_name, rule, team
)

select * from final
order by pool_name, effective_cost_reporting desc, team
