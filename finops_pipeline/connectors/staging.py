"""The local staging mirror of a cloud source, and complete-or-nothing file writes into it.

Every object is written to a hidden `.part` name, checked (size, and MD5 where the provider
gives one), then renamed; a delivery is assembled in an `.incoming-*` folder and moved into
the mirror only when all its objects are complete. So a cut download can never be loaded.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb

from finops_pipeline.errors import IngestError

# (object name, bytes so far, total bytes or None): what a progress display needs.
Progress = Callable[[str, int, int | None], None]
STAGING_FOLDER = "finops_staging"


def no_progress(name: str, done: int, total: int | None) -> None:
    """The default progress callback: report nothing."""


def staging_root(con: duckdb.DuckDBPyConnection, source: str, override: Path | None) -> Path:
    """`<staging_dir or warehouse folder/finops_staging>/<source>`: beside the warehouse by
    default, so one warehouse's mirror never mixes with another's."""
    if override is not None:
        return Path(override) / source
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    base = Path(row[0]).resolve().parent if row and row[0] else Path.cwd()
    return base / STAGING_FOLDER / source


@contextmanager
def incoming_folder(root: Path) -> Iterator[Path]:
    """A fresh folder for one delivery's downloads, removed afterwards whatever happens."""
    folder = root / f".incoming-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def install_delivery(incoming: Path, mirror: Path, folder: str) -> Path:
    """Replace the mirror's copy of a delivery folder by the complete download."""
    source, target = incoming / folder, mirror / folder
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    return target


@contextmanager
def part_file(target: Path) -> Iterator[Path]:
    """Yield the temporary name to download `target` to; on failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    part.unlink(missing_ok=True)
    try:
        yield part
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def md5_hex(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def complete(
    part: Path,
    target: Path,
    remote: str,
    size: int | None,
    md5: str | bytes | None = None,
) -> None:
    """Check a finished download against what the provider listed, then give it its name.

    `md5` is a hex string (an S3 single-part ETag) or raw digest bytes (Azure Content-MD5).
    """
    got = part.stat().st_size
    if size is not None and got != size:
        refuse_download(part, remote, f"incomplete: {got} of {size} bytes")
    if md5:
        expected = md5.hex() if isinstance(md5, bytes | bytearray) else md5.strip('"').lower()
        actual = md5_hex(part)
        if actual != expected:
            refuse_download(
                part, remote, f"corrupt: MD5 {actual} differs from the provider's {expected}"
            )
    os.replace(part, target)


def refuse_download(part: Path, remote: str, problem: str) -> NoReturn:
    """Drop a download that is not what the provider listed (`problem`: how); nothing of the
    delivery is loaded, and the next run fetches it again."""
    part.unlink(missing_ok=True)
    raise IngestError(
        remote,
        f"download {problem}",
        action="run the ingest again; nothing from this delivery was loaded",
    )


def b64_md5(value: str | None) -> bytes | None:
    return base64.b64decode(value) if value else None
