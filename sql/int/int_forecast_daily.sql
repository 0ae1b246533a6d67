-- int_forecast_daily: daily effective cost per forecast scope x key x currency, split into
-- recurring and one-off charges (finops_pipeline/forecast/series.py).
-- Currency: with every billing currency's rate present, in the reporting currency ($currency;
-- one currency per scope x key); with a rate missing ($by_billing_currency true), nothing is
-- converted: one series per billing currency, in it.
-- is_one_off: a charge of the $one_offs categories, or one whose charge period spans more
-- than a day (finops_spans_days: a monthly fee posted on the 1st, such as the unused part of a
-- reserved instance's fee, which is ChargeCategory Usage): both are forecast with the calendar
-- (forecast/monthly.py), not as a daily rate. Left in the daily series, every rolling-origin
-- window crossing a 1st missed that charge, and the interval pool took those misses for the
-- method's error (the demo's 95 % intervals were 12-15 % of the month wide, 80 % 2-3 %).
-- Grain: one row per scope ('total' | 'provider' | 'team' | 'sub_account') x key x currency x
-- billing month x charge day x is_one_off.
-- sub_account (key: provider/SubAccountId) is evidence for the interval calibration, not a
-- forecast scope: each of a provider's accounts is a series of the same warehouse, forecast
-- by the same method over the same weeks, so its errors say how the method errs here
-- (forecast/calibration.py). Without it a warehouse with no team tags and one provider holds
-- one series under three names (total = provider = the unallocated team) and its intervals
-- came from that one series' few weeks. Only providers with more than one account add them
-- (one account is the provider's series again), and only the $evidence_accounts largest;
-- forecast/monthly.py uses them only while the pool has fewer distinct series than that.
-- Parameters: $currency (reporting currency), $one_offs (ChargeCategory values forecast
-- separately), $by_billing_currency (BOOLEAN), $evidence_accounts (INTEGER: the most
-- sub-account series added: pool_min_series). Reads focus_costs, exchange_rates (reporting currency only)
-- and, for teams, tmp_daily_allocation (the per-day allocation of
-- finops_pipeline/unit_costs/daily.py, whose billing-currency amounts sum to
-- showback_monthly exactly, so a closed month's actual equals showback).
with

charges as (
    select
        ProviderName as provider,
        coalesce(SubAccountId, '') as sub_account,
        case
            when $by_billing_currency then coalesce(BillingCurrency, '') else $currency
        end as currency,
        cast(date_trunc('month', BillingPeriodStart) as date) as billing_month,
        cast(coalesce(ChargePeriodStart, BillingPeriodStart) as date) as day,
        coalesce(ChargeCategory in (select unnest($one_offs::varchar[])), false)
            or finops_spans_days(ChargePeriodStart, ChargePeriodEnd) as is_one_off,
        cast(
            coalesce(EffectiveCost, 0)
            * case
                when $by_billing_currency or BillingCurrency = $currency then 1 else rates.rate
            end
            as decimal(38, 24)
        ) as cost
    from focus_costs
    left join exchange_rates as rates
        on not $by_billing_currency
        and rates.month = cast(date_trunc('month', BillingPeriodStart) as date)
        and rates.from_currency = BillingCurrency
        and rates.to_currency = $currency
),

total as (
    select 'total' as scope, 'total' as key, currency, billing_month, day, is_one_off,
        sum(cost) as cost
    from charges
    group by all
),

providers as (
    select 'provider' as scope, provider as key, currency, billing_month, day, is_one_off,
        sum(cost) as cost
    from charges
    group by all
),

accounts as (
    select provider, sub_account, sum(abs(cost)) as size,
        count(*) over (partition by provider) as provider_accounts
    from charges
    group by provider, sub_account
),

evidence_accounts as (
    select provider, sub_account
    from accounts
    where provider_accounts > 1
    qualify row_number() over (order by size desc, provider, sub_account) <= $evidence_accounts
),

sub_accounts as (
    select 'sub_account' as scope, charges.provider || '/' || charges.sub_account as key,
        currency, billing_month, day, is_one_off, sum(cost) as cost
    from charges
    inner join evidence_accounts as chosen
        on chosen.provider = charges.provider and chosen.sub_account = charges.sub_account
    group by all
),

teams as (
    select
        'team' as scope,
        team as key,
        case
            when $by_billing_currency then coalesce(billing_currency, '') else $currency
        end as currency,
        billing_month,
        day,
        coalesce(charge_category in (select unnest($one_offs::varchar[])), false)
            or spans_days as is_one_off,
        sum(
            case when $by_billing_currency then billing_effective_cost else effective_cost end
        ) as cost
    from tmp_daily_allocation
    group by all
),

final as (
    select
        cast(scope as varchar) as scope,
        cast(key as varchar) as key,
        cast(currency as varchar) as currency,
        billing_month,
        day,
        is_one_off,
        cast(cost as decimal(38, 12)) as cost
    from (
        select * from total
        union all
        select * from providers
        union all
        select * from teams
        union all
        select * from sub_accounts
    )
)

select * from final
order by scope, key, currency, day
