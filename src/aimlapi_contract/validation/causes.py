"""The cause of one schema violation: where in which spec a fix goes, its kind, and the spec change.

Traffic groups its findings by cause into CT220 root causes (traffic/root_causes.py); the page lint
borrows the same fix text for its examples.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ..findings import Code
from ..sources import Spec
from .structure import identical_copies

_REQUIRED = re.compile(r"^'(.+)' is a required property$")


@dataclass(frozen=True, slots=True)
class Cause:
    """Where in which spec a fix goes, what kind of violation it is, and the fix."""

    spec: str  # spec source path
    pointer: str  # schema location the fix edits
    kind: str  # "null", "enum:<json value>", "type", "required:<name>", "undocumented", "status:<code>", "<keyword>"
    fix: str
    endpoint: str = ""
    reason: str = ""  # plain words for the finding message, where jsonschema's are cryptic
    locations: tuple[str, ...] = ()  # every identical inlined copy where the same fix goes (first = pointer)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The Finding.key of this cause's CT220 finding."""
        return (Code.TRAFFIC_ROOT_CAUSE.value, self.spec, self.endpoint, self.pointer, self.kind)

    def as_extra(self) -> dict[str, Any]:
        cause: dict[str, Any] = {"spec": self.spec, "pointer": self.pointer, "kind": self.kind, "fix": self.fix}
        if len(self.locations) > 1:
            cause["locations"] = list(self.locations)
        return {"cause": cause, "cause_key": list(self.key)}


def merged_with_copies(spec: Spec, cause: Cause) -> Cause:
    """The cause keyed on the first of the identical schemas it sits in, listing every copy (validation/structure.py)."""
    owners, rel = identical_copies(spec, cause.pointer)
    if len(owners) < 2:
        return cause
    mine = cause.pointer[: len(cause.pointer) - len(rel)] if rel else cause.pointer
    first = owners[0]
    fix = cause.fix.replace(mine, first) + f", and the same in each of its {len(owners) - 1} identical copies"
    return replace(cause, pointer=first + rel, fix=fix, reason=cause.reason.replace(mine, first),
                   locations=tuple(o + rel for o in owners))


def violation_cause(spec: Spec, endpoint: str, keyword: str, schema_pointer: str, instance: Any, message: str = "") -> Cause:
    """The cause of one schema violation, with the spec change that would accept the payload (at every identical copy)."""
    return merged_with_copies(spec, _cause(spec, endpoint, keyword, schema_pointer, instance, message))


def _cause(spec: Spec, endpoint: str, keyword: str, schema_pointer: str, instance: Any, message: str) -> Cause:
    owner = schema_pointer.rsplit("/", 1)[0] if schema_pointer.endswith("/" + keyword) else schema_pointer
    schema = _resolve(spec, owner)
    if instance is None and keyword in ("type", "enum", "nullable", "anyOf", "oneOf"):
        enum = schema.get("enum")
        if keyword == "enum" and schema.get("nullable"):
            fix = f"add null to the enum at {owner}"
            reason = f"`nullable: true`, but the enum {enum!r} lacks null, so OpenAPI 3.0.3 rejects null"
        elif keyword == "enum":
            fix = f"add null to the enum at {owner} and set `nullable: true`"
            reason = f"the schema is not nullable and the enum {enum!r} lacks null"
        elif keyword == "type":
            fix = f"add `nullable: true` to the schema at {owner}"
            reason = f"the schema (type {schema.get('type')!r}) is not nullable"
        else:
            fix = f"allow null at {owner}: add `nullable: true` to a typed branch of its {keyword}"
            reason = f"no branch of its {keyword} allows null"
        return Cause(spec.source, owner, "null", fix, endpoint, f"null is not allowed: {reason}")
    if keyword == "enum":
        # Keyed on the value: accepting one value at a pointer must not accept the next new one.
        return Cause(spec.source, owner, f"enum:{_enum_value(instance)}", f"add {_short(instance)} to the enum at {owner}", endpoint)
    if keyword == "type":
        wanted = _json_type(instance)
        return Cause(spec.source, owner, "type", f"the schema at {owner} says type {schema.get('type')!r}; traffic sends {wanted}", endpoint)
    if keyword == "required" and isinstance(instance, dict):
        named = _REQUIRED.match(message)  # jsonschema reports each missing property on its own
        missing = [r for r in schema.get("required") or [] if r not in instance]
        name = named.group(1) if named else missing[0] if missing else "?"
        return Cause(spec.source, owner, f"required:{name}", f"drop {name!r} from `required` at {owner}", endpoint)
    if keyword == "additionalProperties":
        return Cause(spec.source, owner, "additionalProperties", f"document the extra properties in `properties` at {owner}", endpoint)
    return Cause(spec.source, owner, keyword, f"relax `{keyword}` at {owner} to accept what traffic sends", endpoint)


def _resolve(spec: Spec, pointer: str) -> dict[str, Any]:
    try:
        node = spec.resolve(pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return {}
    return node if isinstance(node, dict) else {}


def _enum_value(value: Any, limit: int = 80) -> str:
    """The offending value as compact JSON; a long one by its digest, so distinct values never share a key."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr)
    return text if len(text) <= limit else "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
