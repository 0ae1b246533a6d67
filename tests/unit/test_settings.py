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
