"""The engine keys of finops.yaml: engine, spark, lake."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from finops_pipeline.engines.spark_session import REQUIRED_CONF, spark_session
from finops_pipeline.errors import ConfigError
from finops_pipeline.settings import Settings


def test_duckdb_is_the_default() -> None:
    assert Settings().execution.engine == "duckdb"
    assert Settings().execution.lake is None


def test_spark_settings_parse() -> None:
    settings = Settings.model_validate(
        {
            "engine": "spark",
            "lake": "/data/lake",
            "spark": {"master": "spark://127.0.0.1:7077", "conf": {"spark.executor.memory": "2g"}},
        }
    )
    assert settings.execution.engine == "spark"
    assert settings.execution.spark.master == "spark://127.0.0.1:7077"
    assert settings.execution.spark.conf == {"spark.executor.memory": "2g"}


def test_spark_needs_a_lake() -> None:
    with pytest.raises(ValidationError, match="engine: spark needs lake:"):
        Settings.model_validate({"engine": "spark"})


@pytest.mark.parametrize("bad", [{"engine": "flink"}, {"spark": {"master": "x", "cores": 2}}])
def test_unknown_values_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(bad)


def test_conf_cannot_undo_exact_money() -> None:
    """Checked before any JVM starts: the message names the key and what it must be."""
    from finops_pipeline.engines.settings import SparkSettings

    key = "spark.sql.decimalOperations.allowPrecisionLoss"
    assert REQUIRED_CONF[key] == "false"
    with pytest.raises(ConfigError, match=key):
        spark_session(SparkSettings(conf={key: "true"}))


@pytest.mark.parametrize("command", ["run", "ingest"])
@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        ("", ["--engine", "flink"], "--engine 'flink' is not one of duckdb, spark"),
        ("", ["--engine", "spark"], "--engine spark: Value error, engine: spark needs lake:"),
        (
            "engine: spark\nlake: ./lake\nspark:\n  master: sc://host:15002\n",
            [],
            "Spark Connect is not supported yet",
        ),
    ],
)
def test_engine_choice_on_the_cli(
    command: str, config: str, args: list[str], message: str, tmp_path, monkeypatch
) -> None:
    """`--engine` (or finops.yaml's engine:) is checked before anything lands or builds,
    and a Spark master the engine cannot use (Spark Connect) is refused in one line."""
    from typer.testing import CliRunner

    from finops_pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    monkeypatch.delenv("FINOPS_WAREHOUSE", raising=False)
    if config:
        (tmp_path / "finops.yaml").write_text(config)
    target = [str(tmp_path / "missing.csv")] if command == "ingest" else []
    result = CliRunner().invoke(app, [command, *target, *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "finops.duckdb").exists()


def test_a_relative_lake_is_beside_the_config(tmp_path, monkeypatch) -> None:
    """As the warehouse: `lake: lake` in /x/finops.yaml is /x/lake, from any folder."""
    from finops_pipeline.settings import load_settings

    (tmp_path / "finops.yaml").write_text("engine: spark\nlake: lake\n")
    monkeypatch.chdir("/")
    monkeypatch.delenv("FINOPS_WAREHOUSE", raising=False)
    settings = load_settings(tmp_path / "finops.yaml")
    assert settings.execution.lake == str(tmp_path / "lake")
    (tmp_path / "finops.yaml").write_text("engine: spark\nlake: s3://bucket/lake\n")
    assert load_settings(tmp_path / "finops.yaml").execution.lake == "s3://bucket/lake"


def test_engine_override_copies_the_settings() -> None:
    """`--engine spark` over a config that names a lake: a copy built by Spark; the
    original settings keep their engine."""
    from finops_pipeline.engines.select import with_engine

    settings = Settings.model_validate({"lake": "/data/lake"})
    on_spark = with_engine(settings, "spark")
    assert (on_spark.execution.engine, on_spark.execution.lake) == ("spark", "/data/lake")
    assert settings.execution.engine == "duckdb"
    assert with_engine(settings, None) is settings
    with pytest.raises(ConfigError, match="needs lake"):
        with_engine(Settings(), "spark")
