"""Realistic sample billing exports for the demo and the tests.

``generate()`` writes one billing account per source in the provider's native delivery
layout (legacy CUR, CUR 2.0, AWS FOCUS, GCP detailed export, Azure EA actual and MCA
amortized cost details, Microsoft FOCUS) plus ``ground_truth.json``: the totals, restated
months, planted anomalies and waste the pipeline is expected to find.
"""

from .generate import generate
from .sources import SOURCES

__all__ = ["SOURCES", "generate"]
