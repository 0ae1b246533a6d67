"""Source locations as users write them: `s3://bucket/prefix`, `gs://bucket/prefix`,
`bigquery://project.dataset.table`, `azure://account/container/path`, `azure-exports:<scope>`.

Parsing is strict and credential-free: a location that carries a secret (user:password@,
a SAS `sig=`, an account key) is refused, because the config is not the place for secrets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def parse_location(uri: str) -> Location:
    """Split a location URI; ValueError says what form was expected."""
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise ValueError(
            f"location {uri!r}: unknown scheme; use s3://bucket/prefix, gs://bucket/prefix, "
            "bigquery://project.dataset.table, azure://account/container/path or "
            "azure-exports:/subscriptions/<id> (a Cost Management scope)"
        )
    if any(marker in uri.lower() for marker in _SECRET_MARKERS) or "?" in uri:
        raise ValueError(
            f"location {uri!r} looks like it carries credentials or a query string; credentials "
            "come from the provider's standard chain (environment, profile, managed identity), "
            "never from the config"
        )
    if scheme == "azure-exports":
        scope = "/" + rest.lstrip("/")
        if not re.match(r"^/(subscriptions|providers)/", scope, re.IGNORECASE):
            raise ValueError(
                f"location {uri!r}: expected a Cost Management scope such as "
                "azure-exports:/subscriptions/<id> or "
                "azure-exports:/providers/Microsoft.Billing/billingAccounts/<id>"
            )
        return Location(uri, scheme, path=scope.rstrip("/"))
    if not rest.startswith("//"):
        raise ValueError(f"location {uri!r}: expected {scheme}://...")
    body = rest[2:]
    if scheme == "bigquery":
        match = _BQ_TABLE.match(body.strip("/"))
        if not match:
            raise ValueError(
                f"location {uri!r}: expected bigquery://project.dataset.table "
                "(the billing export table or the FOCUS view)"
            )
        return Location(uri, scheme, match.group(1), match.group(2), match.group(3))
    host, _, path = body.partition("/")
    if not host:
        raise ValueError(f"location {uri!r}: the bucket or account name is missing")
    if scheme == "azure":
        container, _, prefix = path.partition("/")
        if not container:
            raise ValueError(f"location {uri!r}: expected azure://account/container/path")
        return Location(uri, scheme, host, container, prefix.strip("/"))
    return Location(uri, scheme, host, path=path.strip("/"))
