"""Source locations as users write them: `s3://bucket/prefix`, `gs://bucket/prefix`,
`bigquery://project.dataset.table`, `azure://account/container/path`, `azure-exports:<scope>`.

Parsing is strict and credential-free: a location that carries a secret (user:password@,
a SAS `sig=`, an account key) is refused, because the config is not the place for secrets.
Endpoint overrides (`endpoint_url`, `blob_endpoint_url`, `--endpoint-url`) get the same rule
(`check_endpoint_url`). Messages show locations through `redact`, and a refused endpoint's
message names the setting only, so a refused secret is never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finops_pipeline.redact import redact
from finops_pipeline.urls import HttpUrlError, UrlProblem, split_http_url

SCHEMES = ("s3", "bigquery", "azure", "azure-exports", "gs")
_SECRET_MARKERS = ("sig=", "accountkey=", "sharedaccesssignature", "x-amz-signature", "@")
_BQ_TABLE = re.compile(r"^([A-Za-z0-9_.:-]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_$*-]+)$")


@dataclass(frozen=True)
class Location:
    """Where a source's exports are: the scheme and its parts (meaning depends on the scheme).

    s3, gs: host = bucket, path = object name prefix; azure: host = storage account,
    container, path = blob prefix; bigquery: host = project, container = dataset, path = table;
    azure-exports: path = the Cost Management scope (`/subscriptions/...`).
    """

    uri: str
    scheme: str
    host: str = ""
    container: str = ""
    path: str = ""

    @property
    def table_id(self) -> str:
        return f"{self.host}.{self.container}.{self.path}"


def is_remote(text: str) -> bool:
    """True for a location URI (scheme://... or azure-exports:...), False for a local path."""
    return bool(re.match(r"^[a-z][a-z0-9+-]*:", text)) and (
        "://" in text or text.startswith("azure-exports:")
    )


_URL_PROBLEMS = {
    UrlProblem.NOT_ONE_LINE: "contains whitespace or a control character; expected one URL "
    "such as http://127.0.0.1:9000",
    UrlProblem.INVALID: "not a valid URL; expected http(s)://host[:port]",
    UrlProblem.NOT_HTTP: "expected http(s)://host[:port][/path]",
}


def check_endpoint_url(value: str, setting: str = "endpoint_url") -> str:
    """An endpoint override must be a plain http(s)://host[:port][/path]: no user:password@,
    no query string (a signature), no whitespace. Errors name `setting`, never the value."""
    try:
        parts = split_http_url(value)
    except HttpUrlError as exc:
        raise ValueError(f"{setting}: {_URL_PROBLEMS[exc.problem]}") from None
    if "@" in parts.netloc or any(m in value.lower() for m in _SECRET_MARKERS[:4]):
        raise ValueError(
            f"{setting}: carries credentials (user:password@ or a signature); credentials come "
            "from the provider's standard chain (environment, profile, managed identity), never "
            "from the endpoint URL"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{setting}: has a query string or fragment; give scheme, host, port "
                         "and path only")  # fmt: skip
    return value


def parse_location(uri: str) -> Location:
    """Split a location URI; ValueError says what form was expected."""
    shown = redact(uri)
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise ValueError(
            f"location {shown!r}: unknown scheme; use s3://bucket/prefix, gs://bucket/prefix, "
            "bigquery://project.dataset.table, azure://account/container/path or "
            "azure-exports:/subscriptions/<id> (a Cost Management scope)"
        )
    if any(marker in uri.lower() for marker in _SECRET_MARKERS) or "?" in uri:
        raise ValueError(
            f"the {scheme} location looks like it carries credentials or a query string (not "
            "shown); credentials "
            "come from the provider's standard chain (environment, profile, managed identity), "
            "never from the config"
        )
    if scheme == "azure-exports":
        scope = "/" + rest.lstrip("/")
        if not re.match(r"^/(subscriptions|providers)/", scope, re.IGNORECASE):
            raise ValueError(
                f"location {shown!r}: expected a Cost Management scope such as "
                "azure-exports:/subscriptions/<id> or "
                "azure-exports:/providers/Microsoft.Billing/billingAccounts/<id>"
            )
        return Location(uri, scheme, path=scope.rstrip("/"))
    if not rest.startswith("//"):
        raise ValueError(f"location {shown!r}: expected {scheme}://...")
    body = rest[2:]
    if scheme == "bigquery":
        match = _BQ_TABLE.match(body.strip("/"))
        if not match:
            raise ValueError(
                f"location {shown!r}: expected bigquery://project.dataset.table "
                "(the billing export table or the FOCUS view)"
            )
        return Location(uri, scheme, match.group(1), match.group(2), match.group(3))
    host, _, path = body.partition("/")
    if not host:
        raise ValueError(f"location {shown!r}: the bucket or account name is missing")
    if scheme == "azure":
        container, _, prefix = path.partition("/")
        if not container:
            raise ValueError(f"location {shown!r}: expected azure://account/container/path")
        return Location(uri, scheme, host, container, prefix.strip("/"))
    return Location(uri, scheme, host, path=path.strip("/"))
