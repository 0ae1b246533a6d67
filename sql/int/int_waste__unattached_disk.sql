-- int_waste__unattached_disk: Azure managed disks and GCP persistent disks named after a VM
-- that was billed in an earlier month and not at all in this one.
-- Grain: one row per billing month x disk x billing currency.
-- Formula: savings = the disk's cost x unattached_disk_savings.
-- Parameters (named): $period, $unattached_disk_savings.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

costs as (
    select * from int_waste_costs
),

month_costs as (
    select * from int_waste_month_costs
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
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        lower(min(ResourceName)) as tmp_disk_name
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

disk_findings as (
    select
        disk.*,
        'unattached_disk' as check_name,
        finops_waste_share_of(disk.monthly_cost, params.unattached_disk_savings)
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

unattached_disk as (
    select * exclude (tmp_disk_name, tmp_vm_name, tmp_first_month)
    from disk_findings
)

select * from unattached_disk
