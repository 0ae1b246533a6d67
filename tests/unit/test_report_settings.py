"""The `report:` key of finops.yaml: defaults, paths relative to the file, errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_pipeline.errors import ConfigError
from finops_pipeline.settings import load_settings


def test_defaults_put_reports_beside_the_warehouse(tmp_path: Path) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("warehouse: w.duckdb\n", encoding="utf-8")
    settings = load_settings(config)
    assert settings.report.formats == ["html", "xlsx", "csv"] and settings.report.top == 10
    assert (
        settings.report.directory(tmp_path / "data" / "w.duckdb") == tmp_path / "data" / "reports"
    )


def test_output_dir_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "finops.yaml"
    config.parent.mkdir()
    config.write_text("report:\n  output_dir: out/reports\n  formats: [HTML, pdf]\n")
    settings = load_settings(config)
    assert settings.report.output_dir == config.parent / "out" / "reports"
    assert settings.report.formats == ["html", "pdf"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "report:\n  formats: [html, docx]\n",
            r"report\.formats \(line 2\): .*unknown format\(s\) docx; use any of html, xlsx, csv, pdf",
        ),
        ("report:\n  top: 0\n", r"report\.top \(line 2\): .*greater than or equal to 1"),
        ("report:\n  output: x\n", r"report\.output \(line 2\): Extra inputs are not permitted"),
    ],
)
def test_bad_report_keys_name_the_key_and_line(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)
