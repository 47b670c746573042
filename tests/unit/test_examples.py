"""Diagnosing why a Response example is not JSON, and mapping JSON pointers to lines."""

from __future__ import annotations

import pytest

from aimlapi_contract.page.examples import read_example


def test_json_is_read_as_is() -> None:
    reading = read_example('{"a": [1, {"b": null}]}')
    assert reading.is_json and reading.problems == [] and reading.value == {"a": [1, {"b": None}]}


def test_stray_prefix_and_python_repr_are_named_and_converted() -> None:
    reading = read_example(" move exampes up{'a': None, 'b': True, 'c': 'x'}\n")
    assert not reading.is_json and reading.converted
    assert reading.prefix == "move exampes up"
    assert reading.problems == [
        "stray text before the value: `move exampes up`",
        "a Python dict repr, not JSON (single-quoted strings, `None`, `True`)",
    ]
    assert reading.value == {"a": None, "b": True, "c": "x"}


@pytest.mark.parametrize(
    ("text", "problem", "has_value"),
    [
        pytest.param('{"a": 1} and more', "stray text after the value: `and more`", True, id="suffix"),
        pytest.param('{"a": [1, 2', "truncated: the object opened at line 1 never closes", False, id="truncated"),
        pytest.param("{a: 1, /* c */}", "JSON5-only syntax (comments, trailing commas, single quotes or bare keys)", True, id="json5"),
        pytest.param("no value here", "no JSON object or array in the block", False, id="no-value"),
        pytest.param('{"a": 1 "b": 2}', "not JSON: Expecting ',' delimiter (line 1, column 9)", False, id="other"),
    ],
)
def test_diagnoses(text: str, problem: str, has_value: bool) -> None:
    reading = read_example(text)
    assert problem in reading.problems
    assert reading.has_value is has_value


def test_brackets_inside_strings_do_not_end_the_value() -> None:
    reading = read_example("{'text': 'a } b', 'n': None} tail")
    assert reading.value == {"text": "a } b", "n": None} and reading.suffix == "tail"



def test_a_value_nested_too_deeply_after_stray_text_is_a_problem_not_a_crash() -> None:
    # Found by test_hostile_properties: the value after a stray `0` was parsed without the depth limit.
    reading = read_example("0\n" + "[" * 2000 + "]" * 2000)
    assert not reading.is_json and not reading.converted
    assert reading.problems[-1] == "JSON nesting exceeds the limit of 200 levels (raise it with `--max-json-depth`)"


def test_a_deep_value_only_json5_could_read_is_not_json() -> None:
    reading = read_example("['a', " + "[" * 5000 + "]" * 5000 + "]")  # JSON fails at once; json5 recurses in Python
    assert not reading.is_json and not reading.converted and reading.problems[-1].startswith("not JSON: ")
