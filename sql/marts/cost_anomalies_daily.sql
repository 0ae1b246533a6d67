-- cost_anomalies_daily: the daily cost series the anomaly model judges (read by
-- finops_pipeline/anomalies/build.py; detect.py holds the statistics).
-- Grain: one row per level x provider x key x billing currency x day, complete days only.
-- KPI: cost = Σ EffectiveCost of the charges of the chosen ChargeCategory values; a charge
-- spanning several days is spread evenly over them (monthly fees do not become one-day spikes).
-- Summed in DECIMAL and handed to the statistics as DOUBLE, in a fixed order, so two builds of
-- the same charges give the detector the same series to the last bit.
-- The level keys: provider = ProviderName, service = ServiceName, sub_account = SubAccountId,
-- sub_account_service = SubAccountId || ' / ' || ServiceName (where a change offset inside its
-- account still shows), team = x_Team, total = BillingCurrency (provider null: the total of
-- every provider).
-- sub_account and service: the sub-account and service a series is limited to (both on a
-- sub_account_service row, one on a sub_account or service row, none elsewhere), so the
-- detector links each sub-account x service series to its parents without parsing its key.
-- Charges whose ChargeFrequency is in $excluded_frequencies (default Recurring: a support
-- plan or subscription billed on its day by contract) are not usage and are left out.
-- Parameters (named): $charge_categories VARCHAR[], $excluded_frequencies VARCHAR[],
-- $last_complete DATE, $levels VARCHAR[].
-- x_Team exists only once a tag policy ran: the empty `union all by name` adds it as NULL.
with

focus as (
    select * from focus_costs
    union all by name
    select cast(null as varchar) as x_Team, cast(null as varchar) as ChargeFrequency
    where false
),

charges as (
    select
        ProviderName as provider,
        BillingCurrency as currency,
        coalesce(ServiceName, '(none)') as tmp_service,
        coalesce(SubAccountId, '(none)') as tmp_sub_account,
        coalesce(x_Team, '(untagged)') as tmp_team,
        cast(ChargePeriodStart as date) as tmp_start_day,
        greatest(
            date_diff('day', cast(ChargePeriodStart as date), cast(ChargePeriodEnd as date)), 1
        ) as tmp_days,
        EffectiveCost as tmp_cost
    from focus
    where ChargeCategory in (select unnest($charge_categories::varchar[]))
        and coalesce(ChargeFrequency, '') not in (select unnest($excluded_frequencies::varchar[]))
        and EffectiveCost is not null
        -- unused commitment hours are Usage in FOCUS but not a change in use (waste_findings
        -- reports them); CUR's commitment fees carried them as Purchase before FOCUS's rule
        and coalesce(CommitmentDiscountStatus, '') <> 'Unused'
),

spread as (
    select
        provider,
        currency,
        tmp_service,
        tmp_sub_account,
        tmp_team,
        tmp_start_day + cast(unnest(range(tmp_days)) as integer) as day,
        -- each day's share rounded to 18 places, so the sums below are exact and the same in
        -- every run (a parallel sum of doubles differs in its last bits from run to run, and
        -- the detector's ties follow those bits)
        cast(tmp_cost / tmp_days as decimal(38, 18)) as cost
    from charges
),

-- Summed once per (provider, currency, service, sub-account, team, day), then each level
-- sums those subtotals: DECIMAL sums are exact, so the totals are the ones a sum over the
-- charges gives, and the month's charges are read once instead of once per level (six reads
-- of a CTE DuckDB materialised: at 5M rows it filled the memory limit and spilled, issue 16).
subtotals as (
    select provider, currency, tmp_service, tmp_sub_account, tmp_team, day, sum(cost) as cost
    from spread
    where day <= $last_complete
    group by all
),

levels as (
    select
        unnest([
            {
                'level': 'provider', 'provider': provider, 'key': provider,
                'sub_account': cast(null as varchar), 'service': cast(null as varchar)
            },
            {
                'level': 'service', 'provider': provider, 'key': tmp_service,
                'sub_account': cast(null as varchar), 'service': tmp_service
            },
            {
                'level': 'sub_account', 'provider': provider, 'key': tmp_sub_account,
                'sub_account': tmp_sub_account, 'service': cast(null as varchar)
            },
            {
                'level': 'sub_account_service',
                'provider': provider,
                'key': tmp_sub_account || ' / ' || tmp_service,
                'sub_account': tmp_sub_account,
                'service': tmp_service
            },
            {
                'level': 'team', 'provider': provider, 'key': tmp_team,
                'sub_account': cast(null as varchar), 'service': cast(null as varchar)
            },
            {
                'level': 'total', 'provider': cast(null as varchar), 'key': currency,
                'sub_account': cast(null as varchar), 'service': cast(null as varchar)
            }
        ], recursive := true),
        currency,
        day,
        cost
    from subtotals
),

final as (
    select
        level,
        provider,
        key,
        sub_account,
        service,
        currency,
        day,
        cast(sum(cost) as double) as cost
    from levels
    where level in (select unnest($levels::varchar[]))
    group by all
)

select * from final
order by level, provider, key, currency, day
