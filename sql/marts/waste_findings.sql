-- waste_findings: rule-based waste and savings from billing data alone.
-- Grain: one row per billing month x provider x check x resource (for unused_commitment the
-- resource is the commitment id) x billing currency.
-- KPI: monthly_cost = Σ EffectiveCost of the resource in the month for the usage the check
-- looks at; estimated_monthly_savings by the check's formula (FINOPS_REFERENCE.md, AWS Cloud
-- Intelligence Dashboards). Every row's `assumptions` names the formula and the values used.
-- Each check is its own model, sql/int/int_waste__<check>.sql, with its formula in its
-- header; the build runner inlines them here (finops_pipeline/build_runner.py). A new check:
-- a new int_waste__ file and one more line below.
-- Parameters (named): $period (DATE, NULL = every month; bound by the build runner) and one
--   per field of finops_pipeline/waste/settings.py (WasteSettings), same name, each read by
--   the checks that use it.
-- Reads ref_waste_previous_generation (finops_pipeline/waste/previous_generation.csv) and
-- ref_waste_previous_generation_series (previous_generation_series.csv: Azure, GCP), both in
-- int_waste__previous_generation.
with

findings as (
    select * from int_waste__gp2_volume
    union all by name
    select * from int_waste__previous_generation
    union all by name
    select * from int_waste__processor_candidate
    union all by name
    select * from int_waste__idle_nat_gateway
    union all by name
    select * from int_waste__old_snapshot
    union all by name
    select * from int_waste__idle_s3_standard
    union all by name
    select * from int_waste__commitment_coverage_gap
    union all by name
    select * from int_waste__unused_commitment
    union all by name
    select * from int_waste__unattached_disk
    union all by name
    select * from int_waste__idle_public_ip
),

final as (
    select
        billing_month,
        provider,
        check_name,
        resource_id,
        sub_account_id,
        service_name,
        billing_currency,
        x_team as x_Team,
        cast(monthly_cost as decimal(38, 12)) as monthly_cost,
        cast(estimated_monthly_savings as decimal(38, 12)) as estimated_monthly_savings,
        assumptions,
        recommendation
    from findings
    where monthly_cost > 0
)

select * from final
