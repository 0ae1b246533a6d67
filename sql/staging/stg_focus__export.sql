-- stg_focus__export: FOCUS files (any data generator) and AWS's FOCUS export, as FOCUS 1.2.
-- Grain: one row per row of the FOCUS file (raw_focus and raw_aws_focus share column names).
-- The file already speaks FOCUS, so columns pass through as stated, with three exceptions:
--   * BillingPeriodStart is the month key x_billing_period (month of BillingPeriodStart, else
--     ChargePeriodStart), because focus_costs rebuilds and reconciles by it. It equals the
--     file's value whenever the file's period starts at 00:00 UTC on the 1st (AWS, Microsoft,
--     the FOCUS sample data); Google's view starts periods at midnight Pacific time, and that
--     row's BillingPeriodEnd is then the month key plus one month too.
--   * Values of list-of-values columns take the spec's spelling when they differ only in
--     case (Google's view writes 'usage', 'committed'; some files 'Usage-based').
--   * Tags written as a key/value list (Google's view) become a JSON object; the first
--     value of a repeated key wins (resource labels before inherited project labels).
-- 1.0-preview files: ChargeSubcategory 'Used/Unused Commitment' gives CommitmentDiscountStatus
-- and an Adjustment of subcategory 'Credit' is ChargeCategory Credit, as FOCUS 1.0 defines.
-- EffectiveCost falls back to BilledCost only when the file has none.
-- Two MUSTs some files break (the FOCUS sample data, AWS's FOCUS export, which lists the
-- second as a conformance gap) are filled where the spec says what the value is:
--   * ContractedCost is BilledCost where the file has neither it nor a ContractedUnitPrice
--     (FOCUS 1.2: with ContractedUnitPrice null, a charge's ContractedCost matches its
--     BilledCost; a Tax row's would follow its taxed charges, which the row does not name).
--   * PricingUnit where PricingQuantity is set without one: 'Hours' on an AWS recurring
--     commitment fee (billed per hour of the term), else 'Units' (a count of what was bought),
--     the units stg_aws__cur gives the same CUR lines.
-- FOCUS 1.3 columns (ServiceProviderName, HostProviderName, ContractApplied, Allocated*) pass
-- through; focus_costs derives the first two for older files.
with

focus_rows as (
    select * from raw_focus
    union all by name
    select * from raw_aws_focus
),

spelled as (
    select
        *,
        coalesce(
            list_filter(
                ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
                lambda v: lower(v) = lower(ChargeCategory)
            )[1],
            ChargeCategory
        ) as tmp_charge_category,
        coalesce(
            list_filter(['Correction'], lambda v: lower(v) = lower(ChargeClass))[1],
            ChargeClass
        ) as tmp_charge_class,
        coalesce(
            list_filter(
                ['One-Time', 'Recurring', 'Usage-Based'],
                lambda v: lower(v) = lower(ChargeFrequency)
            )[1],
            ChargeFrequency
        ) as tmp_charge_frequency,
        coalesce(
            list_filter(
                ['Standard', 'Dynamic', 'Committed', 'Other'],
                lambda v: lower(v) = lower(PricingCategory)
            )[1],
            PricingCategory
        ) as tmp_pricing_category,
        coalesce(
            list_filter(['Spend', 'Usage'], lambda v: lower(v) = lower(CommitmentDiscountCategory))[1],
            CommitmentDiscountCategory
        ) as tmp_commitment_category,
        coalesce(
            list_filter(['Used', 'Unused'], lambda v: lower(v) = lower(CommitmentDiscountStatus))[1],
            CommitmentDiscountStatus,
            case lower(ChargeSubcategory)
                when 'used commitment' then 'Used'
                when 'unused commitment' then 'Unused'
            end
        ) as tmp_commitment_status,
        coalesce(
            list_filter(['Used', 'Unused'], lambda v: lower(v) = lower(CapacityReservationStatus))[1],
            CapacityReservationStatus
        ) as tmp_capacity_status,
        case
            when json_type(Tags) = 'ARRAY'
                then from_json(Tags, '[{"key": "VARCHAR", "value": "VARCHAR"}]')
        end as tmp_tag_list
    from focus_rows
),

tagged as (
    select
        *,
        case
            when tmp_tag_list is null then Tags
            else cast(nullif(cast(to_json(map_from_entries(list_transform(
                list_filter(
                    tmp_tag_list,
                    lambda t, i: t.key is not null
                        and list_position(list_transform(tmp_tag_list, lambda u: u.key), t.key) = i
                ),
                lambda t: struct_pack(k := t.key, v := t.value)
            ))) as varchar), '{}') as json)
        end as tmp_tags
    from spelled
),

final as (
    select
        AvailabilityZone,
        coalesce(BilledCost, 0) as BilledCost,
        BillingAccountId,
        BillingAccountName,
        BillingAccountType,
        BillingCurrency,
        case
            when BillingPeriodStart = cast(x_billing_period as timestamp) and BillingPeriodEnd is not null
                then BillingPeriodEnd
            else cast(x_billing_period + interval 1 month as timestamp)
        end as BillingPeriodEnd,
        cast(x_billing_period as timestamp) as BillingPeriodStart,
        CapacityReservationId,
        tmp_capacity_status as CapacityReservationStatus,
        case
            when tmp_charge_category = 'Adjustment' and lower(ChargeSubcategory) = 'credit' then 'Credit'
            else tmp_charge_category
        end as ChargeCategory,
        tmp_charge_class as ChargeClass,
        ChargeDescription,
        tmp_charge_frequency as ChargeFrequency,
        coalesce(ChargePeriodEnd, ChargePeriodStart) as ChargePeriodEnd,
        ChargePeriodStart,
        tmp_commitment_category as CommitmentDiscountCategory,
        CommitmentDiscountId,
        CommitmentDiscountName,
        CommitmentDiscountQuantity,
        tmp_commitment_status as CommitmentDiscountStatus,
        CommitmentDiscountType,
        CommitmentDiscountUnit,
        ConsumedQuantity,
        ConsumedUnit,
        coalesce(ContractedCost, case when ContractedUnitPrice is null then BilledCost end)
            as ContractedCost,
        ContractedUnitPrice,
        coalesce(EffectiveCost, BilledCost, 0) as EffectiveCost,
        InvoiceId,
        InvoiceIssuerName,
        ListCost,
        ListUnitPrice,
        tmp_pricing_category as PricingCategory,
        PricingCurrency,
        PricingCurrencyContractedUnitPrice,
        PricingCurrencyEffectiveCost,
        PricingCurrencyListUnitPrice,
        PricingQuantity,
        case
            when PricingUnit is not null or PricingQuantity is null then PricingUnit
            when ProviderName = 'AWS'
                and tmp_charge_category = 'Purchase'
                and tmp_charge_frequency = 'Recurring'
                and CommitmentDiscountId is not null
                then 'Hours'
            else 'Units'
        end as PricingUnit,
        ProviderName,
        PublisherName,
        RegionId,
        RegionName,
        ResourceId,
        ResourceName,
        ResourceType,
        ServiceCategory,
        ServiceName,
        ServiceSubcategory,
        SkuMeter,
        SkuId,
        SkuPriceId,
        SkuPriceDetails,
        SubAccountId,
        SubAccountName,
        SubAccountType,
        tmp_tags as Tags,
        ServiceProviderName,
        HostProviderName,
        ContractApplied,
        AllocatedMethodId,
        AllocatedMethodDetails,
        AllocatedResourceId,
        AllocatedResourceName,
        AllocatedTags,
        x_ServiceCode,
        x_UsageType,
        x_Operation,
        cast(null as varchar) as x_ChargeType,
        cast(null as varchar) as x_InstanceType,
        cast(null as varchar) as x_VolumeApiName,
        x_source_name as x_SourceName,
        x_source_format as x_SourceFormat,
        x_source_file as x_SourceFile,
        x_load_id as x_LoadId,
        x_billing_period
    from tagged
)

select * from final
