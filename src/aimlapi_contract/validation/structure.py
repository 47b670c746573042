"""Structurally identical schemas of one operation: the copies a spec inlines, so one defect is one cause.

The published specs inline the same object many times (the Response object inside a dozen stream
events). Each schema node gets a structural hash (documentation keywords ignored); a cause at one
copy is the same cause at every copy, so it is keyed on the first copy and lists them all.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..sources import Spec
from . import learned

# Keywords that only document; two schemas differing only in these are the same schema.
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "externalDocs", "deprecated", "default", "summary", "xml"})
_INDEXES: dict[str, _ShapeIndex] = {}


class _ShapeIndex:
    """Structural hash of every object schema (one with `properties`) in a spec -> the pointers of its copies."""

    def __init__(self, spec: Spec) -> None:
        # Kept between runs (learned.py): walking a large spec costs 0.1 s.
        self.by_hash: dict[str, list[str]] = learned.derived(spec.sha256, "copies", lambda: self._built(spec), _is_index)
        self.of = {pointer: digest for digest, pointers in self.by_hash.items() for pointer in pointers}

    def _built(self, spec: Spec) -> dict[str, list[str]]:
        self.by_hash = {}
        self._walk(spec.data, "")
        return self.by_hash

    def _walk(self, node: Any, at: str) -> str:
        if isinstance(node, dict):
            parts = []
            for key in sorted(node):
                if key in _ANNOTATIONS or key.startswith("x-"):
                    continue
                child = at + "/" + key.replace("~", "~0").replace("/", "~1")
                parts.append(f"{key}\x1f{self._walk(node[key], child)}")
            digest = _digest("{" + "\x1e".join(parts))
            if isinstance(node.get("properties"), dict):
                self.by_hash.setdefault(digest, []).append(at)
            return digest
        if isinstance(node, list):
            return _digest("[" + "\x1e".join(self._walk(v, f"{at}/{i}") for i, v in enumerate(node)))
        return _digest(repr(node))


def _is_index(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, list) and all(isinstance(p, str) for p in v) for v in value.values())


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


def identical_copies(spec: Spec, pointer: str) -> tuple[list[str], str]:
    """(owners, rel): the object schema owning `pointer` and its verbatim copies in the same operation, and
    `pointer` below its owner; each copy's location is owner + rel.

    The owner is the nearest ancestor with `properties`; owners are in reading order (shallowest
    first), so the first is a stable key. ([pointer], "") when no object owns it.
    """
    index = _INDEXES.get(spec.sha256)
    if index is None:
        index = _INDEXES.setdefault(spec.sha256, _ShapeIndex(spec))
    owner, rel = pointer, ""
    while owner and owner not in index.of:
        cut = owner.rfind("/")
        owner, rel = owner[:cut], owner[cut:] + rel
    if owner not in index.of:
        return [pointer], ""
    operation = "/".join(owner.split("/")[:4])  # /paths/<path>/<method>
    copies = {p for p in index.by_hash[index.of[owner]] if p.startswith(operation + "/")} | {owner}
    return sorted(copies, key=_reading_order), rel


def _reading_order(pointer: str) -> tuple[int, list[tuple[int, str]]]:
    parts = pointer.split("/")
    return len(parts), [(int(p), "") if p.isdigit() else (-1, p) for p in parts]
