-- tag_violations: every breach of the tag policy, with the cost it leaves unattributed and
-- the fix that applies.
-- Grain: one row per billing_month × resource_key × tag_key × violation (× billing_currency,
-- one per resource in practice). resource_key is the ResourceId, or for charges without a
-- resource 'no-resource:' || provider|sub-account|service|sku.
-- Violations: missing_key (a required key is absent), empty_value (a required key is present
-- but blank), disallowed_value (the normalised value is not allowed), alias_used (the key or
-- the value is spelled by an alias: renaming it is the fix). Exempt charges never violate;
-- values filled by inheritance or virtual tags still count as missing on the resource, and
-- the fix says which default applies meanwhile.
-- Reads focus_costs (with x_Tags, x_TagSource, x_TagExempt) and the policy tables ref_tag_*
-- (finops_pipeline/tagging/normalise.py:load_policy_tables). The keys a `required:` match
-- requires on a charge (`scoped_keys`) are none here: finops_pipeline/tagging/marts.py puts
-- the policy's compiled matches in their place.
-- Parameters (named): $period = billing month (DATE, first of month), or NULL for every
-- month (bound by the build runner).
with

settings as (
    select * from ref_tag_settings
),

policy_keys as (
    select * from ref_tag_keys
),

key_spellings as (
    select * from ref_tag_aliases
),

value_spellings as (
    select * from ref_tag_value_aliases
),

charges as (
    select
        []::varchar[] as scoped_keys,
        cast(f.BillingPeriodStart as date) as billing_month,
        f.ProviderName as provider,
        f.SubAccountId as sub_account_id,
        f.SubAccountName as sub_account_name,
        f.ResourceId as resource_id,
        f.ServiceName as service_name,
        finops_resource_key(
            f.ResourceId, f.ProviderName, f.SubAccountId, f.ServiceName, f.SkuId
        ) as resource_key,
        f.Tags as tags,
        f.x_Tags as effective_tags,
        f.x_TagSource as tag_source,
        f.BilledCost as billed_cost,
        f.EffectiveCost as effective_cost,
        f.BillingCurrency as billing_currency
    from focus_costs as f
    where
        not coalesce(f.x_TagExempt, false)
        and (cast($period as date) is null or f.BillingPeriodStart = cast($period as date))
),

-- Tags are judged once per distinct tag set (every charge line of a resource shares its set)
-- and the verdicts joined back to the charges.
tag_sets as (
    select distinct tags from charges where tags is not null
),

raw_entries as (
    select
        tags,
        unnest(json_keys(tags)) as raw_key,
        unnest(json_extract_string(tags, '$.*')) as raw_value
    from tag_sets
),

-- Entries whose key is a spelling of a policy key, with the value as the policy reads it.
policy_entries as (
    select
        raw_entries.tags,
        raw_entries.raw_key,
        raw_entries.raw_value,
        key_spellings.canonical_key,
        -- how the key is written on the resource itself (AWS exports prefix user tags)
        case
            when settings.aws_user_prefix then regexp_replace(raw_entries.raw_key, '^user[:_]', '')
            else raw_entries.raw_key
        end as resource_tag_key,
        nullif(trim(coalesce(raw_entries.raw_value, '')), '') is null as is_empty,
        -- a value that is not a known spelling is folded when the key has a list of allowed
        -- values (it is wrong anyway), else only trimmed: free text keeps its case
        coalesce(
            value_spellings.value,
            case
                when not settings.fold_case then raw_entries.raw_value
                when policy_keys.allowed_values is not null then lower(trim(raw_entries.raw_value))
                else trim(raw_entries.raw_value)
            end
        ) as normalised_value,
        exact.spelling is null as is_key_alias
    from raw_entries
    cross join settings
    inner join key_spellings
        on not key_spellings.is_exact
        and key_spellings.spelling = case
            when settings.fold_case then lower(trim(raw_entries.raw_key)) else raw_entries.raw_key
        end
    inner join policy_keys on policy_keys.canonical_key = key_spellings.canonical_key
    left join value_spellings
        on value_spellings.canonical_key = key_spellings.canonical_key
        and value_spellings.folded_value = case
            when settings.fold_case then lower(trim(raw_entries.raw_value)) else raw_entries.raw_value
        end
    left join key_spellings as exact
        on exact.is_exact
        and exact.spelling = raw_entries.raw_key
),

checked_entries as (
    select
        policy_entries.*,
        case
            when policy_keys.allowed_values is not null
                then list_contains(policy_keys.allowed_values, policy_entries.normalised_value)
            when policy_keys.pattern is not null and settings.fold_case
                then regexp_full_match(policy_entries.normalised_value, policy_keys.pattern, 'i')
            when policy_keys.pattern is not null
                then regexp_full_match(policy_entries.normalised_value, policy_keys.pattern)
            else true
        end as is_allowed
    from policy_entries
    cross join settings
    inner join policy_keys on policy_keys.canonical_key = policy_entries.canonical_key
),

-- Per tag set and policy key: the spellings present, and whether any has a value.
set_keys as (
    select
        tags,
        canonical_key,
        bool_or(not is_empty) as is_filled,
        list(distinct raw_key) as raw_keys
    from checked_entries
    group by all
),

-- Values spelled by an alias or not allowed: one row per tag set, key and violation.
set_misspellings as (
    select
        tags,
        canonical_key,
        case when is_allowed then 'alias_used' else 'disallowed_value' end as violation,
        list(distinct raw_key) as raw_keys,
        list(distinct raw_value) as raw_values,
        list(distinct renames) filter (where renames <> '') as renames
    from (
        select
            *,
            concat_ws(
                '; ',
                case
                    when is_key_alias
                        then 'rename tag key ''' || resource_tag_key || ''' to ''' || canonical_key || ''''
                end,
                case
                    when is_allowed and raw_value <> normalised_value
                        then 'change value ''' || raw_value || ''' to ''' || normalised_value || ''''
                end
            ) as renames
        from checked_entries
        where not is_empty and (not is_allowed or is_key_alias or raw_value <> normalised_value)
    )
    group by all
),

-- Charges alike in all that the verdicts and the fix read, summed: a verdict is per tag set
-- and key, so it is judged per group of lines, never per line.
charge_groups as (
    select
        billing_month,
        provider,
        sub_account_id,
        sub_account_name,
        resource_id,
        service_name,
        resource_key,
        tags,
        tag_source,
        billing_currency,
        scoped_keys,
        -- one value per group: focus_costs normalises each distinct (billing period, Tags)
        -- set once, so x_Tags follows from the month and tags grouped by here
        any_value(effective_tags) as effective_tags,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from charges
    group by all
),

-- Every (group of charges, policy key) pair and whether the key is required on them.
charge_keys as (
    select
        charge_groups.*,
        policy_keys.canonical_key,
        policy_keys.required_when = 'always'
        or list_contains(charge_groups.scoped_keys, policy_keys.canonical_key) as is_required
    from charge_groups
    cross join policy_keys
),

charge_violations as (
    select
        charge_keys.*,
        case when set_keys.tags is null then 'missing_key' else 'empty_value' end as violation,
        set_keys.raw_keys,
        []::varchar[] as raw_values,
        []::varchar[] as renames
    from charge_keys
    left join set_keys
        on set_keys.tags = charge_keys.tags
        and set_keys.canonical_key = charge_keys.canonical_key
    where charge_keys.is_required and not coalesce(set_keys.is_filled, false)
    union all
    select
        charge_keys.*,
        set_misspellings.violation,
        set_misspellings.raw_keys,
        set_misspellings.raw_values,
        set_misspellings.renames
    from charge_keys
    inner join set_misspellings
        on set_misspellings.tags = charge_keys.tags
        and set_misspellings.canonical_key = charge_keys.canonical_key
),

resource_violations as (
    select
        billing_month,
        resource_key,
        canonical_key as tag_key,
        violation,
        billing_currency,
        min(provider) as provider,
        -- deterministic, as on every engine: one resource key can bill under several accounts
        -- (a placeholder ResourceId shared by subscriptions); any_value picks per engine and run
        min(sub_account_id) as sub_account_id,
        coalesce(arg_min(sub_account_name, sub_account_id), min(sub_account_name)) as sub_account_name,
        min(resource_id) as resource_id,
        min(service_name) as service_name,  -- deterministic: a resource may bill under several
        bool_or(is_required) as is_required,
        nullif(array_to_string(list_sort(list_distinct(flatten(list(distinct raw_keys)))), ', '), '') as raw_key,
        nullif(array_to_string(list_sort(list_distinct(flatten(list(distinct raw_values)))), ', '), '') as raw_value,
        array_to_string(list_sort(list_distinct(flatten(list(distinct renames)))), '; ') as renames,
        min(map_extract_value(effective_tags, canonical_key)) as default_value,
        min(tag_source) as tag_source,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from charge_violations
    group by all
),

final as (
    select
        resource_violations.billing_month,
        resource_violations.provider,
        resource_violations.sub_account_id,
        resource_violations.sub_account_name,
        resource_violations.resource_key,
        resource_violations.resource_id,
        resource_violations.service_name,
        resource_violations.tag_key,
        resource_violations.violation,
        resource_violations.is_required,
        resource_violations.raw_key,
        resource_violations.raw_value,
        policy_keys.expected,
        case
            when resource_violations.violation in ('missing_key', 'empty_value')
                and resource_violations.resource_id is null
                then 'charges without a resource cannot carry tags: add an exemption or a virtual tag '
                || 'for ' || coalesce(resource_violations.service_name, 'these charges') || ' in '
                || coalesce(resource_violations.sub_account_name, resource_violations.sub_account_id, 'this account')
                || ' to tag_policy'
            when resource_violations.violation in ('missing_key', 'empty_value')
                then 'set tag ' || resource_violations.tag_key
                || coalesce(' to ' || policy_keys.expected, '') || ' on ' || resource_violations.resource_id
            when resource_violations.violation = 'disallowed_value'
                then 'change tag ' || resource_violations.raw_key || ' value '''
                || resource_violations.raw_value || ''' to ' || policy_keys.expected || ' on '
                || coalesce(resource_violations.resource_id, resource_violations.resource_key)
                || ', or map it in tag_policy.keys.' || resource_violations.tag_key || '.values.aliases'
            else resource_violations.renames || ' on '
                || coalesce(resource_violations.resource_id, resource_violations.resource_key)
        end
        || case
            when resource_violations.violation in ('missing_key', 'empty_value')
                and resource_violations.default_value is not null
                then ' (meanwhile '
                || case
                    when policy_keys.is_dimension and resource_violations.tag_source = 'inherited'
                        then 'the inherited default '
                    when policy_keys.is_dimension and resource_violations.tag_source = 'virtual'
                        then 'a virtual tag '
                    else 'a policy default '
                end
                || '''' || resource_violations.default_value || ''' applies)'
            else ''
        end as fix,
        resource_violations.billed_cost,
        resource_violations.effective_cost,
        resource_violations.billing_currency
    from resource_violations
    inner join policy_keys on policy_keys.canonical_key = resource_violations.tag_key
)

select * from final
