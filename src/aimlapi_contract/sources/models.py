"""Which models a spec documents (the `model` enum of its request bodies), and which spec documents a model.

AIML specs are generated one per model (or one per family, with a `oneOf` branch per model), and many
document the same path (`POST /v1/chat/completions`): the request's `model` is what says which one applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .specs import Operation, Spec

_MAX_DEPTH = 12
_memo: dict[tuple[str, str], dict[str, frozenset[str]]] = {}  # (source, sha256) -> endpoint -> models
_all_memo: dict[tuple[str, str], frozenset[str]] = {}  # (source, sha256) -> every model of the spec


def documented_models(spec: Spec) -> dict[str, frozenset[str]]:
    """Endpoint -> the `model` values its request body schema allows (enum or const); endpoints without one are absent."""
    key = (spec.source, spec.sha256)
    if key not in _memo:
        found: dict[str, frozenset[str]] = {}
        for op in spec.operations():
            models: set[str] = set()
            for pointer in op.request_media_types().values():
                models.update(_models(spec, _resolved(spec, pointer), 0))
            if models:
                found[op.endpoint] = frozenset(models)
        _memo[key] = found
    return _memo[key]


def spec_models(spec: Spec) -> frozenset[str]:
    """Every model any operation of `spec` documents (asked once per page and spec of a catalogue: memoized)."""
    key = (spec.source, spec.sha256)
    found = _all_memo.get(key)
    if found is None:
        found = _all_memo[key] = frozenset(m for models in documented_models(spec).values() for m in models)
    return found


def specs_documenting(specs: Iterable[Spec], model: str) -> list[Spec]:
    """The specs whose request `model` enum lists `model`, in the order given."""
    return [spec for spec in specs if model in spec_models(spec)]


def operation_for_model(specs: Iterable[Spec], path: str, method: str, model: str) -> tuple[Spec, Operation] | None:
    """The operation documenting `method path` in the spec that documents `model`; None when none does both."""
    for spec in specs:
        endpoint = spec.documented_endpoint(path, method)  # asked before the operation: no parse for the other specs
        if endpoint is not None and model in documented_models(spec).get(endpoint, ()):
            op = spec.find_operation(path, method)
            return (spec, op) if op is not None else None
    return None


def _resolved(spec: Spec, pointer: str) -> Any:
    try:
        node = spec.resolve(pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return _deref(spec, node)


def _deref(spec: Spec, node: Any) -> Any:
    for _ in range(_MAX_DEPTH):  # a $ref chain (or cycle) is followed a bounded number of times
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#")):
            return node
        try:
            node = spec.resolve(node["$ref"][1:])
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return None


def _models(spec: Spec, schema: Any, depth: int) -> Iterator[str]:
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return
    props = schema.get("properties")
    model = _deref(spec, props.get("model")) if isinstance(props, dict) else None
    if isinstance(model, dict):
        enum = model.get("enum")
        values: list[Any] = enum if isinstance(enum, list) else [model["const"]] if "const" in model else []
        yield from (v for v in values if isinstance(v, str))
    for word in ("allOf", "oneOf", "anyOf"):
        branches = schema.get(word)
        for branch in branches if isinstance(branches, list) else []:
            yield from _models(spec, _deref(spec, branch), depth + 1)
