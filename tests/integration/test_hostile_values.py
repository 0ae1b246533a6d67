"""Hostile values from billing data stay inert: in CSV exports (formula injection), in the
CLI's rich output (markup), in Slack messages (mentions and links).

The values travel the real way: a CUR file whose `user:team` tag holds them is ingested,
focus_costs, the tag marts and showback are built, then the CLI, the report's CSV writer
and the alert message read them back from DuckDB.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops_pipeline.alerts.incidents import Incident
from finops_pipeline.alerts.messages import anomaly_message
from finops_pipeline.cli import app
from finops_pipeline.refresh import ingest_and_refresh
from finops_pipeline.report.render_csv import write_csvs
from finops_pipeline.settings import Settings
from finops_pipeline.showback.allocate import build_showback
from finops_pipeline.tagging.marts import build_tag_marts
from finops_pipeline.warehouse import connect
from tests.fixtures.cur import cur_rows, write_cur

FORMULA = '=HYPERLINK("http://evil.example/x","open")'
MARKUP = "[/]"
MENTION = "<!channel>"
LINK = "<https://evil.example|Open report>"
TEAMS = (FORMULA, MARKUP, MENTION, "+1+2", "@SUM(A1)", "-3+4", "\tpad")
POLICY = {"tag_policy": {"keys": {"team": {"values": {"aliases": {"x": "y"}}}}}}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("hostile")
    rows = [row for team in TEAMS for row in cur_rows("2024-05", team=team)]
    for i, row in enumerate(rows):
        row[0] = f"id{i}"
    write_cur(root / "src" / "cur.csv", rows)
    settings = Settings.model_validate(POLICY)
    con = connect(root / "w.duckdb")
    [outcome] = ingest_and_refresh(con, root / "src", "aws", policy=settings.tag_policy).files
    assert outcome.status == "loaded"
    build_tag_marts(con, None, policy=settings.tag_policy, dimension="team")
    build_showback(con, settings, None)
    teams = {r[0] for r in con.execute("select team from showback_monthly").fetchall()}
    con.close()
    assert set(TEAMS) <= teams  # the values reached the mart unchanged
    yield root / "w.duckdb"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
        ("\rx", "'\rx"), ("ok", "ok"), ("a=b", "a=b"), ("", ""), (None, ""),
        (Decimal("-12.50"), "-12.50"), (-3, "-3"), (1.5, "1.5"),
        (date(2024, 5, 1), "2024-05-01"),
    ],
)  # fmt: skip
def test_csv_cells_text_prefixed_numbers_kept(value: object, expected: str) -> None:
    from finops_pipeline.csv_safe import cell

    assert cell(value) == expected


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_report_csvs_prefix_formula_text_and_keep_money_numeric(
    hostile: Path, tmp_path: Path
) -> None:
    con = connect(hostile, read_only=True)
    paths = write_csvs(con, date(2024, 5, 1), tmp_path)
    con.close()
    for path in paths:
        rows = _csv(path.read_text(encoding="utf-8"))
        teams = {r["team"] for r in rows}
        assert "'" + FORMULA in teams and FORMULA not in teams, path.name
        assert {"'+1+2", "'@SUM(A1)", "'-3+4", "'\tpad"} <= teams, path.name
        assert not any(v.startswith(("=", "+", "@", "\t")) for r in rows for v in r.values())
        money = [r["effective_cost"] for r in rows]
        assert all(Decimal(v) == Decimal(v) for v in money)  # still plain decimals


def _invoke(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_cli_csv_formats_prefix_formula_text(hostile: Path) -> None:
    showback = _invoke("showback", "--month", "2024-05", "-f", "csv", "-w", str(hostile))
    assert showback.exit_code == 0, showback.output
    teams = {r["team"] for r in _csv(showback.stdout)}
    assert "'" + FORMULA in teams and FORMULA not in teams
    explain = _invoke(
        "explain", "--team", FORMULA, "--month", "2024-05", "-f", "csv", "-w", str(hostile)
    )
    assert explain.exit_code == 0, explain.output
    assert _csv(explain.stdout) and FORMULA not in explain.stdout.replace("'" + FORMULA, "")
    sql = _invoke(
        "sql", "-f", "csv", "-w", str(hostile),
        "select team, -12.50 as refund, '-12.50' as refund_text from showback_monthly "
        "where team = '=HYPERLINK(\"http://evil.example/x\",\"open\")' limit 1",
    )  # fmt: skip
    assert sql.exit_code == 0, sql.output
    [row] = _csv(sql.stdout)
    assert row == {"team": "'" + FORMULA, "refund": "-12.50", "refund_text": "'-12.50"}


def test_markup_in_values_is_printed_not_parsed(hostile: Path, tmp_path: Path) -> None:
    showback = _invoke("showback", "--month", "2024-05", "-w", str(hostile))
    assert showback.exit_code == 0, showback.exception
    assert MARKUP in showback.stdout
    explain = _invoke("explain", "--team", MARKUP, "--month", "2024-05", "-w", str(hostile))
    assert explain.exit_code == 0, explain.exception
    assert f"{MARKUP} 2024-05 USD" in explain.stdout
    query = _invoke("sql", "-w", str(hostile), "select '[bold]x[/]' as \"[/]\"")
    assert query.exit_code == 0, query.exception
    assert "[bold]x[/]" in query.stdout and "[/]" in query.stdout


def test_ingest_with_a_markup_source_name_finishes(tmp_path: Path) -> None:
    write_cur(tmp_path / "in" / "cur.csv", cur_rows("2024-05", team=MARKUP))
    warehouse = tmp_path / "w.duckdb"
    result = _invoke("ingest", str(tmp_path / "in"), "--source", "[/]", "-w", str(warehouse))
    assert result.exit_code == 0, result.exception
    assert "source [/]: 1 loaded" in result.stdout
    con = connect(warehouse, read_only=True)
    assert con.execute("select distinct x_SourceName from focus_costs").fetchall() == [("[/]",)]
    con.close()


def _incident(team: str, key: str) -> Incident:
    head = {
        "anomaly_id": "a1", "level": "service", "key": key, "provider": "AWS",
        "currency": "USD", "kind": "spike", "impact": Decimal("10"), "impact_ratio": 0.5,
        "expected_cost": Decimal("20"), "actual_cost": Decimal("30"),
        "first_date": date(2024, 5, 3), "last_date": date(2024, 5, 3), "severity": "high",
        "direction": "up", "contributors": json.dumps(
            [{"dimension": "resource", "value": MENTION, "expected_cost": 1, "actual_cost": 9,
              "change": 8}]
        ),
    }  # fmt: skip
    return Incident("a1", head, [head], team)


def _mrkdwn(payload: dict) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        texts += [f["text"] for f in block.get("fields", [])]
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
    return texts


def test_slack_text_escapes_mentions_and_links() -> None:
    payload = anomaly_message(_incident(MENTION, LINK), "http://127.0.0.1:3000").slack()
    texts = _mrkdwn(payload)
    joined = "\n".join(texts)
    assert "<" not in joined.replace("&lt;", "") and ">" not in joined.replace("&gt;", "")
    assert "&lt;!channel&gt;" in joined
    assert "&lt;https://evil.example|Open report&gt;" in joined
    # header and button labels are plain_text: Slack shows them verbatim, never parses them
    assert payload["blocks"][0]["text"]["type"] == "plain_text"
    assert payload["blocks"][-1]["elements"][0]["url"].startswith("http://127.0.0.1:3000/")


def test_slack_escape_follows_slacks_three_characters() -> None:
    from finops_pipeline.alerts.messages import slack_escape

    assert slack_escape("R&D <b> &amp;") == "R&amp;D &lt;b&gt; &amp;amp;"
