"""reports/json_layout.py: json.dumps(indent=2)'s document and text, except one list with an item per line."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from aimlapi_contract.reports.json_layout import dumps_with_rows

SCALARS: list[Any] = [0, -1, 2.5, 1e300, None, True, False, "", "line\nbreak \u2028 \"quoted\" \\ ключ \x00", "😀"]


def _document(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(SCALARS)
    if roll < 0.6:
        return [_document(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["a", "b", "runs", "results"]) + str(i): _document(rng, depth + 1) for i in range(rng.randint(0, 3))}


PATHS: list[tuple[str | int, ...]] = [(), ("a0",), ("runs0", 0, "results1"), (0,), (1, "b1"), ("missing",)]


@pytest.mark.parametrize("seed", range(40))
def test_any_document_reads_back_the_same_whatever_the_path(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        document = _document(rng)
        for path in PATHS:
            text = dumps_with_rows(document, path)
            assert json.loads(text) == json.loads(json.dumps(document)), (document, path)
            assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("document", [
    {"a": {"b": [1, {"c": [2, 3]}]}, "n": [], "x": 1.5},
    [{"k": "v"}, [], {}],
    {"runs": [{"results": []}]},  # the path leads to an empty list: "[]", as json.dumps writes it
    {"runs": []},
    "scalar",
])
def test_where_no_item_is_laid_out_the_text_is_json_dumps_own(document: Any) -> None:
    assert dumps_with_rows(document, ("runs", 0, "results")) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_the_list_at_the_path_has_an_item_per_line_at_its_depth() -> None:
    rows = [{"message": "two\nlines \u2028", "n": i, "nested": {"deep": [1, 2]}} for i in range(3)]
    log = {"version": "2.1.0", "runs": [{"tool": {"rules": [{"id": "CT1"}]}, "results": rows, "after": {"x": 1}}]}
    text = dumps_with_rows(log, ("runs", 0, "results"))
    lines = text.split("\n")  # not splitlines(): U+2028 in a string is no line break to a JSON reader
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith('{"message"')]
    assert len(starts) == 3 and starts == list(range(starts[0], starts[0] + 3))
    assert [json.loads(lines[i].rstrip(",")) for i in starts] == rows
    assert {lines[i][: len(lines[i]) - len(lines[i].lstrip())] for i in starts} == {" " * 8}  # log > runs > run > results
    assert lines[starts[0] - 1] == '      "results": [' and lines[starts[-1] + 1] == "      ],"
    assert '      "tool": {\n        "rules": [\n          {\n            "id": "CT1"' in text  # the rest: as json.dumps indents


def test_the_rows_may_be_an_iterator_made_one_item_at_a_time() -> None:
    made: list[int] = []

    def row(i: int) -> dict[str, int]:
        made.append(i)
        return {"i": i}

    text = dumps_with_rows({"findings": map(row, range(4)), "summary": {"total": 4}}, ("findings",))
    assert json.loads(text) == {"findings": [{"i": i} for i in range(4)], "summary": {"total": 4}} and made == [0, 1, 2, 3]
    assert dumps_with_rows({"findings": iter([])}, ("findings",)) == '{\n  "findings": []\n}\n'
