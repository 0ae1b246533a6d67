"""Checks on the secret values alert destinations read from the environment.

A webhook URL, bearer token or SMTP password that cannot be sent as it is (a newline in a
token, a URL without scheme) used to fail deep inside urllib or smtplib, whose exceptions
quote the value, and so put it in the Dagster event log. These checks run when the config
loads (for every variable already set) and again just before sending; their errors name
the setting and the variable, never the value.
"""

from __future__ import annotations

import ipaddress
import os

from finops_pipeline.urls import HttpUrlError, UrlProblem, split_http_url


class SecretValueError(ValueError):
    """A secret's value is unusable; the message names the setting, never the value."""


def is_loopback(host: str | None) -> bool:
    """localhost or a loopback address: traffic that never leaves this machine."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _where(setting: str, env_name: str) -> str:
    return f"environment variable {env_name} ({setting})"


_URL_PROBLEMS = {
    UrlProblem.NOT_ONE_LINE: "contains whitespace or a control character; expected one URL on "
    "one line",
    UrlProblem.INVALID: "is not a valid URL",
    UrlProblem.NOT_HTTP: "is not an http(s) URL with a host; expected the https URL exactly as "
    "the service gave it",
}


def check_url(value: str, setting: str, env_name: str) -> None:
    """An http(s) URL with a host, no credentials in it, https unless the host is loopback."""
    where = _where(setting, env_name)
    try:
        parts = split_http_url(value)
    except HttpUrlError as exc:
        raise SecretValueError(f"{where} {_URL_PROBLEMS[exc.problem]}") from None
    host = parts.hostname
    if parts.username is not None or parts.password is not None:
        raise SecretValueError(f"{where} carries user:password@; remove it (a webhook "
                               "destination takes a bearer token from token_env)")  # fmt: skip
    if parts.scheme != "https" and not is_loopback(host):
        raise SecretValueError(f"{where} uses plain http to a host that is not loopback; "
                               "use https, the URL itself is a secret")  # fmt: skip


def check_header_value(value: str, setting: str, env_name: str) -> None:
    """A token that fits in an HTTP header: visible ASCII, no spaces or line breaks."""
    if not value or not all(33 <= ord(c) <= 126 for c in value):
        raise SecretValueError(
            f"{_where(setting, env_name)} is not usable in an HTTP header: expected visible "
            "ASCII characters only (no spaces, line breaks or control characters)"
        )


def check_password(value: str, setting: str, env_name: str) -> None:
    """A password SMTP AUTH can carry: printable ASCII (smtplib encodes it as ASCII)."""
    if not value or not all(32 <= ord(c) <= 126 for c in value):
        raise SecretValueError(
            f"{_where(setting, env_name)} is not usable as an SMTP password: expected printable "
            "ASCII characters only (no line breaks or control characters)"
        )


def check_if_set(check: object, setting: str, env_name: str | None) -> None:
    """Run `check` on the variable's value when it is set here (the config may be loaded
    where the secret is not, e.g. by `finops report`; sending checks again)."""
    if not env_name:
        return
    value = os.environ.get(env_name)
    if value:
        check(value, setting, env_name)  # type: ignore[operator]
