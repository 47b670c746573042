"""The later requests of a sample (the GET that polls a video or music generation): path and query parameters.

Generation pages submit a task (POST) and then poll it (`GET …?generation_id=…`); the poll is as much
what a reader copies as the submit, so its path must be documented and its query parameters too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from ..findings import Code, Finding, Severity
from ..sources import DocSet, Operation, Spec, reached_operation
from .sample_request import Poll

FindingFactory = Callable[..., Finding]


def query_parameters(spec: Spec, op: Operation) -> dict[str, bool]:
    """Name -> required, of the operation's `in: query` parameters (path-item ones included, `$ref`s followed)."""
    item = (spec.data.get("paths") or {}).get(op.path) or {}
    found: dict[str, bool] = {}
    for raw in [*(item.get("parameters") or []), *(op.data.get("parameters") or [])]:
        param = _deref(spec, raw)
        if isinstance(param, dict) and param.get("in") == "query" and isinstance(param.get("name"), str):
            found[param["name"]] = bool(param.get("required"))
    return found


def _deref(spec: Spec, node: Any) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        try:
            return spec.resolve(node["$ref"][1:])
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


def _operation(poll: Poll, docset: DocSet) -> tuple[Spec | None, Operation | None, str]:
    return reached_operation(docset, poll.url, poll.method)


def poll_endpoint(poll: Poll, docset: DocSet) -> str:
    """The documented operation a poll reaches ("GET /v2/video/generations"); '' when none of the page's specs has it."""
    if "{…}" in poll.url:
        return ""
    op = _operation(poll, docset)[1]
    return op.endpoint if op else ""


def iter_poll_findings(poll: Poll, docset: DocSet, finding: FindingFactory) -> Iterator[Finding]:
    """CT322 for a poll no linked spec documents; CT360 for a query parameter its operation does not document; CT361 for a required one it omits."""
    if "{…}" in poll.url or not docset.specs:
        return  # the URL could not be read whole: nothing said about it
    spec, op, path = _operation(poll, docset)
    asked = f"{poll.method} {path}"

    def at(f: Finding, endpoint: str) -> Finding:
        return dataclasses.replace(f, endpoint=endpoint, anchor=f"{f.anchor}:poll:{poll.method}")

    if spec is None or op is None:
        documented = sorted({o.endpoint for sp in docset.specs.values() for o in sp.operations()})
        yield at(finding(Code.DOC_SAMPLE_UNDOCUMENTED_PATH, Severity.ERROR,
                         f"polls with `{asked}`, which no linked spec documents (documented: {', '.join(documented)})",
                         poll.line, "/poll/url"), asked)
        return
    documented_query = query_parameters(spec, op)
    for name, line in poll.query.items():
        if name not in documented_query:
            shown = ", ".join(f"`{n}`" for n in documented_query) or "none"
            yield at(finding(Code.DOC_SAMPLE_UNDOCUMENTED_QUERY, Severity.ERROR,
                             f"polls {op.endpoint} with query parameter `{name}`, which the operation does not document "
                             f"(documented: {shown})", line, f"/query/{name}",
                             fix=f"document `{name}` as an `in: query` parameter of {op.endpoint}, or use a documented one"), op.endpoint)
    for name, required in documented_query.items():
        if required and name not in poll.query:
            yield at(finding(Code.DOC_SAMPLE_MISSING_QUERY, Severity.WARNING,
                             f"polls {op.endpoint} without its required query parameter `{name}`", poll.line, f"/query/{name}",
                             fix=f"add `{name}` to the request's query"), op.endpoint)
