-- int_waste_costs: focus_costs with its billing month as a DATE, every loaded month (the
-- checks that look back: old snapshots, idle S3, unattached disks). Ephemeral: inlined
-- as a CTE wherever a model names it (finops_pipeline/build_runner.py).
-- Grain: one row per focus_costs row.
with

final as (
    select
        cast(f.BillingPeriodStart as date) as billing_month,
        f.*
    from focus_costs as f
)

select * from final
