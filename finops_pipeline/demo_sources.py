"""The demo's sources: folder under the sample-data directory -> format.

One list, read by the settings (the demo's finops.yaml) and by the sample-data generator
(the folders it writes). A leaf module of its own, so the generator, a domain, does not
import the top-level settings (tests/unit/test_settings_sections.py).
"""

DEMO_SOURCES: dict[str, str] = {
    "aws-cur-legacy": "aws-cur",
    "aws-cur2": "aws-cur2",
    "aws-focus": "aws-focus",
    "gcp-billing": "gcp-billing",
    "azure-ea-actual": "azure-cost",
    "azure-mca-amortized": "azure-cost",
    "azure-focus": "focus",
}
