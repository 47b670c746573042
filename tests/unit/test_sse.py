"""The SSE parser follows the WHATWG event-stream rules, including the edge cases real servers hit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimlapi_contract import limits
from aimlapi_contract.traffic.sse import parse_lines, parse_sse


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"data: a\n\ndata: b\n\n", id="LF"),
        pytest.param(b"data: a\r\n\r\ndata: b\r\n\r\n", id="CRLF"),
        pytest.param(b"data: a\r\rdata: b\r\r", id="CR"),
        pytest.param(b"\xef\xbb\xbfdata: a\n\ndata: b\n\n", id="BOM"),
    ],
)
def test_line_endings_all_end_lines(body: bytes) -> None:
    assert [e.data for e in parse_sse(body).events] == ["a", "b"]


def test_multiline_data_joins_with_newline_and_strips_one_space_only() -> None:
    stream = parse_sse("data: {\"a\":\ndata:  1}\n\n")
    assert stream.events[0].data == '{"a":\n 1}'


def test_comments_are_keep_alives_not_events() -> None:
    stream = parse_sse(": ping\n\n:\ndata: x\n\n: ping\n\n")
    assert [e.data for e in stream.events] == ["x"]
    assert stream.comments == 3


def test_event_id_and_retry_fields() -> None:
    stream = parse_sse("event: response.created\nid: 7\nretry: 1500\ndata: {}\n\ndata: 2\n\n")
    first, second = stream.events
    assert (first.event, first.id, first.retry, first.line) == ("response.created", "7", 1500, 1)
    # The event type resets after dispatch; the last event id persists, as the spec says.
    assert (second.event, second.id, second.line) == ("message", "7", 6)


def test_no_data_means_no_dispatch_but_empty_data_line_dispatches() -> None:
    stream = parse_sse("event: ping\n\ndata:\n\n")
    assert [(e.event, e.data) for e in stream.events] == [("message", "")]


def test_field_without_colon_and_unknown_fields_are_ignored() -> None:
    stream = parse_sse("data\nfoo: bar\n\n")
    assert [e.data for e in stream.events] == [""]


def test_body_ending_mid_event_is_kept_as_tail_not_dispatched() -> None:
    stream = parse_sse("data: 1\n\ndata: [DONE]\n")
    assert [e.data for e in stream.events] == ["1"]
    assert (stream.tail, stream.tail_line) == ("data: [DONE]", 3)


def test_done_sentinel_is_an_ordinary_event() -> None:
    assert parse_sse("data: [DONE]\n\n").events[0].data == "[DONE]"


_LINES = st.sampled_from(["data: {}", "data: x", "data: ", "data:y", "data", ": keep-alive", "event: e", "id: 1", "retry: 5", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_the_data_only_fast_path_parses_as_the_line_parser_does(lines: list[str], end: str, finished: bool) -> None:
    body = "".join(line + end for line in lines) + (end if finished else "")
    assert parse_sse(body) == parse_lines(body)


def test_the_fast_path_keeps_the_events_limit() -> None:
    body = "data: 1\n\n" * 5
    with limits.applied(limits.with_overrides(sse_events=3)):
        fast, slow = parse_sse(body), parse_lines(body)
    assert fast == slow and (len(fast.events), fast.unchecked) == (3, 2)
