"""Keep secrets out of messages: URLs lose what can carry one before they are printed or logged.

Webhook URLs (Slack, Teams) carry their secret in the path, pre-signed URLs in the query,
and `user:password@` in the authority. A message needs none of these to be useful: the
scheme, host and port say which endpoint failed. Bucket-style locations (s3://, gs://,
azure://, bigquery://) keep their path, since it names the data and the location parser
already refuses credentials in them.
"""

from __future__ import annotations

import re

# scheme://anything-up-to-whitespace-or-quote; also catches URLs glued to other text.
_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*)://([^\s'\"<>`]+)")
_KEEP_PATH = {"s3", "gs", "azure", "bigquery", "file"}
MASK = "***"


def redact_url(scheme: str, rest: str) -> str:
    """One URL without userinfo, query, fragment, and (for web URLs) without its path."""
    if scheme.lower() not in _KEEP_PATH and "@" in rest:
        # A password may hold '/' or '?': everything before the last '@' goes.
        rest = MASK + "@" + rest.rsplit("@", 1)[1]
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = MASK + "@" + authority.rsplit("@", 1)[1]
    path, q, _query = path.partition("?")
    path, _h, _frag = path.partition("#")
    if "?" in authority or "#" in authority:
        authority = re.split(r"[?#]", authority, maxsplit=1)[0]
        q = q or "?"
    if scheme.lower() in _KEEP_PATH:
        if any(marker in path.lower() for marker in ("sig=", "accountkey=", "token=")):
            path = MASK
        text = f"{scheme}://{authority}{slash}{path}"
    else:
        text = f"{scheme}://{authority}" + (f"/{MASK}" if path else "")
    return text + (f"?{MASK}" if q else "")


def redact(text: str) -> str:
    """`text` with every URL-like part reduced to what identifies the endpoint."""
    return _URL.sub(lambda m: redact_url(m.group(1), m.group(2)), text)
