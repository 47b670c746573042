"""Which tracked spec a recorded exchange is checked against: the one documenting its path *and* its request's model.

Across the catalogue, dozens of specs document `POST /v1/chat/completions`, one per model; the first
spec with the path is only right by chance. A request for a model that no tracked spec documents is a
recording of another model: that is said once (CT250), and the rest of it is still checked against a
spec with the path, without calling its `model` drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .. import limits
from ..findings import Code, Finding, Severity
from ..sources import Operation, Spec, documenting_operation
from ..sources.models import documented_models, operation_for_model
from .exchange import Exchange


@dataclass(frozen=True, slots=True)
class Route:
    """The spec and operation an exchange is checked against; `other_model` is set when no tracked spec documents its model."""

    spec: Spec
    operation: Operation
    model: str = ""
    other_model: bool = False


def request_model(exchange: Exchange) -> str:
    """The `model` of a JSON request body; '' when there is none."""
    body = exchange.request_body
    if not body or b'"model"' not in body:
        return ""
    try:
        payload = limits.loads_json(body)
    except ValueError:  # not JSON, or nested past the limit (the request check says which)
        return ""
    model = payload.get("model") if isinstance(payload, dict) else None
    return model if isinstance(model, str) else ""


def route(specs: Sequence[Spec], exchange: Exchange) -> Route | None:
    """The spec documenting the exchange's model at its path, else the first with its path; None when none has the path."""
    model = request_model(exchange)
    if model:
        hit = operation_for_model(specs, exchange.path, exchange.method, model)
        if hit is not None:
            return Route(hit[0], hit[1], model)
    found = documenting_operation(specs, exchange.path, exchange.method)
    if found is None:
        return None
    spec, op = found
    # "Another model" only when the specs with this path do name their models (an enum) and none names this one.
    named = any(documented_models(s).get(op.endpoint) for s in specs if s.documented_endpoint(exchange.path, exchange.method))
    return Route(spec, op, model, other_model=bool(model) and named)


def other_model_finding(route: Route, exchange: Exchange, specs: Iterable[Spec], *, source: str, anchor: str, line: int | None) -> Finding:
    """CT250: the recording is of a model no tracked spec documents; it is not drift of the spec it was checked against."""
    documented = sorted({m for s in specs for m in documented_models(s).get(route.operation.endpoint, ())})
    shown = ", ".join(f"`{m}`" for m in documented[:5]) + (f" and {len(documented) - 5} more" if len(documented) > 5 else "")
    return Finding(
        Code.RECORDING_OTHER_MODEL, Severity.WARNING, source,
        f"the recording is of model `{route.model}`, which no tracked spec documents at {route.operation.endpoint} "
        f"(documented: {shown}); the rest of it was checked against {route.spec.source}",
        line=line, pointer="/model", endpoint=route.operation.endpoint, anchor=f"{anchor}:request" if anchor else "request",
        fix="track the page of that model (its spec documents it), or re-record with a tracked model; "
        "adding it to this spec's enum would document a model this page is not about",
    )


def without_model_drift(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings of an other-model recording, minus its request `model` failing the tracked enum (said once by CT250)."""
    for finding in findings:
        if finding.code is Code.REQUEST_SCHEMA_MISMATCH and finding.pointer == "/model":
            continue
        yield finding
