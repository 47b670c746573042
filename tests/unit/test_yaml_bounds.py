"""The cheap bounds that let an ordinary cassette skip the YAML depth and expansion walks are never below the truth.

They are judged on YAML built from the indicators that open nesting (flow brackets, block entries, keys,
implicit single-pair mappings) and on documents PyYAML writes in each style: wherever libyaml composes a
document, its real depth and expansion stay within the bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from aimlapi_contract import limits
from aimlapi_contract.traffic.cassettes import _CassetteLoader


def depth_and_expansion(node: Any) -> tuple[int, int]:
    """The nesting depth (a scalar is 0) and the size with aliases expanded (nodes + scalar characters)."""
    if isinstance(node, yaml.ScalarNode):
        return 0, 1 + len(node.value)
    kids = [k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
    measured = [depth_and_expansion(k) for k in kids]
    return 1 + max((d for d, _ in measured), default=0), 1 + sum(s for _, s in measured)


def assert_within_bounds(text: str) -> None:
    for cap in (0, 1, 3, 8, 40):  # the quick test agrees with the bound it stands for
        assert limits.yaml_depth_within(text, cap) == (limits.yaml_depth_bound(text) <= cap), (text, cap)
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, RecursionError):
        return  # not YAML: the loader reports it, no bound is asked of it
    if root is None:
        return
    depth, expansion = depth_and_expansion(root)
    assert depth <= limits.yaml_depth_bound(text), text
    if not limits.may_have_aliases(text):  # where the depth may be judged on the composed tree
        assert limits.node_depth(root) == depth, text
    if not limits.may_have_aliases(text):
        assert expansion <= limits.yaml_expansion_bound(text), text


PIECES = [*"[]{}-?:,!& *\n", "  ", "a", "- ", "? ", ": ", "- - ", "chatcmpl-1", "'x'", "\n  ", "\n    ",
          "\r", "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "\t"]
INDICATORS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(INDICATORS)
def test_bounds_hold_on_text_made_of_the_indicators_that_open_nesting(text: str) -> None:
    assert_within_bounds(text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
trees = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4), max_leaves=40)


@settings(max_examples=500, deadline=None)
@given(trees, st.sampled_from([None, True, False]))
def test_bounds_hold_on_documents_in_every_style_pyyaml_writes(tree: Any, flow: bool | None) -> None:
    assert_within_bounds(yaml.safe_dump({"interactions": tree}, default_flow_style=flow))


@pytest.mark.parametrize("text", [
    "s: !!set {a, b}\no: !!omap [a: [1, [2]], b: 2]\np: !!pairs [a: {x: [1]}]\n",
    "? !!python/tuple [a, !!python/tuple [b, c]]\n: v\n",  # a sequence as a key: a level too
    "t: !!python/tuple [[1, [2]], 3]\nb: !!binary aGk=\nd: 2024-01-01\n",
    "?\n: -\n?\n",  # a repeated key: its data keeps the last value only, the tree both (hypothesis found it)
    "base: &b {x: [1]}\nm:\n  <<: {y: [[2]]}\n",  # a merge key lifts keys in the data, not in the tree
])
def test_the_tree_keeps_every_level_of_tagged_collections(text: str) -> None:
    assert_within_bounds(text)


def test_the_cases_that_need_the_doubled_counts() -> None:
    assert_within_bounds("[a: [b: [c: [d: e]]]]")  # a sequence and a single-pair mapping per bracket
    assert_within_bounds("- a:\n  - b:\n    - c:\n      - d: e\n")  # a mapping per entry, a sequence per entry
    assert_within_bounds("{a, b, c, d}")  # a key and an empty value per letter
    assert limits.yaml_depth_bound("id: chatcmpl-abc-def-ghi\n") == 1  # dashes inside a scalar open nothing
    # libyaml breaks lines at a lone \r, NEL, LS and PS too, and skips a BOM: indentation after them counts
    for brk in ("\r", "\x85", "\u2028", "\n\ufeff"):
        text = "x:" + "".join(f"{brk}{' ' * i}k{i}:" for i in range(1, 60)) + " v\n"
        assert_within_bounds(text)
        assert not limits.yaml_depth_within(text, 40), repr(brk)


@pytest.mark.parametrize("nested", [
    "".join(f"{'  ' * i}k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",  # block mappings
    "x: " + "[" * 300 + "]" * 300 + "\n",  # flow sequences
    "x: " + "[" * 300 + "]" * 300 + "\nx: 1\n",  # deep, then its key repeated: the data alone would be shallow
], ids=["block", "flow", "repeated-key"])
def test_a_cassette_deeper_than_the_limit_judged_on_its_data_is_refused_as_by_the_event_pass(nested: str, tmp_path: Path) -> None:
    from aimlapi_contract.traffic.cassettes import CassetteError, _depth_measured_on_data, read_cassette

    text = "interactions: []\nextra:\n" + "".join("  " + line + "\n" for line in nested.splitlines())
    assert _depth_measured_on_data(text, _CassetteLoader)  # composed first, measured after
    with pytest.raises(limits.LimitError) as direct:
        limits.check_yaml_depth(text, _CassetteLoader)
    (tmp_path / "deep.yaml").write_text(text)
    with pytest.raises(CassetteError) as read:
        read_cassette(tmp_path / "deep.yaml")
    assert read.value.over_limit and read.value.message == direct.value.message
