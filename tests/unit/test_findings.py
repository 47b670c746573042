"""The findings model: stable keys, ordering, and one documented place for every code."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from aimlapi_contract.findings import Code, Finding, Severity, pointer_from_path

CATALOGUE = Path(__file__).parents[2] / "docs" / "findings.md"


def test_every_code_is_documented_once() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    headings = re.findall(r"^### (CT\d{3}) ", text, flags=re.M)
    assert sorted(headings) == sorted(set(headings)), "a code is documented twice"
    assert set(headings) == {c.value for c in Code}


def test_key_ignores_message_and_line() -> None:
    a = Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "s.json", "old wording", line=3, pointer="/paths")
    b = Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "s.json", "new wording", line=90, pointer="/paths")
    assert a.key == b.key
    assert a.fingerprint == b.fingerprint


def test_round_trip_through_dict() -> None:
    f = Finding(Code.SOURCE_CHANGED, Severity.INFO, "p.md", "m", line=1, column=2, pointer="/a", endpoint="POST /x", fix="f")
    data = f.to_dict()
    assert data["code"] == "CT103" and data["severity"] == "info"
    assert Finding.from_dict(data) == f


def test_severity_orders_and_parses() -> None:
    assert Severity.INFO < Severity.WARNING < Severity.ERROR
    assert Severity.from_label("warning") is Severity.WARNING
    with pytest.raises(ValueError, match="use one of: info, warning, error"):
        Severity.from_label("fatal")


@pytest.mark.parametrize(
    ("path", "pointer"),
    [
        pytest.param([], "", id="root"),
        pytest.param(["choices", 0, "finish_reason"], "/choices/0/finish_reason", id="nested"),
        pytest.param(["paths", "/v1/x", "a~b"], "/paths/~1v1~1x/a~0b", id="escaped"),
    ],
)
def test_pointer_from_path(path: list[object], pointer: str) -> None:
    assert pointer_from_path(path) == pointer


def test_no_two_findings_share_a_key() -> None:
    from aimlapi_contract.findings import Code, Finding, Severity, with_unique_keys

    def f(message: str) -> Finding:
        return Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "s.json", message, pointer="/paths")

    out = with_unique_keys([f("a is wrong"), f("b is wrong"), f("a is wrong")])
    assert [x.message for x in out] == ["a is wrong", "b is wrong"]  # the exact repeat dropped
    assert out[0].anchor == "" and out[1].anchor.startswith("#") and len({x.fingerprint for x in out}) == 2
    # Repeats of either message, after a namesake, stay dropped; a third message gets its own digest.
    out = with_unique_keys([f("a"), f("a"), f("b"), f("a"), f("b"), f("c"), f("c")])
    assert [x.message for x in out] == ["a", "b", "c"] and len({x.fingerprint for x in out}) == 3


def test_a_finding_pickled_by_a_worker_comes_back_whole() -> None:
    finding = Finding(Code.CHECK_CRASHED, Severity.ERROR, "c.yaml", "m", line=3, column=2, pointer="/a", endpoint="POST /x",
                      fix="f", detail="d", anchor="i:0", extra={"cause": {"pointer": "/p"}})
    back = pickle.loads(pickle.dumps([finding, finding]))
    assert back[0].to_dict() == finding.to_dict() and back[0] is back[1]  # shared objects stay shared


@pytest.mark.parametrize(("pointer", "parts"), [
    ("", []), ("/", [""]), ("//x", ["", "x"]), ("/a~1b/0", ["a/b", "0"]), ("/~01", ["~1"]),
])  # fmt: skip
def test_pointer_parts_unescape_each_key_and_keep_empty_ones(pointer: str, parts: list[str]) -> None:
    from aimlapi_contract.findings import pointer_parts

    assert pointer_parts(pointer) == parts


def test_a_spec_resolves_a_pointer_through_an_empty_key() -> None:
    import json

    from aimlapi_contract.sources.specs import load_spec

    spec = load_spec("t.json", json.dumps({"openapi": "3.0.3", "": {"x": 1}, "x": 2}).encode())
    assert spec.resolve("//x") == 1 and spec.resolve("/x") == 2


def test_the_fast_constructor_makes_what_the_dataclass_constructor_made() -> None:
    # Finding.__init__ stores through the slots' descriptors instead of the generated object.__setattr__ calls:
    # the same signature, the same values, a new `extra` each time, and the instance still frozen.
    import dataclasses
    import inspect

    def same_field(f: dataclasses.Field[object]) -> dataclasses.Field[object]:
        if f.default_factory is not dataclasses.MISSING:
            return dataclasses.field(default_factory=f.default_factory)
        return dataclasses.field() if f.default is dataclasses.MISSING else dataclasses.field(default=f.default)

    # The same fields, with the constructor dataclasses generates.
    reference = dataclasses.make_dataclass("Reference", [(f.name, f.type, same_field(f)) for f in dataclasses.fields(Finding)],
                                           frozen=True, slots=True)
    ours, theirs = inspect.signature(Finding).parameters, inspect.signature(reference).parameters
    assert list(ours) == list(theirs)
    assert all(ours[n].kind == theirs[n].kind for n in ours)
    assert all(ours[n].default == theirs[n].default for n in ours if n != "extra")  # extra: a new dict each
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = [
        ((Code.NULL_NOT_ALLOWED, Severity.ERROR, "a.yaml", "m"), {}),
        ((Code.NULL_NOT_ALLOWED, Severity.ERROR, "a.yaml", "m", 3, 4, "/p", "POST /x", "fix", "d", "an", {"k": 1}), {}),
        ((Code.NULL_NOT_ALLOWED, Severity.WARNING), {"source": "s", "message": "m", "anchor": "x", "extra": {"a": [1]}}),
        ((), {"code": Code.TRAFFIC_ROOT_CAUSE, "severity": Severity.INFO, "source": "s", "message": "m", "line": None, "pointer": ""}),
    ]
    for args, kwargs in calls:
        made, expected = Finding(*args, **kwargs), reference(*args, **kwargs)
        assert [getattr(made, n) for n in ours] == [getattr(expected, n) for n in ours]
    assert Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "s", "m").extra is not Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "s", "m").extra
    with pytest.raises(TypeError):
        Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "s")  # type: ignore[call-arg]  # a message is required
    made = Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "s", "m", extra={"a": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.line = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(made)) == made and pickle.loads(pickle.dumps(made)).extra == {"a": 1}
    assert dataclasses.replace(made, line=5).line == 5 and hash(made) == hash(dataclasses.replace(made, extra={}))
