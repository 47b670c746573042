"""Schemas in canonical form: what two spellings of the same OpenAPI 3.0 schema have in common.

`canonical` removes differences of representation (see schemadiff); the rest pairs up the forms of
`anyOf`/`oneOf` across two versions and resolves local `$ref`s.
"""

from __future__ import annotations

import json
from typing import Any

# Keywords that only document: a change is compatible and is reported as a documentation change.
DOC_KEYWORDS = frozenset({"description", "title", "example", "examples", "externalDocs", "deprecated", "default",
                          "readOnly", "writeOnly", "xml", "discriminator", "summary"})
# Not constraints: `definitions` only holds schemas, whose changes are reported where a `$ref` uses them.
IGNORED_KEYWORDS = frozenset({"$schema", "$id", "$comment", "definitions", "$defs"})
_NULL = {"type": "null"}


def canonical(schema: Any) -> Any:
    """A schema with representation-only differences removed (see the module docstring)."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k not in IGNORED_KEYWORDS}
    if out.get("nullable") is True and isinstance(out.get("enum"), list) and None not in out["enum"]:
        # OpenAPI 3.0.3: `nullable` does not add null to an enum, so null is still rejected (see CT113).
        out["nullable"] = False
    elif out.get("nullable") is True and isinstance(out.get("enum"), list):
        out["enum"] = [v for v in out["enum"] if v is not None]  # null allowed once, by `nullable`
    if "const" in out:
        out["enum"] = [out.pop("const")]
    types = out.get("type")
    if isinstance(types, list):
        rest = sorted({t for t in types if t != "null"})
        if "null" in types:
            out["nullable"] = True
        if len(rest) == 1:
            out["type"] = rest[0]
        elif rest:
            out["type"] = rest
        else:
            out["type"] = "null"
    tagged = [(f"{kw}/{i}", alt) for kw in ("anyOf", "oneOf") for i, alt in enumerate(out.pop(kw, None) or [])]
    if tagged:
        flat: list[tuple[str, Any]] = []  # (pointer suffix in the published schema, canonical alternative)
        for at, alt in tagged:
            alt = canonical(alt)
            # An alternative that is only itself a list of alternatives is flattened into this one.
            if isinstance(alt, dict) and "alternatives" in alt and set(alt) <= {"alternatives", "alternatives_at", "description", "nullable"}:
                flat.extend((f"{at}/{inner_at}", inner) for inner_at, inner in zip(alt["alternatives_at"], alt["alternatives"]))
                if alt.get("nullable"):
                    flat.append((at, dict(_NULL)))
            else:
                flat.append((at, alt))
        if any(a == _NULL for _, a in flat):
            out["nullable"] = True
        unique: list[tuple[str, Any]] = []
        for at, alt in flat:
            if alt != _NULL and all(alt != seen for _, seen in unique):
                unique.append((at, alt))
        if len(unique) == 1 and isinstance(unique[0][1], dict):
            only = unique[0][1]
            if not (set(only) & set(out)) - DOC_KEYWORDS - {"nullable"}:
                return {**only, **out}
        out["alternatives"] = [alt for _, alt in unique]
        out["alternatives_at"] = [at for at, _ in unique]
    if out.get("additionalProperties") in (True, {}):
        del out["additionalProperties"]
    if out.get("nullable") is False:
        del out["nullable"]
    return out


def canonical_key(value: Any) -> str:
    """A hashable text that is equal for equal JSON values, whatever their key order."""
    return json.dumps(value, sort_keys=True, default=str)


def schema_types(schema: dict[str, Any]) -> set[str]:
    """The schema's `type`s as a set (empty: any type)."""
    t = schema.get("type")
    return set(t) if isinstance(t, list) else ({t} if isinstance(t, str) else set())


def resolve_ref(ref: str, *roots: Any) -> Any:
    """A local `$ref` resolved against the first root that has it: the enclosing schema (as some published
    specs assume), then the document. None when it resolves nowhere (then it is compared as text)."""
    if not ref.startswith("#"):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/") if p]
    for node in roots:
        try:
            for part in parts:
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        if isinstance(node, dict):
            return node
    return None


def match_alternatives(old: list[Any], new: list[Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair alternatives: identical first, then same signature (type + the `type`/`role` tag), then in order."""
    pairs: list[tuple[int, int]] = []
    free_old, free_new = list(range(len(old))), list(range(len(new)))
    for sig in (canonical_key, signature):
        old_sigs, new_sigs = {i: sig(old[i]) for i in free_old}, {j: sig(new[j]) for j in free_new}
        for i in list(free_old):
            j = next((j for j in free_new if new_sigs[j] == old_sigs[i]), None)
            if j is not None:
                pairs.append((i, j))
                free_old.remove(i)
                free_new.remove(j)
    same_type = [(i, j) for i, j in zip(free_old, free_new) if schema_types(old[i]) == schema_types(new[j])]
    for i, j in same_type:
        pairs.append((i, j))
        free_old.remove(i)
        free_new.remove(j)
    return sorted(pairs, key=lambda p: p[1]), free_old, free_new


def signature(alt: Any) -> str:
    """What identifies a form across versions: its type and the value of its `type`/`role`/`object` tag."""
    if not isinstance(alt, dict):
        return canonical_key(alt)
    props = alt.get("properties") or {}
    tags = {k: canonical(props[k]).get("enum") for k in ("type", "role", "object") if isinstance(props.get(k), dict)}
    return canonical_key([alt.get("type"), tags]) if any(tags.values()) else "\0untagged" + canonical_key(sorted(props))


def wrapped_into_array(old: list[Any], new: list[Any], gone: list[int], added: list[int]) -> tuple[int, list[int]] | None:
    """A new array form whose items are (some of) the removed single forms: one change, not many."""
    for j in added:
        alt = new[j]
        if not isinstance(alt, dict) or schema_types(alt) != {"array"}:
            continue
        items = canonical(alt.get("items") or {})
        inner = {signature(x) for x in (items.get("alternatives") or [items])}
        moved = [i for i in gone if signature(old[i]) in inner]
        if moved:
            return j, moved
    return None


def as_alternatives(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema as a list of one form (itself), its documentation and nullability kept outside."""
    if "alternatives" in schema:
        return schema
    outer = {k: v for k, v in schema.items() if k in DOC_KEYWORDS or k == "nullable"}
    inner = {k: v for k, v in schema.items() if k not in outer}
    return {**outer, "alternatives": [inner], "alternatives_at": [""]}
