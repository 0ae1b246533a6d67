-- int_waste_params: the waste settings as typed values, one column each, so that a setting
-- two checks read (previous_generation_savings) is cast in one place, the same for both.
-- Grain: one row.
-- Parameters (named): one per field of finops_pipeline/waste/settings.py (WasteSettings),
--   same name; shares and ratios as DECIMAL(18, 6), month counts as INTEGER.
with

final as (
    select
        cast($gp3_price_ratio as decimal(18, 6)) as gp3_price_ratio,
        cast($gp3_throughput_price_ratio as decimal(18, 6)) as gp3_throughput_price_ratio,
        cast($gp3_iops_price_ratio as decimal(18, 6)) as gp3_iops_price_ratio,
        cast($previous_generation_savings as decimal(18, 6)) as previous_generation_savings,
        cast($graviton_savings as decimal(18, 6)) as graviton_savings,
        cast($amd_savings as decimal(18, 6)) as amd_savings,
        cast($snapshot_age_months as integer) as snapshot_age_months,
        cast($s3_idle_months as integer) as s3_idle_months,
        cast($s3_idle_savings as decimal(18, 6)) as s3_idle_savings,
        cast($nat_idle_gb_per_month as decimal(18, 6)) as nat_idle_gb_per_month,
        cast($commitment_coverage_savings as decimal(18, 6)) as commitment_coverage_savings,
        cast($unattached_disk_savings as decimal(18, 6)) as unattached_disk_savings,
        cast($public_ip_idle_gb_per_month as decimal(18, 6)) as public_ip_idle_gb_per_month,
        cast($idle_public_ip_savings as decimal(18, 6)) as idle_public_ip_savings
)

select * from final
