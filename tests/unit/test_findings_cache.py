"""Findings cached on disk: reused for the same key, recomputed when anything they depend on changes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from aimlapi_contract.files import atomic_write
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.spec.lint_cache import cache_key, cache_keys, cached_findings

FINDING = Finding(
    Code.SPEC_NULLABLE_WITHOUT_TYPE,
    Severity.WARNING,
    "spec.json",
    "`nullable: true` has no effect",
    line=3,
    pointer="/components/schemas/X",
    endpoint="POST /v1/x",
    fix="give it a type",
    extra={"why": "test"},
)


def test_second_call_reads_the_stored_findings(tmp_path: Path) -> None:
    calls = []

    def compute() -> list[Finding]:
        calls.append(1)
        return [FINDING]

    first = cached_findings(tmp_path, "k", compute)
    second = cached_findings(tmp_path, "k", compute)
    assert first == second == [FINDING]
    assert second[0].extra == {"why": "test"}
    assert len(calls) == 1


def test_key_changes_with_input_rules_and_library(tmp_path: Path) -> None:
    rules = tmp_path / "rules.py"
    rules.write_text("A = 1\n")
    key = cache_key("abc", rules=rules, library="jsonschema")
    assert key == cache_key("abc", rules=rules, library="jsonschema")
    assert key != cache_key("abd", rules=rules, library="jsonschema")
    assert key != cache_key("abc", rules=rules, library="no-such-package-here")
    rules.write_text("A = 2\n")
    assert key != cache_key("abc", rules=rules, library="jsonschema")


@pytest.mark.parametrize("library", ["jsonschema", "jsonschema-rs", "jsonschema_rs", "PyYAML", "openapi-core", "aimlapi-contract", "no-such-package-here"])
def test_a_library_s_version_is_read_as_importlib_metadata_reads_it(library: str) -> None:
    from importlib import metadata

    from aimlapi_contract.sources.cache_keys import _version

    try:
        expected = metadata.version(library)
    except metadata.PackageNotFoundError:
        expected = "absent"
    assert _version(library) == expected


def test_a_library_s_upgrade_is_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules.py"
    rules.write_text("A = 1\n")
    site = tmp_path / "site"
    (site / "Fancy_Lib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    old = cache_key("abc", rules=rules, library="fancy-lib")
    (site / "Fancy_Lib-1.0.dist-info").rename(site / "fancy_lib-1.1.dist-info")
    assert cache_key("abc", rules=rules, library="fancy-lib") != old


def test_the_lint_key_names_each_library_and_every_module_beside_the_rules(tmp_path: Path) -> None:
    from aimlapi_contract.spec import LINT_LIBRARY, LINT_RULES

    assert "jsonschema-rs" in LINT_LIBRARY  # it vouches for valid parts (spec/conformance.py)
    two = cache_key("abc", rules=LINT_RULES, library=("jsonschema", "no-such-package-here"))
    assert two != cache_key("abc", rules=LINT_RULES, library="jsonschema")
    assert two != cache_key("abc", rules=LINT_RULES, library=("jsonschema", "jsonschema-rs"))
    # A copy of spec/: a change to the module that walks the keywords is a new key.
    for module in LINT_RULES.parent.glob("*.py"):
        (tmp_path / module.name).write_bytes(module.read_bytes())
    key = cache_key("abc", rules=tmp_path / LINT_RULES.name, library=LINT_LIBRARY)
    (tmp_path / "keyword_walk.py").write_text((tmp_path / "keyword_walk.py").read_text() + "\n# changed\n")
    assert key != cache_key("abc", rules=tmp_path / LINT_RULES.name, library=LINT_LIBRARY)


def test_corrupt_entry_is_recomputed_and_replaced(tmp_path: Path) -> None:
    entry = tmp_path / "findings" / "k.json"
    entry.parent.mkdir()
    entry.write_text('{"findings": [{"code": "CT999"')
    assert cached_findings(tmp_path, "k", lambda: [FINDING]) == [FINDING]
    assert cached_findings(tmp_path, "k", lambda: []) == [FINDING]


def test_unwritable_cache_still_gives_findings(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cached_findings(blocker, "k", lambda: [FINDING]) == [FINDING]


def test_keys_of_many_inputs_are_each_input_s_own_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules.py"
    rules.write_text("A = 1\n")
    assert cache_keys(["abc", "abd"], rules=rules, library=("jsonschema", "x")) == [
        cache_key("abc", rules=rules, library=("jsonschema", "x")), cache_key("abd", rules=rules, library=("jsonschema", "x"))]


def test_entries_are_written_without_fsync_and_a_torn_one_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    assert cached_findings(tmp_path, "k", lambda: [FINDING]) == [FINDING]
    assert not synced  # 800 fsyncs were half a second of a catalogue run; a lost entry is only recomputed
    entry = tmp_path / "findings" / "k.json"
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # what a crash may leave
    assert cached_findings(tmp_path, "k", lambda: []) == []


def test_other_files_are_still_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    atomic_write(tmp_path / "report.json", b"{}")
    assert len(synced) == 1 and (tmp_path / "report.json").read_bytes() == b"{}"


@pytest.mark.parametrize("extra", [{"converted": (1, 2)}, {"converted": {1: "a", "1": "b"}}], ids=["tuple", "int-key"])
def test_findings_that_would_not_come_back_from_json_as_they_went_in_are_not_stored(tmp_path: Path, extra: dict[str, object]) -> None:
    # A Python-repr Response example keeps tuples and non-string keys: from JSON, its report would differ.
    odd = Finding(Code.DOC_EXAMPLE_NOT_JSON, Severity.ERROR, "p.md", "m", extra=extra)
    calls = []

    def compute() -> list[Finding]:
        calls.append(1)
        return [odd]

    assert cached_findings(tmp_path, "k", compute) == [odd]
    assert cached_findings(tmp_path, "k", compute)[0].extra == extra
    assert len(calls) == 2 and not (tmp_path / "findings" / "k.json").exists()


def test_keep_says_which_findings_may_be_stored(tmp_path: Path) -> None:
    cached_findings(tmp_path, "k", lambda: [FINDING], keep=lambda found: False)
    assert not (tmp_path / "findings" / "k.json").exists()
    cached_findings(tmp_path, "k", lambda: [FINDING], keep=lambda found: True)
    assert (tmp_path / "findings" / "k.json").exists()
