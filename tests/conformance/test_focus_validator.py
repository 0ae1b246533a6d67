"""The FinOps Foundation's FOCUS validator (focus-validator 2.2.1, rules model 1.2.0.1) on
every dataset `finops export` writes: each demo source (a closed and an open month) and every
file in $FINOPS_SHARED_DATASETS that loads, one validator run per exported file, in parallel.

At default applicability only the failures in KNOWN_DEFAULT may occur, each for its stated
reason and only on the datasets named there; with `--applicability-criteria ALL` only those
and KNOWN_ALL. Both lists are the README's table (a test checks they agree), and each entry
must still fail somewhere, so the table cannot go stale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finops_pipeline.warehouse import connect
from tests.conformance.focus_exports import export_sources, load_all
from tests.conformance.focus_validator import ValidatorResult, run_many
from tests.conformance.validator_known import KNOWN_ALL, KNOWN_DEFAULT
from tests.tools import focus_validator_command

pytestmark = pytest.mark.conformance

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def validated(
    tmp_path_factory: pytest.TempPathFactory, shared_datasets: Path
) -> dict[str, list[ValidatorResult]]:
    command = focus_validator_command()
    root = tmp_path_factory.mktemp("focus-validator")
    con = connect(root / "w.duckdb")
    try:
        sources = load_all(con, root, shared_datasets)
        files = export_sources(con, sources, root / "exports")
    finally:
        con.close()
    assert len(files) >= 2 * 7, "every demo source exports two billing periods"
    return {
        "default": run_many(command, files, root / "work"),
        "ALL": run_many(command, files, root / "work", "ALL"),
    }


def _dataset(result: ValidatorResult) -> str:
    return result.data_file.parents[1].name


def _unexpected(results: list[ValidatorResult], allowed: dict) -> list[str]:
    found = []
    for result in results:
        for rule in result.failed_checks():
            entry = allowed.get(rule)
            if entry is None or not _applies(entry["datasets"], _dataset(result)):
                found.append(f"{_dataset(result)}/{result.data_file.parent.name}: {rule}")
    return sorted(found)


def _applies(datasets: tuple[str, ...], dataset: str) -> bool:
    return "*" in datasets or dataset in datasets


def test_default_applicability_fails_only_where_known(validated) -> None:
    results = validated["default"]
    assert all(r.tests == 578 for r in results)  # the rules model the figures refer to
    assert _unexpected(results, KNOWN_DEFAULT) == []


def test_all_criteria_fails_only_where_known(validated) -> None:
    assert _unexpected(validated["ALL"], KNOWN_DEFAULT | KNOWN_ALL) == []


@pytest.mark.parametrize(("mode", "known"), [("default", KNOWN_DEFAULT), ("ALL", KNOWN_ALL)])
def test_every_known_failure_still_occurs(validated, mode: str, known: dict) -> None:
    failed = {rule for r in validated[mode] for rule in r.failed_checks()}
    assert sorted(set(known) - failed) == []


def test_invoice_id_fails_one_nullability_rule_never_both(validated) -> None:
    """The pair cannot both pass (validator_known.py says why), but a file failing both has
    InvoiceId on some rows and not others: an invoiced period with lines that lost their id."""
    pair = {"InvoiceId-C-004-C", "InvoiceId-C-005-C"}
    both = [str(r.data_file) for r in validated["default"] if pair <= set(r.failed_checks())]
    assert both == []


def test_readme_table_lists_every_known_failure() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### FOCUS conformance", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Za-z]+-[A-Z]-\d{3}-[A-Z])`", section, flags=re.M))
    assert listed == set(KNOWN_DEFAULT) | set(KNOWN_ALL)
