"""Keys for what a run derives from fixed bytes and keeps under the cache directory (findings, explanations).

A key names everything the result depends on: the input's sha256, the suite version, the Python, the
versions of the libraries doing the work and the source of the modules holding the rules.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__

FORMAT = 1  # bump when the stored layout of the findings cache changes


_SOURCES: dict[tuple[tuple[str, int, int, int], ...], str] = {}  # (file, mtime, size, inode)... -> sha256 of their bytes


def cache_key(input_sha256: str, *, rules: Path, library: str | tuple[str, ...]) -> str:
    """A key for what is derived from `input_sha256` by the module at `rules` with `library` (one or more) installed."""
    return cache_keys([input_sha256], rules=rules, library=library)[0]


def cache_keys(inputs: Sequence[str], *, rules: Path, library: str | tuple[str, ...]) -> list[str]:
    """cache_key of each input; the versions and the rules' hash are read once for all (a catalogue has 800 specs)."""
    installed = installed_metadata()
    versions = [f"{name}={_version(name, installed)}" for name in ((library,) if isinstance(library, str) else library)]
    try:
        # The rules module and the modules beside it that it uses (e.g. validity.py); or every module under a folder.
        files = sorted(rules.parent.glob("*.py")) if rules.is_file() else sorted(rules.rglob("*.py"))
        stamp = tuple((str(f), (st := f.stat()).st_mtime_ns, st.st_size, st.st_ino) for f in files)
        if stamp not in _SOURCES:  # a run asks several times for the whole package's hash: read it once
            _SOURCES[stamp] = hashlib.sha256(b"\x1e".join(f.read_bytes() for f in files)).hexdigest()
        rules_sha = _SOURCES[stamp]
    except OSError:
        rules_sha = "unreadable"
    # The interpreter too: messages quoting `ast` and `json` errors change between Python versions sharing a cache.
    python = sys.version
    return [hashlib.sha256("\x1f".join([str(FORMAT), sha, __version__, python, *versions, rules_sha]).encode()).hexdigest()
            for sha in inputs]


def installed_metadata() -> list[str]:
    """The names of the distribution metadata on sys.path (`name-version.dist-info`, `.egg-info`, `.egg-link`, `.pth`),
    path entry by entry, each entry's sorted: they change when a distribution is installed, removed or upgraded.
    Listed afresh on each call (a millisecond): a long-lived process may install one."""
    names: list[str] = []
    for entry in sys.path:
        try:
            listed = os.listdir(entry or ".")
        except OSError:
            continue
        names += sorted(n for n in listed if n.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")))
    return names


def _version(library: str, installed: list[str] | None = None) -> str:
    """`library`'s version, from the name of its metadata directory (`name-version.dist-info`, as importlib.metadata
    finds it first on sys.path); importlib.metadata itself only where no such name is found: importing it costs
    ~20 ms of every run's start."""
    wanted = _canonical(library)
    for name in installed if installed is not None else installed_metadata():
        stem, _, suffix = name.rpartition(".")
        project, dash, version = stem.partition("-")
        if suffix in ("dist-info", "egg-info") and dash and _canonical(project) == wanted:
            return version
    from importlib import metadata

    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()
