-- stg_azure__cost: Azure Cost Management cost details (EA, MCA/MPA, legacy pay-as-you-go) as
-- FOCUS 1.2 columns, following the Microsoft FinOps toolkit's "Convert Cost Management data
-- to FOCUS" rules (docs-mslearn/focus/convert.md).
-- Grain: one row per cost details line of raw_azure_cost.
--
-- A delivery is the actual or the amortized dataset (`load_kind`, the same rule as the
-- mapping's cost_basis_sql in finops_pipeline/mappings/azure-cost.yaml):
--   actual:    BilledCost = cost. EffectiveCost = cost, except reservation and savings plan
--              Purchase/Refund rows -> 0: their amortization is only in the amortized
--              dataset, which this delivery is not, so EffectiveCost here leaves it out.
--   amortized: EffectiveCost = cost. BilledCost = 0 for commitment-covered usage and for
--              UnusedReservation/UnusedSavingsPlan rows (the invoice has the purchase
--              instead, in the actual dataset), else cost.
-- So sum(BilledCost) of an actual delivery and sum(EffectiveCost) of an amortized one are
-- the file's own cost total, which is what reconciliation compares.
-- ChargeCategory: Usage, UnusedReservation, UnusedSavingsPlan -> Usage (the unused ones with
-- CommitmentDiscountStatus Unused); Purchase -> Purchase; Refund -> Purchase with ChargeClass
-- Correction (as the toolkit maps it); Tax -> Tax; Credit -> Credit; anything else
-- (RoundingAdjustment ...) -> Adjustment. Legacy pay-as-you-go files have no ChargeType: Usage.
-- ServiceName: the service, else (commitment purchases, unused commitment hours) the product.
-- Unit prices are in the pricing currency (MCA) and are converted with
-- exchangeRatePricingToBilling; EA and pay-as-you-go price in the billing currency.
with

cost_details as (
    select * from raw_azure_cost
),

load_kind as (
    select
        x_load_id,
        bool_or(
            regexp_matches(lower(x_source_file), 'amortized[^/\\]*([/\\][^/\\]*){0,3}$')
            or lower(charge_type) in ('unusedreservation', 'unusedsavingsplan')
            or (
                lower(coalesce(charge_type, 'usage')) = 'usage'
                and coalesce(cost_in_billing_currency, 0) <> 0
                and (
                    lower(pricing_model) in ('reservation', 'savingsplan')
                    or benefit_id is not null
                    or reservation_id is not null
                )
            )
        ) as tmp_is_amortized
    from cost_details
    group by x_load_id
),

classified as (
    select
        cost_details.*,
        load_kind.tmp_is_amortized,
        lower(coalesce(cost_details.charge_type, 'Usage')) as tmp_charge_type,
        lower(cost_details.pricing_model) as tmp_pricing_model,
        coalesce(cost_details.cost_in_billing_currency, 0) as tmp_cost,
        coalesce(cost_details.billing_currency, 'USD') as tmp_currency,
        coalesce(cost_details.exchange_rate_pricing_to_billing, 1) as tmp_exchange_rate,
        case
            when lower(cost_details.benefit_id) like '%/microsoft.capacity/%' then 'reservation'
            when lower(cost_details.benefit_id) like '%/microsoft.billingbenefits/%' then 'savingsplan'
            when lower(cost_details.charge_type) = 'unusedreservation' then 'reservation'
            when lower(cost_details.charge_type) = 'unusedsavingsplan' then 'savingsplan'
            when lower(cost_details.pricing_model) in ('reservation', 'savingsplan')
                then lower(cost_details.pricing_model)
            when cost_details.reservation_id is not null then 'reservation'
        end as tmp_commitment_kind,
        coalesce(
            lower(cost_details.pricing_model) in ('reservation', 'savingsplan')
            or cost_details.benefit_id is not null
            or cost_details.reservation_id is not null,
            false
        ) as tmp_is_commitment,
        -- FOCUS needs an invoice-level account: the MCA billing profile, the EA enrollment,
        -- or (legacy pay-as-you-go, which has neither) the subscription.
        case
            when cost_details.billing_profile_id is not null
                and cost_details.billing_account_id is not null
                and cost_details.billing_profile_id <> cost_details.billing_account_id
                then 'Billing Profile'
            when cost_details.billing_account_id is not null then 'Billing Account'
            else 'Subscription'
        end as tmp_account_type
    from cost_details
    inner join load_kind on cost_details.x_load_id = load_kind.x_load_id
),

costed as (
    select
        *,
        case
            when tmp_charge_type in ('usage', 'unusedreservation', 'unusedsavingsplan') then 'Usage'
            when tmp_charge_type in ('purchase', 'refund') then 'Purchase'
            when tmp_charge_type = 'tax' then 'Tax'
            when tmp_charge_type = 'credit' then 'Credit'
            else 'Adjustment'
        end as tmp_category,
        case
            when tmp_is_amortized
                and (
                    tmp_charge_type in ('unusedreservation', 'unusedsavingsplan')
                    or (tmp_charge_type = 'usage' and tmp_is_commitment)
                )
                then 0
            else tmp_cost
        end as tmp_billed,
        case
            when not tmp_is_amortized
                and tmp_charge_type in ('purchase', 'refund')
                and tmp_is_commitment
                then 0
            else tmp_cost
        end as tmp_effective,
        -- EA often leaves PayGPrice 0 on reservation-covered rows; the contracted price is
        -- then the best list price there is (ListCost >= ContractedCost, as FOCUS expects).
        case
            when payg_price is null or (payg_price = 0 and unit_price > 0) then unit_price
            else payg_price
        end as tmp_list_price
    from classified
),

priced as (
    select
        *,
        coalesce(benefit_id, reservation_id) as tmp_commitment_id,
        cast(tmp_list_price * tmp_exchange_rate as decimal(38, 12)) as tmp_list_unit_price,
        cast(unit_price * tmp_exchange_rate as decimal(38, 12)) as tmp_contracted_unit_price,
        coalesce(pricing_currency, tmp_currency) as tmp_pricing_currency
    from costed
),

final as (
    select
        availability_zone as AvailabilityZone,
        tmp_billed as BilledCost,
        case tmp_account_type
            when 'Billing Profile' then billing_profile_id
            when 'Billing Account' then billing_account_id
            else subscription_id
        end as BillingAccountId,
        case tmp_account_type
            when 'Billing Profile' then billing_profile_name
            when 'Billing Account' then billing_account_name
            else subscription_name
        end as BillingAccountName,
        tmp_account_type as BillingAccountType,
        tmp_currency as BillingCurrency,
        cast(x_billing_period + interval 1 month as timestamp) as BillingPeriodEnd,
        cast(x_billing_period as timestamp) as BillingPeriodStart,
        cast(null as varchar) as CapacityReservationId,
        cast(null as varchar) as CapacityReservationStatus,
        tmp_category as ChargeCategory,
        case when tmp_charge_type = 'refund' then 'Correction' end as ChargeClass,
        coalesce(
            product_name,
            nullif(concat_ws(' - ', meter_category, meter_sub_category, meter_name), '')
        ) as ChargeDescription,
        case
            when lower(frequency) = 'onetime' then 'One-Time'
            when lower(frequency) = 'recurring' then 'Recurring'
            when lower(frequency) = 'usagebased' then 'Usage-Based'
            when frequency is null and tmp_category = 'Usage' then 'Usage-Based'
            else 'Other'
        end as ChargeFrequency,
        usage_date + interval 1 day as ChargePeriodEnd,
        usage_date as ChargePeriodStart,
        case
            when tmp_commitment_id is null then null
            when tmp_commitment_kind = 'reservation' then 'Usage'
            when tmp_commitment_kind = 'savingsplan' then 'Spend'
        end as CommitmentDiscountCategory,
        tmp_commitment_id as CommitmentDiscountId,
        case when tmp_commitment_id is not null then coalesce(benefit_name, reservation_name) end
            as CommitmentDiscountName,
        cast(null as decimal(38, 12)) as CommitmentDiscountQuantity,
        case
            when tmp_commitment_id is null then null
            when tmp_charge_type in ('unusedreservation', 'unusedsavingsplan') then 'Unused'
            when tmp_category = 'Usage' then 'Used'
        end as CommitmentDiscountStatus,
        case
            when tmp_commitment_id is null then null
            when tmp_commitment_kind = 'reservation' then 'Reservation'
            when tmp_commitment_kind = 'savingsplan' then 'Savings Plan'
        end as CommitmentDiscountType,
        cast(null as varchar) as CommitmentDiscountUnit,
        case when tmp_charge_type = 'usage' then quantity end as ConsumedQuantity,
        case when tmp_charge_type = 'usage' then unit_of_measure end as ConsumedUnit,
        coalesce(cast(tmp_contracted_unit_price * quantity as decimal(38, 12)), tmp_cost)
            as ContractedCost,
        tmp_contracted_unit_price as ContractedUnitPrice,
        tmp_effective as EffectiveCost,
        invoice_id as InvoiceId,
        coalesce(partner_name, 'Microsoft') as InvoiceIssuerName,
        coalesce(
            payg_cost_in_billing_currency,
            cast(tmp_list_unit_price * quantity as decimal(38, 12)),
            tmp_cost
        ) as ListCost,
        tmp_list_unit_price as ListUnitPrice,
        case
            when tmp_category = 'Tax' then null
            when tmp_is_commitment or tmp_charge_type in ('unusedreservation', 'unusedsavingsplan')
                then 'Committed'
            when tmp_pricing_model = 'spot' then 'Dynamic'
            when tmp_pricing_model = 'ondemand' then 'Standard'
            when tmp_pricing_model is null and tmp_category in ('Usage', 'Purchase') then 'Standard'
            when tmp_pricing_model is null then null
            else 'Other'
        end as PricingCategory,
        tmp_pricing_currency as PricingCurrency,
        unit_price as PricingCurrencyContractedUnitPrice,
        case
            when tmp_effective = 0 then 0
            when cost_in_pricing_currency is not null then cost_in_pricing_currency
            when tmp_pricing_currency = tmp_currency then tmp_effective
        end as PricingCurrencyEffectiveCost,
        tmp_list_price as PricingCurrencyListUnitPrice,
        quantity as PricingQuantity,
        -- a reservation or savings plan purchase counts commitments and names no unit
        case
            when unit_of_measure is not null then unit_of_measure
            when quantity is not null and tmp_category in ('Usage', 'Purchase') then '1'
        end as PricingUnit,
        'Microsoft' as ProviderName,
        coalesce(publisher_name, 'Microsoft') as PublisherName,
        lower(replace(coalesce(resource_location, location, meter_region), ' ', '')) as RegionId,
        coalesce(location, resource_location, meter_region) as RegionName,
        resource_id as ResourceId,
        coalesce(resource_name, regexp_extract(resource_id, '[^/]+$')) as ResourceName,
        coalesce(
            resource_type,
            nullif(regexp_extract(resource_id, '/providers/([^/]+/[^/]+)', 1), '')
        ) as ResourceType,
        cast(null as varchar) as ServiceCategory,
        coalesce(
            service_name,
            meter_category,
            consumed_service,
            -- commitment purchases and unused hours name no service; the product does
            product_name,
            case tmp_commitment_kind
                when 'reservation' then 'Azure Reservations'
                when 'savingsplan' then 'Azure Savings Plan for Compute'
            end
        ) as ServiceName,
        cast(null as varchar) as ServiceSubcategory,
        coalesce(product_id, part_number) as SkuId,
        meter_name as SkuMeter,
        meter_id as SkuPriceId,
        cast(null as varchar) as SkuPriceDetails,
        subscription_id as SubAccountId,
        subscription_name as SubAccountName,
        'Subscription' as SubAccountType,
        tags as Tags,
        coalesce(meter_category, consumed_service) as x_ServiceCode,
        meter_sub_category as x_UsageType,
        cast(null as varchar) as x_Operation,
        charge_type as x_ChargeType,
        case
            when json_valid(additional_info) then json_extract_string(additional_info, '$.ServiceType')
        end as x_InstanceType,
        cast(null as varchar) as x_VolumeApiName,
        x_source_name as x_SourceName,
        x_source_format as x_SourceFormat,
        x_source_file as x_SourceFile,
        x_load_id as x_LoadId,
        x_billing_period
    from priced
)

select * from final
