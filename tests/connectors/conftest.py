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
