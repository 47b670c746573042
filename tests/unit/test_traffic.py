"""Each fixture cassette (one per defect) gives exactly the findings its defect should, at the right JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from traffic_specs import both_specs, chat_spec, responses_spec

from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.traffic import payloads as traffic_module
from aimlapi_contract.traffic.cassettes import read_cassette
from aimlapi_contract.traffic.exchange import Exchange
from aimlapi_contract.traffic.payloads import dotted, engine_for, iter_exchange_findings, iter_located_findings

DATA = Path(__file__).parents[1] / "data" / "cassettes"


def findings_for(name: str) -> list[Finding]:
    out: list[Finding] = []
    for rec in read_cassette(DATA / name).interactions:
        out += iter_located_findings(
            rec.exchange, both_specs(), source=name, anchor=f"interaction:{rec.index}",
            lines=(rec.line, rec.request_body_line, rec.response_body_line), event_lines=rec.response_body_literal,
        )
    return out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # valid pairs, plain and streamed, per endpoint
        ("chat-valid.yaml", set()),
        ("responses-valid.yaml", set()),
        ("chat-stream-valid.yaml", set()),
        ("responses-stream-valid.yaml", set()),
        # requests and responses that break their schema: every violation, each at its JSON path
        # (a missing required property is pinned to the property itself; a model no tracked spec documents is a
        # recording of another model, CT250, not enum drift)
        ("request-invalid.yaml", {("CT204", "/messages", "interaction:0:request"), ("CT250", "/model", "interaction:0:request"),
                                  ("CT204", "/stream", "interaction:0:request")}),
        ("response-wrong-type.yaml", {("CT205", "/choices/0/index", "interaction:0:response")}),
        ("response-bad-enum.yaml", {("CT205", "/choices/0/finish_reason", "interaction:0:response")}),
        ("response-missing-required.yaml", {("CT205", "/choices/0/finish_reason", "interaction:0:response")}),
        ("response-null-not-allowed.yaml", {("CT206", "/reasoning/summary", "interaction:0:response"),
                                            ("CT206", "/status", "interaction:0:response")}),
        ("response-undocumented-field.yaml", {("CT207", "/system_fingerprint", "interaction:0:response"),
                                              ("CT207", "/choices/0/message/refusal", "interaction:0:response")}),
        ("response-not-json.yaml", {("CT208", "", "interaction:0:response")}),
        # what the spec does not document at all
        ("unknown-path.yaml", {("CT201", "", "interaction:0")}),
        ("undocumented-status.yaml", {("CT202", "", "interaction:0:response")}),
        # a negative scenario's request breaks the schema on purpose (intent marker): only its reply is judged
        ("negative-marked-refused.yaml", {("CT202", "", "interaction:0:response")}),
        # ... but only the exact marker, and only while the reply is the refusal it expects
        ("negative-marker-wrong-value.yaml", {("CT250", "/model", "interaction:0:request"), ("CT204", "/stream", "interaction:0:request"),
                                              ("CT204", "/messages", "interaction:0:request"), ("CT202", "", "interaction:0:response")}),
        ("negative-marker-but-accepted.yaml", {("CT250", "/model", "interaction:0:request"), ("CT204", "/stream", "interaction:0:request"),
                                               ("CT204", "/messages", "interaction:0:request")}),
        ("html-error-body.yaml", {("CT203", "", "interaction:0:response")}),
        # streams: a bad event, a schema-violating event, a missing terminator, events that disagree
        ("stream-malformed-event.yaml", {("CT210", "", "interaction:0:event:1")}),
        ("stream-event-schema-violation.yaml", {("CT211", "/delta", "interaction:0:event:1")}),
        ("stream-without-done.yaml", {("CT212", "", "interaction:0:stream")}),
        ("responses-stream-without-completed.yaml", {("CT212", "", "interaction:0:stream")}),
        ("chat-stream-inconsistent-ids.yaml", {("CT213", "/id", "interaction:0:event:1")}),
        ("responses-stream-inconsistent.yaml", {("CT213", "/type", "interaction:0:event:2"),
                                                ("CT213", "/sequence_number", "interaction:0:event:2")}),
    ],
)
def test_fixture_cassette_gives_exactly_its_findings(name: str, expected: set[tuple[str, str, str]]) -> None:
    assert {(f.code.value, f.pointer, f.anchor) for f in findings_for(name)} == expected


def test_messages_say_expected_and_actual_with_a_readable_path() -> None:
    (f,) = findings_for("response-bad-enum.yaml")
    assert f.message == "response: choices[0].finish_reason: 'length_exceeded' is not one of ['stop', 'length']"
    assert (f.severity, f.endpoint, f.line) == (Severity.ERROR, "POST /v1/chat/completions", 11)
    assert f.fix.startswith("add 'length_exceeded' to the enum at /paths/~1v1~1chat~1completions/post/responses/200/")


def test_null_not_allowed_is_one_finding_with_the_enum_fix() -> None:
    by_pointer = {f.pointer: f for f in findings_for("response-null-not-allowed.yaml")}
    summary = by_pointer["/reasoning/summary"]
    assert summary.fix.startswith(
        "add null to the enum at /paths/~1v1~1responses/post/responses/200/content/application~1json/schema"
        "/properties/reasoning/properties/summary, and the same in each of its"
    )
    # `status` is neither nullable nor has null in its enum: both halves of the fix are named.
    assert "/properties/status and set `nullable: true`" in by_pointer["/status"].fix


def test_responses_event_failure_names_its_event_type_not_every_branch() -> None:
    (f,) = findings_for("stream-event-schema-violation.yaml")
    assert f.message == "event 1 (body line 4) [response.output_text.delta]: delta: 5 is not of type 'string'"


def test_undocumented_event_type_is_named_not_dumped() -> None:
    body = b'data: {"type": "response.reasoning.delta", "sequence_number": 0, "delta": "' + b"x" * 5000 + b'"}\n\n'
    ex = Exchange("POST", "http://x/v1/responses", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)
    messages = [f.message for f in iter_exchange_findings(ex, [responses_spec()], source="s")]
    assert messages[0] == (
        "event 0 (body line 1): (root): object (type 'response.reasoning.delta') matches none of the documented oneOf branches"
    )
    assert messages[1].startswith("responses stream ends with 'response.reasoning.delta'")


def test_undocumented_status_and_content_type_list_what_is_documented() -> None:
    (status,) = findings_for("undocumented-status.yaml")
    (ctype,) = findings_for("html-error-body.yaml")
    assert status.message == "status 429 is not documented; documented: 200"
    assert "Rate limit reached" in status.detail
    assert ctype.message == (
        "status 200 answered 'text/html', which is not documented; documented: application/json, text/event-stream"
    )


def test_live_interface_takes_an_exchange_and_stamps_source_anchor_line() -> None:
    """The signature live mode calls: plain Exchange in, findings located where the caller says."""
    ex = Exchange(
        "POST", "https://api.aimlapi.com/v1/responses", {"content-type": ["application/json"]},
        b'{"model": "m", "input": "Hello"}', 200, {"content-type": ["application/json"]},
        b'{"id": "r", "object": "response", "reasoning": {"summary": null}}',
    )
    (f,) = iter_exchange_findings(ex, [chat_spec(), responses_spec()], source="live", anchor="call:1", line=7)
    assert (f.code, f.source, f.anchor, f.line, f.pointer) == (Code.NULL_NOT_ALLOWED, "live", "call:1:response", 7, "/reasoning/summary")


def test_long_streams_reuse_one_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """2000 events share one SchemaEngine (whose validators are cached per schema), never one per event."""
    built: list[object] = []
    real = traffic_module.SchemaEngine

    def counting(spec: object) -> object:
        built.append(spec)
        return real(spec)

    monkeypatch.setattr(traffic_module, "SchemaEngine", counting)
    spec = chat_spec()
    spec.sha256 = "fresh-for-this-test"  # not cached by an earlier test
    chunk = {"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}]}
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for _ in range(2000)) + "data: [DONE]\n\n"
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, b"", 200, {"content-type": ["text/event-stream"]}, body.encode())
    assert list(iter_exchange_findings(ex, [spec], source="s")) == []
    assert list(iter_exchange_findings(ex, [spec], source="s")) == []
    assert built == [spec]
    assert engine_for(spec) is engine_for(spec)


@pytest.mark.parametrize(
    ("pointer", "path"),
    [("", "(root)"), ("/choices/0/finish_reason", "choices[0].finish_reason"), ("/a~1b/c~0d", "a/b.c~d")],
)
def test_dotted_paths(pointer: str, path: str) -> None:
    assert dotted(pointer) == path


def test_documented_status_without_content_accepts_an_empty_body_only() -> None:
    doc = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
           "paths": {"/v1/x": {"delete": {"responses": {"204": {"description": "gone"}}}}}}
    spec = load_spec("x.json", json.dumps(doc).encode())
    empty = Exchange("DELETE", "http://h/v1/x", status=204)
    assert list(iter_exchange_findings(empty, [spec], source="s")) == []
    html = Exchange("DELETE", "http://h/v1/x", status=204, response_headers={"content-type": ["text/html"]}, response_body=b"<p>")
    assert [f.code for f in iter_exchange_findings(html, [spec], source="s")] == [Code.UNDOCUMENTED_CONTENT_TYPE]


def test_request_sent_as_an_undocumented_content_type_is_reported_not_guessed() -> None:
    ex = Exchange("POST", "http://h/v1/responses", {"content-type": ["text/plain"]}, b"Hello", 200,
                  {"content-type": ["application/json"]}, b'{"id": "r", "object": "response"}')
    (f,) = iter_exchange_findings(ex, [responses_spec()], source="s", anchor="i")
    assert (f.code, f.anchor) == (Code.UNDOCUMENTED_CONTENT_TYPE, "i:request")
    assert f.message == "request content type 'text/plain' is not documented; documented: application/json"


def test_semantic_rules_apply_to_recorded_replies_and_stream_events() -> None:
    """The same rules as the page's examples (semantics.py) run on traffic: once per reply or event."""
    request = json.dumps({"model": "openai/gpt-4.1-nano-2025-04-14", "messages": [{"role": "user", "content": "Hi"}]}).encode()
    reply = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1744791940, "model": "gpt-4.1-nano-2025-04-14",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi!"}}],
        "usage": {"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 11},
    }
    exchange = Exchange(
        "POST", "https://api.aimlapi.com/v1/chat/completions", {"content-type": ["application/json"]}, request,
        200, {"content-type": ["application/json"]}, json.dumps(reply).encode(),
    )
    found = [f for f in iter_exchange_findings(exchange, both_specs(), source="x.yaml", anchor="interaction:0") if f.code.value.startswith("CT34")]
    assert [(f.code, f.pointer, f.anchor) for f in found] == [(Code.SEMANTIC_USAGE_SUM, "/usage/total_tokens", "interaction:0:response")]


def test_stream_findings_give_each_event_its_own_line_in_a_literal_block_body() -> None:
    # stream-malformed-event.yaml: `string: |+` on line 11, so body line 3 (event 1) is file line 14
    (malformed,) = findings_for("stream-malformed-event.yaml")
    assert (malformed.code, malformed.line) == (Code.SSE_MALFORMED_EVENT, 14)
    assert malformed.message.startswith("event 1 (body line 3): data is not JSON")
    # every event-level finding is on its event's line; the stream as a whole stays on the body's line
    # (responses-stream-inconsistent.yaml: `string: |+` on line 11, event 2 starts on body line 7)
    assert {(f.anchor, f.line) for f in findings_for("responses-stream-inconsistent.yaml")} == {("interaction:0:event:2", 18)}


def test_a_quoted_body_keeps_the_body_line_and_names_the_event_body_line(tmp_path: Path) -> None:
    """A quoted scalar folds its line breaks, so no event line can be placed exactly: the body's line is kept."""
    text = (DATA / "stream-malformed-event.yaml").read_text()
    data = yaml.safe_load(text)
    path = tmp_path / "quoted.yaml"
    path.write_text(yaml.dump(data, default_style="'", width=60))
    rec = read_cassette(path).interactions[0]
    assert not rec.response_body_literal
    (malformed,) = iter_located_findings(rec.exchange, both_specs(), source="q", anchor="i", lines=(rec.line, None, rec.response_body_line),
                                         event_lines=rec.response_body_literal)
    assert (malformed.code, malformed.line) == (Code.SSE_MALFORMED_EVENT, rec.response_body_line)
    assert "(body line 3)" in malformed.message
