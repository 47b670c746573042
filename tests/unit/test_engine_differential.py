"""The engine and plain openapi-core agree: same accept/reject decision, same failing JSON paths.

Over the published specs (read from the mirror), on every payload we have: the fixtures under
tests/data/engine/, the real recorded samples in ../shared/real-traffic-samples, any vcrpy cassette
in the repository, and hypothesis-made variants of them (keys dropped, wrong types, nulls, other
enum values, extra fields).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from shared_paths import MIRROR, SHARED
from hypothesis import strategies as st

from aimlapi_contract.findings import pointer_from_path
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.validation.engine import SchemaEngine

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = "docs/api-references/text-models-llm/OpenAI"
SPEC_FILES = ("gpt-4.1-nano.json", "gpt-4.1-nano-RESPONSES.json")
SERVER = "https://api.aimlapi.com"


DOCS = MIRROR  # ../shared/aimlapi-docs, a local mirror, or the documents fetched from an http(s) docs base
SAMPLES = SHARED / "real-traffic-samples"
pytestmark = pytest.mark.skipif(
    not (DOCS / SPEC_DIR / SPEC_FILES[0]).is_file(), reason=f"no published specs under {DOCS} (../shared absent)"
)


@dataclass(frozen=True)
class Case:
    """One payload and where it belongs: kind is request, response (JSON body) or event (one SSE data payload)."""

    origin: str
    endpoint: str
    kind: str
    payload: Any


@pytest.fixture(scope="module")
def specs() -> dict[str, Spec]:
    """Both published specs, by the endpoint they document."""
    out = {}
    for name in SPEC_FILES:
        spec = load_spec(name, (DOCS / SPEC_DIR / name).read_bytes())
        for op in spec.operations():
            out.setdefault(op.path, spec)
    return out


def _schema_pointer(spec: Spec, case: Case) -> str:
    op = spec.find_operation(case.endpoint, "post")
    assert op is not None
    if case.kind == "request":
        return op.request_media_types()["application/json"]
    media = op.response_media_types(200) or {}
    return media["text/event-stream" if case.kind == "event" else "application/json"]


def _core_verdict(spec: Spec, case: Case, schema_pointer: str) -> tuple[bool, set[str]]:
    """openapi-core's decision and failing paths: validate_request/validate_response, or its schema validator for an event."""
    from openapi_core.exceptions import OpenAPIError
    from openapi_core.testing import MockRequest, MockResponse
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    openapi = spec.openapi()
    try:
        if case.kind == "event":
            _core_schema_validator(spec, schema_pointer).validate(case.payload)
        else:
            data = json.dumps(case.payload).encode()
            request = MockRequest(SERVER, "post", case.endpoint, data=data if case.kind == "request" else b"{}")
            if case.kind == "request":
                openapi.validate_request(request)
            else:
                openapi.validate_response(request, MockResponse(data, status_code=200))
    except InvalidSchemaValue as exc:
        return False, {pointer_from_path(e.absolute_path) for e in exc.schema_errors}
    except OpenAPIError as exc:
        cause = exc.__cause__
        assert isinstance(cause, InvalidSchemaValue), f"{case.origin}: openapi-core failed for another reason: {exc!r}"
        return False, {pointer_from_path(e.absolute_path) for e in cause.schema_errors}
    return True, set()


_CORE_VALIDATORS: dict[tuple[str, str], Any] = {}


def _core_schema_validator(spec: Spec, schema_pointer: str) -> Any:
    from openapi_core.validation.schemas import oas30_read_schema_validators_factory

    key = (spec.sha256, schema_pointer)
    if key not in _CORE_VALIDATORS:
        path, node = spec.openapi().spec, spec.data
        for raw in schema_pointer.lstrip("/").split("/"):
            part: Any = raw.replace("~1", "/").replace("~0", "~")
            part = int(part) if isinstance(node, list) else part
            path, node = path / part, node[part]
        _CORE_VALIDATORS[key] = oas30_read_schema_validators_factory.create(spec.openapi().spec, path)
    return _CORE_VALIDATORS[key]


def assert_same_verdict(specs: dict[str, Spec], case: Case) -> None:
    """The engine accepts exactly when openapi-core does, and fails at the same JSON paths."""
    spec = specs[case.endpoint]
    pointer = _schema_pointer(spec, case)
    engine = SchemaEngine(spec)
    validate = engine.validate_request if case.kind == "request" else engine.validate_response
    violations = validate(pointer, case.payload)
    accepted, core_paths = _core_verdict(spec, case, pointer)
    assert (not violations) == accepted, f"{case.origin}: engine says {violations[:3]}, openapi-core accepted={accepted}"
    branches = {v.branch for v in violations}
    if branches - {""}:
        # Dispatched to one event type: openapi-core on the whole oneOf reports only "", so compare
        # with openapi-core on that branch, whose verdict the dispatch relies on.
        (branch,) = branches
        branch_pointer = engine._branches(pointer)[branch]  # type: ignore[index]
        accepted, core_paths = _core_verdict(spec, case, branch_pointer)
        assert not accepted
    assert {v.pointer for v in violations} == core_paths, case.origin


# ---- the payloads ---------------------------------------------------------------------------------


def _fixture_cases() -> Iterator[Case]:
    for path in sorted((ROOT / "tests" / "data" / "engine").glob("*.json")):
        data = json.loads(path.read_text())
        yield Case(path.name, data["endpoint"], data["kind"], data["payload"])


def _cassette_cases(path: Path, label: str) -> Iterator[Case]:
    """Request bodies, JSON response bodies and SSE data payloads of one vcrpy cassette; skips what is not JSON."""
    try:
        interactions = yaml.safe_load(path.read_text())["interactions"]
    except (OSError, yaml.YAMLError, TypeError, KeyError):
        return
    for n, item in enumerate(interactions or []):
        try:
            endpoint = "/" + item["request"]["uri"].split("://", 1)[1].split("/", 1)[1].split("?")[0]
            request_body = item["request"]["body"]
            response_body = item["response"]["body"]["string"]
            headers = {k.lower(): v for k, v in item["response"]["headers"].items()}
        except (TypeError, KeyError, IndexError, AttributeError):
            continue
        if endpoint not in ("/v1/chat/completions", "/v1/responses"):
            continue
        where = f"{label}#{n}"
        try:
            yield Case(where + " request", endpoint, "request", json.loads(request_body))
        except (TypeError, ValueError):
            pass
        if "event-stream" in str(headers.get("content-type")):
            for line in str(response_body).splitlines():
                data = line[5:].strip() if line.startswith("data:") else ""
                if data and data != "[DONE]":
                    try:
                        yield Case(where + " event", endpoint, "event", json.loads(data))
                    except ValueError:
                        continue
        else:
            try:
                yield Case(where + " response", endpoint, "response", json.loads(response_body))
            except (TypeError, ValueError):
                pass


def _all_cases() -> list[Case]:
    cases = list(_fixture_cases())
    for path in sorted(SAMPLES.glob("*.yaml")):
        cases += _cassette_cases(path, f"real-traffic-samples/{path.name}")
    for folder in (ROOT / "cassettes", ROOT / "tests" / "data"):
        for path in sorted(folder.rglob("*.yaml")):
            cases += _cassette_cases(path, str(path.relative_to(ROOT)))
    return cases


CASES = _all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.origin for c in CASES])
def test_same_verdict_on_every_payload(specs: dict[str, Spec], case: Case) -> None:
    assert_same_verdict(specs, case)


def test_payloads_cover_both_endpoints_kinds_and_verdicts(specs: dict[str, Spec]) -> None:
    """The differential above is only as good as its inputs: both endpoints, all kinds, valid and invalid."""
    seen = {(c.endpoint, c.kind) for c in CASES}
    assert seen >= {(e, k) for e in ("/v1/chat/completions", "/v1/responses") for k in ("request", "response", "event")}
    verdicts = {bool(SchemaEngine(specs[c.endpoint]).validate_response(_schema_pointer(specs[c.endpoint], c), c.payload)) for c in CASES if c.kind != "request"}
    assert verdicts == {True, False}


# ---- generated variants ---------------------------------------------------------------------------


def _locations(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _locations(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield path + (i,)
            yield from _locations(value, path + (i,))


@pytest.fixture(scope="module")
def enum_values(specs: dict[str, Spec]) -> list[str]:
    """Every string enum value in the specs: a plausible wrong value anywhere else."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            enum = node.get("enum")
            if isinstance(enum, list):
                found.update(v for v in enum if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in {id(s): s for s in specs.values()}.values():
        walk(spec.data)
    return sorted(found)


@st.composite
def variants(draw: st.DrawFn, cases: list[Case], enum_values: list[str]) -> Case:
    """A payload with one to three defects: a key dropped, a wrong type, a null, another enum value, an extra field."""
    case = draw(st.sampled_from(cases))
    payload = copy.deepcopy(case.payload)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        locations = list(_locations(payload))
        if not locations:
            break
        *parents, key = draw(st.sampled_from(locations))
        parent = payload
        for step in parents:
            parent = parent[step]
        how = draw(st.sampled_from(["drop", "null", "wrong type", "enum value", "extra field"]))
        if how == "drop":
            del parent[key]
        elif how == "null":
            parent[key] = None
        elif how == "wrong type":
            parent[key] = draw(st.sampled_from([0, -1, 2.5, "text", True, False, [], {}, ["x"], {"k": 1}]))
        elif how == "enum value":
            parent[key] = draw(st.sampled_from(enum_values))
        elif isinstance(parent[key], dict):
            parent[key]["x_extra"] = draw(st.sampled_from([1, "x", None]))
        done.append(f"{how} at {pointer_from_path([*parents, key])}")
    return Case(f"{case.origin} with {', '.join(done)}", case.endpoint, case.kind, payload)


SEEDS = [c for c in CASES if isinstance(c.payload, dict)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=st.data())
def test_same_verdict_on_generated_variants(specs: dict[str, Spec], enum_values: list[str], data: st.DataObject) -> None:
    case = data.draw(variants(SEEDS, enum_values))
    assert_same_verdict(specs, case)


def test_published_schemas_take_the_compiled_path(specs: dict[str, Spec]) -> None:
    """Every request, response and event schema of the published specs translates: no silent slow path."""
    slow = []
    for spec in {id(s): s for s in specs.values()}.values():
        engine = SchemaEngine(spec)
        for op in spec.operations():
            pointers = [(p, "write") for p in op.request_media_types().values()]
            pointers += [(p, "read") for p in (op.response_media_types(200) or {}).values()]
            pointers += [(b, "read") for p, _ in pointers for b in (engine._branches(p) or {}).values()]
            slow += [f"{spec.source}{p} ({d})" for p, d in pointers if engine._compiled_validator(p, d) is None]
    assert slow == []
