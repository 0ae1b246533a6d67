"""The monthly allocation report for finance (`finops report`, asset `finance_report`).

- `settings`: the `report:` key of finops.yaml (output folder, formats, list lengths).
- `gather` + `sections_summary` (1), `sections_money` (2, 3, 5), `sections_pools` (4),
  `sections_context` (6-8), `sections_method` (9): the nine sections, from sql/report/.
- `ledger`: the month's allocation ledger, the XLSX sheet finance pivots.
- `render_html`, `render_xlsx`, `render_csv`, `render_pdf`: one file format each.
- `log`: report_log, what each report showed, for restatements in the next one.
- `build.write_report`: the one entry point.
"""
