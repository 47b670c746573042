"""Checks of one code sample against the specs: URL host and path, headers, payload; and across languages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..findings import Code, Finding, Severity, pointer_from_path
from ..sources import DocSet, Operation, Spec, nearest_line, reached_operation
from ..validation import SchemaEngine, enum_fix, unusable_schema, validate
from .polls import iter_poll_findings
from .samples import Sample, read_sample

# x-codeSamples `lang` -> the language samples.py reads.
SPEC_SAMPLE_LANGS = {"curl": "shell", "shell": "shell", "bash": "shell", "python": "python",
                     "javascript": "javascript", "js": "javascript", "node": "javascript", "http": "http"}


@dataclass(frozen=True, slots=True)
class SampleSite:
    """Where a sample is published: a page (lines) or a spec's x-codeSamples (pointer)."""

    source: str
    first_line: int | None  # page line of the sample's first line; None in a spec
    label: str  # "Python sample", "x-codeSamples cURL sample"
    anchor: str = ""  # fixed anchor for spec samples; page samples get one per endpoint
    spec_pointer: str = ""

    def line(self, n: int | None) -> int | None:
        if self.first_line is None:
            return None
        return self.first_line + n - 1 if n else self.first_line

    def where(self, n: int | None) -> str:
        """How a message names a sample line: the page line, or the line inside the spec's sample."""
        if self.first_line is not None:
            return f"line {self.line(n)}"
        return f"sample line {n}" if n else "the sample"


@dataclass(frozen=True, slots=True)
class SentPayload:
    """What one sample sends to an endpoint, for the across-languages comparison."""

    site: SampleSite
    anchor: str
    payload: Any
    lines: dict[str, int]


def spec_samples(spec: Spec) -> Iterator[tuple[Sample, SampleSite, str]]:
    """Every readable x-codeSamples entry of a spec, with its site and the operation it documents."""
    for op in spec.operations():
        for i, entry in enumerate(op.data.get("x-codeSamples") or []):
            if not (isinstance(entry, dict) and isinstance(entry.get("source"), str)):
                continue
            lang = str(entry.get("lang", ""))
            pointer = pointer_from_path(["paths", op.path, op.method, "x-codeSamples", i, "source"])
            site = SampleSite(spec.source, None, f"x-codeSamples {lang} sample", f"x-codeSamples@{op.endpoint}:{lang}", pointer)
            yield read_sample(SPEC_SAMPLE_LANGS.get(lang.lower(), lang.lower()), entry["source"]), site, op.endpoint


def check_sample(
    sample: Sample,
    site: SampleSite,
    docset: DocSet,
    engine_for: Callable[[Spec], SchemaEngine],
    anchor_for: Callable[[str], str],
    default_endpoint: str = "",
) -> Generator[Finding, None, tuple[str, SentPayload | None]]:
    """Yield the sample's findings; return (its endpoint, what it sends) for the across-languages check."""
    spec, op, path = _locate(sample, docset)
    asked = f"{(sample.method or 'POST').upper()} {path}"
    # The page links this endpoint to a spec that could not be loaded (reported as such): nothing to check
    # its URL or payload against, and guessing a neighbouring operation would report false drift.
    unverifiable = op is None and bool(sample.url) and asked in docset.unloaded_endpoints()
    # A near-miss path (reported below) still has its payload checked against the operation it surely meant.
    meant_spec, meant = (spec, op) if op or not sample.url or unverifiable else _closest_operation(asked, docset)
    endpoint = asked if unverifiable else meant.endpoint if meant else default_endpoint
    anchor = site.anchor or anchor_for(endpoint)

    def finding(code: Code, severity: Severity, message: str, line: int | None, pointer: str = "", fix: str = "",
                diagnosis: str = "") -> Finding:
        extra = {"sample": site.spec_pointer} if site.spec_pointer else {}
        return Finding(code, severity, site.source, f"{site.label}: {message}", line=site.line(line), pointer=pointer,
                       endpoint=endpoint, fix=fix, anchor=f"{anchor}:{diagnosis}" if diagnosis else anchor, extra=extra)

    for problem, n in sample.problems:
        yield finding(Code.DOC_SAMPLE_UNPARSABLE, Severity.ERROR, f"{problem} ({site.where(n)})", n)
    if sample.url and "{…}" not in sample.url and not unverifiable:
        yield from _url_findings(sample, path, spec, op, docset, finding)
    for poll in sample.polls:
        yield from iter_poll_findings(poll, docset, finding)
    seen: dict[str, Any] = {}
    for header in sample.headers:
        first = seen.setdefault(header.name.lower(), header)
        if first is not header:
            same = first.value == header.value
            yield finding(Code.DOC_SAMPLE_DUPLICATE_HEADER, Severity.WARNING if same else Severity.ERROR,
                          f"header `{header.name}` is set twice ({site.where(first.line)} and {site.where(header.line)}); "
                          + ("the second is redundant" if same else f"the second value {header.value!r} silently replaces {first.value!r}"),
                          header.line, f"/headers/{header.name}", fix=f"delete the `{header.name}` entry at {site.where(header.line)}")
    if sample.url and sample.headers_read:
        if "authorization" not in seen:
            yield finding(Code.DOC_SAMPLE_MISSING_HEADER, Severity.ERROR, "no `Authorization` header: the request is rejected (401)",
                          sample.url_line, "/headers/Authorization", fix='add "Authorization": "Bearer <YOUR_AIMLAPI_KEY>"')
        if sample.has_payload and "content-type" not in seen and not sample.sets_json_content_type:
            yield finding(Code.DOC_SAMPLE_MISSING_HEADER, Severity.WARNING,
                          "sends a JSON body without `Content-Type: application/json`", sample.payload_line,
                          "/headers/Content-Type", fix='add "Content-Type": "application/json"')
    if sample.content_length is not None:
        declared, size, n = sample.content_length
        yield finding(Code.DOC_SAMPLE_CONTENT_LENGTH, Severity.ERROR,
                      f"`Content-Length: {declared}` but the body is {size} bytes: a server reads {declared} bytes "
                      + ("and waits for the rest" if declared > size else "and cuts the JSON short"),
                      n, "/headers/Content-Length", fix=f"set `Content-Length: {size}` (or drop the header)")
    for dup in sample.duplicate_keys:
        name = dup.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        n = dup.line or nearest_line(sample.payload_lines, dup.pointer) or sample.payload_line
        last = dup.values[-1]
        yield finding(Code.DOC_SAMPLE_DUPLICATE_KEY, Severity.WARNING if dup.same else Severity.ERROR,
                      f"the payload sets `{name}` {len(dup.values)} times at `{dup.pointer}`; "
                      + ("the repeats are redundant" if dup.same else
                         f"only the last value {_short(last)} is sent, the earlier {', '.join(_short(v) for v in dup.values[:-1])} silently dropped"),
                      n, dup.pointer, fix=f"keep one `{name}` entry in the payload")
    if not sample.has_payload:
        return endpoint, None
    if meant_spec and meant:
        media = meant.request_media_types()
        content_type = next((h.value.split(";")[0].strip() for h in sample.headers if h.name.lower() == "content-type"), "")
        documented = list((meant.data.get("requestBody") or {}).get("content") or {})
        sent = sample.media if sample.is_form else content_type or "application/json"
        matched = documented_media(documented, sent)
        if documented and matched is None:
            content = f"{meant.pointer}/requestBody/content"
            yield finding(Code.DOC_SAMPLE_UNDOCUMENTED_MEDIA_TYPE, Severity.ERROR,
                          f"sends a `{sent}` body, but the spec documents only {', '.join(f'`{d}`' for d in documented)} "
                          f"for {endpoint}'s request body (at {content} in {meant_spec.source})",
                          sample.payload_line, diagnosis="media",
                          fix=f"document `{sent}` under {content}, or make the sample send {documented[0]}")
            return endpoint, None
        if sample.is_form:
            schema = media.get(matched or "", "")
        else:  # JSON: as before, the content type the sample names, else JSON, else the first documented
            schema = media.get(content_type) or media.get("application/json") or next(iter(media.values()), "")
        violations, problem = validate(engine_for(meant_spec), "request", schema, sample.payload) if schema else ([], "")
        if problem:
            yield unusable_schema(problem, f"{site.label}'s payload", source=site.source, schema_pointer=schema,
                                  spec_source=meant_spec.source, line=site.line(sample.payload_line), endpoint=endpoint, anchor=anchor)
        for v in violations:
            if is_placeholder_value(v.instance):
                continue  # `"<message>"`: the sample says "put yours here", it does not send that string
            if sample.is_form and v.keyword == "type" and isinstance(v.instance, str):
                continue  # a form field is text on the wire: the server, not the sample, gives it a type
            n = nearest_line(sample.payload_lines, v.pointer) or sample.payload_line
            yield finding(Code.DOC_SAMPLE_SCHEMA_MISMATCH, Severity.ERROR, f"the request payload does not match the "
                          f"request schema: {v.message}", n, v.pointer, fix=enum_fix(meant_spec, v), diagnosis=v.keyword)
    # A form is not compared across languages with JSON bodies: its fields are text, its files placeholders.
    return endpoint, None if sample.is_form else SentPayload(site, anchor, sample.payload, sample.payload_lines)


def documented_media(documented: list[str], sent: str) -> str | None:
    """The documented request media type that covers what a sample sends: exact, `type/*` or `*/*`; parameters ignored."""
    bare = {d.split(";")[0].strip().lower(): d for d in documented}
    major = sent.split("/")[0]
    return bare.get(sent) or bare.get(f"{major}/*") or bare.get("*/*")


def _url_findings(sample: Sample, path: str, spec: Spec | None, op: Operation | None, docset: DocSet,
                  finding: Callable[..., Finding]) -> Iterator[Finding]:
    parts = urlsplit(sample.url)
    servers = spec.servers if spec else [s for sp in docset.specs.values() for s in sp.servers]
    hosts = {urlsplit(s).netloc for s in servers}
    if hosts and parts.netloc not in hosts:
        good = (spec.servers if spec else servers)[0]
        yield finding(Code.DOC_SAMPLE_WRONG_HOST, Severity.ERROR,
                      f"sends to `{parts.scheme}://{parts.netloc}`, but the spec's server is `{good}`",
                      sample.url_line, "/url", fix=f"use `{good.rstrip('/')}{path}`")
    if op is None and docset.specs:
        documented = [o.endpoint for sp in docset.specs.values() for o in sp.operations()]
        asked = f"{sample.method or 'POST'} {path}"
        guess = difflib.get_close_matches(asked, documented, n=1)
        yield finding(Code.DOC_SAMPLE_UNDOCUMENTED_PATH, Severity.ERROR,
                      f"sends `{asked}`, which no linked spec documents (documented: {', '.join(sorted(set(documented)))})",
                      sample.url_line, "/url", fix=f"use `{guess[0]}`" if guess else "")


def _locate(sample: Sample, docset: DocSet) -> tuple[Spec | None, Operation | None, str]:
    """The spec and operation a sample's URL and method reach, and the path relative to the server."""
    if not sample.url:
        return None, None, ""
    return reached_operation(docset, sample.url, sample.method or "post")


def _closest_operation(asked: str, docset: DocSet) -> tuple[Spec | None, Operation | None]:
    ops = {o.endpoint: (sp, o) for sp in docset.specs.values() for o in sp.operations()}
    guess = difflib.get_close_matches(asked, list(ops), n=1)
    return ops[guess[0]] if guess else (None, None)


_PLACEHOLDER = re.compile(r"<[A-Za-z][\w .:/-]{0,80}>")


def is_placeholder_value(value: object) -> bool:
    """Whether a payload value is a placeholder for the reader's own (`"<message>"`, `"<YOUR_PROMPT>"`), not a value sent."""
    return isinstance(value, str) and _PLACEHOLDER.fullmatch(value.strip()) is not None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
