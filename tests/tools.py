"""Finding the local servers and browser the integration tests need.

A missing tool skips its tests with a message saying how to get it; under CI
(FINOPS_REQUIRE_TEST_TOOLS=1, set by .ci/run) it fails them instead, so CI can never go
green by skipping. `scripts/setup_test_tools.sh` (run by `make test`) installs them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS_DIR = Path(os.environ.get("FINOPS_TOOLS_DIR", REPO_ROOT / ".tools"))


def missing_tool(message: str) -> None:
    """Skip (or, under CI, fail) the calling test because a tool is missing."""
    if os.environ.get("FINOPS_REQUIRE_TEST_TOOLS") == "1":
        pytest.fail(f"{message} (CI requires it: see scripts/setup_test_tools.sh)")
    pytest.skip(f"{message}; run scripts/setup_test_tools.sh to install it")


def chromium_path() -> str:
    """Debian's chromium, which Playwright drives (no browser download needed)."""
    found = os.environ.get("FINOPS_CHROMIUM") or shutil.which("chromium")
    if not found:
        missing_tool("chromium not found")
    return str(found)


def azurite_command() -> list[str]:
    """Azurite's blob server, installed by npm into .tools/azurite (see setup_test_tools.sh)."""
    found = os.environ.get("FINOPS_AZURITE") or TOOLS_DIR / "azurite/node_modules/.bin/azurite-blob"
    if not Path(found).exists():
        missing_tool(f"azurite-blob not found at {found}")
    if not shutil.which("node"):
        missing_tool("node (for Azurite) not found")
    return [str(found)]


def bqemulator_command() -> list[str]:
    """bqemulator in its own venv (it needs duckdb 1.5.x), see setup_test_tools.sh."""
    found = os.environ.get("FINOPS_BQEMULATOR") or TOOLS_DIR / "bqemulator-venv/bin/bqemulator"
    if not Path(found).exists():
        missing_tool(f"bqemulator not found at {found}")
    return [str(found)]


def focus_validator_command() -> list[str]:
    """The FinOps Foundation's focus-validator 2.2.1 in its own venv (Python 3.12, pyarrow<19),
    see setup_test_tools.sh."""
    found = (
        os.environ.get("FINOPS_FOCUS_VALIDATOR")
        or TOOLS_DIR / "focus-validator-venv/bin/focus-validator"
    )
    if not Path(found).exists():
        missing_tool(f"focus-validator not found at {found}")
    return [str(found)]


def java_home() -> str:
    """A Java 17+ runtime for pyspark (the Spark engine tests); setup_test_tools.sh installs
    Debian's openjdk-17-jre-headless when none is found."""
    found = os.environ.get("JAVA_HOME")
    java = Path(found, "bin", "java") if found else shutil.which("java")
    if not java or not Path(java).exists():
        missing_tool("java (a Java 17 runtime, for the Spark engine tests) not found")
    return str(Path(str(java)).resolve().parents[1])
