"""The `alerts:` section: secrets only by environment variable name; errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_pipeline.errors import ConfigError
from finops_pipeline.settings import load_settings

GOOD = """\
alerts:
  destinations:
    - {name: slack, type: slack, webhook_url_env: FINOPS_SLACK_WEBHOOK_URL}
    - name: mail
      type: email
      smtp_host: smtp.example.com
      username: alerts
      password_env: FINOPS_SMTP_PASSWORD
      from: finops@example.com
      to: [finops@example.com]
  routes:
    - {destinations: [slack], severities: [high], teams: [payments]}
    - {destinations: [mail], severities: [low], digest: true}
"""


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "finops.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_a_valid_alerts_section(tmp_path: Path) -> None:
    settings = load(tmp_path, GOOD)
    alerts = settings.alerts  # type: ignore[attr-defined]
    assert [d.name for d in alerts.destinations] == ["slack", "mail"]
    assert alerts.routes[0].matches("high", "payments")
    assert not alerts.routes[0].matches("high", "search")
    assert not alerts.routes[0].matches("low", "payments")
    assert alerts.has_digest


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("webhook_url_env: FINOPS_SLACK_WEBHOOK_URL",
             "webhook_url_env: https://hooks.slack.com/services/T0/B0/abc"),
            "alerts.destinations.0.slack.webhook_url_env (line 3): Value error, expected the NAME",
        ),
        (("destinations: [slack], sev", "destinations: [teams], sev"),
         "routes[0].destinations: unknown destination 'teams'; defined: slack, mail"),
        (("severities: [low]", "severities: [urgent]"), "alerts.routes.1.severities.0 (line 13)"),
        (("      password_env: FINOPS_SMTP_PASSWORD\n", ""), "username is set but password_env"),
        (("type: email", "type: pager"), "alerts.destinations.1 (line 4)"),
    ],
)  # fmt: skip
def test_errors_name_the_key_and_never_echo_a_secret(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, GOOD.replace(*change))
    message = str(info.value)
    assert expected in message
    assert "hooks.slack.com" not in message


SMTP = """\
alerts:
  destinations:
    - name: mail
      type: email
      smtp_host: {host}
      smtp_port: {port}
      starttls: {starttls}
      ssl: {ssl}
      username: alerts
      password_env: FINOPS_SMTP_PASSWORD
      from: finops@example.com
      to: [finops@example.com]
"""


@pytest.mark.parametrize(
    ("host", "port", "starttls", "ssl", "error"),
    [
        ("smtp.example.com", 25, "false", "false", "password would cross the network in clear"),
        ("10.0.0.5", 25, "false", "false", "password would cross the network in clear"),
        ("smtp.example.com", 465, "true", "true", "ssl: true is implicit TLS"),
        ("smtp.example.com", 587, "true", "false", None),
        ("smtp.example.com", 465, "false", "true", None),
        ("127.0.0.1", 25, "false", "false", None),
        ("localhost", 25, "false", "false", None),
        ("::1", 25, "false", "false", None),
    ],
)  # fmt: skip
def test_smtp_login_needs_tls_unless_loopback(
    tmp_path: Path, host: str, port: int, starttls: str, ssl: str, error: str | None
) -> None:
    text = SMTP.format(host=f'"{host}"', port=port, starttls=starttls, ssl=ssl)
    if error is None:
        load(tmp_path, text)
        return
    with pytest.raises(ConfigError, match=error):
        load(tmp_path, text)


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("FINOPS_SLACK_WEBHOOK_URL", "hooks.slack.com/services/T0/B0/s3cr3t", "webhook_url_env"),
        ("FINOPS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/s3cr3t\n", "webhook_url_env"),
        ("FINOPS_SLACK_WEBHOOK_URL", "ftp://hooks.slack.com/s3cr3t", "webhook_url_env"),
        ("FINOPS_SLACK_WEBHOOK_URL", "http://hooks.slack.com/s3cr3t", "webhook_url_env"),
        ("FINOPS_SLACK_WEBHOOK_URL", "https://u:s3cr3t@hooks.slack.com/x", "webhook_url_env"),
        ("FINOPS_SMTP_PASSWORD", "s3cr3t\r\nQUIT", "password_env"),
    ],
)  # fmt: skip
def test_secret_values_are_checked_at_load_and_never_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, setting: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load(tmp_path, GOOD)
    assert setting in str(info.value) and variable in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_a_good_secret_value_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/x")
    monkeypatch.setenv("FINOPS_SMTP_PASSWORD", "correct horse battery staple")
    load(tmp_path, GOOD)
