"""The monthly allocation report for finance (`finops report`, asset `finance_report`).

- `settings`: the `report:` key of finops.yaml (output folder, formats, list lengths).
- `gather` + `sections_money` (1, 2, 4), `sections_pools` (3), `sections_context` (5-7),
  `sections_method` (8): the eight sections, from the SQL in sql/report/.
- `render_html`, `render_xlsx`, `render_csv`, `render_pdf`: one file format each.
- `log`: report_log, what each report showed, for restatements in the next one.
- `build.write_report`: the one entry point.
"""
