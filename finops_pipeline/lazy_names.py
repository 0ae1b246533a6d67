"""Names a package exports but loads on first use (PEP 562 module `__getattr__`).

`finops_pipeline.settings` imports a few domain packages for their settings models, so
whatever those packages import at the top is paid by every CLI command at start-up, even
`finops sql --help`. A package whose heavy parts (the anomaly detector's numpy/pandas/scipy,
the allocator's pyarrow) are not needed for its settings exports them through here instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports `names[name]` (a module path) when
    `name` is first read, and fails as Python would for any other name."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
