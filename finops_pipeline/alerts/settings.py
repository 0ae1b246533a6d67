"""The `alerts:` section of finops.yaml: where anomaly and run-failure alerts go, validated.

Secrets never sit in the config: a destination names the environment variable that holds its
webhook URL or SMTP password (`*_env` keys), read through Dagster's `EnvVar` when sending.
When those variables are set where the config loads, their values are checked here too
(alerts/secrets.py), so a token with a newline fails at load naming the key, not at send.
SMTP with a password needs STARTTLS or SSL unless the server is on this machine.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finops_pipeline.alerts.secrets import (
    check_header_value,
    check_if_set,
    check_password,
    check_url,
    is_loopback,
)

Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_name(value: str | None) -> str | None:
    if value is None:
        return value
    if not ENV_NAME.fullmatch(value):
        raise ValueError(
            "expected the NAME of an environment variable (letters, digits, '_'), e.g. "
            "FINOPS_SLACK_WEBHOOK_URL: put the secret itself in that variable, never in the file"
        )
    return value


class _Destination(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class SlackDestination(_Destination):
    """A Slack incoming webhook; the message uses Block Kit with a plain-text fallback."""

    type: Literal["slack"]
    webhook_url_env: str

    _check_env = field_validator("webhook_url_env")(lambda cls, v: _env_name(v))

    @model_validator(mode="after")
    def _values_if_set(self) -> SlackDestination:
        check_if_set(check_url, "webhook_url_env", self.webhook_url_env)
        return self


class WebhookDestination(_Destination):
    """Any HTTP endpoint taking a JSON POST (one alert object, or a digest with a list)."""

    type: Literal["webhook"]
    url_env: str
    token_env: str | None = None  # sent as `Authorization: Bearer <token>` when set

    _check_env = field_validator("url_env", "token_env")(lambda cls, v: _env_name(v))

    @model_validator(mode="after")
    def _values_if_set(self) -> WebhookDestination:
        check_if_set(check_url, "url_env", self.url_env)
        check_if_set(check_header_value, "token_env", self.token_env)
        return self


class EmailDestination(_Destination):
    """Mail over SMTP (STARTTLS unless `starttls: false`, or implicit TLS with `ssl: true`,
    usually port 465; login only when a username is set)."""

    type: Literal["email"]
    smtp_host: str = Field(pattern=r"^[A-Za-z0-9.:\[\]-]+$")
    smtp_port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    sender: str = Field(alias="from", pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(min_length=1)

    _check_env = field_validator("password_env")(lambda cls, v: _env_name(v))

    @model_validator(mode="after")
    def _login_needs_password(self) -> EmailDestination:
        if self.username and not self.password_env:
            raise ValueError("username is set but password_env is not (name the variable)")
        if self.ssl and self.starttls:
            raise ValueError("ssl: true is implicit TLS; set starttls: false with it")
        if (
            self.password_env
            and not (self.starttls or self.ssl)
            and not is_loopback(self.smtp_host)
        ):
            raise ValueError(
                "password_env is set but neither starttls nor ssl is: the password would cross "
                "the network in clear text; use starttls: true (port 587) or ssl: true (port "
                "465); plain SMTP is allowed only to a loopback host"
            )
        check_if_set(check_password, "password_env", self.password_env)
        return self


Destination = Annotated[
    SlackDestination | WebhookDestination | EmailDestination, Field(discriminator="type")
]


class Route(BaseModel):
    """Which anomalies go where. Empty `teams` means every team (and untagged cost)."""

    model_config = ConfigDict(extra="forbid")

    destinations: list[str] = Field(min_length=1)
    severities: list[Severity] = Field(default_factory=lambda: list(SEVERITIES))
    teams: list[str] = Field(default_factory=list)
    digest: bool = False  # True: collected and sent once a day (digest_hour_utc)

    def matches(self, severity: str, team: str | None) -> bool:
        return severity in self.severities and (not self.teams or team in self.teams)


class RunFailureAlerts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    only_scheduled: bool = True  # False: every failed run, manual ones too
    destinations: list[str] = Field(default_factory=list)  # empty: every destination


class AlertSettings(BaseModel):
    """Anomaly alerts (new rows of cost_anomalies, once each) and run-failure alerts."""

    model_config = ConfigDict(extra="forbid")

    dagster_url: str = "http://127.0.0.1:3000"  # links in messages point here
    destinations: list[Destination] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    digest_hour_utc: int = Field(8, ge=0, le=23)
    max_age_days: int = Field(14, ge=1)  # older events (on first deploy) are not alerted
    sensor_interval_seconds: int = Field(60, ge=10)
    run_failures: RunFailureAlerts = Field(default_factory=RunFailureAlerts)

    @model_validator(mode="after")
    def _known_destinations(self) -> AlertSettings:
        names = [d.name for d in self.destinations]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"destinations: names must be unique; repeated {repeated}")
        used = [(f"routes[{i}]", d) for i, r in enumerate(self.routes) for d in r.destinations]
        used += [("run_failures", d) for d in self.run_failures.destinations]
        for where, name in used:
            if name not in names:
                raise ValueError(
                    f"{where}.destinations: unknown destination {name!r}; defined: "
                    f"{', '.join(names) or 'none (add alerts.destinations)'}"
                )
        return self

    def destination(self, name: str) -> SlackDestination | WebhookDestination | EmailDestination:
        return next(d for d in self.destinations if d.name == name)

    @property
    def has_digest(self) -> bool:
        return any(r.digest for r in self.routes)
