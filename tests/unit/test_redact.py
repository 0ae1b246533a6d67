"""URLs in messages keep scheme, host and port; passwords, webhook paths and signed query
strings go, whatever error text they arrive in."""

from __future__ import annotations

import pytest

from finops_pipeline.alerts.messages import run_failure_message
from finops_pipeline.errors import FinopsError, IngestError
from finops_pipeline.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at http://user:pw@host:9000/a?x=1 now", "at http://***@host:9000/***?*** now"),
        ("https://hooks.slack.com/services/T0/B0/tok", "https://hooks.slack.com/***"),
        ("http://user:pa/ss?x@host/a", "http://***@host/***"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("s3://bucket/cur/file.csv", "s3://bucket/cur/file.csv"),
        ("azure://acct/c/p?sv=1&sig=abc", "azure://acct/c/p?***"),
        ("('https://x.example/tok')", "('https://x.example/***')"),
        ("no url here", "no url here"),
    ],
)  # fmt: skip
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_errors_are_redacted_wherever_they_are_printed() -> None:
    assert "pw" not in str(FinopsError("cannot reach http://u:pw@h/x"))
    error = IngestError("https://h.example/path-tok/f.csv", "unreadable")
    assert "path-tok" not in str(error) and "path-tok" not in error.one_line()


def test_a_run_failure_alert_redacts_urls_in_the_error() -> None:
    message = run_failure_message(
        "job", "r1", None, None, "connect http://etl:pw-tok@db.example.com/pw-tok failed",
        [], "http://127.0.0.1:3000",
    )  # fmt: skip
    assert "pw-tok" not in message.text() and "pw-tok" not in str(message.data)
    assert "http://***@db.example.com/***" in message.text()
