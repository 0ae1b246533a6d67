"""Local servers for the connector tests: moto's S3 server, Azurite and bqemulator on
127.0.0.1, each started once per session and stopped after; plus one small set of sample
exports (two billing months of every format) to upload to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_pipeline.sample_data import generate

SAMPLE_END_MONTH = "2026-03"


@pytest.fixture(scope="session")
def sample_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    generate(folder, end_month=SAMPLE_END_MONTH, months=2, seed=7)
    return folder


@pytest.fixture(scope="session")
def moto_port() -> Iterator[int]:
    """moto's S3 (and IAM) server: a real HTTP endpoint that boto3 talks to as to AWS."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        # Fake keys for the local server; AWS's own chain reads them from the environment.
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_MAX_ATTEMPTS", "2")
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            yield server.get_host_and_port()[1]
        finally:
            server.stop()


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    path = tmp_path / "staging"
    os.makedirs(path, exist_ok=True)
    return path


# Azurite's documented development account: public, not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@pytest.fixture(scope="session")
def azurite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite's blob service on a free port; the URL boto-style clients take as endpoint."""
    from tests.connectors.servers import free_port, server_process
    from tests.tools import azurite_command

    command = azurite_command()
    port = free_port()
    folder = tmp_path_factory.mktemp("azurite")
    args = [*command, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--skipApiVersionCheck",
            "--disableTelemetry", "--inMemoryPersistence"]  # fmt: skip
    with server_process(args, port, folder / "azurite.log", cwd=folder):
        yield f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"


@pytest.fixture
def azurite_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The storage key from the environment, as the credential chain reads it."""
    monkeypatch.setenv("AZURE_STORAGE_KEY", AZURITE_KEY)
    return AZURITE_KEY


# Installs the spatial extension bqemulator loads at start from the wheel in its venv: DuckDB
# would otherwise try to download it, and this machine has no route to DuckDB's servers.
SPATIAL_FROM_WHEEL = (
    "import duckdb, pathlib, duckdb_extension_spatial as m; "
    "ext = next(pathlib.Path(m.__file__).parent.glob('extensions/*/spatial.duckdb_extension')); "
    "duckdb.connect().execute(f\"INSTALL '{ext}'\")"
)


@pytest.fixture(scope="session")
def bigquery_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """bqemulator's REST API on a free port (its own venv; see scripts/setup_test_tools.sh)."""
    import subprocess

    from tests.connectors.servers import free_port, server_process
    from tests.tools import bqemulator_command

    command = bqemulator_command()
    python = Path(command[0]).with_name("python")
    subprocess.run([str(python), "-c", SPATIAL_FROM_WHEEL], check=True, timeout=120)
    port, grpc_port = free_port(), free_port()
    folder = tmp_path_factory.mktemp("bqemulator")
    args = [*command, "start", "--rest-host", "127.0.0.1", "--rest-port", str(port),
            "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port),
            "--project", "billing-proj", "--log-level", "warning"]  # fmt: skip
    with server_process(args, port, folder / "bqemulator.log", cwd=folder):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def short_bigquery_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """google-api-core retries for up to 120 s by default; tests give up sooner."""
    monkeypatch.setenv("FINOPS_BIGQUERY_RETRY_DEADLINE", "4")


@pytest.fixture(autouse=True)
def _no_gce_metadata_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """google-auth's credential chain would probe the GCE metadata server for seconds."""
    monkeypatch.setenv("NO_GCE_CHECK", "True")


@pytest.fixture(scope="session")
def gcs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gcp-storage-emulator (a pure-Python GCS JSON API server) in memory on a free port."""
    import sys

    from tests.connectors.servers import free_port, server_process

    port = free_port()
    folder = tmp_path_factory.mktemp("gcs-emulator")
    emulator = Path(sys.executable).with_name("gcp-storage-emulator")
    args = [str(emulator), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory",
            "--quiet"]  # fmt: skip
    with server_process(args, port, folder / "gcs-emulator.log", cwd=folder):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def short_gcs_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """google-cloud-storage's DEFAULT_RETRY would keep trying for 120 s; tests give up sooner."""
    monkeypatch.setenv("FINOPS_GCS_RETRY_DEADLINE", "3")
