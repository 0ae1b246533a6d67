"""finops.yaml errors name the key and its line; nothing is half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_pipeline.errors import ConfigError
from finops_pipeline.settings import load_settings


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "warehouse: w.duckdb\nsources:\n  - name: aws\n    path: exports\n    fromat: aws-cur\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "sources.0.fromat (line 5)" in message
    assert "Extra inputs are not permitted" in message


def test_bad_format_value_is_named(tmp_path: Path) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("sources:\n  - {name: aws, path: x, format: aws-cur3}\n")
    with pytest.raises(
        ConfigError, match=r"sources\.0\.format \(line 2\).*unknown format 'aws-cur3'"
    ):
        load_settings(config)


def test_relative_source_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "finops.yaml"
    config.parent.mkdir()
    config.write_text("sources:\n  - {name: aws, path: exports/cur}\n")
    settings = load_settings(config)
    assert settings.sources[0].path == tmp_path / "conf" / "exports" / "cur"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("sources:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load_settings(config)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


# --- one configuration for every command (issue 12) -------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No FINOPS_* variables and an empty working directory."""
    for name in ("FINOPS_CONFIG", "FINOPS_WAREHOUSE", "FINOPS_SAMPLE_DATA"):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_without_a_config_the_defaults_are_generic_not_the_demos(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.config_file is None
    assert settings.warehouse == clean_env / "finops.duckdb"
    assert settings.sources == [] and settings.effective_sources() == []
    assert settings.metrics is None and settings.reporting.exchange_rates is None
    assert settings.allocation.pools == [] and settings.allocation.owners == []
    assert not settings.allocation.unallocated.redistribute
    assert settings.forecast.budgets_path is None and not settings.forecast.budgets
    policy = settings.tag_policy
    assert policy is not None and list(policy.keys) == ["team"]
    spellings = policy.key_spellings()
    for raw in ("team", "Team", "owner", "cost-center", "user:Owner", "user_cost_center"):
        assert spellings[policy.fold(raw)] == "team", raw
    assert policy.keys["team"].values.allowed is None  # any team name, as written


def test_warehouse_precedence_flag_env_config_default(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = project / "finops.yaml"
    config.write_text("warehouse: data/w.duckdb\n")
    # config: relative to the config's folder, not the working directory
    assert load_settings(config).warehouse == project / "data" / "w.duckdb"
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    assert load_settings().warehouse == project / "data" / "w.duckdb"
    assert load_settings().config_origin == "FINOPS_CONFIG"
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert load_settings().warehouse == tmp_path / "env.duckdb"  # env beats config
    flag = tmp_path / "flag.duckdb"
    assert load_settings(None, flag).warehouse == flag  # flag beats env
    monkeypatch.delenv("FINOPS_WAREHOUSE")
    config.write_text("sources: []\n")  # no warehouse key: beside the config
    assert load_settings().warehouse == project / "finops.duckdb"


def test_local_finops_yaml_is_found_and_paths_resolve_against_it(clean_env: Path) -> None:
    (clean_env / "finops.yaml").write_text(
        "warehouse: w.duckdb\nmetrics: {path: m.csv}\nreporting: {exchange_rates: r.csv}\n"
    )
    settings = load_settings()
    assert settings.config_origin == "./finops.yaml"
    assert settings.warehouse == clean_env / "w.duckdb"
    assert settings.metrics is not None and settings.metrics.path == clean_env / "m.csv"
    assert settings.reporting.exchange_rates == clean_env / "r.csv"


def test_config_beside_a_chosen_warehouse_is_used(clean_env: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "finops.yaml").write_text("reporting: {currency: EUR}\n")
    settings = load_settings(None, elsewhere / "w.duckdb")
    assert settings.config_origin == "beside the warehouse"
    assert settings.reporting.currency == "EUR"
    assert settings.warehouse == elsewhere / "w.duckdb"


def test_missing_config_from_env_is_an_error(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINOPS_CONFIG", str(clean_env / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"config file not found .*FINOPS_CONFIG"):
        load_settings()


def test_the_demo_config_reproduces_the_demo_settings(clean_env: Path, tmp_path: Path) -> None:
    from finops_pipeline.demo import write_demo_config
    from finops_pipeline.settings import demo_settings

    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "wh" / "finops.yaml"
    assert write_demo_config(config, data, tmp_path / "wh" / "w.duckdb")
    loaded = load_settings(config)
    expected = demo_settings(data)
    assert loaded.warehouse == tmp_path / "wh" / "w.duckdb"
    assert loaded.tag_policy == expected.tag_policy
    assert loaded.allocation == expected.allocation
    assert loaded.metrics is not None and expected.metrics is not None
    assert loaded.metrics.path.resolve() == expected.metrics.path
    assert [(s.name, s.path.resolve(), s.format) for s in loaded.sources] == [  # type: ignore[union-attr]
        (s.name, s.path, s.format) for s in expected.sources
    ]
    assert loaded.reporting.exchange_rates is not None
    assert loaded.reporting.exchange_rates.read_bytes() == (
        expected.reporting.exchange_rates.read_bytes()  # type: ignore[union-attr]
    )
    # rewritten when it is the demo's own file, never when it is the user's
    assert write_demo_config(config, data, tmp_path / "wh" / "w.duckdb")
    config.write_text("warehouse: mine.duckdb\n")
    assert not write_demo_config(config, data, tmp_path / "wh" / "w.duckdb")
    assert config.read_text() == "warehouse: mine.duckdb\n"
