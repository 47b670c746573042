"""Fields a payload carries that its schema never mentions: what the docs are silent about.

Validation alone can't tell: OpenAPI 3.0 objects accept unknown properties unless
`additionalProperties: false` (and then the validator reports them as errors). This walk follows the
payload through `properties`, `items` and `allOf`/`anyOf`/`oneOf` (a branch pinning `type` to the
payload's own `type` is preferred, then branches whose required fields are all present, else all),
and reports a property that no candidate schema names, where the object's schema does declare
`properties` and does not open itself with `additionalProperties: true` or a schema.

What the walk decides at an object depends only on the schemas reaching it, the object's `type`
value and its key set, so each such decision is made once (`_plan`) and replayed for every later
payload of that shape: a stream of thousands of chunks costs one dictionary look-up per object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..findings import pointer_from_path
from ..sources import Spec


@dataclass(frozen=True, slots=True)
class UndocumentedField:
    pointer: str  # into the payload, e.g. "/choices/0/delta/obfuscation"
    name: str
    schema_pointer: str  # the object schema whose `properties` would document it


# Per key of an object: the schema pointers documenting it, the owner where it is undocumented, or None (free).
_Plan = list[list[str] | str | None]
_MAX_PLANS = 50_000  # distinct object shapes remembered per spec
VALUE_READS = frozenset({"type"})  # the one property whose value (not only its type) the walk reads


@dataclass(frozen=True, slots=True)
class _ObjectView:
    """What the schemas at one pointer say about an object: named properties and whether it is open."""

    properties: dict[str, list[str]]  # name -> schema pointers documenting it
    closed_or_open: bool  # True: additionalProperties is explicit (false: the validator reports; schema/true: free-form)
    declares: bool  # some candidate declares `properties`
    owner: str  # where a new property would be added


class FieldWalker:
    """Finds undocumented fields against one spec; schema lookups are cached per pointer."""

    def __init__(self, spec: Spec, *, reference: bool = False) -> None:
        self.spec = spec
        self.reference = reference  # the old path: every decision made afresh
        self._flat: dict[str, list[str]] = {}
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._items: dict[tuple[str, ...], list[str]] = {}

    def iter_undocumented(self, schema_pointer: str, instance: Any) -> Iterator[UndocumentedField]:
        """Every property in `instance` that the schema at `schema_pointer` does not document."""
        if self.reference:
            yield from self._walk_afresh([schema_pointer], instance, ())
            return
        found: list[UndocumentedField] = []
        self._walk([schema_pointer], instance, (), found)
        yield from found

    def _walk(self, pointers: list[str], instance: Any, path: tuple[Any, ...], found: list[UndocumentedField]) -> None:
        # Appends to `found` rather than yielding: a generator per level costs a resumption per field found.
        if isinstance(instance, dict):
            kind = instance.get("type")
            # The branch choice compares `type` with enums: key on its value (and its class, as 1 == 1.0 == True).
            key = (tuple(pointers), type(kind), kind, tuple(instance)) if isinstance(kind, str | int | float | None) else None
            plan = self._plans.get(key) if key is not None else None
            if plan is None:
                plan = self._plan(pointers, instance)
                if key is not None and len(self._plans) < _MAX_PLANS:
                    self._plans[key] = plan
            for (name, value), step in zip(instance.items(), plan, strict=True):
                if isinstance(step, list):
                    if isinstance(value, dict | list):
                        self._walk(step, value, (*path, name), found)
                elif step is not None:
                    found.append(UndocumentedField(pointer_from_path((*path, name)), name, step))
        elif isinstance(instance, list) and instance:
            frozen = tuple(pointers)
            items = self._items.get(frozen)
            if items is None:
                items = self._items[frozen] = self._item_pointers(pointers, instance)
            if items:
                for i, value in enumerate(instance):
                    if isinstance(value, dict | list):
                        self._walk(items, value, (*path, i), found)

    def _plan(self, pointers: list[str], instance: dict[str, Any]) -> _Plan:
        """Per key of `instance`, in order: the schemas documenting it, the owner it is undocumented in, or None."""
        view = self._object_view(self._candidates(pointers, instance))
        plan: _Plan = []
        for name in instance:
            documented = view.properties.get(name)
            if documented:
                plan.append(documented)
            else:
                plan.append(view.owner if view.declares and not view.closed_or_open else None)
        return plan

    def _item_pointers(self, pointers: list[str], instance: list[Any]) -> list[str]:
        candidates = self._candidates(pointers, instance)
        return [f"{p}/items" for p in candidates if isinstance(self._schema(p), dict) and "items" in self._schema(p)]

    def _walk_afresh(self, pointers: list[str], instance: Any, path: tuple[Any, ...]) -> Iterator[UndocumentedField]:
        candidates = self._candidates(pointers, instance)
        if isinstance(instance, dict):
            view = self._object_view(candidates)
            for name, value in instance.items():
                documented = view.properties.get(name)
                if documented:
                    yield from self._walk_afresh(documented, value, (*path, name))
                elif view.declares and not view.closed_or_open:
                    yield UndocumentedField(pointer_from_path((*path, name)), name, view.owner)
        elif isinstance(instance, list):
            items = [f"{p}/items" for p in candidates if isinstance(self._schema(p), dict) and "items" in self._schema(p)]
            if items:
                for i, value in enumerate(instance):
                    yield from self._walk_afresh(items, value, (*path, i))

    def _candidates(self, pointers: list[str], instance: Any) -> list[str]:
        flat = [p for pointer in pointers for p in self._flatten(pointer)]
        if not isinstance(instance, dict):
            return flat
        kind = instance.get("type")
        pinned = [p for p in flat if kind is not None and kind in (_pinned_type(self._schema(p)) or ())]
        if pinned:
            return pinned
        typed = [p for p in flat if _pinned_type(self._schema(p)) is None or kind is None]
        fitting = [p for p in typed if set(self._schema(p).get("required") or ()) <= instance.keys()]
        return fitting or typed or flat

    def _flatten(self, pointer: str) -> list[str]:
        """The schema at `pointer` and every allOf/anyOf/oneOf branch below it, $refs followed."""
        if pointer not in self._flat:
            self._flat[pointer] = []  # guards against $ref cycles
            out: list[str] = []
            schema = self._schema(pointer)
            if isinstance(schema, dict):
                ref = schema.get("$ref")
                if isinstance(ref, str) and ref.startswith("#"):
                    out.extend(self._flatten(ref[1:]))
                else:
                    out.append(pointer)
                    for key in ("allOf", "anyOf", "oneOf"):
                        for i, _ in enumerate(schema.get(key) or []):
                            out.extend(self._flatten(f"{pointer}/{key}/{i}"))
            self._flat[pointer] = out
        return self._flat[pointer]

    def _object_view(self, candidates: list[str]) -> _ObjectView:
        properties: dict[str, list[str]] = {}
        explicit = declares = False
        owner = candidates[0] if candidates else ""
        for pointer in candidates:
            schema = self._schema(pointer)
            props = schema.get("properties")
            if isinstance(props, dict) and props:
                if not declares:
                    owner = pointer
                declares = True
                for name in props:
                    properties.setdefault(name, []).append(f"{pointer}/properties/{_escape(name)}")
            if "additionalProperties" in schema:
                explicit = True
        return _ObjectView(properties, explicit, declares, owner)

    def _schema(self, pointer: str) -> dict[str, Any]:
        try:
            node = self.spec.resolve(pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            return {}
        return node if isinstance(node, dict) else {}


def _pinned_type(schema: dict[str, Any]) -> list[Any] | None:
    """The values a branch pins its `type` property to (e.g. ['reasoning']), or None."""
    prop = (schema.get("properties") or {}).get("type")
    enum = prop.get("enum") if isinstance(prop, dict) else None
    return enum if isinstance(enum, list) else None


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
