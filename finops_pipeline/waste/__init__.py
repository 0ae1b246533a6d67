"""Waste and savings findings from billing data alone (`waste_findings`).

- `settings`: the savings assumptions (`WasteSettings`), every one configurable.
- `previous_generation.csv`: the maintained list of previous-generation instance families.
- `build`: loads the list and rebuilds `waste_findings` one billing month (or all) at a time.
"""
