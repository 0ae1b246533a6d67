"""Installed as a package, not from the checkout (issue 12): build the wheel, install it into
a fresh virtualenv, and run `finops demo` and `finops run` in an empty folder.

What is under test is the wheel: that sql/, data_contracts/, notebooks/, mappings and
templates ship inside it and are found from the installed package. To keep this fast the
fresh venv borrows the test venv's third-party packages through a .pth line (a plain path
entry: the test venv's own editable-install hook is not run, so the checkout is not on the
path) instead of downloading the pinned dependencies again; the finops_pipeline package and
its `finops` script come only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(command)}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINOPS_", "DAGSTER_"))}
    env.pop("PYTHONPATH", None)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build the wheel (make installs it into .venv)")
    # Copy the sources the wheel is built from, so the build never writes into the checkout.
    source = root / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", ".tools", "build", "dist", "*.egg-info", "__pycache__",
            "benchmarks", "tests", "*.duckdb*", "finops_sample_data", "reports", ".dagster_home",
        ),
    )  # fmt: skip
    _run([uv, "build", "--wheel", "-o", str(root / "dist"), str(source)], root, env)
    wheel = next((root / "dist").glob("finops_pipeline-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, env)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout.strip()
    )  # fmt: skip
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([uv, "pip", "install", "--python", str(python), "--no-deps", str(wheel)], root, env)
    where = _run(
        [str(python), "-c", "import finops_pipeline, sys; print(finops_pipeline.__file__)"],
        root,
        env,
    )
    assert str(site) in where and str(REPO) not in where, where
    return venv, env


def test_the_wheel_ships_the_data_folders(installed: tuple[Path, dict[str, str]]) -> None:
    venv, env = installed
    out = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from finops_pipeline.package_files import data_dir, sql_dir\n"
            "from finops_pipeline.contracts.odcs import CONTRACTS_DIR\n"
            "print(sql_dir()); print(CONTRACTS_DIR); print(data_dir('notebooks'))\n"
            "assert (sql_dir() / 'core' / 'focus_costs.sql').is_file()\n"
            "assert len(list(CONTRACTS_DIR.glob('*.odcs.yaml'))) >= 10\n"
            "assert list(data_dir('notebooks').glob('*.ipynb'))\n",
        ],
        venv,
        env,
    )
    assert "_data" in out and str(REPO) not in out


def test_demo_and_run_in_an_empty_folder(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    empty = tmp_path / "empty"
    empty.mkdir()
    finops = str(venv / "bin" / "finops")
    demo = _run([finops, "demo", "--months", "2", "--end-month", "2026-06"], empty, env)
    assert "matches the generator's ground truth" in demo
    assert (empty / "finops.duckdb").is_file() and (empty / "finops.yaml").is_file()
    run = _run([finops, "run", "--month", "2026-05"], empty, env)
    assert "2026-05 ok" in run, run
    assert "BetaWarning" not in run and "Traceback" not in run
