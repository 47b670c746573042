"""Which pages and specs a run covers: `--pages`/`--specs` globs and folders, expanded against the docs base.

A directory base is listed on disk. An http base cannot be listed (GitHub's raw host has no index),
so there a glob expands against the paths already pinned in the lock (`fetch` from a directory mirror
pins a whole catalogue); a plain path is taken as given on either base.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from .base import DocsBase, load_manifest, load_manifest_specs
from .lock import read_lock

PAGE_SUFFIX = ".md"
SPEC_SUFFIX = ".json"
_GLOB_CHARS = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    """Whether `pattern` has glob characters (`*`, `?`, `[`)."""
    return any(c in _GLOB_CHARS for c in pattern)


def expand(base: DocsBase, patterns: Iterable[str], suffix: str, *, known: Iterable[str] = (), flag: str = "--pages") -> list[str]:
    """The docs-relative paths `patterns` name, sorted and without repeats.

    A folder stands for every `suffix` file below it. `known` (paths pinned in the lock) is what a glob
    matches on an http base. A glob or folder that matches nothing is a UsageError: a typo, not a finding.
    """
    found: dict[str, None] = {}
    known_list = sorted(k for k in known if k.endswith(suffix))
    for raw in patterns:
        pattern = raw.strip().removeprefix("./")
        if not pattern:
            continue
        matches = _local(base, pattern, suffix) if not base.is_remote else _pinned(pattern, suffix, known_list)
        if matches is None:  # a plain file path: checked (or reported unreachable) as given
            found.setdefault(pattern.rstrip("/"), None)
            continue
        if not matches:
            raise UsageError(f"`{flag} {raw}` matches no {suffix} file {_where(base)}", tip=_tip(base, flag))
        for rel in matches:
            found.setdefault(rel, None)
    return sorted(found)


def select_sources(base: DocsBase, *, pages: list[str], globs: list[str], spec_globs: list[str], manifest: Path,
                   lock: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """Pages, specs and tracked models of a run: `--page`/`--pages`/`--specs`, else the manifest (which may hold globs)."""
    known = list(read_lock(lock)) if base.is_remote else []  # what a glob can match on an http base
    explicit = bool(pages or globs)
    models: dict[str, str] = {}
    if explicit:
        selected = list(dict.fromkeys(pages + expand(base, globs, PAGE_SUFFIX, known=known)))
    else:
        selected = []
        for tracked in load_manifest(manifest):
            matched = expand(base, [tracked.path], PAGE_SUFFIX, known=known, flag="manifest page")
            if tracked.model and not is_glob(tracked.path):
                models.update(dict.fromkeys(matched, tracked.model))
            selected += matched
        selected = list(dict.fromkeys(selected))
    spec_patterns = spec_globs + ([] if explicit else load_manifest_specs(manifest))
    return selected, expand(base, spec_patterns, SPEC_SUFFIX, known=known, flag="--specs"), models


def _local(base: DocsBase, pattern: str, suffix: str) -> list[str] | None:
    root = Path(base.location)
    if not is_glob(pattern):
        if not (root / pattern).is_dir():
            return None
        pattern = pattern.rstrip("/") + f"/**/*{suffix}"
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise UsageError(f"`{pattern}` is not relative to the docs base", tip="give globs relative to the docs base, e.g. 'docs/api-references/**/*.md'")
    rels = (p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
    return sorted(r for r in rels if r.endswith(suffix))


def _pinned(pattern: str, suffix: str, known: list[str]) -> list[str] | None:
    if not is_glob(pattern):
        if not pattern.endswith("/"):
            return None
        pattern = pattern + f"**/*{suffix}"
    regex = glob_regex(pattern)
    return [k for k in known if regex.fullmatch(k)]


@functools.lru_cache(maxsize=64)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a path glob: `**/` any folders (or none), `**` anything, `*` and `?` within one name."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _where(base: DocsBase) -> str:
    return f"under {base.location}" if not base.is_remote else "among the paths pinned in the lock"


def _tip(base: DocsBase, flag: str) -> str:
    if base.is_remote:
        return (f"an http docs base cannot be listed: run `aimlapi-contract fetch --docs-base DIR {flag} GLOB` from a "
                "directory mirror first (it pins every match in specs/lock.json), or give the paths one by one")
    return "globs are relative to the docs base, e.g. 'docs/api-references/**/*.md' (quote them so the shell leaves them)"
