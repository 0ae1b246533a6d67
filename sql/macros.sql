-- Shared macros: parsing for the landing step (finops_pipeline/ingest/landing.py) and
-- expressions several models share. Created by warehouse.connect on every writing connection
-- (persisted, so read-only connections see them) and by the build runner on any other
-- connection that lacks one (build_runner.ensure_macros).
-- Each strict macro raises on a value it cannot read, so a bad file fails its load instead
-- of landing NULLs; the *_try twin returns NULL and is used to find the offending row.

create or replace macro finops_blank(x) as
    x is null or trim(cast(x as varchar)) = '';

-- The strict form of a parse, shared by finops_ts, finops_money and finops_yyyymm: NULL for a
-- blank x, else `parsed` (x as its *_try twin reads it), or an error naming x and `what` it
-- should have been.
create or replace macro finops_strict(x, parsed, what) as
    case
        when finops_blank(x) then null
        else coalesce(parsed, error('not a ' || what || ': ''' || x || ''''))
    end;

create or replace macro finops_ts_plausible(ts) as
    case when ts >= timestamp '1990-01-01' then ts end;

-- Years before 1990 mean a two-digit year was read as '0021': refuse rather than guess.
create or replace macro finops_ts_try(x) as
    case
        when finops_blank(x) then null
        else finops_ts_plausible(coalesce(
            try_cast(try_cast(trim(x) as timestamptz) at time zone 'UTC' as timestamp),
            try_strptime(
                trim(x),
                [
                    '%m/%d/%Y', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p',
                    '%Y%m%d', '%Y/%m/%d', '%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%SZ'
                ]
            )
        ))
    end;

create or replace macro finops_ts(x) as
    finops_strict(x, finops_ts_try(x), 'date or timestamp');

create or replace macro finops_money_try(x) as
    try_cast(nullif(trim(cast(x as varchar)), '') as decimal(38, 12));

create or replace macro finops_money(x) as
    finops_strict(x, finops_money_try(x), 'number');

create or replace macro finops_yyyymm(x) as
    finops_strict(x, try_strptime(trim(cast(x as varchar)) || '01', '%Y%m%d'), 'YYYYMM month');

-- Azure writes Tags as JSON object members without the braces in some exports.
create or replace macro finops_azure_tags_text(x) as
    case
        when finops_blank(x) then null
        when starts_with(trim(x), '{') then trim(x)
        else '{' || trim(x) || '}'
    end;

create or replace macro finops_json_text(x) as
    case when finops_blank(x) or trim(x) in ('{}', 'null', 'NULL') then null else trim(x) end;

-- First day of the month of a timestamp, as a DATE: the key of a billing period.
create or replace macro finops_month(ts) as
    cast(date_trunc('month', ts) as date);

-- The key of a charge's resource: its ResourceId, or for a charge without one
-- 'no-resource:' || provider|sub-account|service|sku (tag_violations, tag_compliance).
create or replace macro finops_resource_key(resource_id, provider, sub_account_id, service, sku) as
    coalesce(
        resource_id,
        'no-resource:' || concat_ws(
            '|',
            coalesce(provider, ''),
            coalesce(sub_account_id, ''),
            coalesce(service, ''),
            coalesce(sku, '')
        )
    );

-- What every waste finding says about its resource, over the rows of one billing month x
-- provider x resource x billing currency (sql/int/int_waste__<check>.sql): in a query grouped
-- by the first four arguments, `unnest(finops_waste_resource(billing_month, ProviderName,
-- ResourceId, BillingCurrency, SubAccountId, ServiceName, x_Team, EffectiveCost))` gives the
-- finding's key (billing_month, provider, resource_id, billing_currency) and sub_account_id,
-- service_name, x_team and monthly_cost. Those three are not grouped by (a resource can bill
-- under several): the smallest is taken, so every engine and every run picks the same.
create or replace macro finops_waste_resource(
    month_key, provider_key, resource_key, currency_key, account, service, team, cost
) as
    struct_pack(
        -- one value per group: the calling query groups by these four (above)
        billing_month := any_value(month_key),
        provider := any_value(provider_key),
        -- one value per group: grouped by, as the two above
        resource_id := any_value(resource_key),
        billing_currency := any_value(currency_key),
        sub_account_id := min(account),
        service_name := min(service),
        x_team := min(team),
        monthly_cost := sum(cost)
    );

-- A waste finding's estimated_monthly_savings when the check saves a share of the cost:
-- cost x share, at the money precision of waste_findings.
create or replace macro finops_waste_share_of(cost, share) as
    cast(cost * share as decimal(38, 12));

-- A charge whose period spans more than a day (a monthly fee, the unused part of a reserved
-- instance's monthly fee, a hosted zone's month) is posted once, on its period's first day:
-- a calendar charge, not a day's rate. The forecast puts it with the one-offs
-- (int_forecast_daily, int_daily_allocation); a missing end counts as a day.
create or replace macro finops_spans_days(period_start, period_end) as
    coalesce(period_end > period_start + interval 1 day, false);
