"""The docs-drift lint: every link, example and code sample on a page (and in its specs) against the specs.

Each block is checked on its own, so a broken one (unterminated fence, invalid Python) never stops
the others. Findings are pinned to the page line (or the spec pointer) and keyed by an anchor such
as "example" or "sample:python#1" (the n-th such block of that endpoint), which survives edits
elsewhere on the page.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..findings import Code, Finding, Severity
from ..sources import DocSet, JsonLocator, Operation, Spec, documenting_operation, relative_link
from ..sources.base import is_placeholder, repository_ref
from ..validation import (
    SchemaEngine,
    endpoint_kind,
    enum_fix,
    iter_semantic_findings,
    unusable_schema,
    validate,
    violation_cause,
)
from .blocks import Block, parse_page
from .examples import ExampleReading, read_example
from .page_links import iter_broken_links
from .polls import poll_endpoint
from .sample_checks import SampleSite, SentPayload, check_sample, spec_samples
from .sample_diff import RequestSchema, iter_payload_differences
from .samples import read_sample
from .spec_examples import iter_spec_example_findings
from .stream_example import iter_stream_example_findings, stream_events

_LANG_NAMES = {"python": "Python", "javascript": "JavaScript", "shell": "cURL", "http": "HTTP"}


@dataclass(slots=True)
class _Lint:
    docset: DocSet
    engines: dict[str, SchemaEngine] = field(default_factory=dict)
    sent: dict[str, list[SentPayload]] = field(default_factory=dict)  # endpoint -> payloads, page order
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def engine(self, spec: Spec) -> SchemaEngine:
        if spec.source not in self.engines:
            self.engines[spec.source] = SchemaEngine(spec)
        return self.engines[spec.source]

    def anchor(self, kind: str, endpoint: str) -> str:
        n = self.counts.get((kind, endpoint), 0)
        self.counts[(kind, endpoint)] = n + 1
        return kind if n == 0 else f"{kind}#{n}"

    def record(self, endpoint: str, sent: SentPayload | None) -> None:
        if endpoint and sent is not None:
            self.sent.setdefault(endpoint, []).append(sent)

    def request_schema(self, endpoint: str) -> RequestSchema:
        found = self.operation(endpoint)
        if found is None:
            return RequestSchema(None, "")
        media = found[1].request_media_types()
        return RequestSchema(found[0], media.get("application/json") or next(iter(media.values()), ""))

    def operation(self, endpoint: str) -> tuple[Spec, Operation] | None:
        if not endpoint:
            return None
        method, path = endpoint.split(" ", 1)
        return documenting_operation(self.docset.specs.values(), path, method)


def iter_doc_findings(docset: DocSet, *, examples_done: set[str] | None = None) -> Iterator[Finding]:
    """Every docs-drift finding of one page and the specs it links to.

    `examples_done` (spec sources) is shared across the pages of a run: a spec's own examples are
    checked once, however many pages link it."""
    if docset.page_text is None and not docset.spec_only:
        return
    lint = _Lint(docset)
    yield from _link_findings(docset)
    page = parse_page(docset.page_text or "")  # a spec on its own (`--specs`) has no page: only its own parts below
    if docset.page_text is not None:
        yield from iter_broken_links(docset.page, docset.page_text, page)
    section_endpoint: dict[str, str] = {}
    for block in page.blocks:
        if not block.closed:
            last = block.line + block.text.count("\n")
            yield Finding(Code.DOC_FENCE_UNTERMINATED, Severity.ERROR, docset.page,
                          f"the ``` fence opened at line {block.line} is never closed; its text was read up to line {last}",
                          line=block.line, anchor=f"fence:{block.lang}", fix=f"add a closing ``` after line {last}")
        if block.is_sample:
            site = SampleSite(docset.page, block.first_line, f"{block.tab or _LANG_NAMES.get(block.lang, block.lang)} sample")
            kind = f"sample:{block.lang}"
            sample = read_sample(block.lang, block.text)
            endpoint, payload = yield from check_sample(sample, site, docset, lint.engine, partial(lint.anchor, kind))
            lint.record(endpoint, payload)
            # A sample that submits and then polls prints what the poll answers: its examples are the poll's.
            shown = (poll_endpoint(sample.polls[-1], docset) if sample.polls else "") or ("" if sample.polls else endpoint)
            if shown:
                section_endpoint.setdefault(block.section, shown)
        elif block.is_example:
            yield from _example_findings(block, lint, section_endpoint.get(block.section, ""))
    for spec in docset.specs.values():
        for sample, site, op_endpoint in spec_samples(spec):
            endpoint, payload = yield from check_sample(sample, site, docset, lint.engine, _no_anchor, op_endpoint)
            lint.record(endpoint, payload)
    for endpoint, sent in lint.sent.items():
        yield from iter_payload_differences(endpoint, sent, lint.request_schema(endpoint))
    for spec in docset.specs.values():
        if examples_done is not None:
            if spec.source in examples_done:
                continue
            examples_done.add(spec.source)
        yield from iter_spec_example_findings(spec, lint.engine(spec))


def _no_anchor(endpoint: str) -> str:
    return ""  # spec samples carry their own anchor


def _link_findings(docset: DocSet) -> Iterator[Finding]:
    for link in docset.links:
        if is_placeholder(link.url):
            continue  # GitBook's lost-spec placeholder: CT115 of its own (page/coverage.py)
        anchor = f"openapi-operation:{link.spec_id}" if link.tag == "openapi-operation" else f"{link.tag}:{link.path}"
        rel = relative_link(link.url, docset.page) if link.url else None
        problem, severity, fix = "", Severity.ERROR, ""
        if not link.url:
            problem = "the openapi-operation block has no link to its spec"
            fix = "put the spec link, e.g. [OpenAPI …](https://raw.githubusercontent.com/aimlapi/api-docs/…/spec.json), between the tags"
        elif rel is None and repository_ref(link.url):
            problem = (f"the spec link `{link.url}` names revision `{repository_ref(link.url)}` of the docs repository, "
                       "not the branch the docs base serves, so the suite cannot load it")
            fix = "link the spec at refs/heads/main"
        elif rel is None:
            # The link may well work for readers; only this suite cannot follow it: not an error.
            problem = f"the spec link `{link.url}` points outside the docs repository, so the suite cannot load it"
            severity = Severity.WARNING
            fix = "link the spec inside the docs repository (raw.githubusercontent.com/aimlapi/api-docs/…) to have it checked"
        elif rel not in docset.specs:
            # Readers who follow it get nothing usable either: a broken link is an error.
            problem = f"the linked spec `{rel}` could not be loaded (its own finding says why); this operation is unchecked"
        if problem:
            yield Finding(Code.DOC_SPEC_LINK_BROKEN, severity, docset.page, problem, line=link.line,
                          endpoint=link.endpoint, anchor=anchor, fix=fix)
            continue
        spec = docset.specs[rel]  # type: ignore[index]
        item = (spec.data.get("paths") or {}).get(link.path)
        if isinstance(item, dict) and link.method in item:
            continue
        documented = [op.endpoint for op in spec.operations()]
        guess = difflib.get_close_matches(link.endpoint, documented, n=1)
        yield Finding(Code.DOC_LINKED_OPERATION_MISSING, Severity.ERROR, docset.page,
                      f"openapi-operation asks for `{link.endpoint}` but `{rel}` documents {', '.join(documented) or 'no operation'}",
                      line=link.line, endpoint=link.endpoint, anchor=anchor,
                      fix=f'use path="{guess[0].split(" ", 1)[1]}" method="{guess[0].split()[0].lower()}"' if guess else "")


def _example_findings(block: Block, lint: _Lint, endpoint: str) -> Iterator[Finding]:
    page = lint.docset.page
    reading = read_example(block.text)
    endpoint = endpoint or _endpoint_from_words(block.section, lint.docset) or (
        _endpoint_from_value(reading.value, lint.docset) if reading.has_value else "")
    anchor = lint.anchor("example", endpoint)
    found = lint.operation(endpoint)
    spec, schema, media = None, "", {}
    if found:
        spec, op = found
        media = op.response_media_types(200) or {}
        schema = media.get("application/json") or next(iter(media.values()), "")
    events = stream_events(block.text) if found else None
    if events is not None and spec:
        # `data:` lines: the stream's events against its own schema, not one JSON document against application/json.
        yield from iter_stream_example_findings(events, spec=spec, media=media, engine=lint.engine(spec), source=page,
                                                line_of=lambda n: block.first_line + n - 1, endpoint=endpoint, anchor=anchor)
        return
    # JSON5 in a block fenced ```json5 is what the fence says: nothing to report about its syntax.
    if not reading.is_json and not (block.lang == "json5" and reading.json5_only and not (reading.prefix or reading.suffix)):
        yield _not_json(block, reading, page, endpoint, anchor, f"{spec.source}#{schema}" if spec and schema else "")
    if not reading.has_value:
        return
    if not endpoint:
        yield Finding(Code.DOC_ENDPOINT_UNKNOWN, Severity.WARNING, page,
                      "cannot tell which endpoint this example belongs to (no sample in its section, no `object`), "
                      "so it is not checked against a schema", line=block.line, anchor=anchor)
        return
    locator = JsonLocator(block.text, known_json=True) if reading.is_json else None

    def line_of(pointer: str) -> int | None:
        n = locator.line(pointer, nearest=True) if locator else None
        return block.first_line + n - 1 if n else block.line

    if spec and schema:
        violations, problem = validate(lint.engine(spec), "response", schema, reading.value)
        if problem:
            yield unusable_schema(problem, "the Response example", source=page, schema_pointer=schema,
                                  spec_source=spec.source, line=block.line, endpoint=endpoint, anchor=anchor)
        converted = " (after conversion to JSON)" if reading.converted or not reading.is_json else ""
        for v in violations:
            message = v.message
            fix = enum_fix(spec, v)
            if v.instance is None:
                # Say it in JSON terms, as for recorded traffic: `null`, and why the schema rejects it.
                cause = violation_cause(spec, endpoint, v.keyword, v.schema_pointer, None, v.message)
                message, fix = cause.reason or message, fix or cause.fix
            # Keyed on the diagnosis too: a second problem at the same member is a finding of its own.
            diagnosis = "null" if v.instance is None else v.keyword
            yield Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, page,
                          f"the Response example{converted} does not match the 200 response schema: {message}",
                          line=line_of(v.pointer), pointer=v.pointer, endpoint=endpoint, anchor=f"{anchor}:{diagnosis}", fix=fix,
                          extra={"schema_pointer": v.schema_pointer, "spec": spec.source})
    request = next((s.payload for s in lint.sent.get(endpoint, []) if isinstance(s.payload, dict)), None)
    yield from iter_semantic_findings(reading.value, endpoint=endpoint, source=page, request=request,
                                      line=block.line, line_of=line_of, anchor=anchor)


def _not_json(block: Block, reading: ExampleReading, page: str, endpoint: str, anchor: str, schema: str) -> Finding:
    """CT310 (or CT311 for JSON5-only syntax where readers copy JSON), with the converted JSON as the fix when there is one."""
    fix, extra = "", {}
    if reading.has_value:
        stray = " and ".join(f"`{t}`" for t in (reading.prefix, reading.suffix) if t)
        fix = (f"remove the stray text {stray} and " if stray else "") + \
            f"replace the block with this JSON: {json.dumps(reading.value, ensure_ascii=False)}"
        extra = {"converted": reading.value, "validated_against": schema}
    if reading.json5_only and not (reading.prefix or reading.suffix):
        fence = f"```{block.info.split()[0]}" if block.info.split() else "an unlabeled fence"
        return Finding(Code.DOC_EXAMPLE_JSON5_ONLY, Severity.WARNING, page,
                       f"the example in {fence} uses JSON5-only syntax (comments, trailing commas, single quotes or bare keys), "
                       "so it fails when copied as JSON", line=block.line, endpoint=endpoint, anchor=anchor,
                       fix=fix + " (or fence it ```json5)", extra=extra)
    return Finding(Code.DOC_EXAMPLE_NOT_JSON, Severity.ERROR, page,
                   "the Response example is not JSON: " + "; ".join(reading.problems),
                   line=block.line, endpoint=endpoint, anchor=f"{anchor}:{reading.diagnosis()}", fix=fix, detail=f"JSON parser: {reading.error}" if reading.error else "", extra=extra)


def _endpoint_from_words(title: str, docset: DocSet) -> str:
    """The linked endpoint a section title names ("…/responses…", "Chat Completions")."""
    words = title.lower()
    for link in docset.links:
        kind = endpoint_kind(link.endpoint)
        if (kind == "responses" and "responses" in words) or (kind == "chat" and "chat" in words):
            return link.endpoint
    return ""


def _endpoint_from_value(value: Any, docset: DocSet) -> str:
    kind = {"response": "responses", "chat.completion": "chat"}.get(str(value.get("object"))) if isinstance(value, dict) else None
    return next((link.endpoint for link in docset.links if kind and endpoint_kind(link.endpoint) == kind), "")
