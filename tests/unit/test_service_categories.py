"""ServiceCategory mappings use only FOCUS 1.2 allowed category/subcategory pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

MAPPINGS = Path(__file__).resolve().parents[2] / "finops_pipeline" / "mappings"

# FOCUS 1.2 ServiceSubcategory allowed values per ServiceCategory, as the FinOps Foundation's
# validator (focus-validator 2.2.1, rules model 1.2.0.1, ServiceSubcategory-C-004-M) lists them.
ALLOWED: dict[str, set[str]] = {
    "AI and Machine Learning": {
        "AI Platforms",
        "Bots",
        "Generative AI",
        "Machine Learning",
        "Natural Language Processing",
    },
    "Analytics": {
        "Analytics Platforms",
        "Business Intelligence",
        "Data Processing",
        "Search",
        "Streaming Analytics",
    },
    "Business Applications": {"Productivity and Collaboration"},
    "Compute": {
        "Containers",
        "End User Computing",
        "Quantum Compute",
        "Serverless Compute",
        "Virtual Machines",
    },
    "Databases": {
        "Caching",
        "Data Warehouses",
        "Ledger Databases",
        "NoSQL Databases",
        "Relational Databases",
        "Time Series Databases",
    },
    "Developer Tools": {
        "Developer Platforms",
        "Continuous Integration and Deployment",
        "Development Environments",
        "Source Code Management",
        "Quality Assurance",
    },
    "Identity": {"Identity and Access Management"},
    "Integration": {"API Management", "Messaging", "Workflow Orchestration"},
    "Internet of Things": {"IoT Analytics", "IoT Platforms"},
    "Management and Governance": {
        "Architecture",
        "Compliance",
        "Cost Management",
        "Data Governance",
        "Disaster Recovery",
        "Endpoint Management",
        "Observability",
        "Support",
    },
    "Media": {"Content Creation", "Gaming", "Media Streaming", "Mixed Reality"},
    "Migration": {"Data Migration", "Resource Migration"},
    "Mobile": set(),
    "Multicloud": {"Multicloud Integration"},
    "Networking": {
        "Application Networking",
        "Content Delivery",
        "Network Connectivity",
        "Network Infrastructure",
        "Network Routing",
        "Network Security",
    },
    "Security": {
        "Secret Management",
        "Security Posture Management",
        "Threat Detection and Response",
    },
    "Storage": {
        "Backup Storage",
        "Block Storage",
        "File Storage",
        "Object Storage",
        "Storage Platforms",
    },
    "Web": {"Application Platforms"},
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
