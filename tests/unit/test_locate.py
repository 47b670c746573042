"""Line numbers for JSON pointers: what puts spec findings on the line to fix."""

from __future__ import annotations

import json

import pytest

from aimlapi_contract.locate import JsonLocator

TEXT = json.dumps(
    {"paths": {"/v1/x": {"post": {"responses": {"200": {"content": {}}}}}}, "a~b": [1, {"c/d": True}], "s": "x\n{"},
    indent=2,
)


@pytest.mark.parametrize(
    ("pointer", "line_text"),
    [
        pytest.param("/paths/~1v1~1x/post/responses/200", '"200": {', id="escaped-slash"),
        pytest.param("/a~0b/1/c~1d", '"c/d": true', id="escaped-tilde-and-index"),
        pytest.param("/a~0b/0", "1,", id="array-item"),
        pytest.param("/s", '"s": "x\\n{"', id="string-with-escapes"),
    ],
)
def test_line_of_pointer(pointer: str, line_text: str) -> None:
    line = JsonLocator(TEXT).line(pointer)
    assert line is not None
    assert TEXT.splitlines()[line - 1].strip() == line_text


def test_root_is_line_one() -> None:
    assert JsonLocator(TEXT).line("") == 1


@pytest.mark.parametrize("pointer", ["/nope", "/a~0b/7", "/s/x", "/paths/~1v1~1x/get"])
def test_absent_pointer_has_no_line(pointer: str) -> None:
    assert JsonLocator(TEXT).line(pointer) is None


@pytest.mark.parametrize("text", ['{"a": [1', "not json", '{"a" 1}', ""])
def test_malformed_text_has_no_line(text: str) -> None:
    assert JsonLocator(text).line("/a/0") is None


def test_remembered_containers_give_the_same_answer() -> None:
    locator = JsonLocator(TEXT)
    first = [locator.line(p) for p in ("/a~0b/1/c~1d", "/paths/~1v1~1x/post", "/a~0b/0")]
    assert first == [locator.line(p) for p in ("/a~0b/1/c~1d", "/paths/~1v1~1x/post", "/a~0b/0")]
