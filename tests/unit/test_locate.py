"""Line numbers for JSON pointers: what puts spec findings on the line to fix."""

from __future__ import annotations

import json
import random

import pytest

from aimlapi_contract.sources.locate import JsonLocator, nearest_line

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


NESTED = '{\n  "a": {\n    "b": [\n      1,\n      {"c": 2}\n    ]\n  },\n  "d": "x"\n}\n'


def test_every_pointer_of_a_payload_has_its_line() -> None:
    lines = JsonLocator(NESTED).lines()
    assert lines == {"": 1, "/a": 2, "/a/b": 3, "/a/b/0": 4, "/a/b/1": 5, "/a/b/1/c": 5, "/d": 8}
    assert list(lines) == sorted(lines, key=lines.__getitem__)  # document order


@pytest.mark.parametrize("text", ['{"a": [1', "{not json", "", "   "])
def test_malformed_payload_has_no_lines(text: str) -> None:
    assert JsonLocator(text).lines() == {}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        pytest.param("/a/b/1/missing", (5, 7), id="missing-property-at-its-object"),
        pytest.param("/a/b/9/c", (3, 5), id="missing-index-at-its-array"),
        pytest.param("/d/x", (8, 3), id="below-a-scalar-at-the-scalar"),
        pytest.param("/a/b/1/c", (5, 8), id="present-at-itself"),
    ],
)
def test_nearest_position_is_the_deepest_ancestor_present(pointer: str, expected: tuple[int, int]) -> None:
    locator = JsonLocator(NESTED)
    assert locator.position(pointer, nearest=True) == expected
    assert NESTED.splitlines()[expected[0] - 1][expected[1] - 1] in '"{['
    assert locator.line(pointer) == (5 if pointer == "/a/b/1/c" else None)  # only `nearest` falls back


def test_nearest_line_in_a_known_map() -> None:
    lines = {"": 1, "/a": 2, "/a/b": 3}
    assert nearest_line(lines, "/a/b/0/x") == 3
    assert nearest_line(lines, "/z") == 1
    assert nearest_line({}, "/a") is None


def test_pointers_asked_in_any_order_are_where_each_alone_is() -> None:
    """Values entered for one pointer are scanned past, not parsed again, for the next: the places stay the same."""
    rng = random.Random(16)

    def value(depth: int) -> object:
        if depth > 3 or rng.random() < 0.3:
            return rng.choice([1, -2.5e3, "s", 'a "q" ]}', None, True, [], {}])
        if rng.random() < 0.5:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {rng.choice("abcde/~"): value(depth + 1) for _ in range(rng.randint(0, 4))}

    def pointers(node: object, at: str) -> list[str]:
        found = [at]
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, child in items:
            found += pointers(child, f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}")
        return found

    for _ in range(200):
        doc = {"x": value(0), "y": value(0), "z": [value(0), value(0)]}
        text = json.dumps(doc, indent=rng.choice([None, 1, 2]))
        asked = pointers(doc, "") + ["/x/missing", "/z/9", "/y/a/b/c"]
        rng.shuffle(asked)
        shared = JsonLocator(text, known_json=True)
        for pointer in asked:
            assert shared.position(pointer, nearest=True) == JsonLocator(text).position(pointer, nearest=True), (text, pointer)
        assert shared.lines() == JsonLocator(text).lines()


def test_counted_positions_are_the_indexed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first positions are found by counting line breaks, the rest from an index: the same places."""
    rng = random.Random(7)
    text = json.dumps({"a": [{"b": i, "c": "x\ny"} for i in range(200)], "d": {"e": 1}}, indent=2)
    offsets = [0, 1, len(text) - 1, len(text), text.index("\n"), text.index("\n") + 1] + [rng.randrange(len(text)) for _ in range(300)]
    counted = [JsonLocator(text)._line_column(o) for o in offsets]  # a fresh locator per offset: always counted
    indexed = JsonLocator(text)
    monkeypatch.setattr("aimlapi_contract.sources.locate._COUNTED", 0)
    assert [indexed._line_column(o) for o in offsets] == counted
    assert indexed._newlines is not None and counted[0] == (1, 1)
