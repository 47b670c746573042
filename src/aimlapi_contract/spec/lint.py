"""Is a spec valid OpenAPI 3.0, and does it say what it means? Findings with JSON pointers into the spec."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..findings import Code, Finding, Severity, pointer_from_path
from ..sources import Spec
from .conformance import iter_openapi_errors
from .validity import explained

# What the findings depend on besides the spec bytes: the key of their on-disk cache (check.py).
LINT_RULES = Path(__file__)
LINT_LIBRARY = ("openapi-spec-validator", "jsonschema-rs")  # the errors; the engine that vouches for valid parts

_SCHEMA_KEYS = ("schema", "items", "not", "additionalProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def iter_spec_findings(spec: Spec) -> Iterator[Finding]:
    """Every conformance problem of one spec, each at its JSON pointer; a spec too broken to check is one finding."""
    for check in (_openapi_errors, _nullable_problems, _unapplied_security):
        try:
            yield from check(spec)
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - a malformed spec breaks validators in many ways
            # e.g. a path item that is a number (KeyError inside the validator), a $ref cycle (RecursionError)
            yield Finding(
                Code.SPEC_INVALID_OPENAPI,
                Severity.ERROR,
                spec.source,
                f"not valid OpenAPI 3.0: too malformed to check ({type(exc).__name__}: {_short(str(exc), 120)})",
                anchor=check.__name__.lstrip("_"),
                fix="make the document valid OpenAPI 3.0 (run it through an OpenAPI editor), then re-check",
            )


def _openapi_errors(spec: Spec) -> Iterator[Finding]:
    taken: dict[str, int] = {}
    for error in iter_openapi_errors(spec.data):  # spec/conformance.py: the library's errors, fast
        cause = _meant(error)
        pointer, reason, anchor = explained(spec, cause, taken)  # spec/validity.py: absolute pointer, whole reason
        fix = ""
        if cause.validator == "required" and "'description'" in cause.message and "/responses/" in pointer:
            fix = f'add "description" (e.g. "OK") to the response object at {pointer}'
        yield Finding(
            Code.SPEC_INVALID_OPENAPI,
            Severity.ERROR,
            spec.source,
            f"not valid OpenAPI 3.0: {reason}",
            pointer=pointer,
            endpoint=_endpoint_of(pointer),
            fix=fix,
            anchor=anchor,
            **spec.location(pointer),
        )


def _meant(error: Any, depth: int = 0) -> Any:
    """The error under a oneOf/anyOf that was meant: never the Reference branch ($ref required); the deepest one."""
    if error.validator not in ("oneOf", "anyOf") or not error.context or depth > 20:
        return error
    meant = [c for c in error.context if "'$ref' is a required property" not in c.message]
    if not meant:
        return error
    # Deepest first; among equally deep, the least path: jsonschema orders the context by set iteration
    # (additionalProperties' extra keys), which changes with PYTHONHASHSEED, and findings must not.
    best = min(meant, key=lambda c: (-len(c.absolute_path), [str(p) for p in c.absolute_path]))
    return _meant(best, depth + 1)


def _nullable_problems(spec: Spec) -> Iterator[Finding]:
    for path, schema in _iter_schemas(spec.data, lambda schema: schema.get("nullable") is True):
        pointer = pointer_from_path(path)
        if "type" not in schema:
            yield Finding(
                Code.SPEC_NULLABLE_WITHOUT_TYPE,
                Severity.WARNING,
                spec.source,
                "`nullable: true` has no effect in a schema without `type` (OpenAPI 3.0.3); "
                "validators and mock servers then treat the schema inconsistently",
                pointer=pointer,
                endpoint=_endpoint_of(pointer),
                **spec.location(pointer),
                fix="give this schema a `type`, or move `nullable: true` into the branch schemas that have one",
            )
        enum = schema.get("enum")
        if isinstance(enum, list) and None not in enum:
            yield Finding(
                Code.SPEC_NULLABLE_ENUM_WITHOUT_NULL,
                Severity.WARNING,
                spec.source,
                f"`nullable: true` with an `enum` that lacks null: null is still rejected "
                f"(OpenAPI 3.0.3); enum is {enum!r}",
                pointer=pointer,
                endpoint=_endpoint_of(pointer),
                **spec.location(pointer),
                fix=f"add null to the enum at {pointer}/enum",
            )


def _unapplied_security(spec: Spec) -> Iterator[Finding]:
    schemes = ((spec.data.get("components") or {}).get("securitySchemes") or {})
    if not schemes:
        return
    applied: set[str] = set()
    for requirement in spec.data.get("security") or []:
        applied.update(requirement)
    for op in spec.operations():
        for requirement in op.data.get("security") or []:
            applied.update(requirement)
    for name in schemes:
        if name in applied:
            continue
        yield Finding(
            Code.SPEC_SECURITY_UNAPPLIED,
            Severity.WARNING,
            spec.source,
            f"security scheme `{name}` is defined but no `security` requirement applies it, "
            "so the spec documents no authentication",
            pointer=pointer_from_path(["components", "securitySchemes", name]),
            **spec.location(pointer_from_path(["components", "securitySchemes", name])),
            fix=f'add a top-level "security": [{{"{name}": []}}]',
        )


def _iter_schemas(node: Any, keep: Callable[[dict[str, Any]], bool]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """Every schema object in the document that `keep` keeps, found structurally (no $ref following), in document order.

    A stack, not nested generators (each object found would climb back up through every level), and each
    object's path a link to its parent's, made a list only for the schemas kept.
    """
    stack: list[tuple[Any, Any, int]] = [(node, None, 0)]  # (value, (key, parent's link) or None, depth)
    while stack:
        current, link, depth = stack.pop()
        if isinstance(current, dict):
            if depth and keep(current) and _is_schema_position(link, depth):
                yield _path(link), current
            children: Any = current.items()
        elif isinstance(current, list):
            children = enumerate(current)
        else:
            continue
        stack.extend((value, (key, link), depth + 1) for key, value in reversed(list(children)) if isinstance(value, (dict, list)))


def _is_schema_position(link: Any, depth: int) -> bool:
    last = link[0]
    if last == "schema" or last in _SCHEMA_KEYS[1:]:
        return True
    if depth >= 2:
        parent = link[1][0]
        if parent in _SCHEMA_LISTS and isinstance(last, int) or parent == "properties":
            return True
    return depth == 3 and [link[1][1][0], link[1][0]] == ["components", "schemas"]


def _path(link: Any) -> list[Any]:
    path = []
    while link is not None:
        path.append(link[0])
        link = link[1]
    return path[::-1]


def _endpoint_of(pointer: str) -> str:
    parts = pointer.split("/")
    if len(parts) >= 4 and parts[1] == "paths":
        return f"{parts[3].upper()} {parts[2].replace('~1', '/').replace('~0', '~')}"
    return ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
