"""Deliver a `Message` to a Slack webhook, a JSON webhook, or by SMTP mail.

Secrets (webhook URLs, tokens, SMTP passwords) are read from the environment through
Dagster's `EnvVar` at the moment of sending, and never appear in an error message, a log
line or the UI: errors name the destination and the variable, never the value.
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
from finops_pipeline.alerts.settings import (
    EmailDestination,
    SlackDestination,
    WebhookDestination,
)
from finops_pipeline.errors import FinopsError

TIMEOUT_SECONDS = 15


class DeliveryError(FinopsError):
    """A destination refused or could not be reached; the message says which, never secrets."""


def secret(destination: str, key: str, env_name: str) -> str:
    value = dg.EnvVar(env_name).get_value()
    if not value:
        raise DeliveryError(
            f"alert destination '{destination}': environment variable {env_name} "
            f"(alerts.destinations.{key}) is not set; export it where Dagster runs"
        )
    return value


def send(
    destination: SlackDestination | WebhookDestination | EmailDestination, message: Message
) -> None:
    if isinstance(destination, SlackDestination):
        url = secret(destination.name, "webhook_url_env", destination.webhook_url_env)
        _post(destination.name, url, message.slack(), {})
    elif isinstance(destination, WebhookDestination):
        url = secret(destination.name, "url_env", destination.url_env)
        headers = {}
        if destination.token_env:
            token = secret(destination.name, "token_env", destination.token_env)
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
    except (urllib.error.URLError, OSError) as exc:
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
    try:
        with smtplib.SMTP(
            destination.smtp_host, destination.smtp_port, timeout=TIMEOUT_SECONDS
        ) as smtp:
            if destination.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if destination.username and destination.password_env:
                password = secret(destination.name, "password_env", destination.password_env)
                smtp.login(destination.username, password)
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
