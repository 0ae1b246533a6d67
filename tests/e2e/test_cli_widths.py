"""Every read command at 80 and 120 terminal columns (COLUMNS, as a shell sets it): each
money amount the command returns (its --format json output) appears whole in the table,
right-aligned with thousands separators, nothing is cut with `…`; the default month is the
same rule everywhere and the title says it; CSV lines end with LF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fixtures.demo_warehouse import CLOSED_MONTH, build_demo_warehouse

pytestmark = pytest.mark.e2e

# command -> the JSON fields that are money (shown as 1,234.56 in the table)
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "showback": ([], ["billed_cost", "effective_cost", "effective_cost_reporting"]),
    "explain": (["--team", "payments"], ["billed_cost", "effective_cost"]),
    "tags": ([], []),
    "waste": ([], ["monthly_cost", "savings"]),
    "anomalies": (["--since", "2026-01-01"], ["expected", "actual", "impact"]),
    "forecast": ([], ["actual_to_date", "forecast_month_end", "lower_80", "upper_80"]),
    "unit-costs": ([], ["allocated_effective_cost"]),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("cli_widths"))[0]


def finops(args: list[str], warehouse: Path, columns: int = 120) -> str:
    env = dict(os.environ, COLUMNS=str(columns), NO_COLOR="1", TERM="dumb")
    done = subprocess.run(
        [sys.executable, "-m", "finops_pipeline.cli", *args, "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _money(value: object) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return f"{amount if amount else abs(amount):,.2f}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_money_is_never_cut_at_80_or_120_columns(command: str, warehouse: Path) -> None:
    extra, fields = COMMANDS[command]
    data = json.loads(finops([command, *extra, "--format", "json"], warehouse))
    records = data["compliance"] if command == "tags" else data
    assert records, f"{command} returned nothing to show"
    amounts = {_money(r[f]) for r in records for f in fields if r.get(f) is not None}
    if command == "tags":
        amounts = {_money(r["cost"]) for r in records}
    for columns in (80, 120):
        text = finops([command, *extra], warehouse, columns)
        assert "…" not in text, f"{command} at {columns} columns cut a cell"
        lines = text.splitlines()
        boxed = [line for line in lines if line[:1] in "│┃┏┡└"]
        assert all(len(line) <= columns for line in boxed), f"{command} wider than {columns}"
        missing = sorted(a for a in amounts if a not in text)
        assert not missing, f"{command} at {columns} columns: amounts not shown whole {missing}"
        for line in (
            line for line in boxed if line.startswith("│")
        ):  # right-aligned: a money cell ends at its column's edge
            for cell in line.strip("│").split("│"):
                stripped = cell.strip()
                if (
                    stripped
                    and stripped.replace(",", "").replace(".", "").isdigit()
                    and "." in stripped
                ):
                    assert cell.endswith(stripped + " "), (command, cell)


@pytest.mark.parametrize("command", ["showback", "explain", "tags", "waste", "unit-costs"])
def test_finance_views_default_to_the_last_closed_month(command: str, warehouse: Path) -> None:
    extra = COMMANDS[command][0]
    text = finops([command, *extra], warehouse)
    assert f"{CLOSED_MONTH} (last closed month" in text


def test_forecast_defaults_to_the_open_month_and_says_so(warehouse: Path) -> None:
    assert "(open month" in finops(["forecast"], warehouse)


def test_narrow_terminal_prints_one_record_per_block(warehouse: Path) -> None:
    text = finops(["waste"], warehouse, 80)
    assert "── 1 ──" in text and "── 2 ──" in text
    assert "assumptions" not in text  # long fields only with --details
    detailed = finops(["waste", "--details"], warehouse, 80)
    assert "assumptions" in detailed


def test_csv_lines_end_with_lf(warehouse: Path) -> None:
    for command in ("showback", "tags", "waste"):
        done = subprocess.run(
            [sys.executable, "-m", "finops_pipeline.cli", command, "--format", "csv",
             "--warehouse", str(warehouse)],
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout and b"\r" not in done.stdout, command
        assert b"E-" not in done.stdout, command
