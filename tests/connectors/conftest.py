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
