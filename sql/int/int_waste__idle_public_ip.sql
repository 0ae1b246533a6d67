-- int_waste__idle_public_ip: public IP addresses nothing uses (GCP static IP charge, AWS idle
-- Elastic IP, Azure public IP carrying at most public_ip_idle_gb_per_month GB).
-- Grain: one row per billing month x address x billing currency.
-- Formula: savings = the address's cost x idle_public_ip_savings.
-- Parameters (named): $period, $public_ip_idle_gb_per_month, $idle_public_ip_savings.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

month_costs as (
    select * from int_waste_month_costs
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
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        bool_or(tmp_is_idle_sku) as tmp_idle_sku,
        coalesce(sum(ConsumedQuantity) filter (where tmp_is_address), 0) as tmp_hours,
        coalesce(sum(ConsumedQuantity) filter (where tmp_is_transfer), 0) as tmp_gb
    from public_ip_rows
    group by billing_month, ProviderName, ResourceId, BillingCurrency
),

public_ip_findings as (
    select
        public_ip_usage.*,
        'idle_public_ip' as check_name,
        finops_waste_share_of(monthly_cost, idle_public_ip_savings) as estimated_monthly_savings,
        case
            when tmp_idle_sku then 'idle public IP: billed as an unused reserved address'
            else
                'idle public IP: <= ' || cast(public_ip_idle_gb_per_month as double)
                || ' GB transferred in the month (' || round(tmp_gb, 3) || ' GB over '
                || cast(round(tmp_hours) as integer) || ' h)'
        end || '; savings = cost * ' || cast(idle_public_ip_savings as double) as assumptions,
        'Release the address if nothing needs it (a DNS record or allow-list may still point '
        || 'at it).' as recommendation
    from public_ip_usage
    cross join params
    where tmp_idle_sku or (tmp_hours > 0 and tmp_gb <= public_ip_idle_gb_per_month)
),

idle_public_ip as (
    select * exclude (tmp_idle_sku, tmp_hours, tmp_gb)
    from public_ip_findings
)

select * from idle_public_ip
