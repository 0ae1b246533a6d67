-- allocation_ledger: every movement of cost from a charge or a shared pool to an owner.
-- Grain: one row per billing month x billing currency x owner x origin, where the origin is
-- (rule, provider, sub-account, service) for owned and unallocated charges, and the pool for
-- shared cost. Σ billed_cost and Σ effective_cost per month and currency equal focus_costs.
-- Parameters: $reporting_currency (ISO code), $redistribute_unallocated (boolean),
-- $dimension (the tag key allocated by, e.g. team).
-- Reads temp tables made by finops_pipeline/showback/allocate.py:
--   tmp_allocation_input   focus_costs of the months being built, classified (pool, tag
--                          owner, owner rule; filters from finops.yaml) and summed per
--                          provider x sub-account x service x owner x pool;
--   tmp_allocation_shares  each pool's month x currency total split by largest remainder
--                          (exact decimals, computed in Python; see showback/rounding.py);
--   tmp_exchange_rates     the month's rates to the reporting currency: reporting.exchange_rates
--                          and those derived from `finops rates import` (showback/currency.py,
--                          showback/rate_resolve.py).
-- Reporting amounts are amount x rate rounded to 12 decimals per line; without a rate for the
-- month and billing currency they (and exchange_rate) are NULL: the line is still built and
-- conserved in its billing currency (asset check `reporting_currency_missing` names the pairs).
with

charges as (
    select * from tmp_allocation_input
    where pool_index is null
),

shares as (
    select * from tmp_allocation_shares
),

rates as (
    select * from tmp_exchange_rates
    where to_currency = $reporting_currency
),

owned as (
    select
        billing_month,
        billing_currency,
        case
            when tag_owner is not null then 'tag'
            when owner_index is not null then 'owner'
            else 'unallocated'
        end as rule,
        case
            when tag_owner is not null then 'tag ' || $dimension
            when owner_index is not null then 'allocation.owners[' || owner_index || ']'
            when is_tag_exempt then 'no owner tag (tag-exempt charge), no owner rule, no pool'
            else 'no owner tag, no owner rule, no pool'
        end as basis,
        coalesce(tag_owner, owner_team, 'unallocated') as team,
        provider_name,
        sub_account_id,
        sub_account_name,
        service_name,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from charges
    group by all
),

charge_lines as (
    select
        billing_month,
        'charge' as source_kind,
        cast(null as varchar) as pool_name,
        rule,
        basis,
        concat_ws(' / ', provider_name, coalesce(sub_account_name, sub_account_id), service_name)
            as from_key,
        team,
        case when rule = 'unallocated' then 'unallocated' else 'direct' end as kind,
        provider_name,
        sub_account_id,
        sub_account_name,
        service_name,
        billing_currency,
        billed_cost,
        effective_cost
    from owned
    where not (rule = 'unallocated' and $redistribute_unallocated)
),

share_lines as (
    select
        billing_month,
        source_kind,
        pool_name,
        rule,
        basis,
        from_key,
        team,
        kind,
        cast(null as varchar) as provider_name,
        cast(null as varchar) as sub_account_id,
        cast(null as varchar) as sub_account_name,
        cast(null as varchar) as service_name,
        billing_currency,
        billed_cost,
        effective_cost
    from shares
),

lines as (
    select * from charge_lines
    union all
    select * from share_lines
),

converted as (
    select
        lines.*,
        case
            when lines.billing_currency = $reporting_currency then 1
            else rates.rate
        end as tmp_rate
    from lines
    left join rates
        on rates.month = lines.billing_month
        and rates.from_currency = lines.billing_currency
),

final as (
    select
        cast(billing_month as date) as billing_month,
        cast(source_kind as varchar) as source_kind,
        cast(pool_name as varchar) as pool_name,
        cast(rule as varchar) as rule,
        cast(basis as varchar) as basis,
        cast(from_key as varchar) as from_key,
        cast(team as varchar) as team,
        cast(kind as varchar) as kind,
        cast(provider_name as varchar) as provider_name,
        cast(sub_account_id as varchar) as sub_account_id,
        cast(sub_account_name as varchar) as sub_account_name,
        cast(service_name as varchar) as service_name,
        cast(billing_currency as varchar) as billing_currency,
        cast(billed_cost as decimal(38, 12)) as billed_cost,
        cast(effective_cost as decimal(38, 12)) as effective_cost,
        cast($reporting_currency as varchar) as reporting_currency,
        cast(billed_cost * tmp_rate as decimal(38, 12)) as billed_cost_reporting,
        cast(effective_cost * tmp_rate as decimal(38, 12)) as effective_cost_reporting,
        cast(tmp_rate as decimal(38, 12)) as exchange_rate
    from converted
)

select * from final
