"""Deterministic identifiers in the shapes each provider uses.

Every id comes from a seeded ``random.Random``, never from ``uuid4`` or the clock, so two runs
with the same seed write byte-identical files.
"""

from __future__ import annotations

import base64
import random
import uuid

_HEX = "0123456789abcdef"


class Ids:
    """A seeded source of ids; one per source keeps sources independent of each other."""

    def __init__(self, seed: int, stream: str) -> None:
        # str seeds hash with SHA-512 inside ``random``, stable across processes.
        self.rng = random.Random(f"{seed}:{stream}:ids")

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(_HEX) for _ in range(n))

    def digits(self, n: int) -> str:
        first = str(self.rng.randint(1, 9))
        return first + "".join(str(self.rng.randint(0, 9)) for _ in range(n - 1))

    def aws_account(self) -> str:
        return self.digits(12)

    def line_item_id(self) -> str:
        """CUR ``identity/LineItemId``: 52 lowercase base32 characters."""
        raw = self.rng.getrandbits(260).to_bytes(33, "big")
        return base64.b32encode(raw).decode()[:52].lower()

    def ec2(self, prefix: str) -> str:
        """``i-0abc...``, ``vol-0...``, ``snap-0...``, ``nat-0...`` (17 hex after the 0)."""
        return f"{prefix}-0{self.hex(16)}"

    def gcp_sku(self) -> str:
        h = self.hex(12).upper()
        return f"{h[0:4]}-{h[4:8]}-{h[8:12]}"

    def gcp_billing_account(self) -> str:
        h = self.hex(18).upper()
        return f"{h[0:6]}-{h[6:12]}-{h[12:18]}"

    def azure_meter(self) -> str:
        return self.guid()
