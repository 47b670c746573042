"""The docs lint over a catalogue: pages are independent, so they are linted in worker processes.

Workers are forked, so they share the loaded docsets with the parent instead of receiving them
pickled (a family spec is megabytes); only their findings travel back. Each spec's own examples
are checked by the first page that links it, however many do.
"""

from __future__ import annotations

from functools import partial
from collections.abc import Collection, Iterator, Sequence

from ..findings import Finding, guarded, lazily
from ..sources import DocSet
from ..sources.gc_policy import can_fork, fork_pool
from ..sources.workers import jobs

_MIN_PAGES_PER_PROCESS = 8  # below this, forking costs more than it saves
_shared: Sequence[DocSet] = ()  # the docsets of the run, set before the fork, read by the workers


def iter_doc_findings(docset: DocSet, *, examples_done: set[str]) -> Iterator[Finding]:
    """lint.iter_doc_findings, imported when a page is first linted: a warm run reads every page's findings
    from the cache, and the lint's import (markdown-it and the sample parsers) costs 0.1 s."""
    from .lint import iter_doc_findings as lint

    return lint(docset, examples_done=examples_done)


def _examples_owner(docsets: Sequence[DocSet]) -> dict[str, int]:
    owner: dict[str, int] = {}
    for i, docset in enumerate(docsets):
        for rel in docset.specs:
            owner.setdefault(rel, i)
    return owner


def _lint(index: int, owner: dict[str, int]) -> list[Finding]:
    return _page_findings(_shared[index], index, owner)


def _page_findings(docset: DocSet, index: int, owner: dict[str, int]) -> list[Finding]:
    done = {rel for rel in docset.specs if owner[rel] != index}  # another page checks these specs' examples
    # One catch per page (CT910): a page nothing anticipated is a finding on it; the other pages are linted.
    return list(guarded(docset.page, "the docs lint", lazily(partial(iter_doc_findings, docset, examples_done=done))))


def examples_done(docsets: Sequence[DocSet]) -> list[set[str]]:
    """Per docset, the specs whose own examples another page of the run checks (part of what its lint depends on)."""
    owner = _examples_owner(docsets)
    return [{rel for rel in ds.specs if owner[rel] != i} for i, ds in enumerate(docsets)]


def lint_pages(docsets: Sequence[DocSet], only: Collection[int] | None = None) -> list[list[Finding]]:
    """Each docset's docs-lint findings, in docset order; in forked processes when there are enough pages.

    With `only`, the other docsets are not linted and get [] (their findings come from the cache)."""
    owner = _examples_owner(docsets)
    indexes = list(range(len(docsets))) if only is None else sorted(only)
    found = dict(zip(indexes, _lint_each(docsets, owner, indexes)))
    return [found.get(i, []) for i in range(len(docsets))]


def _lint_each(docsets: Sequence[DocSet], owner: dict[str, int], indexes: list[int]) -> list[list[Finding]]:
    global _shared
    workers = min(jobs(), len(indexes) // _MIN_PAGES_PER_PROCESS)
    if workers >= 2 and can_fork():
        _shared = docsets
        try:
            with fork_pool(workers) as pool:
                chunk = max(1, len(indexes) // (workers * 16))
                return list(pool.map(_lint, indexes, [owner] * len(indexes), chunksize=chunk))
        except (OSError, RuntimeError):
            pass  # no processes here (a sandbox, a broken pool): lint inline
        finally:
            _shared = ()
    return [_page_findings(docsets[i], i, owner) for i in indexes]
