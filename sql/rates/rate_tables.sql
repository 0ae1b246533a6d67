-- rate_tables: where `finops rates import` keeps exchange rates between builds. Showback reads
-- them (finops_pipeline/showback/rate_resolve.py) for the pairs reporting.exchange_rates lacks.
-- exchange_rates_daily grain: one row per day x currency, the ECB's reference rate (units of
-- `currency` per 1 EUR). exchange_rates_imported grain: one row per month x from_currency x
-- to_currency (units of to_currency per 1 from_currency), as given in an imported CSV.
-- No parameters.
create table if not exists exchange_rates_daily (
    rate_date date not null,
    currency varchar not null,
    units_per_eur decimal(38, 12) not null,
    source_file varchar not null,
    imported_at timestamp not null,
    primary key (rate_date, currency)
);

create table if not exists exchange_rates_imported (
    month date not null,
    from_currency varchar not null,
    to_currency varchar not null,
    rate decimal(38, 12) not null,
    source_file varchar not null,
    imported_at timestamp not null,
    primary key (month, from_currency, to_currency)
);
