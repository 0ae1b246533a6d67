-- import_daily: merge tmp_rate_import_daily (one rate file's ECB rows) into exchange_rates_daily.
-- Grain: one row per day x currency. A day x currency already stored with the same rate is left
-- as it is (re-importing a file changes nothing); a different rate replaces it; new ones are
-- added. No parameters; run inside the import's transaction.
delete from exchange_rates_daily as stored
using tmp_rate_import_daily as incoming
where stored.rate_date = incoming.rate_date
    and stored.currency = incoming.currency
    and stored.units_per_eur <> incoming.units_per_eur;

insert into exchange_rates_daily
select incoming.*
from tmp_rate_import_daily as incoming
anti join exchange_rates_daily as stored
    on stored.rate_date = incoming.rate_date
    and stored.currency = incoming.currency;
