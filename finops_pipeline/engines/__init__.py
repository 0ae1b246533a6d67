"""Where tables are built: DuckDB (the embedded default) or Spark (issue 15).

`settings.py` is the typed `engine:` / `spark:` / `lake:` part of finops.yaml,
`spark_session.py` starts Spark with the settings money needs, `portability.py` is the lint
that keeps sql/ written once for both engines. The build runner (build_runner.py) is the one
place that hands a build to an engine.
"""
