-- stg_gcp__billing: Google Cloud Billing export rows as FOCUS 1.2 columns.
-- Grain: one row per export row (cost_type regular, tax, adjustment, rounding_error), plus one
-- row per element of that row's `credits` list.
-- Credits: GCP nets credits (SUD, CUD, promotions, free tier, discounts) on the usage row; FOCUS
--   wants them as their own charges, so each credit is a ChargeCategory 'Credit' row with
--   BilledCost = EffectiveCost = ListCost = ContractedCost = its (negative) amount, the same
--   dimensions as its usage row, ChargeDescription from the credit's full name / name, and
--   x_ChargeType = the credit type. Σ BilledCost = Σ cost + Σ credits = the invoice.
-- ChargeCategory: regular -> Usage (Purchase for commitment fee SKUs "Commitment ..."),
--   tax -> Tax, adjustment and rounding_error -> Adjustment (FOCUS: charges that fit no other
--   category). ChargeClass 'Correction' when an adjustment (cost_type or adjustment_info) is
--   for usage before its invoice month; late-reported regular usage is not a correction.
-- Commitments: usage rows carrying a CUD credit (COMMITTED_USAGE_DISCOUNT -> Usage,
--   COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE / FEE_UTILIZATION_OFFSET -> Spend) get
--   CommitmentDiscount* from that credit, status 'Used'; fee rows get them from the SKU.
-- Resource-based CUD fees ("Commitment v1: Cpu ...") are purchases that cover eligible usage,
--   so FOCUS wants their EffectiveCost 0 and the fee in the EffectiveCost of what it covered.
--   GCP does not amortize, so it is done here, per billing account, day and resource kind
--   (the fee SKU's "Cpu"/"Ram" = the credit's "CPU"/"RAM"): the usage the commitment covered
--   is each covered row's quantity times the share of its cost the CUD credit offsets; the
--   used fraction u = min(1, covered / committed quantity of the day's fees). Each fee row's
--   unused part, fee x (1 - u), becomes a Usage row (BilledCost 0, CommitmentDiscountStatus
--   'Unused', ResourceId = the commitment); the used rest is spread over the covered usage
--   rows by covered quantity (EffectiveCost = cost + share; the CUD credit stays its own
--   Credit row), the last 1e-12 on the largest share, so both sums are unchanged to the
--   digit. A fee with no covered usage that day names no commitment and stays as billed.
--   Grain: plus one row per fee row with an unused part. Several regional commitments of
--   one kind in an account share one used fraction (fee rows may carry no region).
-- Prices: ListCost = cost_at_list, ContractedCost = cost_at_effective_price_default (the
--   negotiated price before a spend-based CUD's consumption model), both falling back to cost;
--   unit prices are price.* per one pricing unit, so × PricingQuantity
--   (usage.amount_in_pricing_units) gives the cost. PublisherName is seller_name for
--   third-party (Marketplace) rows, else Google Cloud.
-- Tags: one JSON object, finalized as the FOCUS Tags spec describes: project labels are
--   inherited by every row of the project, a resource label with the same key wins; system
--   labels keep their provider-prefixed keys (compute.googleapis.com/...); resource manager
--   tags use GCP's namespaced key (namespace/key). So Tags->>'team' works whether the team is
--   labelled on the project or on the resource.
with

billing as (
    select * from raw_gcp_billing
),

classified as (
    select
        *,
        list_filter(
            credits,
            lambda tmp_c: tmp_c.type in (
                'COMMITTED_USAGE_DISCOUNT',
                'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE',
                'FEE_UTILIZATION_OFFSET'
            )
        )[1] as tmp_cud,
        case
            when cost_type = 'tax' then 'Tax'
            when cost_type in ('adjustment', 'rounding_error') then 'Adjustment'
            when sku_description ilike 'commitment%' then 'Purchase'
            else 'Usage'
        end as tmp_category,
        case
            when (cost_type = 'adjustment' or adjustment_info_id is not null)
                and usage_start_time < x_billing_period
                then 'Correction'
        end as tmp_class,
        nullif(
            cast(
                json_merge_patch(
                    coalesce(project_labels, '{}'),
                    coalesce(labels, '{}'),
                    coalesce(system_labels, '{}'),
                    coalesce(tags, '{}')
                ) as varchar
            ),
            '{}'
        ) as tmp_tags
    from billing
),

charges as (
    select
        *,
        false as tmp_is_credit,
        cast(null as struct("name" varchar, amount decimal(38, 12), full_name varchar, id varchar, "type" varchar))
            as tmp_credit
    from classified
),

credit_rows as (
    select
        *,
        true as tmp_is_credit,
        unnest(credits) as tmp_credit
    from classified
),

line_items as (
    select * from charges
    union all by name
    select * from credit_rows
),

costed as (
    select
        *,
        case when tmp_is_credit then 'Credit' else tmp_category end as tmp_charge_category,
        case when tmp_is_credit then tmp_credit.amount else coalesce(cost, 0) end as tmp_billed,
        case when tmp_is_credit then tmp_credit else tmp_cud end as tmp_commitment_credit,
        case
            when tmp_category = 'Purchase' then 'Recurring'
            when tmp_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as tmp_frequency,
        tmp_category = 'Purchase' or (not tmp_is_credit and tmp_category = 'Usage' and tmp_cud is not null)
            as tmp_is_commitment_row
    from line_items
),

commitments as (
    select
        *,
        case
            when tmp_commitment_credit.type = 'COMMITTED_USAGE_DISCOUNT' then 'Usage'
            when tmp_commitment_credit.type in ('COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE', 'FEE_UTILIZATION_OFFSET')
                then 'Spend'
            when tmp_category = 'Purchase' and not tmp_is_credit
                then case when sku_description ilike '%dollar based%' then 'Spend' else 'Usage' end
        end as tmp_commitment_category
    from costed
),

cud_keyed as (
    select
        *,
        case
            when tmp_charge_category = 'Purchase' and tmp_commitment_category = 'Usage' then 'fee'
            when not tmp_is_credit and tmp_cud.type = 'COMMITTED_USAGE_DISCOUNT' and coalesce(cost, 0) > 0
                then 'usage'
        end as tmp_cud_role,
        case
            when tmp_charge_category = 'Purchase'
                then lower(regexp_extract(sku_description, '^commitment v1: (.+?) in ', 1, 'i'))
            when not tmp_is_credit then lower(trim(regexp_extract(tmp_cud.name, ':([^:]+)$', 1)))
        end as tmp_cud_kind
    from commitments
),

cud_quantities as (
    select
        *,
        case
            when tmp_cud_role = 'usage'
                then least(
                    usage_amount_in_pricing_units,
                    cast(usage_amount_in_pricing_units * (-tmp_cud.amount) as double) / cost
                )
        end as tmp_covered,
        case when tmp_cud_role = 'fee' then usage_amount_in_pricing_units end as tmp_committed
    from cud_keyed
),

cud_pools as (
    select
        *,
        sum(tmp_covered) over tmp_pool as tmp_pool_covered,
        sum(tmp_committed) over tmp_pool as tmp_pool_committed,
        max(case when tmp_cud_role = 'usage' then tmp_cud.id end) over tmp_pool as tmp_pool_commitment
    from cud_quantities
    window tmp_pool as (
        partition by billing_account_id, x_billing_period, date_trunc('day', usage_start_time), tmp_cud_kind,
            tmp_cud_role is not null
    )
),

cud_unused as (
    select
        *,
        case
            when tmp_cud_role = 'fee' and tmp_pool_covered > 0 and tmp_pool_committed > 0
                then cast(
                    tmp_billed * (1 - least(1, tmp_pool_covered / tmp_pool_committed))
                    as decimal(38, 12)
                )
        end as tmp_unused
    from cud_pools
),

cud_used as (
    select
        *,
        sum(case when tmp_unused is not null then tmp_billed - tmp_unused end) over tmp_pool as tmp_pool_used
    from cud_unused
    window tmp_pool as (
        partition by billing_account_id, x_billing_period, date_trunc('day', usage_start_time), tmp_cud_kind,
            tmp_cud_role is not null
    )
),

cud_shares as (
    select
        *,
        case
            when tmp_cud_role = 'usage' and tmp_pool_used is not null
                then cast(tmp_pool_used * tmp_covered / tmp_pool_covered as decimal(38, 12))
        end as tmp_share_rounded,
        row_number() over (
            partition by billing_account_id, x_billing_period, date_trunc('day', usage_start_time), tmp_cud_kind,
                tmp_cud_role
            order by tmp_covered desc, project_id, resource_name, sku_id, usage_start_time, cost
        ) as tmp_share_rank
    from cud_used
),

cud_amortized as (
    select
        * replace (
            case
                when tmp_share_rounded is null then null
                when tmp_share_rank = 1
                    then tmp_share_rounded + tmp_pool_used - sum(tmp_share_rounded) over (
                        partition by billing_account_id, x_billing_period, date_trunc('day', usage_start_time),
                            tmp_cud_kind, tmp_cud_role
                    )
                else tmp_share_rounded
            end as tmp_share_rounded
        )
    from cud_shares
),

-- a fee with an unused part is read twice: its Purchase, and the unused Usage
amortized as (
    select
        *,
        'line' as tmp_part,
        case
            when tmp_unused is not null then 0
            else tmp_billed + coalesce(tmp_share_rounded, 0)
        end as tmp_effective
    from cud_amortized
    union all
    select
        * replace (
            0 as tmp_billed,
            'Usage' as tmp_charge_category,
            'Usage-Based' as tmp_frequency
        ),
        'unused' as tmp_part,
        tmp_unused as tmp_effective
    from cud_amortized
    where tmp_unused is not null and tmp_unused <> 0
),

final as (
    select
        location_zone as AvailabilityZone,
        tmp_billed as BilledCost,
        billing_account_id as BillingAccountId,
        cast(null as varchar) as BillingAccountName,
        'Billing Account' as BillingAccountType,
        currency as BillingCurrency,
        cast(x_billing_period + interval 1 month as timestamp) as BillingPeriodEnd,
        cast(x_billing_period as timestamp) as BillingPeriodStart,
        cast(null as varchar) as CapacityReservationId,
        cast(null as varchar) as CapacityReservationStatus,
        tmp_charge_category as ChargeCategory,
        tmp_class as ChargeClass,
        case
            when tmp_is_credit
                then coalesce(
                    nullif(tmp_credit.full_name, ''),
                    nullif(tmp_credit.name, ''),
                    nullif(tmp_credit.id, ''),
                    tmp_credit.type
                )
            else coalesce(adjustment_info_description, sku_description)
        end as ChargeDescription,
        tmp_frequency as ChargeFrequency,
        coalesce(usage_end_time, usage_start_time) as ChargePeriodEnd,
        usage_start_time as ChargePeriodStart,
        tmp_commitment_category as CommitmentDiscountCategory,
        case
            when tmp_commitment_category is not null
                then coalesce(
                    subscription_instance_id,
                    tmp_commitment_credit.id,
                    case when tmp_cud_role = 'fee' then tmp_pool_commitment end
                )
        end as CommitmentDiscountId,
        case
            when tmp_commitment_category is not null
                then coalesce(
                    nullif(tmp_commitment_credit.full_name, ''),
                    nullif(tmp_commitment_credit.name, ''),
                    sku_description
                )
        end as CommitmentDiscountName,
        cast(null as decimal(38, 12)) as CommitmentDiscountQuantity,
        case
            when tmp_part = 'unused' then 'Unused'
            when tmp_charge_category = 'Usage' and tmp_commitment_category is not null then 'Used'
        end as CommitmentDiscountStatus,
        case when tmp_commitment_category is not null then 'Committed Use Discount' end
            as CommitmentDiscountType,
        cast(null as varchar) as CommitmentDiscountUnit,
        case when tmp_charge_category = 'Usage' and tmp_part = 'line' then usage_amount end as ConsumedQuantity,
        case when tmp_charge_category = 'Usage' and tmp_part = 'line' then usage_unit end as ConsumedUnit,
        case
            when tmp_part = 'unused' then 0
            when tmp_charge_category in ('Usage', 'Purchase')
                then coalesce(cost_at_effective_price_default, tmp_billed)
            else tmp_billed
        end as ContractedCost,
        case
            when tmp_charge_category in ('Usage', 'Purchase')
                then cast(coalesce(price_effective_price_default, price_effective_price) as double)
                    / coalesce(nullif(price_pricing_unit_quantity, 0), 1)
        end as ContractedUnitPrice,
        tmp_effective as EffectiveCost,
        cast(null as varchar) as InvoiceId,
        'Google' as InvoiceIssuerName,
        case
            when tmp_part = 'unused' then 0
            when tmp_charge_category in ('Usage', 'Purchase') then coalesce(cost_at_list, tmp_billed)
            else tmp_billed
        end as ListCost,
        case
            when tmp_charge_category in ('Usage', 'Purchase')
                then cast(price_list_price as double)
                    / coalesce(nullif(price_pricing_unit_quantity, 0), 1)
        end as ListUnitPrice,
        case
            when tmp_charge_category not in ('Usage', 'Purchase') then null
            when tmp_is_commitment_row then 'Committed'
            when sku_description ilike '%spot%' or sku_description ilike '%preemptible%' then 'Dynamic'
            else 'Standard'
        end as PricingCategory,
        cast(null as varchar) as PricingCurrency,
        cast(null as decimal(38, 12)) as PricingCurrencyContractedUnitPrice,
        cast(null as decimal(38, 12)) as PricingCurrencyEffectiveCost,
        cast(null as decimal(38, 12)) as PricingCurrencyListUnitPrice,
        case
            when tmp_charge_category in ('Usage', 'Purchase') then usage_amount_in_pricing_units
        end as PricingQuantity,
        case when tmp_charge_category in ('Usage', 'Purchase') then usage_pricing_unit end as PricingUnit,
        'Google Cloud' as ProviderName,
        case
            when transaction_type like 'THIRD_PARTY%' or invoice_publisher_type = 'PARTNER'
                then coalesce(seller_name, service_description)
            else 'Google Cloud'
        end as PublisherName,
        location_region as RegionId,
        cast(null as varchar) as RegionName,
        case
            when tmp_part = 'unused' then tmp_pool_commitment
            else coalesce(resource_global_name, resource_name)
        end as ResourceId,
        resource_name as ResourceName,
        cast(null as varchar) as ResourceType,
        cast(null as varchar) as ServiceCategory,
        service_description as ServiceName,
        cast(null as varchar) as ServiceSubcategory,
        sku_description as SkuMeter,
        sku_id as SkuId,
        cast(null as varchar) as SkuPriceId,
        cast(null as varchar) as SkuPriceDetails,
        project_id as SubAccountId,
        project_name as SubAccountName,
        'Project' as SubAccountType,
        tmp_tags as Tags,
        service_id as x_ServiceCode,
        cast(null as varchar) as x_UsageType,
        cast(null as varchar) as x_Operation,
        case when tmp_is_credit then tmp_credit.type else cost_type end as x_ChargeType,
        system_labels ->> '$."compute.googleapis.com/machine_spec"' as x_InstanceType,
        cast(null as varchar) as x_VolumeApiName,
        x_source_name as x_SourceName,
        x_source_format as x_SourceFormat,
        x_source_file as x_SourceFile,
        x_load_id as x_LoadId,
        x_billing_period
    from amortized
)

select * from final
