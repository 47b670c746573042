"""Many failures with one cause become one CT220 entry with the fix; baselining it accepts them all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from traffic_specs import both_specs

from aimlapi_contract.baseline import BaselineEntry, triage
from aimlapi_contract.findings import Code
from aimlapi_contract.traffic.cassettes import display_path as display
from aimlapi_contract.traffic.replay import iter_cassette_findings

DATA = Path(__file__).parents[1] / "data" / "cassettes"
NULL_SUMMARY = "/paths/~1v1~1responses/post/responses/200/content/application~1json/schema/properties/reasoning/properties/summary"


def copies(tmp_path: Path, name: str, n: int) -> Path:
    text = (DATA / name).read_text()
    for i in range(n):
        (tmp_path / f"{i:02d}-{name}").write_text(text)
    return tmp_path


def test_one_cause_per_spec_location_with_count_cassettes_and_fix(tmp_path: Path) -> None:
    findings = list(iter_cassette_findings(copies(tmp_path, "response-null-not-allowed.yaml", 5), both_specs()))
    causes = {f.pointer: f for f in findings if f.code is Code.TRAFFIC_ROOT_CAUSE}
    summary = causes[NULL_SUMMARY]
    assert (summary.source, summary.anchor, summary.endpoint) == ("responses.json", "null", "POST /v1/responses")
    assert summary.extra["count"] == 5
    assert len(summary.extra["cassettes"]) == 5
    assert summary.fix.startswith(f"add null to the enum at {NULL_SUMMARY}")  # (and at the stream events' copies)
    assert summary.message.startswith("5 payload(s) in 5 cassette(s) share one cause (CT206 null)")
    assert len(causes) == 2  # reasoning.summary and status: two locations, two causes, not ten findings


def test_missing_required_properties_are_one_cause_each(tmp_path: Path) -> None:
    findings = list(iter_cassette_findings(copies(tmp_path, "request-invalid.yaml", 1), both_specs()))
    kinds = sorted(f.anchor for f in findings if f.code is Code.TRAFFIC_ROOT_CAUSE)
    # gpt-4o-mini is a model no tracked spec documents: a recording of another model (CT250), not an enum cause.
    assert kinds == ["required:messages", "type"]


def test_a_baselined_enum_cause_accepts_its_value_only(tmp_path: Path) -> None:
    """Accepting 'length_exceeded' at finish_reason must leave a new value there a new finding."""
    copies(tmp_path, "response-bad-enum.yaml", 2)
    text = (DATA / "response-bad-enum.yaml").read_text().replace("length_exceeded", "content_filter")
    (tmp_path / "new-value.yaml").write_text(text)
    findings = list(iter_cassette_findings(tmp_path, both_specs()))
    causes = {f.anchor: f for f in findings if f.code is Code.TRAFFIC_ROOT_CAUSE}
    assert set(causes) == {'enum:"length_exceeded"', 'enum:"content_filter"'}
    assert causes['enum:"length_exceeded"'].pointer == causes['enum:"content_filter"'].pointer
    tri = triage(findings, [BaselineEntry.from_finding(causes['enum:"length_exceeded"'], "known: length_exceeded")])
    assert sum(f.code is Code.RESPONSE_SCHEMA_MISMATCH for f in tri.baselined) == 2
    assert {(f.code, f.source) for f in tri.new} == {
        (Code.TRAFFIC_ROOT_CAUSE, "chat.json"),
        (Code.RESPONSE_SCHEMA_MISMATCH, display(tmp_path / "new-value.yaml")),
    }


def test_a_baselined_cause_accepts_every_single_failure_it_groups(tmp_path: Path) -> None:
    findings = list(iter_cassette_findings(copies(tmp_path, "response-null-not-allowed.yaml", 3), both_specs()))
    cause = next(f for f in findings if f.code is Code.TRAFFIC_ROOT_CAUSE and f.pointer == NULL_SUMMARY)
    tri = triage(findings, [BaselineEntry.from_finding(cause, "known: enum lacks null")])
    accepted = {(f.code, f.pointer) for f in tri.baselined}
    assert accepted == {(Code.TRAFFIC_ROOT_CAUSE, NULL_SUMMARY), (Code.NULL_NOT_ALLOWED, "/reasoning/summary")}
    assert sum(f.code is Code.NULL_NOT_ALLOWED for f in tri.baselined) == 3
    # Another cause in the same payloads stays new: accepting one cause accepts nothing else.
    assert {f.pointer for f in tri.new if f.code is Code.NULL_NOT_ALLOWED} == {"/status"}
    assert tri.stale == []


def test_an_undocumented_status_is_one_cause_per_operation_and_status(tmp_path: Path) -> None:
    # Given replies with an undocumented 429 (three cassettes) and 400 (one) on the same operation
    copies(tmp_path, "undocumented-status.yaml", 3)
    (tmp_path / "refused.yaml").write_text((DATA / "negative-marked-refused.yaml").read_text())
    findings = list(iter_cassette_findings(tmp_path, both_specs()))
    causes = {f.anchor: f for f in findings if f.code is Code.TRAFFIC_ROOT_CAUSE}
    # Then one CT220 per status, at the operation's responses, naming the fix
    assert set(causes) == {"status:429", "status:400"}
    rate = causes["status:429"]
    assert (rate.source, rate.pointer, rate.endpoint, rate.extra["count"]) == ("chat.json", "/paths/~1v1~1chat~1completions/post/responses", "POST /v1/chat/completions", 3)
    assert rate.fix.startswith("document the 429 response (its content type and schema) under /paths/~1v1~1chat~1completions/post/responses; ")
    assert "aimlapi-contract baseline --only CT220" in rate.fix  # what to do until the docs document it
    # And baselining the 400 cause accepts that CT202 (as `baseline --only CT220` would), not the 429s
    tri = triage(findings, [BaselineEntry.from_finding(causes["status:400"], "known: no error responses documented")])
    assert {(f.code, f.source) for f in tri.baselined} == {(Code.TRAFFIC_ROOT_CAUSE, "chat.json"), (Code.UNDOCUMENTED_STATUS, display(tmp_path / "refused.yaml"))}
    assert sum(f.code is Code.UNDOCUMENTED_STATUS for f in tri.new) == 3


def _events_spec() -> object:
    import json as _json

    from aimlapi_contract.sources.specs import load_spec

    response = {"type": "object", "properties": {"id": {"type": "string"}, "reasoning": {"type": "object", "properties": {
        "summary": {"type": "string", "nullable": True, "enum": ["auto", "concise"]}}}}}
    events = [{"type": "object", "description": f"event {t}", "properties": {"type": {"type": "string", "enum": [t]},
                                                                           "response": {**response, "description": t}}}
              for t in ("response.created", "response.in_progress", "response.completed")]
    events.append({"type": "object", "properties": {"type": {"type": "string", "enum": ["response.other"]},
                                                    "response": {"type": "object", "properties": {"id": {"type": "integer"}}}}})
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/v1/responses": {"post": {"responses": {
        "200": {"description": "OK", "content": {"text/event-stream": {"schema": {"oneOf": events}}}}}}}}}
    return load_spec("events.json", _json.dumps(doc).encode())


def test_identical_inlined_schemas_are_one_cause_listing_every_copy() -> None:
    import json as _json

    from aimlapi_contract.traffic.exchange import Exchange
    from aimlapi_contract.traffic.payloads import iter_exchange_findings
    from aimlapi_contract.traffic.root_causes import iter_root_causes

    spec = _events_spec()
    body = "".join(f"event: {t}\ndata: {_json.dumps({'type': t, 'response': {'id': 'r', 'reasoning': {'summary': None}, 'store': True}})}\n\n"
                   for t in ("response.created", "response.completed"))
    ex = Exchange("POST", "http://x/v1/responses", {}, b"", 200, {"content-type": ["text/event-stream"]}, body.encode())
    singles = list(iter_exchange_findings(ex, [spec], source="c.yaml"))  # type: ignore[list-item]
    causes = {f.anchor: f for f in iter_root_causes(singles, [spec])}  # type: ignore[list-item]
    assert sorted(causes) == ["null", "undocumented"]  # not one per event: the Response object is inlined, one defect
    base = "/paths/~1v1~1responses/post/responses/200/content/text~1event-stream/schema/oneOf"
    null = causes["null"]
    assert null.pointer == f"{base}/0/properties/response/properties/reasoning/properties/summary"
    assert null.extra["locations"] == [f"{base}/{i}/properties/response/properties/reasoning/properties/summary" for i in range(3)]
    assert null.extra["count"] == 2 and "2 identical copies" in null.fix
    assert causes["undocumented"].extra["locations"] == [f"{base}/{i}/properties/response/properties/store" for i in range(3)]
    # every single finding points at the merged cause, so baselining that one CT220 accepts them all
    assert {tuple(f.extra["cause_key"]) for f in singles if f.code is Code.NULL_NOT_ALLOWED} == {null.key}


def test_a_relative_root_is_read_against_the_directory_of_the_moment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    cassette = tmp_path / "a" / "b" / "x.yaml"
    monkeypatch.chdir(tmp_path / "a")
    assert display(cassette, Path(".")) == "b/x.yaml"
    monkeypatch.chdir(tmp_path)
    assert display(cassette, Path(".")) == "a/b/x.yaml"  # not the root resolved on the first call
    assert display(cassette, tmp_path / "a") == display(cassette, tmp_path / "a") == "b/x.yaml"


def test_a_cassette_is_named_by_its_real_path_however_it_is_reached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """display_path resolves a cassette's folder once per folder: the name must still be os.path.realpath's."""
    from aimlapi_contract.traffic.cassettes import _real_file

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "x.yaml").write_text("interactions: []\n")
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)  # a symlinked folder
    (real / "alias.yaml").symlink_to(real / "sub" / "x.yaml")  # a symlinked file
    monkeypatch.chdir(tmp_path)
    paths = ["linked/sub/x.yaml", str(tmp_path / "linked" / "sub" / "x.yaml"), "real/alias.yaml", "real/sub/../alias.yaml",
             "linked/sub/missing.yaml", "x.yaml", "linked/sub/", "linked/sub/..", "./linked/./sub/x.yaml"]
    for path in paths:
        assert _real_file(path) == os.path.realpath(path), path
    monkeypatch.chdir(real / "sub")  # a relative path follows the directory of the moment
    assert _real_file("x.yaml") == os.path.realpath("x.yaml") == str(real / "sub" / "x.yaml")
    assert display(tmp_path / "linked" / "sub" / "x.yaml", tmp_path) == "real/sub/x.yaml"
