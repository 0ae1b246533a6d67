-- stg_aws__cur: AWS legacy CUR and CUR 2.0 line items as FOCUS 1.2 columns.
-- Grain: one row per CUR line item (raw_aws_cur and raw_aws_cur2 share their column names).
-- EffectiveCost follows the CUR amortization rule (shared/FINOPS_REFERENCE.md):
--   SavingsPlanCoveredUsage -> SavingsPlanEffectiveCost; DiscountedUsage -> reservation
--   EffectiveCost; SavingsPlanNegation, SavingsPlanUpfrontFee, RI upfront Fee -> 0;
--   SavingsPlanRecurringFee -> TotalCommitmentToDate - UsedCommitment (the unused part);
--   RIFee -> UnusedAmortizedUpfrontFeeForBillingPeriod + UnusedRecurringFee; else UnblendedCost.
-- BilledCost is UnblendedCost on every row, so sum(BilledCost) is the invoice.
-- FOCUS wants a commitment's Purchase row at EffectiveCost 0 and its unused part as a Usage
-- row with CommitmentDiscountStatus 'Unused' (ResourceId = CommitmentDiscountId): so a RIFee
-- or SavingsPlanRecurringFee line whose unused part is not 0 gives two rows, the Purchase
-- (BilledCost = the fee, EffectiveCost 0) and the unused Usage (BilledCost 0, EffectiveCost =
-- the unused part). Both sums are unchanged. That is the one place where the grain is not
-- one row per line item.
-- Tax rows: PricingQuantity and PricingUnit null (FOCUS); ListCost is the tax at public
-- prices (pricing/publicOnDemandCost), which CUR computes for tax lines too.
-- ResourceType is the product family only where the line names a resource.
-- CUR 2.0 split cost allocation data (EKS pods, ECS tasks): the split line keeps its money as
-- CUR states it; the origin resource is split_line_item_parent_resource_id and the pod or task
-- becomes the FOCUS 1.3 AllocatedResourceId.
with

line_items as (
    select * from raw_aws_cur
    union all by name
    select * from raw_aws_cur2
),

classified as (
    select
        *,
        line_item_line_item_type as tmp_type,
        coalesce(savings_plan_savings_plan_a_r_n, '') <> '' as tmp_is_sp,
        coalesce(reservation_reservation_a_r_n, '') <> '' as tmp_is_ri,
        coalesce(line_item_unblended_cost, 0) as tmp_billed,
        coalesce(split_line_item_parent_resource_id, '') <> '' as tmp_is_split
    from line_items
),

effective as (
    select
        *,
        case
            when tmp_type = 'SavingsPlanCoveredUsage'
                then coalesce(savings_plan_savings_plan_effective_cost, 0)
            when tmp_type = 'DiscountedUsage' then coalesce(reservation_effective_cost, 0)
            when tmp_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') then 0
            when tmp_type = 'Fee' and tmp_is_ri then 0
            when tmp_type = 'SavingsPlanRecurringFee'
                then coalesce(savings_plan_total_commitment_to_date, 0)
                    - coalesce(savings_plan_used_commitment, 0)
            when tmp_type = 'RIFee'
                then coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
                    + coalesce(reservation_unused_recurring_fee, 0)
            else tmp_billed
        end as tmp_effective,
        case
            when tmp_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation')
                then 'Usage'
            when tmp_type in ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
                then 'Purchase'
            when tmp_type = 'Tax' then 'Tax'
            when tmp_type in ('Credit', 'Refund', 'BundledDiscount', 'Discount', 'EdpDiscount',
                              'PrivateRateDiscount', 'DistributorDiscount')
                then 'Credit'
            else 'Adjustment'
        end as tmp_category
    from classified
),

-- A commitment fee with an unused part is read twice: once as its Purchase, once as the
-- unused Usage (tmp_part = 'unused'). One pass over a two-row list, not a union of two
-- reads of `effective`: DuckDB materialises a CTE read twice (the whole month, spilled).
parts as (
    select * exclude (tmp_parts), unnest(tmp_parts) as tmp_part
    from (
        select
            *,
            case
                when tmp_type in ('RIFee', 'SavingsPlanRecurringFee') and tmp_effective <> 0
                    then ['line', 'unused']
                else ['line']
            end as tmp_parts
        from effective
    )
),

split as (
    select
        * replace (
            case when tmp_part = 'unused' then 0 else tmp_billed end as tmp_billed,
            case
                when tmp_part = 'unused' then tmp_effective
                when tmp_type in ('RIFee', 'SavingsPlanRecurringFee') then 0
                else tmp_effective
            end as tmp_effective,
            case when tmp_part = 'unused' then 'Usage' else tmp_category end as tmp_category
        )
    from parts
),

-- Joined, not a correlated subquery per line (DuckDB would buffer every row for that).
aws_regions as (
    -- one value per group: a reference CSV has one row per key (tests/unit/test_reference_keys.py)
    select region_id, any_value(region_name) as region_name
    from ref_region
    where provider = 'AWS'
    group by all
),

final as (
    select
        line_item_availability_zone as AvailabilityZone,
        tmp_billed as BilledCost,
        bill_payer_account_id as BillingAccountId,
        bill_payer_account_name as BillingAccountName,
        'Billing Account' as BillingAccountType,
        line_item_currency_code as BillingCurrency,
        cast(x_billing_period + interval 1 month as timestamp) as BillingPeriodEnd,
        cast(x_billing_period as timestamp) as BillingPeriodStart,
        cast(null as varchar) as CapacityReservationId,
        cast(null as varchar) as CapacityReservationStatus,
        tmp_category as ChargeCategory,
        case
            when line_item_usage_start_date < bill_billing_period_start_date then 'Correction'
        end as ChargeClass,
        line_item_line_item_description as ChargeDescription,
        case
            when tmp_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
            when tmp_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as ChargeFrequency,
        coalesce(line_item_usage_end_date, line_item_usage_start_date) as ChargePeriodEnd,
        line_item_usage_start_date as ChargePeriodStart,
        case when tmp_is_sp then 'Spend' when tmp_is_ri then 'Usage' end as CommitmentDiscountCategory,
        case
            when tmp_is_sp then savings_plan_savings_plan_a_r_n
            when tmp_is_ri then reservation_reservation_a_r_n
        end as CommitmentDiscountId,
        case
            when tmp_is_sp then regexp_extract(savings_plan_savings_plan_a_r_n, '[^/]+$')
            when tmp_is_ri then regexp_extract(reservation_reservation_a_r_n, '[^/]+$')
        end as CommitmentDiscountName,
        cast(null as decimal(38, 12)) as CommitmentDiscountQuantity,
        case
            -- the negation takes back the on-demand cost of usage the plan covered
            when tmp_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage', 'SavingsPlanNegation')
                then 'Used'
            when tmp_part = 'unused' then 'Unused'
        end as CommitmentDiscountStatus,
        case when tmp_is_sp then 'Savings Plan' when tmp_is_ri then 'Reserved Instance' end
            as CommitmentDiscountType,
        cast(null as varchar) as CommitmentDiscountUnit,
        case when tmp_category = 'Usage' and tmp_part = 'line' then line_item_usage_amount end
            as ConsumedQuantity,
        case
            when tmp_category = 'Usage' and tmp_part = 'line'
                then coalesce(pricing_unit, product_pricing_unit)
        end as ConsumedUnit,
        case
            when tmp_type = 'DiscountedUsage' then coalesce(pricing_public_on_demand_cost, 0)
            else tmp_billed
        end as ContractedCost,
        -- a price is never negative; the negation's sign is in its cost
        case
            when tmp_type = 'SavingsPlanNegation' then abs(line_item_unblended_rate)
            else line_item_unblended_rate
        end as ContractedUnitPrice,
        tmp_effective as EffectiveCost,
        bill_invoice_id as InvoiceId,
        coalesce(bill_invoicing_entity, 'Amazon Web Services, Inc.') as InvoiceIssuerName,
        case
            when tmp_part = 'unused' then 0
            when tmp_category in ('Usage', 'Tax') then coalesce(pricing_public_on_demand_cost, tmp_billed)
            else tmp_billed
        end as ListCost,
        pricing_public_on_demand_rate as ListUnitPrice,
        case
            when tmp_category <> 'Usage' then null
            when tmp_is_sp or tmp_is_ri then 'Committed'
            when pricing_term = 'Spot' or line_item_usage_type like '%SpotUsage%' then 'Dynamic'
            else 'Standard'
        end as PricingCategory,
        line_item_currency_code as PricingCurrency,
        line_item_unblended_rate as PricingCurrencyContractedUnitPrice,
        tmp_effective as PricingCurrencyEffectiveCost,
        pricing_public_on_demand_rate as PricingCurrencyListUnitPrice,
        case when tmp_category <> 'Tax' then line_item_usage_amount end as PricingQuantity,
        case
            when tmp_category = 'Tax' or line_item_usage_amount is null then null
            when coalesce(pricing_unit, product_pricing_unit) is not null
                then coalesce(pricing_unit, product_pricing_unit)
            -- commitment fees are billed per hour of the term; other fees count items
            when tmp_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Hours'
            else 'Units'
        end as PricingUnit,
        'AWS' as ProviderName,
        case
            when bill_billing_entity = 'AWS Marketplace' then coalesce(line_item_legal_entity, 'AWS Marketplace')
            else 'Amazon Web Services'
        end as PublisherName,
        coalesce(product_region_code, product_region) as RegionId,
        -- product/location is not a region on data transfer lines ("External"); the code is
        case
            when coalesce(product_region_code, product_region) is not null
                then coalesce(aws_regions.region_name, product_location)
        end as RegionName,
        case
            when tmp_part = 'unused' then coalesce(savings_plan_savings_plan_a_r_n, reservation_reservation_a_r_n)
            when tmp_is_split then split_line_item_parent_resource_id
            else line_item_resource_id
        end as ResourceId,
        cast(null as varchar) as ResourceName,
        case
            when tmp_part = 'unused' then tmp_type
            when coalesce(line_item_resource_id, '') <> '' then product_product_family
        end as ResourceType,
        cast(null as varchar) as ServiceCategory,
        coalesce(product_product_name, product_servicename, line_item_product_code) as ServiceName,
        cast(null as varchar) as ServiceSubcategory,
        line_item_usage_type as SkuMeter,
        product_sku as SkuId,
        coalesce(pricing_rate_code, pricing_rate_id) as SkuPriceId,
        cast(null as varchar) as SkuPriceDetails,
        line_item_usage_account_id as SubAccountId,
        line_item_usage_account_name as SubAccountName,
        'Account' as SubAccountType,
        resource_tags as Tags,
        line_item_product_code as x_ServiceCode,
        line_item_usage_type as x_UsageType,
        line_item_operation as x_Operation,
        tmp_type as x_ChargeType,
        product_instance_type as x_InstanceType,
        product_volume_api_name as x_VolumeApiName,
        case when tmp_is_split then 'AWS Split Cost Allocation: ' || line_item_operation end
            as AllocatedMethodId,
        case
            when tmp_is_split then json_object('Elements', [json_object(
                'AllocatedRatio', split_line_item_split_usage_ratio,
                'UsageUnit', coalesce(pricing_unit, product_pricing_unit),
                'UsageQuantity', split_line_item_split_usage,
                'x_SplitCost', split_line_item_split_cost,
                'x_UnusedCost', split_line_item_unused_cost
            )])
        end as AllocatedMethodDetails,
        case when tmp_is_split then line_item_resource_id end as AllocatedResourceId,
        case when tmp_is_split then regexp_extract(line_item_resource_id, '[^/]+$') end
            as AllocatedResourceName,
        cast(null as json) as AllocatedTags,
        bill_invoicing_entity as x_InvoicingEntity,
        x_source_name as x_SourceName,
        x_source_format as x_SourceFormat,
        x_source_file as x_SourceFile,
        x_load_id as x_LoadId,
        x_billing_period
    from split
    left join aws_regions
        on aws_regions.region_id = lower(coalesce(product_region_code, product_region))
)

select * from final
