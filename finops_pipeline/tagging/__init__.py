"""Tagging: the tag policy from finops.yaml, normalised tags on focus_costs, and the tag marts.

- `conditions`: `Condition` / `Match`, row filters on focus_costs columns shared with the
  allocation rules, compiled to SQL with bound parameters.
- `policy`: `TagPolicy`, the validated `tag_policy:` section (`demo_policy.yaml` for the demo).
- `normalise`: the SQL adding x_Tags, x_Team, x_TagSource and x_TagExempt to focus_costs.
- `marts`: the policy's reference tables, and the build of tag_violations and tag_compliance.
"""
