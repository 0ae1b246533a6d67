#!/usr/bin/env bash
# Installs the local servers and browser the integration tests run against, each only if
# missing. Best effort: a tool that cannot be installed here makes its tests skip with a
# message (or fail under CI, where FINOPS_REQUIRE_TEST_TOOLS=1).
#   - Chromium (Debian package) for the report and Dagster UI browser tests.
#   - Azurite (npm, pinned below) for the Azure Blob connector tests.
#   - bqemulator (PyPI, in its own venv: it needs duckdb 1.5.x) for the BigQuery connector
#     tests, from the pins in scripts/bqemulator-requirements.txt.
#   - focus-validator 2.2.1 (PyPI, the FinOps Foundation's FOCUS validator) in its own venv: it
#     needs Python >= 3.12 and pyarrow < 19 beside its numpy 1.26 (pins in
#     scripts/focus-validator-requirements.txt), for the FOCUS conformance tests.
#   - A Java 17 runtime (Debian package) for the Spark engine tests (pyspark runs on it).
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

if ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup_test_tools: installing Debian openjdk-17-jre-headless (Spark engine tests)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless) \
            >"$TOOLS_DIR/java-install.log" 2>&1 \
            || echo "setup_test_tools: java install failed, see $TOOLS_DIR/java-install.log"
    else
        echo "setup_test_tools: java not found; Spark engine tests will skip (apt-get install openjdk-17-jre-headless)"
    fi
fi

AZURITE_VERSION=3.37.0
AZURITE_BIN="$TOOLS_DIR/azurite/node_modules/.bin/azurite-blob"
if [ ! -x "$AZURITE_BIN" ]; then
    if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup_test_tools: installing Debian nodejs + npm (for Azurite)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) \
            >"$TOOLS_DIR/node-install.log" 2>&1 \
            || echo "setup_test_tools: nodejs install failed, see $TOOLS_DIR/node-install.log"
    fi
    if command -v npm >/dev/null 2>&1; then
        echo "setup_test_tools: installing azurite@$AZURITE_VERSION into $TOOLS_DIR/azurite"
        started=$(date +%s)
        npm install --prefix "$TOOLS_DIR/azurite" --no-save --no-package-lock --no-audit \
            --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >"$TOOLS_DIR/azurite-install.log" 2>&1 \
            && echo "setup_test_tools: azurite installed in $(( $(date +%s) - started )) s" \
            || echo "setup_test_tools: azurite install failed, see $TOOLS_DIR/azurite-install.log"
    else
        echo "setup_test_tools: npm not found; Azure connector tests will skip"
    fi
fi

BQ_VENV="$TOOLS_DIR/bqemulator-venv"
if [ ! -x "$BQ_VENV/bin/bqemulator" ]; then
    echo "setup_test_tools: installing bqemulator into $BQ_VENV"
    started=$(date +%s)
    PY="$(command -v python3.11 || command -v python3)"
    ("$PY" -m venv "$BQ_VENV" \
        && .venv/bin/uv pip install --quiet --python "$BQ_VENV/bin/python" \
            -r scripts/bqemulator-requirements.txt) >"$TOOLS_DIR/bqemulator-install.log" 2>&1 \
        && echo "setup_test_tools: bqemulator installed in $(( $(date +%s) - started )) s" \
        || echo "setup_test_tools: bqemulator install failed, see $TOOLS_DIR/bqemulator-install.log"
fi
if [ -x "$BQ_VENV/bin/python" ]; then
    # bqemulator loads DuckDB's spatial extension at start; install it from the wheel in its
    # venv, since DuckDB's own download is out of reach here.
    "$BQ_VENV/bin/python" -c "import duckdb, pathlib, duckdb_extension_spatial as m; \
ext = next(pathlib.Path(m.__file__).parent.glob('extensions/*/spatial.duckdb_extension')); \
duckdb.connect().execute(f\"INSTALL '{ext}'\")" \
        || echo "setup_test_tools: could not install DuckDB spatial for bqemulator"
fi

FV_VENV="$TOOLS_DIR/focus-validator-venv"
if [ ! -x "$FV_VENV/bin/focus-validator" ]; then
    PY312=""
    for candidate in python3.12 python3.13 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/"3.12*/bin/python3.12; do
        if "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
            PY312="$candidate"
            break
        fi
    done
    if [ -z "$PY312" ]; then
        echo "setup_test_tools: no Python >= 3.12 found; FOCUS validator tests will skip"
    else
        echo "setup_test_tools: installing focus-validator into $FV_VENV ($PY312)"
        started=$(date +%s)
        ("$PY312" -m venv "$FV_VENV" \
            && .venv/bin/uv pip install --quiet --python "$FV_VENV/bin/python" \
                -r scripts/focus-validator-requirements.txt) >"$TOOLS_DIR/focus-validator-install.log" 2>&1 \
            && echo "setup_test_tools: focus-validator installed in $(( $(date +%s) - started )) s" \
            || echo "setup_test_tools: focus-validator install failed, see $TOOLS_DIR/focus-validator-install.log"
    fi
fi
exit 0
