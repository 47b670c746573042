"""openapi-spec-validator's OpenAPI 3.0 errors for one document, the same error objects, in a fraction of the time.

The library (0.8, jsonschema backend) spends its time in pure Python: the whole document against the
OAS 3.0 meta-schema, then a walk over every schema through jsonschema-path accessors (each step
re-resolving its path), checking each top-level schema against the draft-04 meta-schema and keeping
the schemas seen in lists. Here:

- a meta-schema check asks jsonschema-rs first, and only where it rejects does jsonschema run, skipping
  (at each `$ref` of the meta-schema) every part of the document jsonschema-rs accepts: a valid part
  yields no error in either, so the errors, their paths and their oneOf context are jsonschema's own;
- the walk is the library's (validation/keywords.py), repeated in keyword_walk.py step for step with the same
  dedupe and messages, over plain dicts.

Where the two engines may disagree (whole-number floats, huge integers, keys or pattern-checked strings
that are not plain ASCII, regexes Python rejects) jsonschema decides. A document the walk over plain dicts
cannot mirror exactly (a `$id`, a non-local `$ref`, a root `$ref`, very deep nesting, a shape the library
would trip on) and any exception mean: the library itself, so even its exceptions stay the same.
$AIMLAPI_CONTRACT_REFERENCE=1 always takes the library (the differential tests compare the two).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import Any

from .keyword_walk import Distrust, Walk, local_ref

REFERENCE_ENV = "AIMLAPI_CONTRACT_REFERENCE"
_MIRRORED = "0.8."  # the openapi-spec-validator whose keyword walk keyword_walk.py repeats (validation/keywords.py)
_MAX_DEPTH = 64  # deeper documents: the library (it might recurse out where the shortcut would not)
_risky: ContextVar[frozenset[int]] = ContextVar("_risky", default=frozenset())


def iter_openapi_errors(data: dict[str, Any], *, reference: bool | None = None) -> Iterator[Any]:
    """The errors `OpenAPIV30SpecValidator(data).iter_errors()` yields on its jsonschema backend, in its order."""
    if reference is None:
        reference = os.environ.get(REFERENCE_ENV) == "1"
    if not reference:
        errors = _fast_or_none(data)
        if errors is not None:
            yield from errors
            return
    yield from library_validator_cls()(data).iter_errors()


def _fast_or_none(data: dict[str, Any]) -> list[Any] | None:
    try:
        return _fast_errors(data)
    except (Exception, RecursionError):  # noqa: BLE001 - whatever went wrong, the library says it its own way
        return None


def library_validator_cls() -> Any:
    """openapi-spec-validator's 3.0 validator on its jsonschema backend (imported here: slow, and unneeded when cached).

    From 0.8 it switches to jsonschema-rs when that is installed (the engine needs it), and those
    errors lack the oneOf context these findings are explained from.
    """
    from openapi_spec_validator import OpenAPIV30SpecValidator

    try:
        from openapi_spec_validator.schemas import schema_v30
        from openapi_spec_validator.schemas.backend.jsonschema import create_validator
    except ImportError:  # before 0.8: jsonschema is the only backend
        return OpenAPIV30SpecValidator

    class JsonschemaBackedValidator(OpenAPIV30SpecValidator):
        schema_validator = create_validator(schema_v30)

    return JsonschemaBackedValidator


def _fast_errors(data: dict[str, Any]) -> list[Any]:
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    if not _mirrors_installed_library():
        raise Distrust("the walk mirrors openapi-spec-validator 0.8; another version may walk otherwise")
    if "$ref" in data:
        raise Distrust("a root $ref")
    risky: set[int] = set()
    _survey(data, 1, risky, _patterned_names())
    token = _risky.set(frozenset(risky))
    try:
        errors = [] if id(data) not in risky and _rs_document().is_valid(data) else list(_meta_validator().iter_errors(data))
    finally:
        _risky.reset(token)
    errors += Walk(data, lambda schema: id(schema) not in risky and _rs_accepts(_rs_draft4(), schema)).root()
    # validators.wraps_errors: every error as the library's own class
    return [e if isinstance(e, OpenAPIValidationError) else OpenAPIValidationError.create_from(e) for e in errors]


@cache
def _mirrors_installed_library() -> bool:
    from importlib import metadata

    try:
        return metadata.version("openapi-spec-validator").startswith(_MIRRORED)
    except metadata.PackageNotFoundError:
        return False


def _survey(node: Any, depth: int, risky: set[int], patterned: frozenset[str]) -> bool:
    """Whether jsonschema-rs might judge the object or array `node` unlike jsonschema; risky ones' ids go to `risky`.

    Scalars are judged in the loop (a call for each would double the cost of this pass).
    """
    if depth > _MAX_DEPTH:
        raise Distrust("nested too deep")
    bad = False
    for k, v in node.items() if type(node) is dict else enumerate(node):
        kind = type(v)
        if kind is dict or kind is list:
            if _survey(v, depth + 1, risky, patterned):
                bad = True
        elif kind is str:
            # strings the meta-schema matches a pattern against; the draft-04 meta-schema's format: regex, Python's
            if k in patterned and not _plain(v) or k == "pattern" and not _regex_ok(v):
                bad = True
            elif k == "$ref" and not local_ref(v):
                raise Distrust("a non-local $ref: jsonschema-path resolves it its own way")
        elif kind is float:  # draft-04 in jsonschema: 1.0 is no integer
            if not math.isfinite(v) or v.is_integer():
                bad = True
        elif kind is int:
            if abs(v) >= 2**53:
                bad = True
        elif v is not None and kind is not bool:
            raise Distrust(f"a {kind.__name__}: not what JSON parses to")
        if type(k) is str:
            if k == "$id":
                raise Distrust("$id: jsonschema-path resolves $refs under it its own way")
            if not _plain(k):  # patternProperties: Python's `$` and `\d` differ on newlines and non-ASCII
                bad = True
    if bad:
        risky.add(id(node))
    return bad


def _plain(text: Any) -> bool:
    return isinstance(text, str) and text.isascii() and text.isprintable()


def _regex_ok(pattern: str) -> bool:
    from openapi_schema_validator import oas30_format_checker

    return bool(oas30_format_checker.conforms(pattern, "regex"))


@cache
def _patterned_names() -> frozenset[str]:
    """Property names whose string values the OAS 3.0 meta-schema matches against a `pattern` (openapi, scheme)."""
    names: set[str] = set()
    stack: list[Any] = [_oas30_meta()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(k for k, v in props.items() if isinstance(v, dict) and "pattern" in v)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(names)


@cache
def _oas30_meta() -> dict[str, Any]:
    from openapi_spec_validator.schemas import schema_v30

    return dict(getattr(schema_v30, "__wrapped__", schema_v30))


@cache
def _draft4_meta() -> dict[str, Any]:
    from openapi_schema_validator._specifications import REGISTRY

    return dict(REGISTRY.contents("http://json-schema.org/draft-04/schema#"))


@cache
def _rs_document() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(_oas30_meta(), validate_formats=False)


@cache
def _rs_definition(ref: str) -> Any:
    """jsonschema-rs on one definition of the OAS 3.0 meta-schema (`#/definitions/X`)."""
    import jsonschema_rs

    meta = _oas30_meta()
    schema = {"$schema": meta["$schema"], "id": meta["id"], "definitions": meta["definitions"], "$ref": ref}
    return jsonschema_rs.Draft4Validator(schema, validate_formats=False)


@cache
def _rs_draft4() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(_draft4_meta(), validate_formats=False)


def _accepted(ref: str, instance: Any) -> bool:
    """jsonschema-rs vouches that `instance` is valid for the meta-schema's `ref` (and so yields no error)."""
    if not ref.startswith("#/definitions/") or not isinstance(instance, (dict, list)) or id(instance) in _risky.get():
        return False
    return _rs_accepts(_rs_definition(ref), instance)


def _rs_accepts(validator: Any, instance: Any) -> bool:
    try:
        return bool(validator.is_valid(instance))
    except Exception:  # noqa: BLE001 - e.g. a string jsonschema-rs cannot take: jsonschema decides
        return False


@cache
def _meta_validator() -> Any:
    """The library's meta-schema validator (jsonschema's, for the OAS 3.0 meta-schema), its `$ref` skipping what rs accepts."""
    from jsonschema import _keywords  # type: ignore[import-untyped]
    from jsonschema.validators import extend, validator_for  # type: ignore[import-untyped]

    def ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
        if not _accepted(ref, instance):
            yield from _keywords.ref(validator, ref, instance, schema)

    meta = _oas30_meta()
    return extend(validator_for(meta), {"$ref": ref})(meta)
