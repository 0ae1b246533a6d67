"""Data contracts (data_contracts/*.odcs.yaml) -> DuckDB measurements -> great-expectations
suites -> Dagster asset checks. See odcs.py for what a contract can say."""
