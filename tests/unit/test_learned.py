"""What validation learns is kept between runs (validation/learned.py): a warm run reports exactly what a cold one
does, without importing the explaining validator; damaged, foreign or secret-bearing entries are never used or written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leaks import key_forms, leaks_in, leaks_under
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.validation import learned
from aimlapi_contract.validation.engine import SchemaEngine

ROOT = Path(__file__).resolve().parents[2]
CHUNK = {
    "type": "object",
    "required": ["id", "choices"],
    "properties": {
        "id": {"type": "string", "format": "uri"},
        "choices": {"type": "array", "items": {"type": "object", "required": ["index"], "properties": {
            "index": {"type": "integer"}, "finish_reason": {"type": "string", "enum": ["stop", "length"]}}}},
    },
}  # fmt: skip
POINTER = "/components/schemas/Chunk"
PAYLOADS = [
    {"id": "a", "choices": [{"index": 0, "finish_reason": None}]},
    {"id": "b", "choices": [{"index": "0", "finish_reason": "eos"}, {"finish_reason": "stop"}]},
    {"choices": []},
    {"id": "c", "choices": [{"index": 0, "finish_reason": "stop"}]},  # valid
]


def _spec() -> Spec:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Chunk": CHUNK}}}
    return load_spec("learned.json", json.dumps(doc).encode())


def _verdicts(engine: SchemaEngine, payloads: list[Any]) -> list[list[tuple[Any, ...]]]:
    return [[(v.pointer, v.message, v.keyword, v.schema_pointer, v.instance, v.path) for v in engine.validate_response(POINTER, p)]
            for p in payloads]


def _boom(*args: Any) -> Any:
    raise AssertionError("recomputed what was kept")


def _no_explainer(engine: SchemaEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any) -> Any:
        raise AssertionError("the explaining validator was needed")

    monkeypatch.setattr(engine, "_explainer", boom)


def test_a_later_run_reuses_kept_explanations_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    reference = _verdicts(SchemaEngine(spec, reference=True), PAYLOADS)
    with learned.kept_in(tmp_path):
        cold = _verdicts(SchemaEngine(spec), PAYLOADS)
    warm_engine = SchemaEngine(spec)  # a new run: nothing in memory
    _no_explainer(warm_engine, monkeypatch)
    with learned.kept_in(tmp_path):
        warm = _verdicts(warm_engine, PAYLOADS)
    assert warm == cold == reference and sum(map(len, reference)) >= 4


def test_a_new_failure_is_explained_and_kept_for_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    with learned.kept_in(tmp_path):
        _verdicts(SchemaEngine(spec), PAYLOADS[:1])
    with learned.kept_in(tmp_path):
        second = _verdicts(SchemaEngine(spec), PAYLOADS[:2])  # the second payload is new here
    third_engine = SchemaEngine(spec)
    _no_explainer(third_engine, monkeypatch)
    with learned.kept_in(tmp_path):
        assert _verdicts(third_engine, PAYLOADS[:2]) == second


def test_without_a_store_nothing_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    _verdicts(SchemaEngine(spec), PAYLOADS)  # no kept_in: memory only
    engine = SchemaEngine(spec)
    calls: list[Any] = []
    real = engine._explainer
    monkeypatch.setattr(engine, "_explainer", lambda *a: calls.append(a) or real(*a))
    with learned.kept_in(tmp_path):
        _verdicts(engine, PAYLOADS)
    assert calls  # explained afresh, since nothing was kept


@pytest.mark.parametrize("damage", [
    b"", b"{not json", b'{"explanations": [[1, 2]]}', b'{"explanations": 7}', b'{"value": {"x": 1}}', b"[]",
    b'{"formats": "uri"}', b'{"formats": [1]}',  # a string is iterable: it must not become the formats u, r, i
])  # fmt: skip
def test_a_damaged_store_is_recomputed_not_trusted(tmp_path: Path, damage: bytes) -> None:
    spec = _spec()
    with learned.kept_in(tmp_path):
        cold = _verdicts(SchemaEngine(spec), PAYLOADS)
    files = list((tmp_path / "validation").glob("*.json"))
    assert files
    for f in files:
        f.write_bytes(damage)
    with learned.kept_in(tmp_path):
        assert _verdicts(SchemaEngine(spec), PAYLOADS) == cold


@pytest.mark.parametrize("form", ["plain", "base64-bearer", "u-odd-upper", "percent-all", "base64-offset-2"])
def test_an_explanation_quoting_the_api_key_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    key = "sk-live-0123456789abcdef"
    monkeypatch.setenv("AIMLAPI_KEY", key)
    echoed = key_forms(key)[form]  # a server echoing the key in some encoding, in a value the schema rejects
    spec = _spec()
    with learned.kept_in(tmp_path):
        got = _verdicts(SchemaEngine(spec), [{"id": "a", "choices": [{"index": 0, "finish_reason": echoed}]}, PAYLOADS[0]])
    assert leaks_in(key, [(pointer, message) for pointer, message, *_ in got[0]])  # the message quotes it
    assert leaks_under(key, tmp_path) == []
    assert any(b"None is not" in f.read_bytes() for f in tmp_path.rglob("*.json"))  # the other explanation was kept


def test_a_plausible_but_damaged_entry_is_not_trusted(tmp_path: Path) -> None:
    spec = _spec()
    with learned.kept_in(tmp_path):
        cold = _verdicts(SchemaEngine(spec), PAYLOADS)
    (stored,) = [f for f in (tmp_path / "validation").glob("*.json") if b"explanations" in f.read_bytes()]
    rows = json.loads(stored.read_bytes())["explanations"]
    for damage in ("path-as-text", "bool-index", "short"):
        broken = json.loads(json.dumps(rows))
        explanation = broken[0][3][0]
        if damage == "path-as-text":
            explanation[0] = "".join(map(str, explanation[0]))  # tuple("choices") would be a path of letters
        elif damage == "bool-index":
            explanation[0] = [True]
        else:
            del explanation[-1]
        stored.write_text(json.dumps({"explanations": broken}))
        with learned.kept_in(tmp_path):
            assert _verdicts(SchemaEngine(spec), PAYLOADS) == cold, damage


def test_only_what_survives_json_is_kept(tmp_path: Path) -> None:
    good = (("/p", "read", (((0, "a"), ("properties", "a", "type"), "1 is not of type 'string'", "int"),)), [((0, "a"), "/0/a", "m", "type", "/s")])
    odd = (("/p", "read", (((0.5,), (), "m", "float"),)), [((0.5,), "/0.5", "m", "type", "/s")])  # no JSON path holds a float
    bad = (("/p", "read", ((((1, 2),), (), "m", "list"),)), [(((1, 2),), "/x", "m", "type", "/s")])  # a tuple comes back a list
    with learned.kept_in(tmp_path):
        for key, explanation in (good, odd, bad):
            learned.remember("sha", key, explanation)
    with learned.kept_in(tmp_path):
        assert learned.explanation("sha", good[0]) == good[1]
        assert learned.explanation("sha", odd[0]) is None
        assert learned.explanation("sha", bad[0]) is None


def test_the_key_changes_when_a_package_is_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path)])
    before = learned.environment_key()
    assert learned.environment_key() == before
    (tmp_path / "rfc3987-1.3.8.dist-info").mkdir()  # an optional format checker: `uri` becomes checked
    assert learned.environment_key() != before


def test_the_store_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned, "_MAX_FILES", 3)
    for i in range(6):
        with learned.kept_in(tmp_path):
            learned.remember(f"spec{i}", ("/p", "read", ()), [])
    assert len(list((tmp_path / "validation").glob("*.json"))) == 3


def test_a_read_only_cache_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    spec = _spec()
    with learned.kept_in(blocked):  # nothing can be written under a file
        assert _verdicts(SchemaEngine(spec), PAYLOADS) == _verdicts(SchemaEngine(spec, reference=True), PAYLOADS)


_MODULES_AT_EXIT = (
    "import atexit, runpy, sys; out = sys.argv[1]; "
    "atexit.register(lambda: open(out, 'w').write('\\n'.join(sorted(sys.modules)))); "
    "sys.argv = ['aimlapi-contract'] + sys.argv[2:]; runpy.run_module('aimlapi_contract', run_name='__main__')"
)


def test_a_warm_check_reports_the_same_without_the_slow_imports(shared_dir: Path, tmp_path: Path) -> None:
    samples = shared_dir / "real-traffic-samples"
    if not any(samples.glob("*.yaml")):
        pytest.skip(f"no real traffic samples in {samples}")
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_KEY", "AIMLAPI_CONTRACT_REFERENCE")}
    runs = []
    for name in ("cold", "warm"):
        cmd = [sys.executable, "-c", _MODULES_AT_EXIT, str(tmp_path / f"{name}.modules"), "check", "--docs-base",
               str(shared_dir / "aimlapi-docs"), "--cassettes", str(samples), "--cache-dir", str(tmp_path / "cache"),
               "--format", "json", "--output", str(tmp_path / f"{name}.json")]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr[-2000:]  # real recordings have findings
        runs.append(set((tmp_path / f"{name}.modules").read_text().split()))
    cold, warm = runs
    assert "openapi_schema_validator" in cold  # the first run explains, and so pays the import
    assert not {"openapi_schema_validator", "pydantic", "jsonschema", "markdown_it"} & warm
    # Nor what only a forking run or an unusual install needs (sources/gc_policy.py, sources/cache_keys.py).
    assert not {"multiprocessing", "concurrent.futures", "importlib.metadata"} & warm
    # Nor what only a linking format (the docs' git revision) or the pytest plugin (the log scrubber) needs.
    assert not {"subprocess", "logging"} & warm
    assert (tmp_path / "cold.json").read_bytes() == (tmp_path / "warm.json").read_bytes()


def test_the_structural_index_is_kept_and_a_damaged_one_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aimlapi_contract.validation import structure

    item = {"type": "object", "properties": {"a": {"type": "string"}}}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {"responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "one": item, "two": dict(item, description="same schema, other words")}}}}}}}}}}  # fmt: skip
    spec = load_spec("copies.json", json.dumps(doc).encode())
    at = "/paths/~1x/post/responses/200/content/application~1json/schema/properties"
    results = []
    walk = structure._ShapeIndex._walk
    for run, damage in enumerate((None, None, b'{"value": {"h": 1}}', b'{"value": [1]}')):
        monkeypatch.setattr(structure, "_INDEXES", {})  # a new run: nothing in memory
        for f in (tmp_path / "validation").glob("*.json") if damage else ():
            f.write_bytes(damage)
        # The second run reads the kept index: walking the spec again would fail it.
        monkeypatch.setattr(structure._ShapeIndex, "_walk", _boom if run == 1 else walk)
        with learned.kept_in(tmp_path):
            results.append(structure.identical_copies(spec, at + "/two/properties/a"))
    assert results == [([at + "/one", at + "/two"], "/properties/a")] * 4


def test_a_damaged_format_list_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"Blob": {"type": "string", "format": "byte"}}}}  # fmt: skip
    spec = load_spec("formats.json", json.dumps(doc).encode())
    pointer = "/components/schemas/Blob"
    with learned.kept_in(tmp_path):
        assert SchemaEngine(spec).validate_response(pointer, "not base64!")  # `byte` is checked
    (formats,) = [f for f in (tmp_path / "validation").glob("*.json") if b'"formats"' in f.read_bytes()]
    formats.write_text('{"formats": "byte"}')  # iterable, but its items are the letters b, y, t, e
    from aimlapi_contract.validation import engine

    monkeypatch.setattr(engine, "_COMPILED", {})  # a new run: validators are built again, from the formats kept
    monkeypatch.setattr(engine, "_CLOSED", {})
    with learned.kept_in(tmp_path):
        assert SchemaEngine(spec).validate_response(pointer, "not base64!")


def test_what_a_schema_reads_of_values_is_kept_and_a_damaged_entry_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aimlapi_contract.validation import value_reads as reads

    spec, results = _spec(), []
    analyse = reads._analyse
    damaged_entry = json.dumps({"value": {POINTER: {"strings": "finish_reason", "integers": []}}}).encode()
    for run, damage in enumerate((None, None, damaged_entry, b'{"value": 1}')):
        monkeypatch.setattr(reads, "_CACHE", {})  # a new run: nothing in memory
        for f in (tmp_path / "validation").glob("*.json") if damage else ():
            f.write_bytes(damage)
        monkeypatch.setattr(reads, "_analyse", _boom if run == 1 else analyse)  # the second run reads what was kept
        with learned.kept_in(tmp_path):
            results.append(reads.value_reads(spec, POINTER))
    both = frozenset({"finish_reason", "id"})  # an enum or a format reads a value of either type
    assert results == [reads.ValueReads(both, both)] * 4
    with learned.kept_in(tmp_path):  # a second schema of the spec: the same file, one more entry
        reads.value_reads(spec, POINTER + "/properties/choices")
    tables = [f for f in (tmp_path / "validation").glob("*.json") if POINTER.encode() in f.read_bytes()]
    assert len(tables) == 1 and b"/properties/choices" in tables[0].read_bytes()


def test_what_a_worker_derives_is_written_by_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aimlapi_contract.validation import value_reads as reads

    spec = _spec()
    monkeypatch.setattr(reads, "_CACHE", {})  # nothing in memory from earlier tests
    with learned.kept_in(tmp_path / "worker"):  # a worker's store: what it learned goes back by take()
        learned.take()
        reads.value_reads(spec, POINTER)
        sent = learned.take()
        assert learned.take() == ({}, [])  # handed back once
    with learned.kept_in(tmp_path / "parent"):
        learned.absorb(sent)
    monkeypatch.setattr(reads, "_CACHE", {})
    monkeypatch.setattr(reads, "_analyse", _boom)  # the parent's next run reads what the worker derived
    with learned.kept_in(tmp_path / "parent"):
        assert reads.value_reads(spec, POINTER).strings == frozenset({"finish_reason", "id"})
