"""Savings assumptions of the waste checks, with their documented defaults.

The flat percentages and ratios are assumptions (AWS Cloud Intelligence Dashboards defaults,
see FINOPS_REFERENCE.md), not prices: every finding names the values it used.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class WasteSettings(BaseModel):
    """Parameters of `sql/marts/waste_findings.sql`; `extra="forbid"` names a misspelt key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gp3_price_ratio: Decimal = Field(
        Decimal("0.8"), ge=0, description="gp3 storage price / gp2 storage price per GB-month"
    )
    gp3_throughput_price_ratio: Decimal = Field(
        Decimal("0.5"), ge=0, description="price of 1 MB/s of gp3 throughput / gp3 GB-month price"
    )
    gp3_iops_price_ratio: Decimal = Field(
        Decimal("0.06"), ge=0, description="price of 1 gp3 IOPS / gp3 GB-month price"
    )
    previous_generation_savings: Decimal = Field(
        Decimal("0.05"), ge=0, le=1, description="share saved moving to the successor family"
    )
    graviton_savings: Decimal = Field(
        Decimal("0.20"), ge=0, le=1, description="share saved moving Intel to Graviton"
    )
    amd_savings: Decimal = Field(
        Decimal("0.10"), ge=0, le=1, description="share saved moving Intel to AMD"
    )
    snapshot_age_months: int = Field(
        12, ge=1, description="a snapshot first billed this many months before is old"
    )
    s3_idle_months: int = Field(2, ge=1, description="months without requests (S3 check)")
    s3_idle_savings: Decimal = Field(
        Decimal("0.30"), ge=0, le=1, description="share of idle S3 Standard storage saved"
    )
    nat_idle_gb_per_month: Decimal = Field(
        Decimal("1"), ge=0, description="a NAT gateway processing at most this many GB is idle"
    )
    commitment_coverage_savings: Decimal = Field(
        Decimal("0.20"), ge=0, le=1, description="share of uncovered on-demand cost saved"
    )

    unattached_disk_savings: Decimal = Field(
        Decimal("1"),
        ge=0,
        le=1,
        description="share of an unattached disk's cost saved (1: delete it; lower if a "
        "snapshot is kept)",
    )
    public_ip_idle_gb_per_month: Decimal = Field(
        Decimal("1"),
        ge=0,
        description="an Azure public IP transferring at most this many GB a month is idle",
    )
    idle_public_ip_savings: Decimal = Field(
        Decimal("1"), ge=0, le=1, description="share of an idle public IP's cost saved"
    )
