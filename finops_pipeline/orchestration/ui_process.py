"""Run `dagster dev` for `finops ui` so that it stops when asked, even in the background.

A shell starts a background job with SIGINT ignored, and `dagster dev` started that way
ignored SIGTERM too: stopping it needed SIGKILL, which leaves the webserver and daemon
children behind. Here the server runs in its own process group; SIGTERM or SIGINT to
`finops ui` is forwarded to the whole group as SIGTERM, and whatever is still alive after
the grace period is killed, so the command always ends within STOP_SECONDS.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

GRACE_SECONDS = 6.0
STOP_SECONDS = 10.0


def run_foreground(command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Start `command` in its own process group; its exit code, or 128 + the signal."""
    proc = subprocess.Popen(list(command), env=dict(env), cwd=cwd, start_new_session=True)
    received: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        _signal_group(proc.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if received:
                    code = _stop(proc)
                    break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _signal_group(proc.pid, signal.SIGKILL)  # any child the server left behind
    return 128 + received[0] if received else code


def _stop(proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(0.2)
    _signal_group(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=STOP_SECONDS - GRACE_SECONDS)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)
