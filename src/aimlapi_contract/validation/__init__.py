"""The one engine verdicts come from: OpenAPI 3.0 schemas compiled with openapi-core's semantics, the
findings a violation becomes (with the spec change that would accept it), and the semantic rules on replies.
"""

from __future__ import annotations

from .causes import Cause, merged_with_copies, violation_cause
from .engine import SchemaEngine
from .schema_use import enum_fix, unusable_schema, validate
from .semantics import endpoint_kind, iter_semantic_findings

__all__ = [
    "Cause",
    "endpoint_kind",
    "enum_fix",
    "iter_semantic_findings",
    "merged_with_copies",
    "SchemaEngine",
    "unusable_schema",
    "validate",
    "violation_cause",
]
