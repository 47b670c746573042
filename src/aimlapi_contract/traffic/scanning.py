"""Find the cassette files under a directory, and say which files were passed over and why.

Nothing is skipped in silence: an unreadable subfolder, a broken symlink or symlink loop, and a file
that is not `.yaml`/`.yml` (in any letter case) are each listed with the reason.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CASSETTE_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class CassetteScan:
    """The cassette files found (sorted) and the paths skipped, each with why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def summary(self, shown: int = 3) -> str:
        """One line: how many were skipped, and the first few paths with their reasons."""
        first = "; ".join(f"{path} ({why})" for path, why in self.skipped[:shown])
        more = f"; and {len(self.skipped) - shown} more" if len(self.skipped) > shown else ""
        return f"{len(self.skipped)} path(s) under the cassette directory were not read: {first}{more}"


# Set by scanned_once(): the scans of the run in progress, by directory.
_SCANS: contextvars.ContextVar[dict[str, CassetteScan] | None] = contextvars.ContextVar("cassette_scans", default=None)


@contextlib.contextmanager
def scanned_once() -> Iterator[None]:
    """Within the block each directory is scanned once: a run asks three times (to replay, for its scope, for
    what it skipped), and a stat per file of a 10,000-file corpus is worth doing once."""
    token = _SCANS.set({})
    try:
        yield
    finally:
        _SCANS.reset(token)


def scan_cassettes(directory: Path) -> CassetteScan:
    """Every `.yaml`/`.yml` file under `directory` (symlinked folders followed once), and what was skipped."""
    scans = _SCANS.get()
    if scans is None:
        return _scan(directory)
    key = os.fspath(directory)
    if key not in scans:
        scans[key] = _scan(directory)
    return scans[key]


def _scan(directory: Path) -> CassetteScan:
    scan = CassetteScan()
    seen: set[str] = set()

    def unreadable(exc: OSError) -> None:
        scan.skipped.append((Path(exc.filename or directory), f"folder not readable: {exc.strerror or exc}"))

    for folder, dirs, names in os.walk(directory, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a symlink back up the tree: walked once already
            scan.skipped.append((Path(folder), "symlink to a folder already read"))
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in names:
            path = Path(folder, name)
            if path.suffix.lower() not in CASSETTE_SUFFIXES:
                scan.skipped.append((path, "not a .yaml/.yml file"))
            elif path.is_file():
                scan.files.append(path)
            elif path.is_symlink():
                scan.skipped.append((path, "broken symlink or symlink loop"))
            else:
                scan.skipped.append((path, "not a regular file"))
    scan.files.sort()
    scan.skipped.sort(key=lambda item: str(item[0]))
    return scan
