-- waste_findings: rule-based waste and savings from billing data alone.
-- Grain: one row per billing month x provider x check x resource (for unused_commitment the
-- resource is the commitment id) x billing currency.
-- KPI: monthly_cost = Σ EffectiveCost of the resource in the month for the usage the check
-- looks at; estimated_monthly_savings by the check's formula (FINOPS_REFERENCE.md, AWS Cloud
-- Intelligence Dashboards). Every row's `assumptions` names the formula and the values used.
-- Parameters (named): $period (DATE, NULL = every month; bound by the build runner) and one
--   per field of finops_pipeline/waste/settings.py (WasteSettings), same name: $gp3_price_ratio,
--   $gp3_throughput_price_ratio, $gp3_iops_price_ratio, $previous_generation_savings,
--   $snapshot_age_months, $nat_idle_gb_per_month, $graviton_savings, $amd_savings,
--   $s3_idle_months, $s3_idle_savings, $commitment_coverage_savings,
--   $unattached_disk_savings, $public_ip_idle_gb_per_month, $idle_public_ip_savings.
-- Reads ref_waste_previous_generation (finops_pipeline/waste/previous_generation.csv) and
-- ref_waste_previous_generation_series (previous_generation_series.csv: Azure, GCP).
with

params as (
    select
        cast($period as date) as period,
        cast($gp3_price_ratio as decimal(18, 6)) as gp3_price_ratio,
        cast($gp3_throughput_price_ratio as decimal(18, 6)) as gp3_throughput_price_ratio,
        cast($gp3_iops_price_ratio as decimal(18, 6)) as gp3_iops_price_ratio,
        cast($previous_generation_savings as decimal(18, 6)) as previous_generation_savings,
        cast($snapshot_age_months as integer) as snapshot_age_months,
        cast($nat_idle_gb_per_month as decimal(18, 6)) as nat_idle_gb_per_month,
        cast($graviton_savings as decimal(18, 6)) as graviton_savings,
        cast($amd_savings as decimal(18, 6)) as amd_savings,
        cast($s3_idle_months as integer) as s3_idle_months,
        cast($s3_idle_savings as decimal(18, 6)) as s3_idle_savings,
        cast($commitment_coverage_savings as decimal(18, 6)) as commitment_coverage_savings,
        cast($unattached_disk_savings as decimal(18, 6)) as unattached_disk_savings,
        cast($public_ip_idle_gb_per_month as decimal(18, 6)) as public_ip_idle_gb_per_month,
        cast($idle_public_ip_savings as decimal(18, 6)) as idle_public_ip_savings
),

costs as (
    select
        cast(f.BillingPeriodStart as date) as billing_month,
        f.*
    from focus_costs as f
),

month_costs as (
    select costs.*
    from costs, params
    where params.period is null or costs.billing_month = params.period
),

previous_families as (
    select * from ref_waste_previous_generation
),

previous_series as (
    select * from ref_waste_previous_generation_series
),

-- gp2 volumes: GB is Σ ConsumedQuantity in GB-Mo scaled from the hours billed to the whole
-- month (the size itself, also for the open month or a volume created mid-month).
gp2_usage as (
    select
        billing_month,
        ProviderName as provider,
        ResourceId as resource_id,
        BillingCurrency as billing_currency,
        any_value(SubAccountId) as sub_account_id,
        any_value(ServiceName) as service_name,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost,
        sum(ConsumedQuantity) as tmp_gb_months,
        date_diff('hour', min(ChargePeriodStart), max(ChargePeriodEnd)) as tmp_billed_hours,
        date_diff('hour', billing_month, billing_month + interval 1 month) as tmp_month_hours
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and (x_VolumeApiName = 'gp2' or x_UsageType like '%EBS:VolumeUsage.gp2')
    group by all
),

gp2_gb as (
    select
        gp2_usage.*,
        tmp_gb_months * tmp_month_hours / greatest(least(tmp_billed_hours, tmp_month_hours), 1)
            as tmp_gb
    from gp2_usage
),

gp2_sized as (
    select
        gp2_gb.*,
        greatest(least(tmp_gb * 3, 16000), 3000) - 3000 as tmp_added_iops,
        case when tmp_gb <= 150 then 0 else 125 end as tmp_added_throughput,
        monthly_cost * gp3_price_ratio / nullif(tmp_gb, 0) as tmp_gp3_unit,
        params.*
    from gp2_gb, params
),

gp2_savings as (
    select
        gp2_sized.*,
        monthly_cost - (
            monthly_cost * gp3_price_ratio
            + tmp_gp3_unit * gp3_throughput_price_ratio * tmp_added_throughput
            + tmp_gp3_unit * gp3_iops_price_ratio * tmp_added_iops
        ) as tmp_savings
    from gp2_sized
),

gp2_volume as (
    select
        billing_month,
        provider,
        'gp2_volume' as check_name,
        resource_id,
        sub_account_id,
        service_name,
        billing_currency,
        x_team,
        monthly_cost,
        cast(greatest(tmp_savings, 0) as decimal(38, 12)) as estimated_monthly_savings,
        'gp2->gp3 (AWS CID): savings = cost - (cost*' || cast(gp3_price_ratio as double)
        || ' + unit*' || cast(gp3_throughput_price_ratio as double) || '*added_throughput + unit*'
        || cast(gp3_iops_price_ratio as double) || '*added_iops), unit = cost*' || cast(gp3_price_ratio as double)
        || '/GB; GB=' || round(tmp_gb, 1) || ', added_iops=' || cast(round(tmp_added_iops) as integer)
        || ', added_throughput=' || tmp_added_throughput || ' MB/s; negative savings shown as 0'
            as assumptions,
        case
            when tmp_savings > 0 then
                'Change the volume type to gp3 (online, no detach); provision '
                || (3000 + cast(round(tmp_added_iops) as integer)) || ' IOPS and '
                || (125 + tmp_added_throughput) || ' MB/s to match gp2.'
            else
                'gp3 matching gp2''s throughput costs no less: change to gp3 only if its '
                || 'baseline 3000 IOPS and 125 MB/s suffice (then storage costs '
                || cast(round(100 * (1 - gp3_price_ratio)) as integer) || '% less).'
        end as recommendation
    from gp2_savings
),

-- Previous-generation EC2: on-demand hours of a family on the maintained list.
instance_usage as (
    select
        month_costs.*,
        coalesce(
            nullif(x_InstanceType, ''),
            nullif(regexp_extract(x_UsageType, 'BoxUsage:([^ ]+)$', 1), '')
        ) as tmp_instance_type
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and x_UsageType like '%BoxUsage:%'
        and CommitmentDiscountId is null
        and coalesce(PricingCategory, 'Standard') not in ('Committed', 'Dynamic')
        and x_UsageType not like '%SpotUsage%'
),

previous_generation as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        'previous_generation' as check_name,
        usage.ResourceId as resource_id,
        any_value(usage.SubAccountId) as sub_account_id,
        any_value(usage.ServiceName) as service_name,
        usage.BillingCurrency as billing_currency,
        any_value(usage.x_Team) as x_team,
        sum(usage.EffectiveCost) as monthly_cost,
        cast(
            sum(usage.EffectiveCost) * any_value(params.previous_generation_savings)
            as decimal(38, 12)
        ) as estimated_monthly_savings,
        'previous generation (AWS CID): savings = on-demand cost * '
        || cast(any_value(params.previous_generation_savings) as double)
        || '; instance type ' || any_value(usage.tmp_instance_type) as assumptions,
        'Move ' || any_value(usage.tmp_instance_type) || ' to the '
        || any_value(families.successor) || ' family'
        || coalesce(' (or Graviton ' || any_value(families.graviton_successor) || ')', '')
        || '.' as recommendation
    from instance_usage as usage
    inner join previous_families as families
        on families.family = lower(split_part(usage.tmp_instance_type, '.', 1))
    cross join params
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
),

-- Graviton / AMD candidates: current-generation m, c, r, t families on Linux on-demand hours
-- (previous generations have their own check). Graviton is 'g' in the family's attributes,
-- AMD 'a'; the two checks are alternatives for one instance, so never add their savings.
processor_usage as (
    select
        usage.*,
        lower(split_part(usage.tmp_instance_type, '.', 1)) as tmp_family,
        regexp_extract(lower(usage.tmp_instance_type), '^([a-z]+)[0-9]', 1) as tmp_prefix,
        regexp_extract(lower(usage.tmp_instance_type), '^[a-z]+([0-9]+)', 1) as tmp_gen,
        regexp_extract(lower(usage.tmp_instance_type), '^[a-z]+[0-9]+([a-z-]*)\.', 1) as tmp_attrs
    from instance_usage as usage
    where coalesce(usage.x_Operation, 'RunInstances') = 'RunInstances'
),

processor_candidates as (
    select
        usage.*,
        case when usage.tmp_attrs like '%a%' then 'AMD' else 'Intel' end as tmp_processor
    from processor_usage as usage
    left join previous_families as families on families.family = usage.tmp_family
    where families.family is null
        and usage.tmp_prefix in ('m', 'c', 'r', 't')
        and usage.tmp_gen <> ''
        and usage.tmp_attrs not like '%g%'
),

processor_findings as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        checks.check_name,
        usage.ResourceId as resource_id,
        any_value(usage.SubAccountId) as sub_account_id,
        any_value(usage.ServiceName) as service_name,
        usage.BillingCurrency as billing_currency,
        any_value(usage.x_Team) as x_team,
        sum(usage.EffectiveCost) as monthly_cost,
        any_value(usage.tmp_instance_type) as tmp_instance_type,
        any_value(usage.tmp_processor) as tmp_processor,
        any_value(usage.tmp_prefix) as tmp_prefix,
        any_value(usage.tmp_gen) as tmp_gen,
        case
            when checks.check_name = 'amd_candidate' then any_value(params.amd_savings)
            when any_value(usage.tmp_processor) = 'AMD' then any_value(params.amd_savings)
            else any_value(params.graviton_savings)
        end as tmp_share
    from processor_candidates as usage
    inner join (
        select 'graviton_candidate' as check_name union all select 'amd_candidate'
    ) as checks
        on checks.check_name = 'graviton_candidate' or usage.tmp_processor = 'Intel'
    cross join params
    group by
        usage.billing_month, usage.ProviderName, checks.check_name, usage.ResourceId,
        usage.BillingCurrency
),

processor_candidate as (
    select
        billing_month,
        provider,
        check_name,
        resource_id,
        sub_account_id,
        service_name,
        billing_currency,
        x_team,
        monthly_cost,
        cast(monthly_cost * tmp_share as decimal(38, 12)) as estimated_monthly_savings,
        check_name || ' (AWS CID): savings = on-demand cost * ' || cast(tmp_share as double)
        || ' (' || tmp_processor || ' ' || tmp_instance_type || '); an alternative to the '
        || case when check_name = 'amd_candidate' then 'Graviton' else 'AMD' end
        || ' finding, do not add both' as assumptions,
        case
            when check_name = 'amd_candidate' then
                'Move ' || tmp_instance_type || ' to the AMD family ' || tmp_prefix || tmp_gen
                || 'a (same size, no code change).'
            else
                'Move ' || tmp_instance_type || ' to Graviton (' || tmp_prefix
                || case when tmp_prefix = 't' then '4g' else '7g' end
                || ') once the workload builds for arm64.'
        end as recommendation
    from processor_findings
),

-- Idle NAT gateways: hourly charges while processing (almost) no data in the month.
nat_usage as (
    select
        billing_month,
        ProviderName as provider,
        ResourceId as resource_id,
        BillingCurrency as billing_currency,
        any_value(SubAccountId) as sub_account_id,
        any_value(ServiceName) as service_name,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost,
        sum(case when x_UsageType like '%NatGateway-Hours' then ConsumedQuantity end) as tmp_hours,
        coalesce(
            sum(case when x_UsageType like '%NatGateway-Bytes' then ConsumedQuantity end), 0
        ) as tmp_gb
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and x_UsageType like '%NatGateway-%'
    group by all
),

idle_nat_gateway as (
    select
        billing_month,
        provider,
        'idle_nat_gateway' as check_name,
        resource_id,
        sub_account_id,
        service_name,
        billing_currency,
        x_team,
        monthly_cost,
        monthly_cost as estimated_monthly_savings,
        'idle NAT gateway: <= ' || cast(nat_idle_gb_per_month as double) || ' GB processed in the month ('
        || round(tmp_gb, 3) || ' GB over ' || cast(round(tmp_hours) as integer)
        || ' h); savings = full cost' as assumptions,
        'Delete the NAT gateway (and release its Elastic IP) if nothing routes through it.'
            as recommendation
    from nat_usage, params
    where tmp_hours > 0 and tmp_gb <= nat_idle_gb_per_month
),

-- Previous-generation Azure and GCP VM series: on-demand VMs whose size the export names
-- (Azure cost details: Standard_D2s_v3 -> series dsv3; GCP: n1-standard-8 -> n1) and whose
-- series is on the maintained list. GCP nets its sustained-use discount as Credit rows of the
-- same resource: they count, so the cost is what the VM really costs. Azure's FOCUS export
-- names no size: its VMs are not judged.
vm_series_usage as (
    select
        month_costs.*,
        case
            when ProviderName = 'Microsoft' then
                regexp_extract(lower(x_InstanceType), '^standard_([a-z]+)[0-9]+', 1)
                || regexp_extract(lower(x_InstanceType), '^standard_[a-z]+[0-9]+([a-z]*)', 1)
                || coalesce(
                    'v' || nullif(regexp_extract(lower(x_InstanceType), '_v([0-9]+)$', 1), ''),
                    ''
                )
            else split_part(lower(x_InstanceType), '-', 1)
        end as tmp_series
    from month_costs
    where ProviderName in ('Microsoft', 'Google Cloud')
        and ChargeCategory in ('Usage', 'Credit')
        and ResourceId is not null
        and nullif(x_InstanceType, '') is not null
        and CommitmentDiscountId is null
        and coalesce(PricingCategory, 'Standard') not in ('Committed', 'Dynamic')
),

previous_generation_series as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        'previous_generation' as check_name,
        usage.ResourceId as resource_id,
        any_value(usage.SubAccountId) as sub_account_id,
        any_value(usage.ServiceName) as service_name,
        usage.BillingCurrency as billing_currency,
        any_value(usage.x_Team) as x_team,
        sum(usage.EffectiveCost) as monthly_cost,
        cast(
            sum(usage.EffectiveCost) * any_value(params.previous_generation_savings)
            as decimal(38, 12)
        ) as estimated_monthly_savings,
        'previous generation VM series: savings = on-demand cost * '
        || cast(any_value(params.previous_generation_savings) as double)
        || '; size ' || any_value(usage.x_InstanceType) || ', series '
        || any_value(usage.tmp_series) as assumptions,
        'Resize ' || any_value(usage.x_InstanceType) || ' to the '
        || any_value(series.successor) || ' series (' || any_value(series.note) || ').'
            as recommendation
    from vm_series_usage as usage
    inner join previous_series as series
        on series.provider = usage.ProviderName and series.series = usage.tmp_series
    cross join params
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
),

-- Disks left behind by a deleted VM (Azure managed disks, GCP persistent disks). Billing
-- data does not say whether a disk is attached; it does show a disk named after a VM (the
-- VM's name, or it followed by '-' or '_', the providers' and IaC tools' default naming)
-- whose VM was billed in an earlier month and is not billed at all in this one: that disk is
-- attached to nothing. The longest matching VM name in the same sub-account is the owner; a
-- disk that matches no VM is not judged (no evidence either way).
vm_months as (
    select distinct
        billing_month,
        ProviderName as provider,
        SubAccountId as sub_account_id,
        lower(ResourceName) as vm_name
    from costs
    where ChargeCategory = 'Usage'
        and nullif(ResourceName, '') is not null
        and (
            (
                ProviderName = 'Microsoft'
                and ResourceId ilike '%/providers/microsoft.compute/virtualmachines/%'
            )
            or (ProviderName = 'Google Cloud' and SkuMeter like '%Instance Core%')
        )
),

disk_usage as (
    select
        billing_month,
        ProviderName as provider,
        ResourceId as resource_id,
        BillingCurrency as billing_currency,
        SubAccountId as sub_account_id,
        lower(any_value(ResourceName)) as tmp_disk_name,
        any_value(ServiceName) as service_name,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost
    from month_costs
    where ChargeCategory = 'Usage'
        and ResourceId is not null
        and nullif(ResourceName, '') is not null
        and (
            (ProviderName = 'Microsoft' and ResourceId ilike '%/providers/microsoft.compute/disks/%')
            or (ProviderName = 'Google Cloud' and SkuMeter like '%PD Capacity%')
        )
    group by billing_month, ProviderName, ResourceId, BillingCurrency, SubAccountId
),

disk_owner as (
    select
        disk.*,
        vm.vm_name as tmp_vm_name,
        vm.tmp_first_month
    from disk_usage as disk
    inner join (
        select provider, sub_account_id, vm_name, min(billing_month) as tmp_first_month
        from vm_months
        group by all
    ) as vm
        on vm.provider = disk.provider
        and vm.sub_account_id = disk.sub_account_id
        and (
            disk.tmp_disk_name = vm.vm_name
            or starts_with(disk.tmp_disk_name, vm.vm_name || '-')
            or starts_with(disk.tmp_disk_name, vm.vm_name || '_')
        )
    qualify row_number() over (
        partition by disk.billing_month, disk.resource_id, disk.billing_currency
        order by length(vm.vm_name) desc
    ) = 1
),

unattached_disk as (
    select
        disk.billing_month,
        disk.provider,
        'unattached_disk' as check_name,
        disk.resource_id,
        disk.sub_account_id,
        disk.service_name,
        disk.billing_currency,
        disk.x_team,
        disk.monthly_cost,
        cast(disk.monthly_cost * params.unattached_disk_savings as decimal(38, 12))
            as estimated_monthly_savings,
        'unattached disk: named after VM ' || disk.tmp_vm_name || ', billed since '
        || strftime(disk.tmp_first_month, '%Y-%m') || ' and not billed this month; savings = cost * '
        || cast(params.unattached_disk_savings as double) as assumptions,
        'Delete the disk (snapshot it first if its data may be needed); its VM '
        || disk.tmp_vm_name || ' is gone.' as recommendation
    from disk_owner as disk
    cross join params
    where disk.tmp_first_month < disk.billing_month
        and not exists (
            select 1
            from vm_months as vm
            where vm.provider = disk.provider
                and vm.sub_account_id = disk.sub_account_id
                and vm.vm_name = disk.tmp_vm_name
                and vm.billing_month = disk.billing_month
        )
),

-- Idle public IPs. GCP bills "Static Ip Charge" for a reserved static address that no VM
-- uses, AWS bills "...IdleAddress" for an allocated Elastic IP nothing uses: both are idle
-- by definition. Azure bills a public IP by the hour whether used or not; its data transfer
-- is billed against the same resource, so an address carrying at most N GB in the month is
-- idle (as for NAT gateways). Savings: the address's cost in the month.
public_ip_rows as (
    select
        month_costs.*,
        SkuMeter = 'Static Ip Charge' or x_UsageType like '%IdleAddress%' as tmp_is_idle_sku,
        SkuMeter ilike '%public ip%' or x_UsageType = 'IP Addresses' as tmp_is_address,
        ServiceName = 'Bandwidth' as tmp_is_transfer
    from month_costs
    where ChargeCategory = 'Usage'
        and ResourceId is not null
        and (
            (ProviderName = 'Google Cloud' and SkuMeter = 'Static Ip Charge')
            or (ProviderName = 'AWS' and x_UsageType like '%IdleAddress%')
            or (
                ProviderName = 'Microsoft'
                and ResourceId ilike '%/providers/microsoft.network/publicipaddresses/%'
            )
        )
),

public_ip_usage as (
    select
        billing_month,
        ProviderName as provider,
        ResourceId as resource_id,
        BillingCurrency as billing_currency,
        any_value(SubAccountId) as sub_account_id,
        any_value(ServiceName) as service_name,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost,
        bool_or(tmp_is_idle_sku) as tmp_idle_sku,
        coalesce(sum(ConsumedQuantity) filter (where tmp_is_address), 0) as tmp_hours,
        coalesce(sum(ConsumedQuantity) filter (where tmp_is_transfer), 0) as tmp_gb
    from public_ip_rows
    group by billing_month, ProviderName, ResourceId, BillingCurrency
),

idle_public_ip as (
    select
        billing_month,
        provider,
        'idle_public_ip' as check_name,
        resource_id,
        sub_account_id,
        service_name,
        billing_currency,
        x_team,
        monthly_cost,
        cast(monthly_cost * idle_public_ip_savings as decimal(38, 12))
            as estimated_monthly_savings,
        case
            when tmp_idle_sku then 'idle public IP: billed as an unused reserved address'
            else
                'idle public IP: <= ' || cast(public_ip_idle_gb_per_month as double)
                || ' GB transferred in the month (' || round(tmp_gb, 3) || ' GB over '
                || cast(round(tmp_hours) as integer) || ' h)'
        end || '; savings = cost * ' || cast(idle_public_ip_savings as double) as assumptions,
        'Release the address if nothing needs it (a DNS record or allow-list may still point '
        || 'at it).' as recommendation
    from public_ip_usage, params
    where tmp_idle_sku or (tmp_hours > 0 and tmp_gb <= public_ip_idle_gb_per_month)
),

-- Old snapshots: first billed >= N months before the month, over every loaded month.
snapshot_first as (
    select ResourceId as resource_id, min(billing_month) as first_billed_month
    from costs
    where ProviderName = 'AWS' and x_UsageType like '%EBS:SnapshotUsage%'
    group by all
),

old_snapshot as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        'old_snapshot' as check_name,
        usage.ResourceId as resource_id,
        any_value(usage.SubAccountId) as sub_account_id,
        any_value(usage.ServiceName) as service_name,
        usage.BillingCurrency as billing_currency,
        any_value(usage.x_Team) as x_team,
        sum(usage.EffectiveCost) as monthly_cost,
        sum(usage.EffectiveCost) as estimated_monthly_savings,
        'old snapshot (AWS CID): first billed ' || strftime(any_value(snapshots.first_billed_month), '%Y-%m')
        || ', >= ' || any_value(params.snapshot_age_months)
        || ' months before; savings = full cost' as assumptions,
        'Delete the snapshot, or archive it (EBS Snapshots Archive) if it must be kept.'
            as recommendation
    from month_costs as usage
    inner join snapshot_first as snapshots on snapshots.resource_id = usage.ResourceId
    cross join params
    where usage.ProviderName = 'AWS'
        and usage.ChargeCategory = 'Usage'
        and usage.x_UsageType like '%EBS:SnapshotUsage%'
        and usage.billing_month >= snapshots.first_billed_month
            + to_months(params.snapshot_age_months)
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
),

-- Idle S3 Standard: storage billed in each of the last N months (this one included) and no
-- PUT/COPY/POST/LIST (Tier1) or GET (Tier2) requests in any of them.
s3_months as (
    select
        billing_month,
        ResourceId as resource_id,
        sum(
            case when x_UsageType like '%TimedStorage-ByteHrs' then EffectiveCost end
        ) as tmp_standard_cost,
        coalesce(
            sum(
                case
                    when x_UsageType like '%Requests-Tier1' or x_UsageType like '%Requests-Tier2'
                        then ConsumedQuantity
                end
            ),
            0
        ) as tmp_requests
    from costs
    where ProviderName = 'AWS'
        and x_ServiceCode = 'AmazonS3'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
    group by all
),

s3_idle_buckets as (
    select current_month.billing_month, current_month.resource_id
    from s3_months as current_month
    cross join params
    inner join s3_months as window_month
        on window_month.resource_id = current_month.resource_id
        and window_month.billing_month
            > current_month.billing_month - to_months(params.s3_idle_months)
        and window_month.billing_month <= current_month.billing_month
    group by current_month.billing_month, current_month.resource_id
    having count(*) filter (where window_month.tmp_standard_cost > 0)
            = any_value(params.s3_idle_months)
        and sum(window_month.tmp_requests) = 0
),

idle_s3_standard as (
    select
        usage.billing_month,
        usage.ProviderName as provider,
        'idle_s3_standard' as check_name,
        usage.ResourceId as resource_id,
        any_value(usage.SubAccountId) as sub_account_id,
        any_value(usage.ServiceName) as service_name,
        usage.BillingCurrency as billing_currency,
        any_value(usage.x_Team) as x_team,
        sum(usage.EffectiveCost) as monthly_cost,
        cast(
            sum(usage.EffectiveCost) * any_value(params.s3_idle_savings) as decimal(38, 12)
        ) as estimated_monthly_savings,
        'idle S3 Standard (AWS CID): no requests for ' || any_value(params.s3_idle_months)
        || ' months; savings = Standard storage cost * '
        || cast(any_value(params.s3_idle_savings) as double) as assumptions,
        'Add a lifecycle rule to a colder class (Standard-IA, Glacier Instant Retrieval) or '
        || 'delete the data if nobody needs it.' as recommendation
    from month_costs as usage
    inner join s3_idle_buckets as idle
        on idle.resource_id = usage.ResourceId and idle.billing_month = usage.billing_month
    cross join params
    where usage.ChargeCategory = 'Usage' and usage.x_UsageType like '%TimedStorage-ByteHrs'
    group by usage.billing_month, usage.ProviderName, usage.ResourceId, usage.BillingCurrency
),

-- Commitment coverage gap: on-demand hours of commitment-eligible compute (EC2, RDS instances,
-- Lambda; Azure VMs; GCP Compute Engine cores and RAM). A commitment is bought for a portfolio,
-- so per resource this is showback of the uncovered cost, not a purchase recommendation.
commitment_coverage_gap as (
    select
        billing_month,
        ProviderName as provider,
        'commitment_coverage_gap' as check_name,
        ResourceId as resource_id,
        any_value(SubAccountId) as sub_account_id,
        any_value(ServiceName) as service_name,
        BillingCurrency as billing_currency,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost,
        cast(
            sum(EffectiveCost) * any_value(params.commitment_coverage_savings)
            as decimal(38, 12)
        ) as estimated_monthly_savings,
        'commitment coverage gap (AWS CID): savings = on-demand cost * '
        || cast(any_value(params.commitment_coverage_savings) as double)
        || '; overlaps the other compute findings of the resource, do not add them'
            as assumptions,
        'Cover steady on-demand usage with a Savings Plan, reservation or committed use '
        || 'discount sized on the account''s baseline.' as recommendation
    from month_costs
    cross join params
    where ChargeCategory = 'Usage'
        and PricingCategory = 'Standard'
        and CommitmentDiscountId is null
        and ResourceId is not null
        and (
            (
                ProviderName = 'AWS'
                and (
                    (x_UsageType like '%BoxUsage:%' and x_UsageType not like '%SpotUsage%')
                    or (
                        x_ServiceCode = 'AmazonRDS'
                        and (x_UsageType like '%InstanceUsage:%' or x_UsageType like '%Multi-AZUsage:%')
                    )
                    or x_UsageType like '%Lambda-GB-Second%'
                )
            )
            or (ProviderName = 'Microsoft' and ServiceName = 'Virtual Machines')
            or (
                ProviderName = 'Google Cloud'
                and ServiceName = 'Compute Engine'
                and (SkuMeter like '%Instance Core%' or SkuMeter like '%Instance Ram%')
            )
        )
    group by billing_month, ProviderName, ResourceId, BillingCurrency
),

-- Unused commitments (any provider): the amortized cost of the unused part.
unused_commitment as (
    select
        billing_month,
        ProviderName as provider,
        'unused_commitment' as check_name,
        CommitmentDiscountId as resource_id,
        any_value(SubAccountId) as sub_account_id,
        any_value(ServiceName) as service_name,
        BillingCurrency as billing_currency,
        any_value(x_Team) as x_team,
        sum(EffectiveCost) as monthly_cost,
        sum(EffectiveCost) as estimated_monthly_savings,
        'unused commitment (FOCUS): Σ EffectiveCost where CommitmentDiscountStatus = Unused; '
        || 'savings = full unused cost' as assumptions,
        'Reduce or exchange the ' || coalesce(lower(any_value(CommitmentDiscountCategory)), '')
        || ' commitment, or move eligible usage onto it.' as recommendation
    from month_costs
    where CommitmentDiscountStatus = 'Unused' and CommitmentDiscountId is not null
    group by billing_month, ProviderName, CommitmentDiscountId, BillingCurrency
    having sum(EffectiveCost) > 0
),

findings as (
    select * from gp2_volume
    union all by name
    select * from previous_generation
    union all by name
    select * from processor_candidate
    union all by name
    select * from idle_nat_gateway
    union all by name
    select * from old_snapshot
    union all by name
    select * from idle_s3_standard
    union all by name
    select * from commitment_coverage_gap
    union all by name
    select * from unused_commitment
    union all by name
    select * from previous_generation_series
    union all by name
    select * from unattached_disk
    union all by name
    select * from idle_public_ip
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
