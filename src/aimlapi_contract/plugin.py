"""pytest wiring: options, markers and fixtures over the library; no checking logic lives here."""

from __future__ import annotations

from pathlib import Path

import pytest

from .check import CheckOptions, Report, run_checks
from .replay import interaction_items
from .sources import DOCS_BASE_ENV, DocsBase, load_manifest

_REPORT = pytest.StashKey[Report]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aimlapi-contract", "AIML API contract suite")
    # Precedence for the docs base: --docs-base, then $AIMLAPI_DOCS_BASE, then the published upstream.
    group.addoption("--docs-base", metavar="URL|DIR", help=f"published docs base (default: ${DOCS_BASE_ENV}, else upstream)")
    group.addoption("--contract-offline", action="store_true", help="use cached published documents only")
    group.addoption("--contract-cassettes", metavar="DIR", default=None, help="cassettes to validate (default: cassettes/)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a contract check over the published docs or recorded traffic")


def contract_options_from(config: pytest.Config) -> CheckOptions:
    """CheckOptions from the command line, relative to the rootdir (where specs/ and cassettes/ live)."""
    root = Path(config.rootpath)
    cassettes = config.getoption("--contract-cassettes")
    manifest = root / "specs" / "manifest.json"
    return CheckOptions(
        docs_base=DocsBase.from_setting(config.getoption("--docs-base")),
        pages=[p.path for p in load_manifest(manifest)],
        cache=root / ".cache" / "aimlapi-contract",
        offline=bool(config.getoption("--contract-offline")),
        cassettes=Path(cassettes) if cassettes else root / "cassettes",
        baseline_path=root / "specs" / "baseline.json",
        lock_path=root / "specs" / "lock.json",
    )


def contract_report_for(config: pytest.Config) -> Report:
    """The run's one Report, computed on first use and shared by every contract item."""
    if _REPORT not in config.stash:
        config.stash[_REPORT] = run_checks(contract_options_from(config))
    return config.stash[_REPORT]


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
        cassettes = contract_options_from(metafunc.config).cassettes
        items = interaction_items(cassettes) if cassettes is not None else []
        metafunc.parametrize("contract_interaction", items or [None], ids=lambda i: i.id if i else "no-cassettes")
