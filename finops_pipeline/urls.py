"""What counts as one http(s) URL, for every setting that holds one (alert webhooks, storage
endpoint overrides): checked before the value is used, so a bad one fails here rather than
deep inside urllib, whose errors quote the value (which may be a secret).

Each caller words the problem for its own reader, by `UrlProblem`; the value is never kept.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import SplitResult, urlsplit


class UrlProblem(Enum):
    NOT_ONE_LINE = "whitespace or a control character"
    INVALID = "not a valid URL"
    NOT_HTTP = "not http(s) with a host"


class HttpUrlError(ValueError):
    """The value is not one http(s) URL with a host; `problem` says why."""

    def __init__(self, problem: UrlProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def split_http_url(value: str) -> SplitResult:
    """`value` split, when it is one http(s) URL with a host (and a numeric port, if any)."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise HttpUrlError(UrlProblem.NOT_ONE_LINE)
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise HttpUrlError(UrlProblem.INVALID) from None
    if parts.scheme not in ("http", "https") or not host:
        raise HttpUrlError(UrlProblem.NOT_HTTP)
    return parts
