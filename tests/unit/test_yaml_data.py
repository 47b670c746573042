"""plain_data builds what PyYAML's SafeConstructor builds, on every document it is given (aliases aside)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from aimlapi_contract.traffic.cassettes import _CassetteLoader
from aimlapi_contract.traffic.yaml_data import plain_data


def both(text: str) -> tuple[Any, Any]:
    """(SafeConstructor's data, plain_data's) for `text`, each from its own composed tree."""
    built = []
    for use_plain in (False, True):
        loader = _CassetteLoader(text)
        try:
            root = loader.get_single_node()
            built.append(plain_data(loader, root) if use_plain else loader.construct_document(root))
        finally:
            loader.dispose()
    return built[0], built[1]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True would hide a wrong constructor)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b) or (a != a and b != b)  # NaN


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.binary(max_size=8),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)), st.dates(),
)
trees = st.recursive(
    scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4) | st.integers(), kids, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(trees, st.sampled_from([None, True, False]))
def test_the_same_data_as_safeconstructor_for_documents_pyyaml_writes(tree: Any, flow: bool | None) -> None:
    expected, got = both(yaml.safe_dump({"interactions": tree}, default_flow_style=flow, allow_unicode=True))
    assert same(expected, got)


@pytest.mark.parametrize(
    "text",
    [
        "base: {a: 1}\nx:\n  <<: {a: 2, b: 3}\n  c: 4\n",  # a merge key
        "= : value\nk: v\n",  # the value key
        "s: !!set {a, b}\no: !!omap [a: 1, b: 2]\np: !!pairs [a: 1, a: 2]\n",  # tagged collections
        "t: !!python/tuple [1, 2]\nu: !!python/str x\n",  # the tags vcrpy writes
        "? [a, b]\n: v\n",  # a collection as a key: SafeConstructor's own error
        "n: ~\nb: yes\ni: 0x1f\nf: .inf\nd: 2024-01-02T03:04:05Z\nbin: !!binary aGVsbG8=\n",
        "a: 1\na: 2\n",  # a repeated key: the last one wins
        "- " * 150 + "x\n",  # deep, under the depth limit
        "? !!seq x\n: 1\n",  # a collection tag on a scalar key: SafeConstructor's "expected a sequence node"
        "x: !!map x\n",  # and on a value
        "x: !!set y\n",
        "x: !unknown y\n",  # an unknown tag: refused
    ],
)
def test_the_same_data_or_the_same_error_on_the_constructs_it_leaves_to_the_loader(text: str) -> None:
    try:
        expected = both(text)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            loader = _CassetteLoader(text)
            try:
                plain_data(loader, loader.get_single_node())
            finally:
                loader.dispose()
        return
    assert same(*expected)


def _tags(root: yaml.Node) -> list[tuple[str, str]]:
    out, todo = [], [root]
    while todo:
        node = todo.pop()
        out.append((node.tag, node.value if isinstance(node, yaml.ScalarNode) else type(node).__name__))
        if isinstance(node, yaml.MappingNode):
            todo += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value
    return out


PLAIN_EXAMPLES = [
    "", "~", "null", "Null", "NULL", "true", "True", "no", "NO", "off", "On", "y", "0", "-0", "+12", "0x1A", "0o17", "017",
    "1_000", "190:20:30", "1.5", "-.inf", ".NaN", "1e3", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "<<", "=", "request", "OK", "200", "chatcmpl-abc", "Mon, 01 Jan 2026 00:00:00 GMT", "x" * 100, "ünïcode",
]  # fmt: skip


def test_each_scalar_gets_the_tag_pyyaml_resolves_for_it_the_first_time_and_the_next() -> None:
    # _CassetteLoader looks plain scalars' tags up by text once resolved: the look-up must agree with the resolver,
    # with the same text plain and quoted in one document (a quoted one is never looked up), empty ones included.
    from aimlapi_contract.traffic.cassettes import _PLAIN_TAGS

    _PLAIN_TAGS.tags.clear()  # the first time, whatever ran before in this process
    quoted = ["'" + v.replace("'", "''") + "'" for v in PLAIN_EXAMPLES]
    items = [f"- {v}\n- {{k{i}: {v}}}\n- {{{v}: v}}\n" for i, v in enumerate(PLAIN_EXAMPLES) if v]
    items += [f"- {q}\n- {{q{i}: {q}}}\n- {{{q}: v}}\n" for i, q in enumerate(quoted)]
    text = "".join(items) + "- \n- {e: }\n- {? : v}\n"  # empty plain scalars: an item, a value, a key
    for _ in range(2):  # the second document finds every plain tag looked up
        reference = yaml.compose(text, Loader=yaml.SafeLoader)
        ours = yaml.compose(text, Loader=_CassetteLoader)
        assert _tags(ours) == _tags(reference)
    assert "true" in _PLAIN_TAGS.tags and "" in _PLAIN_TAGS.tags  # the look-up was in use


def test_the_tag_look_up_follows_resolvers_added_later_and_keeps_a_subclass_s_to_itself() -> None:
    import re

    from aimlapi_contract.traffic.cassettes import _PLAIN_TAGS

    def tag(loader: Any) -> str:
        return str(yaml.compose("a: ON_AIR\n", Loader=loader).value[0][1].tag)

    assert tag(_CassetteLoader) == "tag:yaml.org,2002:str"  # resolved, and now looked up

    class Strict(_CassetteLoader):
        pass

    Strict.add_implicit_resolver("!strict", re.compile("^ON_AIR$"), ["O"])
    assert (tag(Strict), tag(_CassetteLoader)) == ("!strict", "tag:yaml.org,2002:str")
    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
    saved = {k: list(v) for k, v in resolvers.items()}
    try:
        yaml.resolver.Resolver.add_implicit_resolver("!onair", re.compile("^ON_AIR$"), ["O"])  # on a parent, later
        assert tag(yaml.SafeLoader) == tag(_CassetteLoader) == "!onair"
    finally:
        resolvers.clear()
        resolvers.update(saved)
    assert tag(_CassetteLoader) == "tag:yaml.org,2002:str"
    _PLAIN_TAGS.tags.clear()
