"""Running the FinOps Foundation's focus-validator on exported FOCUS files, and reading its
JUnit report.

The validator (2.2.1, rules model 1.2.0.1) reads `focus_validator/rules/currency_codes.csv`
relative to its working directory, so each run gets a folder holding a copy of that file
from the validator's own package. `--block-download` keeps it offline.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ValidatorResult:
    """One validator run: counts from the JUnit root and the names of the failed rules."""

    data_file: Path
    tests: int
    failures: int
    skipped: int
    failed_rules: tuple[str, ...] = field(default=())
    failed_composites: tuple[str, ...] = field(default=())
    output: str = ""

    @property
    def passed(self) -> int:
        return self.tests - self.failures - self.skipped

    def failed_checks(self) -> tuple[str, ...]:
        """Failed rules that check something themselves: a composite rule only says "all
        of these hold" and fails whenever one of its parts does."""
        return tuple(r for r in self.failed_rules if r not in self.failed_composites)


def _rules_dir(workdir: Path, command: list[str]) -> Path:
    """A working directory holding focus_validator/rules/currency_codes.csv from the package."""
    target = workdir / "focus_validator" / "rules" / "currency_codes.csv"
    if not target.exists():
        python = Path(command[0]).parent / "python"
        found = subprocess.run(
            [str(python), "-c", "import focus_validator, pathlib; print(pathlib.Path("
             "focus_validator.__file__).parent / 'rules' / 'currency_codes.csv')"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, target)
    return workdir


def run_validator(
    command: list[str], data_file: Path, workdir: Path, applicability: str | None = None
) -> ValidatorResult:
    """Validate one CSV or Parquet file against FOCUS 1.2."""
    cwd = _rules_dir(workdir, command)
    suffix = "all" if applicability else "default"
    # one report per file and mode: the name carries a digest of the whole path, since period
    # files of different sources share their folder and file names
    digest = hashlib.sha1(str(data_file.resolve()).encode()).hexdigest()[:12]
    report = workdir / f"{data_file.parent.name}-{data_file.stem}-{digest}-{suffix}.xml"
    args = [
        *command,
        "--data-file", str(data_file),
        "--validate-version", "1.2",
        "--block-download",
        "--output-type", "unittest",
        "--output-destination", str(report),
    ]  # fmt: skip
    if applicability:
        args += ["--applicability-criteria", applicability]
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    if not report.exists():
        raise RuntimeError(
            f"focus-validator wrote no report for {data_file} (exit {done.returncode}): "
            f"{(done.stderr or done.stdout)[-2000:]}"
        )
    root = ET.parse(report).getroot()
    failed: set[str] = set()
    composites: set[str] = set()
    for case in root.iter("testcase"):
        if case.find("failure") is None:
            continue
        rule, _, kind = case.get("name", "").partition(" :: ")
        failed.add(rule)
        if kind == "Composite":
            composites.add(rule)
    return ValidatorResult(
        data_file=data_file,
        tests=int(root.get("tests", 0)),
        failures=int(root.get("failures", 0)),
        skipped=int(root.get("skipped", 0)),
        failed_rules=tuple(sorted(failed)),
        failed_composites=tuple(sorted(composites)),
        output=done.stdout[-4000:],
    )


def run_many(
    command: list[str],
    files: list[Path],
    workdir: Path,
    applicability: str | None = None,
    workers: int = 2,
) -> list[ValidatorResult]:
    """Validate several files in parallel (each run is a separate process)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda f: run_validator(command, f, workdir, applicability), files))
