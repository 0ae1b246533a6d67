"""Package list for setuptools: the finops_pipeline packages found on disk, plus the
top-level sql/, data_contracts/ and notebooks/ folders (and their subfolders) mapped into the
package as finops_pipeline._data.* (the mapping and the file globs are in pyproject.toml).
pyproject.toml alone cannot combine `packages.find` with packages that exist only as a mapping."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

BUNDLED = ["sql", "data_contracts", "notebooks"]


def bundled_packages() -> list[str]:
    found = []
    for name in BUNDLED:
        for folder in [Path(name), *sorted(p for p in Path(name).rglob("*") if p.is_dir())]:
            if "__pycache__" not in folder.parts and ".ipynb_checkpoints" not in folder.parts:
                found.append("finops_pipeline._data." + ".".join(folder.parts))
    return found


setup(
    packages=[
        *find_namespace_packages(include=["finops_pipeline", "finops_pipeline.*"]),
        *bundled_packages(),
    ]
)
