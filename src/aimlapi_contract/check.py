"""Run every offline check the suite has over the tracked pages, their specs and the cassettes."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import limits
from .baseline import BASELINE_PATH, Scope, read_baseline, stale_findings, triage
from .errors import ContractError
from .findings import LOAD_CODES, Code, Finding, crash_finding, guarded, lazily, sort_key, with_unique_keys
from .limits import Limits
from .page.coverage import iter_coverage_findings, with_documenting_specs
from .page.pool import examples_done, lint_pages
from .reports import Report
from .reports.groups import catalogue_summary, defect_key, iter_groups, pages_of
from .sources import LOCK_PATH, DocsBase, DocSet, Fetcher, Spec, cache_dir, load_docset, lock_findings, read_lock
from .sources.docset import SpecMemo, load_spec_docset
from .sources.gc_policy import collecting_rarely, in_background
from .spec import LINT_LIBRARY, LINT_RULES, cached_findings, iter_spec_findings, locked_change_findings
from .spec.lint_cache import cache_keys, is_cached
from .spec.lint_pool import lint_in_processes
from .sources.models import documented_models
from .sources.workers import jobs
from .spec.reachability import collapse_unreferenced, unreferenced_components
from .traffic import display_path, iter_cassette_findings, skipped_note
from .traffic.cassettes import cassette_files
from .traffic.scanning import scanned_once
from .validation import learned


@dataclass(slots=True)
class CheckOptions:
    """What to check and where from; the CLI and the pytest plugin both build one."""

    docs_base: DocsBase
    pages: list[str]
    cache: Path | None = None
    offline: bool = False
    cassettes: Path | None = None
    baseline_path: Path = BASELINE_PATH
    lock_path: Path = LOCK_PATH
    root: Path = field(default_factory=Path.cwd)  # the project root: cassette sources (baseline keys) are relative to it
    limits: Limits = field(default_factory=Limits)  # what one input may cost (limits.py); flags set them
    progress: Callable[[str, int, int], None] | None = None  # (step, done, of): the CLI draws it on a terminal
    specs: list[str] = field(default_factory=list)  # `--specs`: specs checked even when no page links them
    tracked_models: dict[str, str] = field(default_factory=dict)  # page -> the model the manifest tracks it for


# A check sees every loaded docset (page + specs) and the options; it yields findings and never raises
# for bad input. Later checks (docs lint, cassettes) register here.
Check = Callable[[list[DocSet], CheckOptions], Iterable[Finding]]


def _linted_specs(docsets: list[DocSet]) -> list[Spec]:
    return list({rel: spec for docset in docsets for rel, spec in docset.specs.items()}.values())  # each spec once


def _spec_lint_keys(specs: list[Spec]) -> list[str]:
    # openapi-spec-validator takes ~1 s on the 1.8 MB spec: reuse findings for the same bytes.
    return cache_keys([spec.sha256 + spec.source for spec in specs], rules=LINT_RULES, library=LINT_LIBRARY)


def spec_conformance(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    specs = _linted_specs(docsets)
    cache = cache_dir(options.cache)
    keys = _spec_lint_keys(specs)
    computed = lint_in_processes([s for s, k in zip(specs, keys) if not is_cached(cache, k)])  # guarded per spec
    for spec, key in zip(specs, keys):
        ready = computed.get(spec.source)
        compute: Callable[[], Iterable[Finding]] = partial(list, ready) if ready is not None else partial(iter_spec_findings, spec)
        yield from guarded(spec.source, "the spec lint", lazily(partial(cached_findings, cache, key, compute)))


def lock_drift(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    lock = read_lock(options.lock_path)
    for docset in docsets:
        for fetched in docset.fetched:
            yield from lock_findings(fetched, lock)


def spec_changes(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    lock = read_lock(options.lock_path)
    for docset in docsets:
        for fetched in docset.fetched:
            yield from guarded(fetched.rel, "the spec diff", lazily(partial(locked_change_findings, fetched, lock, cache_dir(options.cache))))


def cassette_conformance(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    """Every interaction of every cassette under options.cassettes, against the tracked specs."""
    specs = list({spec.source: spec for ds in docsets for spec in ds.specs.values()}.values())
    if options.cassettes is None or not specs:
        return  # nothing to replay, or nothing to replay against (reported by the docset loading)
    unloaded = {e for ds in docsets for e in ds.unloaded_endpoints()}
    for finding in iter_cassette_findings(options.cassettes, specs, root=options.root):
        # Traffic to an endpoint whose linked spec failed to load is not "undocumented": the load
        # failure (CT101/CT102) already says why it could not be checked.
        if finding.code is Code.UNDOCUMENTED_PATH and finding.endpoint in unloaded:
            continue
        yield finding


# The docs lint reads a page, the specs it links and the run's limits, through most of the package, so its
# cache key names them all and every module of the package (and the parsers and validators it calls).
DOCS_LINT_RULES = Path(__file__).resolve().parent
DOCS_LINT_LIBRARY = ("markdown-it-py", "json5", "jsonschema-rs", "jsonschema", "openapi-schema-validator", "PyYAML")


# Never kept: a crash may not recur, and a timestamp in the future (CT345) stops being one as time passes.
_NOT_KEPT = frozenset({Code.CHECK_CRASHED, Code.SEMANTIC_TIMESTAMP})


def _keepable(findings: list[Finding]) -> bool:
    return not any(f.code in _NOT_KEPT for f in findings)


def docs_lint_inputs(docsets: list[DocSet]) -> list[str]:
    """Per docset, what its docs-lint findings depend on, as one string (the cache key's input)."""
    limits_now = repr(limits.current())
    out = []
    for docset, done in zip(docsets, examples_done(docsets)):
        text = "absent" if docset.page_text is None else hashlib.sha256(docset.page_text.encode()).hexdigest()
        specs = ";".join(f"{rel}={spec.sha256}" for rel, spec in sorted(docset.specs.items()))
        out.append("\x1f".join([docset.page, text, str(docset.spec_only), specs, ",".join(sorted(done)), limits_now]))
    return out


def _docs_lint_keys(docsets: list[DocSet]) -> list[str]:
    return cache_keys(docs_lint_inputs(docsets), rules=DOCS_LINT_RULES, library=DOCS_LINT_LIBRARY)


def docs_drift(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    cache = cache_dir(options.cache)
    keys = _docs_lint_keys(docsets)
    todo = {i for i, key in enumerate(keys) if not is_cached(cache, key)}
    computed = lint_pages(docsets, only=todo)  # each page's lint is guarded (CT910) where it runs
    seen: set[tuple[object, ...]] = set()  # two pages linking one spec report its findings once
    for i, key in enumerate(keys):
        compute = partial(list, computed[i]) if i in todo else partial(lambda at: lint_pages(docsets, only={at})[at], i)
        # A torn entry is linted again; what must not be kept is not, on either path.
        page_findings = cached_findings(cache, key, compute, keep=_keepable)
        for finding in page_findings:
            if (finding.key, finding.line) not in seen:
                seen.add((finding.key, finding.line))
                yield finding


def page_coverage(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    """Pages that link no spec, or GitBook's placeholder instead of one (CT114-CT116)."""
    return iter_coverage_findings(docsets, options.tracked_models)


CHECKS: list[Check] = [spec_conformance, lock_drift, spec_changes, docs_drift, cassette_conformance, page_coverage]


def _progress(options: CheckOptions, what: str, done: int, total: int) -> None:
    if options.progress is not None:
        options.progress(what, done, total)


def load_docsets(options: CheckOptions) -> list[DocSet]:
    fetcher = Fetcher(options.docs_base, options.cache)
    memo: SpecMemo = {}  # a spec linked by many pages is read and parsed once
    with limits.applied(options.limits):
        docsets = [_noted_while_parsed(_guarded_load(partial(load_docset, fetcher, page, offline=options.offline, memo=memo), page))
                   for page in options.pages]
        # `--specs`: what no checked page links is checked on its own.
        docsets += [
            _noted_while_parsed(_guarded_load(partial(load_spec_docset, fetcher, rel, offline=options.offline, memo=memo), rel))
            for rel in options.specs if rel not in memo
        ]
    return docsets


def _noted_while_parsed(docset: DocSet) -> DocSet:
    """Ask what the whole-run steps need of each spec (its models, its unused components) right after loading it.

    A catalogue's specs are let go once parsed (sources/specs.py); asked later, each would be parsed again."""
    for spec in docset.specs.values():
        # A spec these break on is asked again where the answer is used, and reported there (CT910).
        with contextlib.suppress(Exception):
            documented_models(spec)
            unreferenced_components(spec)
    return docset


def _guarded_load(load: Callable[[], DocSet], page: str) -> DocSet:
    try:
        return load()
    except ContractError:
        raise
    except Exception as exc:  # noqa: BLE001  (a page nothing anticipated: a finding on it; the other pages load)
        return DocSet(page=page, page_text=None, findings=[crash_finding(page, "loading the page and its specs", exc)])


def checked_scope(docsets: list[DocSet], options: CheckOptions) -> Scope:
    """The sources a run with these docsets and options reads: loaded pages and specs, and the cassettes replayed."""
    # A page is checked against its specs: one linking none that loaded (an empty page) was not checked.
    sources = {ds.page for ds in docsets if ds.page_text is not None and ds.specs}
    sources |= {rel for ds in docsets for rel in ds.specs}
    # Cassettes are replayed against the loaded specs: with none loaded (an empty page), none was checked.
    loaded = any(ds.specs for ds in docsets)
    replayed = cassette_files(options.cassettes) if loaded and options.cassettes is not None and options.cassettes.is_dir() else []
    sources |= {display_path(p, options.root) for p in replayed}
    return Scope(frozenset(sources), traffic=bool(replayed))


def run_checks(options: CheckOptions, checks: list[Check] | None = None) -> Report:
    # A catalogue's millions of parsed values are long-lived (gc_policy.py); what validation learns is kept (learned.py).
    with collecting_rarely(), scanned_once(), learned.kept_in(cache_dir(options.cache)):
        return _run_checks(options, CHECKS if checks is None else checks)


def _run_checks(options: CheckOptions, steps: list[Check]) -> Report:
    _progress(options, f"loading {len(options.pages)} page(s) and their specs", 0, len(steps) + 1)
    docsets = load_docsets(options)
    findings: list[Finding] = [f for ds in docsets for f in ds.findings]
    with limits.applied(options.limits):
        early = _replayed_while_linting(docsets, options, steps)
        for done, check in enumerate(steps, 1):
            name = getattr(check, "__name__", "check")
            _progress(options, name.replace("_", " "), done, len(steps) + 1)
            findings.extend(early[check] if check in early else _guarded_step(check, docsets, options))
    findings = list(collapse_unreferenced(findings, {s.source: s for ds in docsets for s in ds.specs.values()}.values()))
    findings = list(with_documenting_specs(findings, docsets))
    findings = with_unique_keys(findings)  # two problems never share a fingerprint
    tri = triage(findings, read_baseline(options.baseline_path))
    notes = [n for ds in docsets for n in ds.notes]
    if options.cassettes is not None and options.cassettes.is_dir():
        notes += [n for n in [skipped_note(options.cassettes, options.root)] if n]  # nothing skipped in silence
    if any(f.code in LOAD_CODES for f in findings):
        # What could not be loaded was not checked, so its accepted drift cannot be said to be gone.
        notes.append("some sources could not be loaded: stale baseline entries are not reported in this run")
        tri.stale.clear()
    scope = checked_scope(docsets, options)
    tri.stale[:] = [e for e in tri.stale if scope.covers(e)]  # an unchecked source's entry is neither stale nor fixed
    stale = stale_findings(tri.stale, options.baseline_path)
    findings.extend(stale)
    tri.new.extend(stale)
    groups = list(iter_groups(findings, pages_of(docsets)))
    if groups or sum(not ds.spec_only for ds in docsets) > 1:
        notes[:0] = catalogue_summary(docsets, findings, groups)
    new_defects = {defect_key(f) for f in tri.new} if groups else set()
    for group in groups:
        # A group is new while any of its members is; accepting every member accepts the group.
        (tri.new if tuple(group.extra["defect"]) in new_defects else tri.baselined).append(group)
    findings.extend(groups)
    findings.sort(key=sort_key)
    # tri.new is a subsequence of findings in the same order (triage keeps it; stale entries and groups were
    # added to both alike), so a stable sort of it is the sorted findings filtered: one sort, not two.
    new_ids = {id(f) for f in tri.new}
    tri.new[:] = [f for f in findings if id(f) in new_ids]
    return Report(findings, tri, docsets, notes, ordered=True)


def _guarded_step(check: Check, docsets: list[DocSet], options: CheckOptions) -> Iterator[Finding]:
    name = getattr(check, "__name__", "check")
    return guarded(f"({name})", f"the {name} check", check(docsets, options))


_LINTS: tuple[Check, ...] = (spec_conformance, docs_drift)


def _replayed_while_linting(docsets: list[DocSet], options: CheckOptions, steps: list[Check]) -> dict[Check, list[Finding]]:
    """With lints to compute (a cold cache) and cassettes to replay, the lints run in a forked process, which
    leaves its findings in the cache, while this one replays: the replay's findings, else {}.

    The steps are then run in their order as usual, the lints finding their results cached, so the report
    is the same either way (a lint finding that is never kept, or a lost process, is only computed again)."""
    lints = [step for step in _LINTS if step in steps]
    cassettes = options.cassettes if cassette_conformance in steps else None
    replays = cassettes is not None and cassettes.is_dir() and any(ds.specs for ds in docsets) and bool(cassette_files(cassettes))
    if not (lints and replays and jobs() > 1):
        return {}
    cache = cache_dir(options.cache)
    keys = (_spec_lint_keys(_linted_specs(docsets)) if spec_conformance in lints else []) + (
        _docs_lint_keys(docsets) if docs_drift in lints else [])
    if all(is_cached(cache, key) for key in keys):
        return {}  # a warm cache: the lints cost a read each
    try:  # the lints reach this process through the cache: with none to write, they are done here
        (cache / "findings").mkdir(parents=True, exist_ok=True)
        if not os.access(cache / "findings", os.W_OK):
            return {}
    except OSError:
        return {}
    with in_background(lambda: [list(_guarded_step(step, docsets, options)) for step in lints]) as started:
        if not started:
            return {}
        return {cassette_conformance: list(_guarded_step(cassette_conformance, docsets, options))}


def unchecked_reason(report: Report) -> str:
    """What was missing when a run could check nothing against a spec; '' when it could."""
    if all(ds.page_text is None for ds in report.docsets):
        return "no tracked page could be read, so nothing was checked"
    if any(ds.specs for ds in report.docsets):
        return ""
    empty = [ds.page for ds in report.docsets if ds.page_text is not None and not ds.links]
    if empty:
        more = f" (and {len(empty) - 1} more page(s))" if len(empty) > 1 else ""
        return f"no spec was checked: {empty[0]} links no OpenAPI spec (no `openapi-operation` block){more}"
    return "no spec was checked: none of the specs the tracked pages link could be loaded"
