-- focus_costs: the unified FOCUS 1.2 cost table, one row per charge from every source.
-- Grain: one row per provider charge line (GCP credits are their own Credit rows).
-- Columns keep the exact FOCUS names and types so the FinOps Foundation's use-case queries
-- run unchanged; our additions start with x_. Money is DECIMAL(38, 12), never DOUBLE.
-- Reads stg_all: the union (by name) of every sql/staging/*.sql view, made by
-- finops_pipeline/core/focus.py. ServiceCategory comes from ref_service_category (data in
-- finops_pipeline/mappings/service_category.csv) unless the source states it.
-- Rules every source gets here, from data in finops_pipeline/mappings/ (core/reference.py):
--   * PricingUnit and ConsumedUnit in the FOCUS Unit Format (pricing_units.csv); a spelling
--     not in the table passes through as the source wrote it.
--   * RegionName from the region code (regions.csv) where the source names none.
--   * InvoiceIssuerName is the ProviderName when the issuer is one of the provider's own legal
--     entities (provider_entities.csv); the entity the source named stays in
--     x_InvoiceIssuerEntity. FOCUS tells a third party's charge (BilledCost 0) from the
--     provider's own by comparing the two names.
--   * PricingQuantity and PricingUnit are null on Tax rows (FOCUS 1.2); the commitment
--     discount's category, name and type only where it has an id, and SkuMeter only
--     where there is a SkuId (the usage type stays in x_UsageType).
--   * ServiceName is never null: the service code, else the provider, when the export has no
--     service on the line (Azure reservation purchases, unused savings plan hours).
--   * FOCUS 1.3: ServiceProviderName is the seller (the publisher of a marketplace charge,
--     else the provider); HostProviderName the provider whose platform runs it. A FOCUS 1.3
--     file's own values win. ProviderName and PublisherName (deprecated in 1.3) stay filled.
with

staged as (
    select * from stg_all
),

categories as (
    select
        provider,
        lower(service_key) as service_key,
        -- one value per group: a reference CSV has one row per key (tests/unit/test_reference_keys.py)
        any_value(service_category) as service_category,
        any_value(service_subcategory) as service_subcategory
    from ref_service_category
    group by all
),

-- One row per provider with its entity patterns: matched per charge in a list lambda, not a
-- correlated exists (which DuckDB answers with a delim join that buffers every row).
entities as (
    select provider, list(entity_like) as entity_likes
    from ref_provider_entity
    group by all
),

units as (
    -- one value per group: a reference CSV has one row per key (tests/unit/test_reference_keys.py)
    select provider, unit, any_value(focus_unit) as focus_unit
    from ref_pricing_unit
    group by all
),

regions as (
    -- one value per group: a reference CSV has one row per key (tests/unit/test_reference_keys.py)
    select provider, lower(region_id) as region_id, any_value(region_name) as region_name
    from ref_region
    group by all
),

categorised as (
    select
        staged.*,
        coalesce(
            list_bool_or(list_transform(entities.entity_likes, lambda e: staged.InvoiceIssuerName like e)),
            false
        ) as tmp_issuer_is_provider,
        staged.PublisherName is null
        or staged.PublisherName = staged.ProviderName
        or coalesce(
            list_bool_or(list_transform(entities.entity_likes, lambda e: staged.PublisherName like e)),
            false
        ) as tmp_publisher_is_provider,
        coalesce(pricing_unit.focus_unit, staged.PricingUnit) as tmp_pricing_unit,
        coalesce(consumed_unit.focus_unit, staged.ConsumedUnit) as tmp_consumed_unit,
        coalesce(staged.RegionName, region.region_name) as tmp_region_name,
        coalesce(
            nullif(staged.ServiceCategory, ''),
            by_code.service_category,
            by_name.service_category,
            'Other'
        ) as tmp_service_category,
        coalesce(
            nullif(staged.ServiceSubcategory, ''),
            case
                when nullif(staged.ServiceCategory, '') is null
                    or staged.ServiceCategory = coalesce(by_code.service_category, by_name.service_category)
                    then coalesce(by_code.service_subcategory, by_name.service_subcategory)
            end,
            'Other ('
            || coalesce(
                nullif(staged.ServiceCategory, ''),
                by_code.service_category,
                by_name.service_category,
                'Other'
            )
            || ')'
        ) as tmp_service_subcategory
    from staged
    left join entities
        on entities.provider = staged.ProviderName
    left join categories as by_code
        on by_code.provider = staged.ProviderName
        and by_code.service_key = lower(staged.x_ServiceCode)
    left join categories as by_name
        on by_name.provider = staged.ProviderName
        and by_name.service_key = lower(staged.ServiceName)
    left join units as pricing_unit
        on pricing_unit.provider = staged.ProviderName
        and pricing_unit.unit = staged.PricingUnit
    left join units as consumed_unit
        on consumed_unit.provider = staged.ProviderName
        and consumed_unit.unit = staged.ConsumedUnit
    left join regions as region
        on region.provider = staged.ProviderName
        and region.region_id = lower(staged.RegionId)
),

final as (
    select
        cast(AvailabilityZone as varchar) as AvailabilityZone,
        cast(BilledCost as decimal(38, 12)) as BilledCost,
        cast(BillingAccountId as varchar) as BillingAccountId,
        cast(BillingAccountName as varchar) as BillingAccountName,
        cast(BillingAccountType as varchar) as BillingAccountType,
        cast(BillingCurrency as varchar) as BillingCurrency,
        cast(BillingPeriodEnd as timestamp) as BillingPeriodEnd,
        cast(BillingPeriodStart as timestamp) as BillingPeriodStart,
        cast(CapacityReservationId as varchar) as CapacityReservationId,
        cast(CapacityReservationStatus as varchar) as CapacityReservationStatus,
        cast(ChargeCategory as varchar) as ChargeCategory,
        cast(ChargeClass as varchar) as ChargeClass,
        cast(ChargeDescription as varchar) as ChargeDescription,
        cast(ChargeFrequency as varchar) as ChargeFrequency,
        cast(ChargePeriodEnd as timestamp) as ChargePeriodEnd,
        cast(ChargePeriodStart as timestamp) as ChargePeriodStart,
        cast(case when CommitmentDiscountId is not null then CommitmentDiscountCategory end as varchar)
            as CommitmentDiscountCategory,
        cast(CommitmentDiscountId as varchar) as CommitmentDiscountId,
        cast(case when CommitmentDiscountId is not null then CommitmentDiscountName end as varchar)
            as CommitmentDiscountName,
        cast(CommitmentDiscountQuantity as decimal(38, 12)) as CommitmentDiscountQuantity,
        cast(CommitmentDiscountStatus as varchar) as CommitmentDiscountStatus,
        cast(case when CommitmentDiscountId is not null then CommitmentDiscountType end as varchar)
            as CommitmentDiscountType,
        cast(CommitmentDiscountUnit as varchar) as CommitmentDiscountUnit,
        cast(ConsumedQuantity as decimal(38, 12)) as ConsumedQuantity,
        cast(tmp_consumed_unit as varchar) as ConsumedUnit,
        cast(ContractedCost as decimal(38, 12)) as ContractedCost,
        cast(ContractedUnitPrice as decimal(38, 12)) as ContractedUnitPrice,
        cast(EffectiveCost as decimal(38, 12)) as EffectiveCost,
        cast(InvoiceId as varchar) as InvoiceId,
        cast(case when tmp_issuer_is_provider then ProviderName else InvoiceIssuerName end as varchar)
            as InvoiceIssuerName,
        cast(ListCost as decimal(38, 12)) as ListCost,
        cast(ListUnitPrice as decimal(38, 12)) as ListUnitPrice,
        cast(PricingCategory as varchar) as PricingCategory,
        cast(PricingCurrency as varchar) as PricingCurrency,
        cast(PricingCurrencyContractedUnitPrice as decimal(38, 12)) as PricingCurrencyContractedUnitPrice,
        cast(PricingCurrencyEffectiveCost as decimal(38, 12)) as PricingCurrencyEffectiveCost,
        cast(PricingCurrencyListUnitPrice as decimal(38, 12)) as PricingCurrencyListUnitPrice,
        cast(case when ChargeCategory <> 'Tax' then PricingQuantity end as decimal(38, 12))
            as PricingQuantity,
        cast(case when ChargeCategory <> 'Tax' then tmp_pricing_unit end as varchar) as PricingUnit,
        cast(ProviderName as varchar) as ProviderName,
        cast(PublisherName as varchar) as PublisherName,
        cast(RegionId as varchar) as RegionId,
        cast(tmp_region_name as varchar) as RegionName,
        cast(ResourceId as varchar) as ResourceId,
        cast(ResourceName as varchar) as ResourceName,
        cast(ResourceType as varchar) as ResourceType,
        cast(tmp_service_category as varchar) as ServiceCategory,
        cast(coalesce(ServiceName, x_ServiceCode, ProviderName) as varchar) as ServiceName,
        cast(tmp_service_subcategory as varchar) as ServiceSubcategory,
        cast(SkuId as varchar) as SkuId,
        cast(case when SkuId is not null then SkuMeter end as varchar) as SkuMeter,
        cast(SkuPriceDetails as json) as SkuPriceDetails,
        cast(SkuPriceId as varchar) as SkuPriceId,
        cast(SubAccountId as varchar) as SubAccountId,
        cast(SubAccountName as varchar) as SubAccountName,
        cast(SubAccountType as varchar) as SubAccountType,
        cast(Tags as json) as Tags,
        cast(
            coalesce(
                ServiceProviderName,
                case when tmp_publisher_is_provider then ProviderName else PublisherName end
            ) as varchar
        ) as ServiceProviderName,
        cast(coalesce(HostProviderName, ProviderName) as varchar) as HostProviderName,
        cast(ContractApplied as json) as ContractApplied,
        cast(AllocatedMethodId as varchar) as AllocatedMethodId,
        cast(AllocatedMethodDetails as json) as AllocatedMethodDetails,
        cast(AllocatedResourceId as varchar) as AllocatedResourceId,
        cast(AllocatedResourceName as varchar) as AllocatedResourceName,
        cast(AllocatedTags as json) as AllocatedTags,
        cast(x_ServiceCode as varchar) as x_ServiceCode,
        cast(x_UsageType as varchar) as x_UsageType,
        cast(x_Operation as varchar) as x_Operation,
        cast(x_ChargeType as varchar) as x_ChargeType,
        cast(x_InstanceType as varchar) as x_InstanceType,
        cast(x_VolumeApiName as varchar) as x_VolumeApiName,
        cast(x_SourceName as varchar) as x_SourceName,
        cast(x_SourceFormat as varchar) as x_SourceFormat,
        cast(x_SourceFile as varchar) as x_SourceFile,
        cast(x_LoadId as varchar) as x_LoadId,
        cast(coalesce(x_InvoicingEntity, InvoiceIssuerName) as varchar) as x_InvoiceIssuerEntity
    from categorised
)

select * from final
