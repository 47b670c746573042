"""A catalogue's specs are not all held parsed at once: the oldest are let go and parsed again from their bytes on use."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from aimlapi_contract.check import CheckOptions, run_checks
from aimlapi_contract.sources import DocsBase, load_spec, specs as spec_module


@pytest.fixture(autouse=True)
def empty_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no parsed spec counted (the count is the process's)."""
    monkeypatch.setattr(spec_module, "_parsed_order", collections.deque())
    monkeypatch.setattr(spec_module, "_parsed_size", 0)


def raw(title: str, size: int = 1000) -> bytes:
    return json.dumps({"openapi": "3.0.0", "info": {"title": title, "version": "1"}, "x-pad": "p" * size, "paths": {}}).encode()


def test_past_the_budget_the_oldest_parsed_spec_is_let_go_and_reparsed_on_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "PARSED_BUDGET", 2500)
    first_bytes = raw("first")
    first = load_spec("a.json", first_bytes)
    assert first.raw is first_bytes  # the fetched bytes themselves, not a copy
    second = load_spec("b.json", raw("second"))
    load_spec("c.json", raw("third"))
    assert first._parsed is None and second._parsed is not None  # the oldest went past 2,500 bytes
    assert first.data["info"]["title"] == "first" and first.data == json.loads(first_bytes)
    assert first._parsed is not None  # parsed again, and counted again


def test_a_spec_with_an_openapi_core_view_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "PARSED_BUDGET", 10)
    kept = load_spec("a.json", raw("kept"))
    kept.openapi()  # its objects are the view's now: dropping ours would free nothing
    load_spec("b.json", raw("other"))
    assert kept._parsed is not None


def test_a_check_holding_one_parsed_spec_at_a_time_finds_the_same(catalogue_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = catalogue_sample
    pages = sorted(p.relative_to(base).as_posix() for p in (base / "docs/api-references/speech-voice-models").rglob("*.md"))
    assert len(pages) >= 2

    def run() -> list[tuple[object, ...]]:
        report = run_checks(CheckOptions(DocsBase.from_setting(str(base)), pages, cache=tmp_path / "cache", root=tmp_path))
        return [(f.code, f.source, f.line, f.pointer, f.message, f.key) for f in report.findings]

    held = run()
    monkeypatch.setattr(spec_module, "PARSED_BUDGET", 1)  # every spec but the newest is let go as soon as another is parsed
    assert run() == held and held


def test_a_spec_whose_bytes_change_after_loading_leaves_the_count_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "PARSED_BUDGET", 2500)
    changed = load_spec("a.json", raw("changed"))
    changed.raw = b""  # as tests do for a spec without published bytes
    second = load_spec("b.json", raw("second"))
    load_spec("c.json", raw("third"))
    assert second._parsed is not None  # letting `changed` go took off what was counted for it
    assert spec_module._parsed_size == sum(size for _, size in spec_module._parsed_order)


def with_paths(title: str) -> bytes:
    paths = {"/v1/items/{id}": {"get": {"operationId": "one"}, "post": {}, "summary": "not an operation"}, "/v1/chat": {"post": {}}}
    return json.dumps({"openapi": "3.0.0", "info": {"title": title, "version": "1"}, "paths": paths}).encode()


def test_a_let_go_spec_is_routed_without_being_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "PARSED_BUDGET", 10)
    first = load_spec("a.json", with_paths("first"))
    load_spec("b.json", with_paths("second"))
    assert first._parsed is None
    assert first.endpoints() == ["GET /v1/items/{id}", "POST /v1/items/{id}", "POST /v1/chat"]
    assert first.documented_endpoint("/v1/items/42", "GET") == "GET /v1/items/{id}"
    assert first.documented_endpoint("/v1/other", "get") is None and first.find_operation("/v1/other", "get") is None
    assert first._parsed is None  # asking which endpoints it has parsed nothing
    op = first.find_operation("/v1/items/42", "get")
    assert op is not None and op.endpoint == "GET /v1/items/{id}" and op.data == {"operationId": "one"}
    assert [o.endpoint for o in first.operations()] == first.endpoints()


def test_a_spec_whose_paths_are_not_an_object_still_loads_and_fails_where_asked() -> None:
    spec = load_spec("a.json", json.dumps({"openapi": "3.0.0", "paths": ["no"]}).encode())
    with pytest.raises(AttributeError):
        spec.routes()
