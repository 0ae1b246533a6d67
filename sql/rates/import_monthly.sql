-- import_monthly: merge tmp_rate_import_monthly (one monthly rate CSV) into
-- exchange_rates_imported. Grain: one row per month x from_currency x to_currency. Unchanged
-- rows stay as they are (re-importing changes nothing), changed rates replace the stored ones,
-- new ones are added. No parameters; run inside the import's transaction.
delete from exchange_rates_imported as stored
using tmp_rate_import_monthly as incoming
where stored.month = incoming.month
    and stored.from_currency = incoming.from_currency
    and stored.to_currency = incoming.to_currency
    and stored.rate <> incoming.rate;

insert into exchange_rates_imported
select incoming.*
from tmp_rate_import_monthly as incoming
anti join exchange_rates_imported as stored
    on stored.month = incoming.month
    and stored.from_currency = incoming.from_currency
    and stored.to_currency = incoming.to_currency;
