"""Cloud source locations: parsed strictly, secrets refused, config errors name the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from finops_pipeline.connectors.bigquery import first_month
from finops_pipeline.connectors.locations import is_remote, parse_location
from finops_pipeline.errors import ConfigError
from finops_pipeline.settings import load_settings


@pytest.mark.parametrize(
    ("uri", "scheme", "host", "container", "path"),
    [
        ("s3://bucket/cur/report", "s3", "bucket", "", "cur/report"),
        ("s3://bucket", "s3", "bucket", "", ""),
        ("gs://billing-exports/gcp/focus/", "gs", "billing-exports", "", "gcp/focus"),
        ("bigquery://my-proj.billing.gcp_billing_export_v1_X", "bigquery", "my-proj",
         "billing", "gcp_billing_export_v1_X"),
        ("azure://acct/exports/focus/x/", "azure", "acct", "exports", "focus/x"),
        ("azure-exports:/subscriptions/abc", "azure-exports", "", "", "/subscriptions/abc"),
        ("azure-exports:/providers/Microsoft.Billing/billingAccounts/1", "azure-exports", "",
         "", "/providers/Microsoft.Billing/billingAccounts/1"),
    ],
)  # fmt: skip
def test_locations_parse(uri: str, scheme: str, host: str, container: str, path: str) -> None:
    location = parse_location(uri)
    assert (location.scheme, location.host, location.container, location.path) == (
        scheme, host, container, path)  # fmt: skip
    assert is_remote(uri)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("ftp://x/y", "unknown scheme"),
        ("s3://key:secret@bucket/x", "credentials"),
        ("gs:///prefix-without-bucket", "bucket or account name is missing"),
        ("azure://acct/c/p?sv=2024&sig=abc", "credentials"),
        ("bigquery://just-a-table", "project.dataset.table"),
        ("azure://acct", "azure://account/container/path"),
        ("azure-exports:/resourceGroups/x", "Cost Management scope"),
    ],
)
def test_bad_locations_say_what_was_expected(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_location(uri)


@pytest.mark.parametrize("text", ["exports/cur", "/data/x", "C:/data", "./s3/bucket"])
def test_local_paths_are_not_remote(text: str) -> None:
    assert not is_remote(text)


def test_config_with_a_location(tmp_path: Path) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources:\n  - name: aws\n    location: s3://b/cur\n    endpoint_url: http://127.0.0.1:9\n"
    )
    source = load_settings(config).sources[0]
    assert source.location == "s3://b/cur" and source.path is None
    assert source.where == "s3://b/cur"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    location: s3://k:s@b/x\n", r"sources\.0\.location \(line 3\).*credentials"),
        ("    path: x\n    location: s3://b/x\n", r"sources\.0 \(line 2\).*exactly one of path"),
        ("    format: auto\n", r"sources\.0 \(line 2\).*exactly one of path"),
        ("    location: s3://b/x\n    account_key: abc\n", r"sources\.0\.account_key \(line 4\)"),
        ("    location: bigquery://p.d.t\n    since: 2025-13\n", r"sources\.0\.since.*YYYY-MM"),
    ],
)
def test_bad_cloud_source_config_names_the_key_and_line(
    tmp_path: Path, body: str, message: str
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("sources:\n  - name: aws\n" + body)
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_bigquery_default_window_is_twelve_months() -> None:
    assert first_month(None, date(2026, 3, 17)) == date(2025, 4, 1)
    assert first_month("2024-11") == date(2024, 11, 1)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("http://127.0.0.1:9000", None),
        ("https://s3.eu.example.com/base", None),
        ("http://user:s3cr3t@127.0.0.1:9000", "carries credentials"),
        ("http://127.0.0.1:10000/acct?sv=1&sig=s3cr3t", "carries credentials"),
        ("http://127.0.0.1:9000/?token=s3cr3t", "query string"),
        ("127.0.0.1:9000", "expected http"),
        ("http://127.0.0.1:9000/s3cr3t\n", "whitespace"),
        ("http://127.0.0.1:port", "not a valid URL"),
    ],
)  # fmt: skip
def test_endpoint_urls_refuse_credentials_without_echoing(value: str, error: str | None) -> None:
    from finops_pipeline.connectors.locations import check_endpoint_url

    if error is None:
        assert check_endpoint_url(value, "endpoint_url") == value
        return
    with pytest.raises(ValueError, match=error) as info:
        check_endpoint_url(value, "endpoint_url")
    assert str(info.value).startswith("endpoint_url: ") and "s3cr3t" not in str(info.value)


def test_a_refused_location_is_not_echoed() -> None:
    with pytest.raises(ValueError, match="credentials") as info:
        parse_location("s3://AKIAX:s3cr3t@bucket/cur")
    assert "s3cr3t" not in str(info.value)
