"""The docs lint's findings are kept per page in the cache: a run over unchanged inputs reads them, anything else lints."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aimlapi_contract import limits
from aimlapi_contract.check import CheckOptions, run_checks
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.page import pool
from aimlapi_contract.sources import DocsBase

DATA = Path(__file__).parents[1] / "data" / "docs"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    base = tmp_path / "docs"
    base.mkdir()
    for name in ("sample-defects.md", "mini-chat.json", "mini-responses.json"):
        shutil.copy(DATA / name, base / name)
    return base


def lint_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = pool.iter_doc_findings

    def counted(docset: Any, **kw: Any) -> Iterator[Any]:
        calls.append(docset.page)
        return real(docset, **kw)

    monkeypatch.setattr(pool, "iter_doc_findings", counted)
    return calls


def run(docs: Path, cache: Path) -> list[dict[str, Any]]:
    report = run_checks(CheckOptions(DocsBase.from_setting(str(docs)), ["sample-defects.md"], cache=cache, root=docs.parent))
    return [f.to_dict() for f in report.findings]


def test_an_unchanged_page_is_read_from_the_cache_with_the_same_findings(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = lint_calls(monkeypatch)
    cold = run(docs, tmp_path / "cache")
    warm = run(docs, tmp_path / "cache")
    assert calls == ["sample-defects.md"]  # linted once, read once
    assert warm == cold and any(f["code"].startswith("CT3") for f in cold)


def test_a_changed_spec_or_limit_lints_the_page_again(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = lint_calls(monkeypatch)
    run(docs, tmp_path / "cache")
    spec = docs / "mini-chat.json"
    spec.write_text(spec.read_text().replace('"title"', '"title" ', 1))  # new bytes, same meaning
    run(docs, tmp_path / "cache")
    report = run_checks(CheckOptions(DocsBase.from_setting(str(docs)), ["sample-defects.md"], cache=tmp_path / "cache",
                                     root=docs.parent, limits=limits.with_overrides(json_depth=150)))
    assert report.findings
    assert calls == ["sample-defects.md"] * 3


def test_a_page_whose_lint_crashed_is_not_kept(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(docset: Any, **kw: Any) -> Iterator[Any]:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(pool, "iter_doc_findings", crash)
        crashed = run(docs, tmp_path / "cache")
    assert any(f["code"] == Code.CHECK_CRASHED.value for f in crashed)
    assert not any(f["code"] == Code.CHECK_CRASHED.value for f in run(docs, tmp_path / "cache"))


def test_a_page_with_a_timestamp_finding_is_not_kept(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A `created` in the future (CT345) is judged against the clock: kept, it would outlive the day it stops being true.
    calls: list[str] = []

    def future(docset: Any, **kw: Any) -> Iterator[Finding]:
        calls.append(docset.page)
        yield Finding(Code.SEMANTIC_TIMESTAMP, Severity.WARNING, docset.page, "`created` is in the future", anchor="example")

    monkeypatch.setattr(pool, "iter_doc_findings", future)
    run(docs, tmp_path / "cache")
    run(docs, tmp_path / "cache")
    assert calls == ["sample-defects.md"] * 2
