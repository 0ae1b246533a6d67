-- int_waste_month_costs: the rows of the billing month being built (int_waste_costs).
-- Grain: one row per focus_costs row of the month.
-- Parameters (named): $period (DATE, NULL = every month; bound by the build runner).
with

final as (
    select *
    from int_waste_costs
    where cast($period as date) is null or billing_month = cast($period as date)
)

select * from final
