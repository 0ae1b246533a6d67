"""Issue 12, as a user runs it: EUR and USD billing with no exchange rates builds everything
(reporting-currency columns NULL, a `reporting_currency_missing` warning naming the month and
pair, the report per billing currency); `finops rates import` of the ECB's reference rates and
a rebuild fill the reporting columns, and every stage still reconciles to the cent."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops_pipeline.cli import app
from finops_pipeline.showback import conservation
from finops_pipeline.warehouse import connect

pytestmark = pytest.mark.e2e

runner = CliRunner()
D = Decimal
ECB = Path(__file__).parents[1] / "fixtures" / "rates" / "eurofxref-hist.csv"
ROW = {
    "BillingAccountId": "8611537",
    "BillingAccountName": "Contoso",
    "BillingProfileId": "8611537",
    "BillingPeriodStartDate": "06/01/2026",
    "BillingPeriodEndDate": "06/30/2026",
    "SubscriptionId": "sub-1",
    "SubscriptionName": "Production",
    "Date": "06/02/2026",
    "MeterCategory": "Virtual Machines",
    "MeterName": "D2 v3",
    "MeterId": "meter-1",
    "ConsumedService": "Microsoft.Compute",
    "ResourceId": "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
    "ResourceLocation": "WestEurope",
    "Quantity": "10",
    "UnitPrice": "0.1",
    "PayGPrice": "0.12",
    "CostInBillingCurrency": "1",
    "BillingCurrencyCode": "EUR",
    "ChargeType": "Usage",
    "PricingModel": "OnDemand",
    "Frequency": "UsageBased",
    "benefitId": "",
    "benefitName": "",
    "UnitOfMeasure": "1 Hour",
    "Tags": '"team": "payments"',
}


def export(path: Path, currency: str, subscription: str, costs: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            **ROW,
            "BillingCurrencyCode": currency,
            "SubscriptionId": subscription,
            "ResourceId": f"/subscriptions/{subscription}/rg/vm{i}",
            "CostInBillingCurrency": cost,
            "Tags": tags,
        }
        for i, (cost, tags) in enumerate(costs)
    ]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(ROW))
        writer.writeheader()
        writer.writerows(rows)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_mixed_currencies_without_rates_build_then_import_fills_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    export(tmp_path / "exports" / "azure-eur" / "june.csv", "EUR", "sub-eu",
           [("100.10", '"team": "payments"'), ("20.05", "")])  # fmt: skip
    export(tmp_path / "exports" / "azure-us" / "june.csv", "USD", "sub-us",
           [("50.00", '"team": "search"')])  # fmt: skip
    config = tmp_path / "finops.yaml"
    (tmp_path / "metrics.csv").write_text(
        "date,dimension,metric,value\n2026-06-02,payments,orders,1000\n2026-06-02,search,orders,500\n",
        encoding="utf-8",
    )
    config.write_text(
        "reporting: {currency: USD}\nmetrics: {path: metrics.csv}\n", encoding="utf-8"
    )
    warehouse = str(tmp_path / "w.duckdb")
    common = ["--warehouse", warehouse, "--config", str(config)]
    for folder in ("azure-eur", "azure-us"):
        invoke("ingest", str(tmp_path / "exports" / folder), *common)

    ran = invoke("run", *common)
    assert "2026-06 ok" in ran
    assert "showback_monthly:reporting_currency_missing" in ran
    con = connect(warehouse)
    rows = con.execute(
        "select billing_currency, sum(effective_cost), sum(effective_cost_reporting) "
        "from showback_monthly group by 1 order by 1"
    ).fetchall()
    assert rows == [("EUR", D("120.15"), None), ("USD", D("50"), D("50"))]
    assert all(r.ok for r in conservation(con))
    units = con.execute(
        "select dimension_value, currency, amount_basis, allocated_effective_cost, cost_per_unit "
        "from unit_costs where grain = 'month' order by 1, 2"
    ).fetchall()
    assert units == [
        ("payments", "EUR", "billing", D("100.10"), D("0.1001")),
        ("search", "USD", "reporting", D("50"), D("0.1")),
        ("unallocated", "EUR", "billing", D("20.05"), None),
    ]
    con.close()
    shown = invoke("showback", "--month", "2026-06", "--warehouse", warehouse)
    assert "unallocated: EUR 20.05 of 120.15 (16.7%) (no exchange rate" in shown
    reported = invoke("report", "--month", "2026-06", "--format", "csv,html", *common)
    assert "finance_report_2026-06.html" in reported
    page = (tmp_path / "reports" / "finance_report_2026-06.html").read_text(encoding="utf-8")
    assert "Showback by team in EUR (no rate to USD)" in page
    assert "120.15" in page and "no exchange rate to USD for 2026-06 EUR-&gt;USD" in page

    imported = invoke("rates", "import", str(ECB), *common)
    assert "ECB reference rates" in imported and "179 new" in imported
    assert "every loaded billing currency now has a rate to USD" in imported
    again = invoke("rates", "import", str(ECB), *common)
    assert "0 new, 0 changed, 179 already stored" in again

    ran = invoke("run", *common)
    assert "2026-06 ok" in ran and "reporting_currency_missing" not in ran
    con = connect(warehouse)
    rows = con.execute(
        "select billing_currency, sum(effective_cost), sum(effective_cost_reporting), "
        "any_value(exchange_rate) from allocation_ledger group by 1 order by 1"
    ).fetchall()
    # June's ECB mean EUR->USD: (1.12 + 1.10 + 1.09 + 1.11) / 4 = 1.105
    assert rows == [
        ("EUR", D("120.15"), D("120.15") * D("1.105"), D("1.105")),
        ("USD", D("50"), D("50"), D("1")),
    ]
    showback_total = con.execute(
        "select sum(effective_cost_reporting) from showback_monthly"
    ).fetchone()[0]
    assert showback_total == D("120.15") * D("1.105") + D("50")
    focus = con.execute(
        "select BillingCurrency, sum(BilledCost) from focus_costs group by 1 order by 1"
    ).fetchall()
    assert focus == [("EUR", D("120.15")), ("USD", D("50"))]
    assert all(r.ok for r in conservation(con))
    units = con.execute(
        "select dimension_value, currency, amount_basis, allocated_effective_cost "
        "from unit_costs where grain = 'month' order by 1, 2"
    ).fetchall()
    assert units == [
        ("payments", "USD", "reporting", D("100.10") * D("1.105")),
        ("search", "USD", "reporting", D("50")),
        ("unallocated", "USD", "reporting", D("20.05") * D("1.105")),
    ]
    con.close()
