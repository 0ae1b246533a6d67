#!/usr/bin/env bash
# Installs the local servers and browser the integration tests run against, each only if
# missing. Best effort: a tool that cannot be installed here makes its tests skip with a
# message (or fail under CI, where FINOPS_REQUIRE_TEST_TOOLS=1).
#   - Chromium (Debian package) for the report and Dagster UI browser tests.
set -uo pipefail
cd "$(dirname "$0")/.."
TOOLS_DIR="${FINOPS_TOOLS_DIR:-.tools}"
mkdir -p "$TOOLS_DIR"

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup_test_tools: installing Debian chromium (browser tests)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
            >"$TOOLS_DIR/chromium-install.log" 2>&1 \
            || echo "setup_test_tools: chromium install failed, see $TOOLS_DIR/chromium-install.log"
    else
        echo "setup_test_tools: chromium not found; browser tests will skip (apt-get install chromium)"
    fi
fi
exit 0
