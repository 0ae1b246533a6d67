#!/usr/bin/env python
"""Time the tag projection on 500k synthetic focus rows with messy JSON tags.

    python benchmarks/tag_projection.py [ROWS] [realistic|worst]

Realistic: tags are a property of a resource (20k resources, every charge line of a
resource carries its tags). Worst case: every row has its own tag set.
"""

import sys
import time

import duckdb

from finops_pipeline.tagging.normalise import tag_projection, with_tag_columns
from finops_pipeline.tagging.policy import TagPolicy

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
MODE = sys.argv[2] if len(sys.argv) > 2 else "realistic"
con = duckdb.connect()
con.execute("set preserve_insertion_order = false")
r = "(i % 20000)" if MODE == "realistic" else "i"
con.execute(f"""
create table focus_costs as
select
    ['AWS','Google Cloud','Microsoft'][1 + {r} % 3] as ProviderName,
    ['Amazon Elastic Compute Cloud','AWS Support (Business)','Amazon Simple Storage Service','Compute Engine'][1 + {r} % 4] as ServiceName,
    ['Usage','Usage','Usage','Tax','Credit','Purchase'][1 + i % 6] as ChargeCategory,
    null::varchar as CommitmentDiscountStatus,
    (['453563500313','981980073001','729197595180'][1 + {r} % 3]) as SubAccountId,
    (['kestrel-eu-platform','kestrel-eu-payments', null][1 + {r} % 3]) as SubAccountName,
    'i-' || {r}::varchar as ResourceId,
    to_json(map_from_entries(list_filter([
        {{'key': ['team','Team','TEAM','owner-team','user:team','user_Team'][1 + {r} % 6], 'value': ['payments',' PAYMENTS ','payment','data_platform','Search','ml','', 'platform-eng'][1 + ({r} // 7) % 8]}},
        {{'key': 'env', 'value': 'prod'}},
        {{'key': 'app', 'value': 'app' || ({r} % 50)::varchar}},
        {{'key': 'cost-center', 'value': 'CC-' || (1000 + {r} % 90)::varchar}},
        {{'key': 'name', 'value': 'res-' || {r}::varchar}}
    ], lambda e: ({r} % 11) <> 0 or e.key <> 'team')))::json as Tags
from range({N}) t(i)
""")
distinct = con.execute("select count(distinct Tags) from focus_costs").fetchone()[0]
policy = TagPolicy.example_for_demo()
sql, proj_params = tag_projection(policy)
wsql, wparams = with_tag_columns("select * from focus_costs", policy)
nsql, nparams = tag_projection(None)
for label, q, bound in [
    ("copy only", "create or replace temp table out as select f.* from focus_costs f", None),
    ("copy + with_tag_columns", f"create or replace temp table out as {wsql}", wparams),
    (
        "copy + tag_projection",
        f"create or replace temp table out as select f.*, {sql} from focus_costs f",
        proj_params,
    ),
    (
        "copy + tag_projection(None)",
        f"create or replace temp table out as select f.*, {nsql} from focus_costs f",
        nparams,
    ),
]:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        con.execute(q, bound)
        times.append(time.perf_counter() - t)
    print(
        f"{label}: median {sorted(times)[2]:.3f}s ({N:,} rows, {distinct:,} distinct tag sets, {MODE})"
    )
print(con.execute("select x_TagSource, count(*) from out group by all order by 2 desc").fetchall())
