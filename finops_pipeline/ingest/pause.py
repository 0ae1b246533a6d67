"""A test hook: hold a load at a named point so that a test can kill the process right there.

With `FINOPS_PAUSE_AT=<point>` and `FINOPS_PAUSE_FILE=<file>` in the environment,
`pause_point("<point>")` writes the point's name to the file and waits until the file is
deleted (the test either kills the process while it waits, or deletes the file and kills it
a few milliseconds later, inside the step that follows). Without the variables, as always
outside tests, it is one environment lookup at a handful of places per delivery.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = (
    "landing:start",  # before the delivery's transaction begins
    "landing:inserted",  # rows inserted, earlier rows of the periods not yet deleted
    "landing:before_commit",  # everything written, commit not yet issued
    "landing:after_commit",  # landing committed, focus_costs not rebuilt yet
    "rebuild:before_commit",  # focus_costs rows replaced, commit not yet issued
)


def pause_point(name: str) -> None:
    if os.environ.get("FINOPS_PAUSE_AT") != name:
        return
    marker = Path(os.environ["FINOPS_PAUSE_FILE"])
    partial = marker.with_name(marker.name + ".part")
    partial.write_text(name, encoding="utf-8")
    partial.replace(marker)
    while marker.exists():
        time.sleep(0.001)
