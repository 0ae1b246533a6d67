"""Each domain receives its own typed section of finops.yaml; `finops_pipeline/settings.py`
only composes them. A domain that imported the top-level settings again would bring back the
import cycle (settings -> domain -> settings) and the untyped `settings: object` parameters."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import finops_pipeline
from finops_pipeline.settings import Settings
from finops_pipeline.showback.rules import ShowbackSection

PACKAGE = Path(finops_pipeline.__file__).parent


def domain_modules() -> list[str]:
    """Every module of every sub-package (the domains), not the top-level wiring
    (cli*, definitions, demo, settings, ...), which is where sections are handed out."""
    names = []
    for info in pkgutil.iter_modules([str(PACKAGE)]):
        if info.ispkg:
            prefix = f"finops_pipeline.{info.name}."
            path = str(PACKAGE / info.name)
            names.append(prefix[:-1])
            # Qualified prefix: a bare sub-package name (sample_data's `azure`) would else
            # resolve to an installed top-level package of the same name.
            names += [m.name for m in pkgutil.walk_packages([path], prefix=prefix)]
    return sorted(names)


def test_no_domain_module_imports_the_top_level_settings() -> None:
    modules = domain_modules()
    assert "finops_pipeline.showback.assets" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('finops_pipeline.settings' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False", "a domain module imports finops_pipeline.settings"


def test_showback_section_is_the_settings_own_objects() -> None:
    settings = Settings.model_validate(
        {"reporting": {"currency": "EUR"}, "allocation": {"dimension": "cost-center"}}
    )
    section = settings.showback
    assert type(section) is ShowbackSection
    assert section.reporting is settings.reporting
    assert section.allocation is settings.allocation
    assert section.metrics is settings.metrics is None
    assert section.reporting.currency == "EUR"
