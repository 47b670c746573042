"""Compare two JSON schemas (OpenAPI 3.0 dialect) by meaning, from the point of view of a client.

A change that makes the set of accepted values smaller ("narrowing") breaks clients that *send*
the value (request bodies, parameters); one that makes it larger ("widening") breaks clients that
*receive* it (responses). Changes of representation that mean the same are normalised away first:
key order, `const: x` vs `enum: [x]`, `type: [T, "null"]` vs `nullable: true`, `anyOf: [S, {type: null}]`
vs `S` + `nullable`, nested single-keyword `anyOf`s, and `oneOf` vs `anyOf` (published schemas use
them interchangeably, so exclusivity is not compared).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..findings import pointer_from_path
from .canonical import (
    DOC_KEYWORDS,
    as_alternatives,
    canonical,
    canonical_key,
    match_alternatives,
    resolve_ref,
    schema_types,
    wrapped_into_array,
)

LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")
STRICTER_WHEN_SET = ("pattern", "format", "multipleOf", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum")
STRUCTURE = frozenset({"type", "nullable", "enum", "properties", "required", "additionalProperties", "items",
                       "alternatives", "alternatives_at", "allOf", "not", "$ref", *LOWER_BOUNDS, *UPPER_BOUNDS, *STRICTER_WHEN_SET})


@dataclass(frozen=True, slots=True)
class Change:
    """One semantic difference between two versions of a spec."""

    breaking: bool
    endpoint: str  # "POST /v1/responses"; "" for the document as a whole
    pointer: str  # JSON pointer into the new spec (into the old one for something removed)
    where: str  # for people: "request body `max_output_tokens`"
    message: str
    keyword: str  # what changed, e.g. "minimum", "property-added"; tells apart changes at one pointer


def _widens(old: set[str], new: set[str]) -> bool:
    """True when every value of the old type set is still valid under the new one (integer ⊂ number)."""
    if not new:
        return True
    return all(t in new or (t == "integer" and "number" in new) for t in old) if old else False


class SchemaDiff:
    """Walk two schemas and report each semantic change; `request=True` when the client sends the value."""

    def __init__(self, endpoint: str, report: Callable[[Change], None], old_doc: Any = None, new_doc: Any = None) -> None:
        self.endpoint = endpoint
        self.report = report
        self.docs = (old_doc, new_doc)  # what `$ref`s resolve against
        self._resolved: dict[int, Any] = {}  # id of a `$ref` schema -> what it stands for (stable identity)
        self._seen_refs: set[tuple[int, int, bool]] = set()  # pairs compared while `$ref`s are about
        self._keep: list[tuple[Any, Any]] = []
        self._shortcut = True  # whether equal JSON means no change (true unless `$ref`s are about)
        self.doc_changes: list[tuple[str, str]] = []  # (pointer, keyword)

    def compare(self, old: Any, new: Any, path: list[Any], where: str, *, request: bool) -> None:
        # Equal text hides a change behind a `$ref` whose target changed: with refs, walk everything.
        self._shortcut = '"$ref"' not in canonical_key(old) and '"$ref"' not in canonical_key(new)
        self._walk(old, new, path, where, request, old, new, 0)

    def _emit(self, narrows: bool | None, path: list[Any], where: str, request: bool, message: str, keyword: str) -> None:
        # narrows=None: breaks either way (e.g. an incompatible type change).
        breaking = True if narrows is None else (narrows == request)
        self.report(Change(breaking, self.endpoint, pointer_from_path(path), where, message, keyword))

    def _deref(self, schema: Any, root: Any, doc: Any) -> Any:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            if id(schema) not in self._resolved:
                target = resolve_ref(schema["$ref"], root, doc)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                # The target itself when nothing sits beside the `$ref`, so every use of it is one pair.
                self._resolved[id(schema)] = schema if target is None else ({**target, **rest} if rest else target)
            return self._resolved[id(schema)]
        return schema

    def _walk(self, old: Any, new: Any, path: list[Any], where: str, request: bool, oroot: Any, nroot: Any, depth: int) -> None:
        if (self._shortcut and old == new) or depth > 60:
            return
        o, n = self._deref(old, oroot, self.docs[0]), self._deref(new, nroot, self.docs[1])
        if not self._shortcut:
            # Through a `$ref` the same pair can come back (recursive schemas): compare each pair once.
            if (id(o), id(n), request) in self._seen_refs:
                return
            self._seen_refs.add((id(o), id(n), request))
            self._keep.append((o, n))  # keep them alive: a freed object's id could be reused and look "seen"
        o, n = canonical(o), canonical(n)
        if not isinstance(o, dict) or not isinstance(n, dict):
            if o != n:
                self._emit(None, path, where, request, f"{where}: schema changed from {_short(o)} to {_short(n)}", "schema")
            return
        if self._shortcut and o == n:
            return
        if "$ref" in o or "$ref" in n:
            if o.get("$ref") != n.get("$ref"):
                self._emit(None, path, where, request, f"{where}: $ref changed from {o.get('$ref')!r} to {n.get('$ref')!r}", "$ref")
            return
        if ("alternatives" in o) != ("alternatives" in n):
            o, n = as_alternatives(o), as_alternatives(n)  # one form vs several: compare as forms
        if not self._compare_type(o, n, path, where, request):
            return  # the rest is meaningless once the type itself changed
        self._compare_enum(o, n, path, where, request)
        self._compare_bounds(o, n, path, where, request)
        self._compare_properties(o, n, path, where, request, oroot, nroot, depth)
        if "items" in o or "items" in n:
            self._walk(o.get("items", {}), n.get("items", {}), [*path, "items"], _suffix(where, "[]"), request, oroot, nroot, depth + 1)
        self._compare_alternatives(o, n, path, where, request, oroot, nroot, depth)
        self._compare_all_of(o, n, path, where, request, oroot, nroot, depth)
        if o.get("not") != n.get("not"):
            self._emit(None, path, where, request, f"{where}: `not` changed from {_short(o.get('not'))} to {_short(n.get('not'))}", "not")
        for key in sorted((set(o) | set(n)) - STRUCTURE):
            if o.get(key) != n.get(key):
                if key in DOC_KEYWORDS or key.startswith("x-"):
                    self.doc_changes.append((pointer_from_path([*path, key]), key))
                else:
                    self._emit(False, path, where, request, f"{where}: `{key}` changed (unclassified keyword)", key)

    def _compare_all_of(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool,
                        oroot: Any, nroot: Any, depth: int) -> None:
        old, new = o.get("allOf") or [], n.get("allOf") or []
        if old == new:
            return
        # Every member must hold: one more narrows, one fewer widens.
        pairs, gone, added = match_alternatives([canonical(x) for x in old], [canonical(x) for x in new])
        for i, j in pairs:
            self._walk(old[i], new[j], [*path, "allOf", j], where, request, oroot, nroot, depth + 1)
        for i in gone:
            self._emit(False, [*path, "allOf", i], where, request, f"{where}: allOf member {i + 1} removed (in the old spec)", "allOf-removed")
        for j in added:
            self._emit(True, [*path, "allOf", j], where, request, f"{where}: allOf member {j + 1} added", "allOf-added")

    def _compare_type(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool) -> bool:
        to, tn = schema_types(o), schema_types(n)
        if to != tn:
            desc = f"{where}: type changed from {'/'.join(sorted(to)) or 'any'} to {'/'.join(sorted(tn)) or 'any'}"
            if _widens(to, tn):
                self._emit(False, path, where, request, desc, "type")
            elif _widens(tn, to):
                self._emit(True, path, where, request, desc, "type")
            else:
                self._emit(None, path, where, request, desc, "type")
                return False
        if bool(o.get("nullable")) != bool(n.get("nullable")):
            if n.get("nullable"):
                self._emit(False, path, where, request, f"{where}: may now be null", "nullable")
            else:
                self._emit(True, path, where, request, f"{where}: null is no longer allowed", "nullable")
        return True

    def _compare_enum(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool) -> None:
        if "enum" not in o and "enum" not in n:
            return
        if "enum" not in n:
            self._emit(False, path, where, request, f"{where}: enum {_short(o['enum'])} removed: any value allowed", "enum")
            return
        if "enum" not in o:
            self._emit(True, path, where, request, f"{where}: now restricted to {_short(n['enum'])}", "enum")
            return
        old_vals = {canonical_key(v): v for v in o["enum"]}
        new_vals = {canonical_key(v): v for v in n["enum"]}
        gone = [old_vals[k] for k in old_vals if k not in new_vals]
        added = [new_vals[k] for k in new_vals if k not in old_vals]
        if gone:
            self._emit(True, path, where, request, f"{where}: enum narrowed: {_short(gone)} no longer allowed", "enum-narrowed")
        if added:
            self._emit(False, path, where, request, f"{where}: enum widened: {_short(added)} added", "enum-widened")

    def _compare_bounds(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool) -> None:
        for key in (*LOWER_BOUNDS, *UPPER_BOUNDS, *STRICTER_WHEN_SET):
            a, b = o.get(key), n.get(key)
            if a == b:
                continue
            if b is None or b is False:
                narrows, what = False, f"`{key}: {_short(a)}` removed"
            elif a is None or a is False:
                narrows, what = True, f"`{key}: {_short(b)}` added"
            elif key in LOWER_BOUNDS and _num(a) and _num(b):
                narrows, what = b > a, f"`{key}` changed from {a} to {b}"
            elif key in UPPER_BOUNDS and _num(a) and _num(b):
                narrows, what = b < a, f"`{key}` changed from {a} to {b}"
            else:
                narrows, what = True, f"`{key}` changed from {_short(a)} to {_short(b)}"
            consequence = " (a request that broke it before is now rejected)" if narrows and request else ""
            if narrows and key in LOWER_BOUNDS + UPPER_BOUNDS and request:
                consequence = f" (a request with a value outside it is now rejected, e.g. {_outside(key, b)})"
            self._emit(narrows, path, where, request, f"{where}: {what}{consequence}", key)

    def _compare_properties(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool,
                            oroot: Any, nroot: Any, depth: int) -> None:
        op, np_ = o.get("properties") or {}, n.get("properties") or {}
        oreq, nreq = set(o.get("required") or []), set(n.get("required") or [])
        an = n.get("additionalProperties")
        for name in sorted(op.keys() - np_.keys()):
            pointer, field = pointer_from_path([*path, "properties", name]), _field(where, name)
            if request and an is not False:
                # Judged by what the schema now accepts: an open object takes the field with any value (wider),
                # so no sender breaks. (In a response, clients lose what they relied on: breaking.)
                self.report(Change(False, self.endpoint, pointer, field, f"{field} no longer documented (in the old spec); "
                                   "the object still accepts it, with any value", "property-removed"))
            else:
                rejected = " and is now rejected (additionalProperties: false)" if request else ""
                self.report(Change(True, self.endpoint, pointer, field, f"{field} removed (in the old spec){rejected}", "property-removed"))
        for name in sorted(np_.keys() - op.keys()):
            required = name in nreq
            kind = "required" if required else "optional"
            typ = canonical(np_[name]).get("type") if isinstance(np_[name], dict) else None
            what = f"{kind}{', ' + '/'.join(typ) if isinstance(typ, list) else ', ' + typ if typ else ''}"
            # A new required request field breaks every client that does not send it; in a response nothing breaks.
            self.report(Change(request and required, self.endpoint, pointer_from_path([*path, "properties", name]),
                               _field(where, name), f"{_field(where, name)} added ({what})", "property-added"))
        for name in sorted(op.keys() & np_.keys()):
            self._walk(op[name], np_[name], [*path, "properties", name], _field(where, name), request, oroot, nroot, depth + 1)
        for name in sorted((nreq - oreq) & op.keys() & np_.keys()):
            self._emit(True, path, where, request, f"{_field(where, name)} is now required", "required-added")
        for name in sorted((oreq - nreq) & op.keys() & np_.keys()):
            self._emit(False, path, where, request, f"{_field(where, name)} is no longer required (may be absent)", "required-removed")
        ao = o.get("additionalProperties")
        if isinstance(ao, dict) and isinstance(an, dict):
            self._walk(ao, an, [*path, "additionalProperties"], _suffix(where, "{*}"), request, oroot, nroot, depth + 1)
        elif ao != an and request and an is False:
            self._emit(True, path, where, request, f"{where}: undocumented fields are now rejected (additionalProperties: false)", "additionalProperties")
        elif ao is False and request:
            self._emit(False, path, where, request, f"{where}: undocumented fields are now accepted (additionalProperties: false removed)",
                       "additionalProperties")
        elif ao != an:
            # Outside requests, documenting more or fewer extra fields changes nothing a client relies on.
            self.doc_changes.append((pointer_from_path([*path, "additionalProperties"]), "additionalProperties"))

    def _compare_alternatives(self, o: dict[str, Any], n: dict[str, Any], path: list[Any], where: str, request: bool,
                              oroot: Any, nroot: Any, depth: int) -> None:
        old, new = o.get("alternatives") or [], n.get("alternatives") or []
        if not old and not new:
            return
        old_at, new_at = o.get("alternatives_at") or [], n.get("alternatives_at") or []
        pairs, gone, added = match_alternatives(old, new)
        for i, j in pairs:
            self._walk(old[i], new[j], _at(path, new_at[j]), _suffix(where, f"({_form_label(new[j], j)})"), request, oroot, nroot, depth + 1)
        wrapped = wrapped_into_array(old, new, gone, added)
        if wrapped is not None:
            j, moved = wrapped
            self._emit(True, _at(path, new_at[j]), where, request,
                       f"{where}: {len(moved)} single-object form(s) no longer accepted on their own; "
                       f"form {j + 1} now takes an array of them", "form-wrapped-in-array")
            gone = [i for i in gone if i not in moved]
            added = [j2 for j2 in added if j2 != j]
        for i in gone:
            self._emit(True, _at(path, old_at[i]), where, request,
                       f"{where}: form {i + 1} ({_kind(old[i])}) removed (in the old spec)", "form-removed")
        for j in added:
            self._emit(False, _at(path, new_at[j]), where, request, f"{where}: form {j + 1} ({_kind(new[j])}) added", "form-added")


def _field(where: str, name: str) -> str:
    """`request body` + `a` -> "request body `a`"; "request body `a`" + `b` -> "request body `a.b`"."""
    return f"{where[:-1]}.{name}`" if where.endswith("`") else f"{where} `{name}`"


def _suffix(where: str, text: str) -> str:
    return f"{where[:-1]}{text}`" if where.endswith("`") else f"{where} `{text}`"


def _at(path: list[Any], at: str) -> list[Any]:
    return [*path, *at.split("/")] if at else path


def _form_label(alt: Any, j: int) -> str:
    """"form 10: response.completed" where the form is tagged by a one-value `type`/`role`/`object`, else "form 10"."""
    props = alt.get("properties") if isinstance(alt, dict) else None
    for key in ("type", "role", "object"):
        enum = (props or {}).get(key, {}).get("enum") if isinstance((props or {}).get(key), dict) else None
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            return f"form {j + 1}: {enum[0]}"
    return f"form {j + 1}"


def _kind(alt: Any) -> str:
    t = alt.get("type") if isinstance(alt, dict) else None
    return "/".join(t) if isinstance(t, list) else t or "schema"


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _outside(key: str, bound: Any) -> str:
    if not _num(bound):
        return "one beyond the new bound"
    return f"{bound - 1 if isinstance(bound, int) else 'less than ' + str(bound)}" if key in LOWER_BOUNDS else f"{bound + 1 if isinstance(bound, int) else 'more than ' + str(bound)}"


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
