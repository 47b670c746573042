"""pytest wiring: options, markers and fixtures over the library; no checking logic lives here."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from .baseline import read_baseline
from .check import CheckOptions, load_docsets, run_checks, unchecked_reason
from .errors import ContractError
from .live import (
    API_BASE_ENV,
    DEFAULT_API_BASE,
    MAX_REQUESTS_ENV,
    MAX_TOKENS_ENV,
    TIMEOUT_ENV,
    vcr_settings,
)
from .live.recording import SafePersister, project_vcr_settings, safe_cassette_options, write_policy
from .live.items import LiveRun, LiveState, live_run_for, live_state_for
from .redact import KEY_ENV, install_log_scrubber, scrub_report
from .reports import Report
from .reports.shared import shared_report
from .sources import DOCS_BASE_ENV, DocsBase, Spec, load_manifest
from .traffic import interaction_items, require_directory

_REPORT = pytest.StashKey[Report]()
_LIVE = pytest.StashKey[LiveState]()
_SPECS = pytest.StashKey[list[Spec]]()
_ITEM = pytest.StashKey[pytest.Item]()
_XDIST_FOLDER = pytest.StashKey[Path]()
_SHARED_REPORT_DIR = "aimlapi_contract_report_dir"  # the key in xdist's workerinput


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aimlapi-contract", "AIML API contract suite")
    # Precedence for the docs base: --docs-base, then $AIMLAPI_DOCS_BASE, then the published upstream.
    group.addoption("--docs-base", metavar="URL|DIR", help=f"published docs base (default: ${DOCS_BASE_ENV}, else upstream)")
    group.addoption("--contract-offline", action="store_true", help="use cached published documents only")
    group.addoption("--contract-cassettes", metavar="DIR", default=None, help="cassettes to validate (default: cassettes/)")
    # Live mode. Precedence for each setting: the option, then its environment variable, then the default.
    group.addoption("--live", action="store_true", help=(
        f"send every selected live scenario to the API on every run, whatever cassettes exist (needs ${KEY_ENV}); "
        "--record-mode then only decides what is written: none (default) nothing, once/new_episodes the cassettes "
        "that do not exist yet, all/rewrite replace them whole. Without --live the scenarios replay their cassettes"
    ))
    group.addoption("--api-base", metavar="URL", help=f"API base for --live (default: ${API_BASE_ENV}, else {DEFAULT_API_BASE})")
    group.addoption("--live-max-requests", type=int, metavar="N", help=f"most HTTP requests one live run sends, retries included (default: ${MAX_REQUESTS_ENV}, else 40)")
    group.addoption("--live-max-tokens", type=int, metavar="N", help=f"most output tokens one live call may ask for (default: ${MAX_TOKENS_ENV}, else 64)")
    group.addoption("--live-timeout", type=float, metavar="SECONDS", help=f"read timeout of a live call (default: ${TIMEOUT_ENV}, else 60)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a contract check over the published docs or recorded traffic")
    config.addinivalue_line("markers", "live: sends a scenario to the API with --live; otherwise replays its cassette or skips")
    overrides = {
        "api_base": config.getoption("--api-base"),
        "max_requests": config.getoption("--live-max-requests"),
        "max_tokens": config.getoption("--live-max-tokens"),
        "read_timeout": config.getoption("--live-timeout"),
    }
    # In a contract project (a specs/ folder at the rootdir, or an explicit --docs-base), a bad docs base,
    # manifest, baseline or cassette dir stops the run here, in one line. Elsewhere (the plugin loads in
    # every pytest run of this environment) nothing is checked until a contract item asks.
    if config.getoption("--docs-base") or (Path(config.rootpath) / "specs").is_dir():
        with _setup_errors_as_usage():
            options = contract_options_from(config)
            read_baseline(options.baseline_path)
            if config.getoption("--contract-cassettes") and options.cassettes is not None:
                require_directory(options.cassettes, flag="--contract-cassettes")
    state = live_state_for(config, overrides=overrides)  # --live without a key stops the run here, with one line
    if state.settings.key:  # with a key in the environment, no log record may carry it, live or not
        state.undo = install_log_scrubber(state.redactor)
    config.stash[_LIVE] = state
    # pytest-recording's `rewrite` deletes each cassette before its test runs; ours replaces it once the
    # new recording is whole (safe_cassette_options), so pytest-recording is told `all`.
    if getattr(config.option, "record_mode", None) == "rewrite":
        config.option.record_mode = "all"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _LIVE in config.stash:
        config.stash[_LIVE].undo()
    folder = config.stash.get(_XDIST_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    # pytest-xdist's controller, once per worker: one private folder per run, where the first worker to need
    # the Report leaves it for the others (reports/shared.py).
    config = node.config
    if _XDIST_FOLDER not in config.stash:
        config.stash[_XDIST_FOLDER] = Path(tempfile.mkdtemp(prefix="aimlapi-contract-report-"))
    node.workerinput[_SHARED_REPORT_DIR] = str(config.stash[_XDIST_FOLDER])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.config.stash[_ITEM] = item  # pytest_recording_configure below is told the config, not the item


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: object) -> None:
    # Every cassette of the run, whatever the project's vcr_config says, goes through the plugin's
    # redaction hooks and its persister (whole files, never the key). Live items also get their
    # record rules: under --live everything is sent and the record mode only decides what is written.
    state = config.stash[_LIVE]
    item = config.stash.get(_ITEM, None)
    live_item = item is not None and "live_run" in getattr(item, "fixturenames", ())
    if live_item:
        ours = vcr_settings(state.mode, state.redactor, live=state.live)
        persister = SafePersister(state.redactor, state.refusals, live=state.live, policy=write_policy(state.mode))
    else:
        ours = project_vcr_settings(state.cli_record_mode, state.redactor)
        persister = SafePersister(state.redactor, state.refusals)
    vcr.register_persister(persister)  # type: ignore[attr-defined]
    use_cassette = vcr.use_cassette  # type: ignore[attr-defined]

    def safe_use_cassette(path: object = None, **options: object) -> object:
        return use_cassette(path, **safe_cassette_options(options, persister, ours))

    vcr.use_cassette = safe_use_cassette  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # What a test prints or raises reaches the terminal and JUnit through its report: scrub it there.
    report = yield
    redactor = item.config.stash[_LIVE].redactor if _LIVE in item.config.stash else None
    if redactor:
        scrub_report(report, redactor)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = terminalreporter.config.stash.get(_LIVE, None)
    for refusal in state.refusals if state else ():
        terminalreporter.write_line(f"aimlapi-contract: {refusal}", yellow=True)


@pytest.fixture(scope="session")
def contract_vcr_config(pytestconfig: pytest.Config) -> dict[str, object]:
    """vcrpy settings for live items: the record mode, key redaction, host-independent matching."""
    state = pytestconfig.stash[_LIVE]
    return vcr_settings(state.mode, state.redactor, live=state.live)


@pytest.fixture
def live_run(request: pytest.FixtureRequest, vcr: object, vcr_cassette_dir: str, default_cassette_name: str) -> LiveRun:
    """Sends the item's scenario with --live, else replays its cassette (or skips, saying how to record it)."""
    config = request.config
    specs = live_specs_for(config)
    with _setup_errors_as_usage():
        baseline = read_baseline(contract_options_from(config).baseline_path)
    path = Path(vcr_cassette_dir) / f"{default_cassette_name}.yaml"
    return live_run_for(request, config.stash[_LIVE], specs, baseline, vcr, path)


def contract_options_from(config: pytest.Config) -> CheckOptions:
    """CheckOptions from the command line, relative to the rootdir (where specs/ and cassettes/ live)."""
    root = Path(config.rootpath)
    cassettes = config.getoption("--contract-cassettes")
    default_cassettes = root / "cassettes"  # absent by default: nothing to replay; absent when given: a usage error
    manifest = root / "specs" / "manifest.json"
    return CheckOptions(
        docs_base=DocsBase.from_setting(config.getoption("--docs-base")),
        pages=[p.path for p in load_manifest(manifest)],
        cache=root / ".cache" / "aimlapi-contract",
        offline=bool(config.getoption("--contract-offline")),
        cassettes=Path(cassettes) if cassettes else default_cassettes if default_cassettes.is_dir() else None,
        baseline_path=root / "specs" / "baseline.json",
        lock_path=root / "specs" / "lock.json",
        root=root,
    )


@contextmanager
def _setup_errors_as_usage() -> Iterator[None]:
    """A bad --docs-base, manifest or baseline stops the run with its one line, not a traceback per module."""
    try:
        yield
    except ContractError as exc:
        raise pytest.UsageError(f"{exc.message}{'; ' + exc.tip if exc.tip else ''}") from None


def contract_report_for(config: pytest.Config) -> Report:
    """The run's one Report, computed on first use and shared by every contract item (and every xdist worker)."""
    if _REPORT not in config.stash:
        with _setup_errors_as_usage():
            compute = partial(run_checks, contract_options_from(config))
            folder = getattr(config, "workerinput", {}).get(_SHARED_REPORT_DIR)
            if folder:
                state = config.stash.get(_LIVE, None)
                leaks = state.redactor.leaks_bytes if state is not None and state.redactor else None
                config.stash[_REPORT] = shared_report(Path(folder), compute, leaks=leaks)
            else:
                config.stash[_REPORT] = compute()
    reason = unchecked_reason(config.stash[_REPORT])
    if reason:  # nothing was checked against a spec: a failure saying so, never a silent pass
        pytest.fail(f"aimlapi-contract: {reason}", pytrace=False)
    return config.stash[_REPORT]


def live_specs_for(config: pytest.Config) -> list[Spec]:
    """The tracked specs, loaded once: from the run's Report when one exists, else without running the checks."""
    if _SPECS not in config.stash:
        with _setup_errors_as_usage():
            docsets = config.stash[_REPORT].docsets if _REPORT in config.stash else load_docsets(contract_options_from(config))
        config.stash[_SPECS] = list({spec.source: spec for ds in docsets for spec in ds.specs.values()}.values())
    return config.stash[_SPECS]


@pytest.fixture(scope="session")
def contract_report(pytestconfig: pytest.Config) -> Report:
    """Every offline finding over the tracked pages, their specs and the cassettes, split by the baseline."""
    return contract_report_for(pytestconfig)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Contract items are parametrized by what the published page links to, so a new spec gets its own item.
    if "contract_spec_source" in metafunc.fixturenames:
        report = contract_report_for(metafunc.config)
        sources = sorted({rel for ds in report.docsets for rel in ds.specs})
        # No spec at all is a failure of its own item (""), never a silent skip.
        metafunc.parametrize("contract_spec_source", sources or [""], ids=lambda s: s.rsplit("/", 1)[-1] or "no-spec")
    if "contract_page" in metafunc.fixturenames:
        report = contract_report_for(metafunc.config)
        metafunc.parametrize("contract_page", [ds.page for ds in report.docsets], ids=lambda s: s.rsplit("/", 1)[-1])
    if "contract_interaction" in metafunc.fixturenames:
        # One item per cassette interaction (an unreadable cassette is an item too); none at all fails as "no-cassettes".
        with _setup_errors_as_usage():
            options = contract_options_from(metafunc.config)
            items = interaction_items(options.cassettes, root=options.root) if options.cassettes is not None else []
        metafunc.parametrize("contract_interaction", items or [None], ids=lambda i: i.id if i else "no-cassettes")
