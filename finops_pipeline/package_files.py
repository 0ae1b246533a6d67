"""Where the files that are not Python live: `sql/`, `data_contracts/`, `notebooks/`.

In the repository they stay top-level folders (reviewed and linted as SQL, YAML and
notebooks, not hidden inside the package); the wheel maps them into the package as
`finops_pipeline/_data/<folder>` at build time (pyproject.toml, `package-dir`). An installed
package finds them there; a source checkout (also an editable install) finds them at the
repository root. `FINOPS_SQL_DIR` still overrides the SQL folder for experiments.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = PACKAGE_DIR / "_data"
REPO_ROOT = PACKAGE_DIR.parent


def data_dir(name: str) -> Path:
    """The folder `name` (sql, data_contracts, notebooks) of this installation."""
    bundled = BUNDLED_DIR / name
    if bundled.is_dir():
        return bundled
    return REPO_ROOT / name


def sql_dir() -> Path:
    override = os.environ.get("FINOPS_SQL_DIR")
    return Path(override) if override else data_dir("sql")
