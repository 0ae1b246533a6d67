"""ServiceCategory mappings use only FOCUS 1.2 allowed category/subcategory pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

MAPPINGS = Path(__file__).resolve().parents[2] / "finops_pipeline" / "mappings"

ALLOWED: dict[str, set[str]] = {
    "AI and Machine Learning": {
        "Bots",
        "Generative AI",
        "Machine Learning",
        "Natural Language Processing",
    },
    "Analytics": {
        "Analytics Platform",
        "Business Intelligence",
        "Data Processing",
        "Search",
        "Streaming Analytics",
    },
    "Business Applications": set(),
    "Compute": {
        "Containers",
        "End User Computing",
        "Quantum",
        "Serverless Compute",
        "Virtual Machines",
    },
    "Databases": {"Caching", "Data Warehouse", "Relational", "NoSQL", "Ledger", "Time Series"},
    "Developer Tools": set(),
    "Identity": set(),
    "Integration": {"API Management", "Messaging", "Workflow Automation"},
    "Internet of Things": set(),
    "Management and Governance": {
        "Administration",
        "Architecture",
        "Compliance",
        "Cost Management",
        "Data Governance",
        "Disaster Recovery",
        "Observability",
        "Support",
    },
    "Media": set(),
    "Migration": set(),
    "Mobile": set(),
    "Multicloud": set(),
    "Networking": {
        "Content Delivery",
        "Data Transfer",
        "Load Balancing",
        "Network Management",
        "Network Security",
    },
    "Security": {"CSPM", "Credentials", "SIEM", "Threat Detection"},
    "Storage": {"Backups", "Bulk Transfer", "Disk", "Files", "Object Storage"},
    "Web": set(),
    "Other": set(),
}

FILES = sorted(MAPPINGS.glob("service_category*.csv"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_pairs_are_focus_allowed_values(path: Path) -> None:
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert rows
    for row in rows:
        category, sub = row["service_category"], row["service_subcategory"]
        assert category in ALLOWED, row
        assert sub in ALLOWED[category] | {f"Other ({category})"}, row
