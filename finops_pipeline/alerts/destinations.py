"""Deliver a `Message` to a Slack webhook, a JSON webhook, or by SMTP mail.

Secrets (webhook URLs, tokens, SMTP passwords) are read from the environment through
Dagster's `EnvVar` at the moment of sending, and never appear in an error message, a log
line or the UI: errors name the destination and the variable, never the value. Values are
checked before use (alerts/secrets.py), and any failure while sending, whatever its type,
becomes a DeliveryError that names only the exception's type: urllib's and smtplib's own
messages can quote the URL, a header or the server's reply.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage

import dagster as dg

from finops_pipeline.alerts.messages import Message
from finops_pipeline.alerts.secrets import (
    SecretValueError,
    check_header_value,
    check_password,
    check_url,
)
from finops_pipeline.alerts.settings import (
    EmailDestination,
    SlackDestination,
    WebhookDestination,
)
from finops_pipeline.errors import FinopsError

TIMEOUT_SECONDS = 15


class DeliveryError(FinopsError):
    """A destination refused or could not be reached; the message says which, never secrets."""


def secret(destination: str, key: str, env_name: str, check: object = None) -> str:
    """The variable's value, checked by `check`; errors name the key, never the value."""
    value = dg.EnvVar(env_name).get_value()
    if not value:
        raise DeliveryError(
            f"alert destination '{destination}': environment variable {env_name} "
            f"(alerts.destinations.{key}) is not set; export it where Dagster runs"
        )
    if check is not None:
        try:
            check(value, f"alerts.destinations.{key}", env_name)  # type: ignore[operator]
        except SecretValueError as exc:
            raise DeliveryError(f"alert destination '{destination}': {exc}") from None
    return value


def send(
    destination: SlackDestination | WebhookDestination | EmailDestination, message: Message
) -> None:
    if isinstance(destination, SlackDestination):
        url = secret(destination.name, "webhook_url_env", destination.webhook_url_env, check_url)
        _post(destination.name, url, message.slack(), {})
    elif isinstance(destination, WebhookDestination):
        url = secret(destination.name, "url_env", destination.url_env, check_url)
        headers = {}
        if destination.token_env:
            token = secret(destination.name, "token_env", destination.token_env, check_header_value)
            headers["Authorization"] = f"Bearer {token}"
        payload = {**message.data, "title": message.title, "text": message.text()}
        _post(destination.name, url, payload, headers)
    else:
        _mail(destination, message)


def _post(name: str, url: str, payload: dict, headers: dict[str, str]) -> None:
    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(
            f"alert destination '{name}': the endpoint answered HTTP {exc.code}"
        ) from None
    except Exception as exc:  # any failure: its text may quote the URL
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(
            f"alert destination '{name}': could not reach the endpoint ({type(reason).__name__})"
        ) from None


def _mail(destination: EmailDestination, message: Message) -> None:
    mail = EmailMessage()
    mail["Subject"] = f"[finops {message.severity}] {message.title}"
    mail["From"] = destination.sender
    mail["To"] = ", ".join(destination.to)
    mail.set_content(message.text())
    password = None
    if destination.username and destination.password_env:
        password = secret(
            destination.name, "password_env", destination.password_env, check_password
        )
    host, port = destination.smtp_host, destination.smtp_port
    try:
        if destination.ssl:
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with client as smtp:
            if destination.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if password is not None:
                smtp.login(destination.username or "", password)
            smtp.send_message(mail)
    except smtplib.SMTPException as exc:
        raise DeliveryError(
            f"alert destination '{destination.name}': SMTP {destination.smtp_host}:"
            f"{destination.smtp_port} refused the mail ({type(exc).__name__})"
        ) from None
    except OSError as exc:
        raise DeliveryError(
            f"alert destination '{destination.name}': cannot reach SMTP {destination.smtp_host}:"
            f"{destination.smtp_port} ({exc.strerror or type(exc).__name__})"
        ) from None
    except Exception as exc:  # e.g. UnicodeEncodeError
        raise DeliveryError(
            f"alert destination '{destination.name}': SMTP {destination.smtp_host}:"
            f"{destination.smtp_port} failed ({type(exc).__name__})"
        ) from None
