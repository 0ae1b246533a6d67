-- showback_monthly: what each team is shown for a billing month, in the billing currency and
-- rolled up to the reporting currency. A public contract: notebooks and reports rely on the
-- columns billing_month, team, kind, billing_currency, billed_cost, effective_cost,
-- reporting_currency, billed_cost_reporting, effective_cost_reporting.
-- Grain: one row per billing month x team x kind (direct / shared / unallocated) x billing
-- currency. It is allocation_ledger summed, so per month and currency Σ billed_cost and
-- Σ effective_cost equal focus_costs exactly (the asset check `conserves_focus_costs`).
-- Reads tmp_showback_months: the billing months being rebuilt.
with

ledger as (
    select * from allocation_ledger
    where billing_month in (select billing_month from tmp_showback_months)
),

final as (
    select
        cast(billing_month as date) as billing_month,
        cast(team as varchar) as team,
        cast(kind as varchar) as kind,
        cast(billing_currency as varchar) as billing_currency,
        cast(sum(billed_cost) as decimal(38, 12)) as billed_cost,
        cast(sum(effective_cost) as decimal(38, 12)) as effective_cost,
        cast(reporting_currency as varchar) as reporting_currency,
        cast(sum(billed_cost_reporting) as decimal(38, 12)) as billed_cost_reporting,
        cast(sum(effective_cost_reporting) as decimal(38, 12)) as effective_cost_reporting
    from ledger
    group by billing_month, team, kind, billing_currency, reporting_currency
)

select * from final
