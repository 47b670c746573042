"""Plain data from a composed cassette's node tree: mappings, sequences and strings built directly.

PyYAML's SafeConstructor builds every node through a generator, a tag look-up and a memo: half the
cost of reading a cassette, which is mappings, sequences and strings. `plain_data` builds those three
itself and hands any other scalar (numbers, null, booleans, !!binary, timestamps) to the loader's own
constructor; a tree holding anything else (a merge key, a tagged collection, a collection as a key) is
built by the loader in full. Either way the data equals SafeConstructor's. Not for documents with
aliases: this would copy an aliased subtree at every use, where SafeConstructor shares one object.
"""

from __future__ import annotations

from typing import Any

import yaml

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
# Scalars the loader builds into one hashable value at once. Any other tag on a scalar (`!!map x`, an
# unknown tag) is the loader's to build or refuse: its constructor would leave a generator pending.
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "null", "bool", "int", "float", "binary", "timestamp", "python/str", "python/unicode"))


class _NotPlain(Exception):
    """The tree holds something only the loader's constructor builds exactly."""


def plain_data(loader: yaml.CSafeLoader | yaml.SafeLoader, root: yaml.Node) -> Any:
    """The document's data, as loader.construct_document(root) would build it (root composed without aliases)."""
    try:
        return _Builder(loader).build(root)
    except (_NotPlain, RecursionError):  # deeper than Python recurses: the loader's constructor does not recurse
        return loader.construct_document(root)


class _Builder:
    def __init__(self, loader: yaml.CSafeLoader | yaml.SafeLoader) -> None:
        self.construct = loader.construct_object

    def build(self, node: yaml.Node) -> Any:
        cls, tag = type(node), node.tag
        if cls is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            if tag in _SCALAR_TAGS:
                return self.construct(node)
            raise _NotPlain
        if cls is yaml.MappingNode and tag == _MAP:
            out = {}
            for key, value in node.value:
                if type(key) is not yaml.ScalarNode or (key.tag != _STR and key.tag not in _SCALAR_TAGS):
                    raise _NotPlain  # a merge (`<<`) or value (`=`) key, a collection or odd tag as a key
                out[key.value if key.tag == _STR else self.construct(key)] = self.build(value)
            return out
        if cls is yaml.SequenceNode and tag == _SEQ:
            return [self.build(item) for item in node.value]
        raise _NotPlain  # !!omap, !!set, !!pairs, python/tuple...: built by the loader
