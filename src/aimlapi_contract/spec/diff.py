"""What changed between two versions of an OpenAPI 3.0 spec, by operation and JSON path, breaking or not.

Operations, parameters, request bodies and responses are matched by path, method, name and status;
their schemas are compared by meaning in schemadiff. Documentation-only edits (descriptions,
examples, code samples) are folded into one compatible change per endpoint.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..findings import Code, Finding, Severity, pointer_from_path
from ..sources import HTTP_METHODS
from .canonical import DOC_KEYWORDS
from .schema_diff import Change, SchemaDiff

NO_CHANGE = "no semantic change"


@dataclass(slots=True)
class SpecDiff:
    """Every semantic change between `old` and `new`, breaking ones first."""

    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def compatible(self) -> list[Change]:
        return [c for c in self.changes if not c.breaking]


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> SpecDiff:
    """Compare two parsed specs (the JSON as published)."""
    result = SpecDiff()
    add = result.changes.append
    old_paths, new_paths = _dict(old.get("paths")), _dict(new.get("paths"))
    for path in sorted(old_paths.keys() | new_paths.keys()):
        old_item, new_item = _dict(old_paths.get(path)), _dict(new_paths.get(path))
        for method in HTTP_METHODS:
            o, n = old_item.get(method), new_item.get(method)
            endpoint = f"{method.upper()} {path}"
            pointer = pointer_from_path(["paths", path, method])
            if isinstance(o, dict) and not isinstance(n, dict):
                add(Change(True, endpoint, pointer, endpoint, f"operation {endpoint} removed (in the old spec)", "operation-removed"))
            elif isinstance(n, dict) and not isinstance(o, dict):
                add(Change(False, endpoint, pointer, endpoint, f"operation {endpoint} added", "operation-added"))
            elif isinstance(o, dict) and isinstance(n, dict) and o != n:
                _diff_operation(o, n, old, new, endpoint, ["paths", path, method], add)
    _diff_document(old, new, add)
    result.changes.sort(key=lambda c: (not c.breaking, c.endpoint, _natural(c.pointer), c.keyword))
    return result


def _diff_operation(o: dict[str, Any], n: dict[str, Any], old_doc: dict[str, Any], new_doc: dict[str, Any],
                    endpoint: str, base: list[Any], add: Any) -> None:
    schemas = SchemaDiff(endpoint, add, old_doc, new_doc)
    # Parameters, by (in, name).
    op_params = {(p.get("in"), p.get("name")): (i, p) for i, p in enumerate(o.get("parameters") or []) if isinstance(p, dict)}
    np_params = {(p.get("in"), p.get("name")): (i, p) for i, p in enumerate(n.get("parameters") or []) if isinstance(p, dict)}
    for key in sorted(op_params.keys() - np_params.keys(), key=str):
        add(Change(True, endpoint, pointer_from_path([*base, "parameters", op_params[key][0]]), f"{key[0]} parameter `{key[1]}`",
                   f"{key[0]} parameter `{key[1]}` removed (in the old spec)", "parameter-removed"))
    for key in sorted(np_params.keys() - op_params.keys(), key=str):
        i, p = np_params[key]
        required = bool(p.get("required"))
        add(Change(required, endpoint, pointer_from_path([*base, "parameters", i]), f"{key[0]} parameter `{key[1]}`",
                   f"{key[0]} parameter `{key[1]}` added ({'required' if required else 'optional'})", "parameter-added"))
    for key in sorted(op_params.keys() & np_params.keys(), key=str):
        (_, po), (j, pn) = op_params[key], np_params[key]
        where = f"{key[0]} parameter `{key[1]}`"
        if not po.get("required") and pn.get("required"):
            add(Change(True, endpoint, pointer_from_path([*base, "parameters", j]), where, f"{where} is now required", "required-added"))
        schemas.compare(po.get("schema", {}), pn.get("schema", {}), [*base, "parameters", j, "schema"], where, request=True)
    # Request body.
    ob, nb = _dict(o.get("requestBody")), _dict(n.get("requestBody"))
    if nb.get("required") and not ob.get("required"):
        add(Change(True, endpoint, pointer_from_path([*base, "requestBody"]), "request body", "request body is now required", "required-added"))
    _diff_content(schemas, _dict(ob.get("content")), _dict(nb.get("content")), [*base, "requestBody", "content"], "request body", True, add)
    # Responses, by status.
    ors, nrs = _dict(o.get("responses")), _dict(n.get("responses"))
    for status in sorted(ors.keys() | nrs.keys()):
        where = f"response {status}"
        pointer = pointer_from_path([*base, "responses", status])
        if status not in nrs:
            add(Change(True, endpoint, pointer, where, f"{where} removed (in the old spec)", "response-removed"))
        elif status not in ors:
            add(Change(False, endpoint, pointer, where, f"{where} added", "response-added"))
        else:
            _diff_content(schemas, _dict(ors[status].get("content")), _dict(nrs[status].get("content")),
                          [*base, "responses", status, "content"], where, False, add)
            _doc_keys(ors[status], nrs[status], [*base, "responses", status], schemas)
    if o.get("security") != n.get("security"):
        _diff_security(o.get("security"), n.get("security"), endpoint, pointer_from_path([*base, "security"]), add)
    _doc_keys(o, n, base, schemas)
    if schemas.doc_changes:
        add(_doc_change(endpoint, schemas.doc_changes))


def _diff_content(schemas: SchemaDiff, oc: dict[str, Any], nc: dict[str, Any], base: list[Any], where: str,
                  request: bool, add: Any) -> None:
    for media in sorted(oc.keys() | nc.keys()):
        pointer = pointer_from_path([*base, media])
        label = f"{where} ({media})" if len(oc.keys() | nc.keys()) > 1 else where
        if media not in nc:
            add(Change(True, schemas.endpoint, pointer, label, f"{label}: media type {media} removed (in the old spec)", "media-type-removed"))
        elif media not in oc:
            # A new request media type is an extra option; a new response one is something clients may now receive.
            add(Change(not request, schemas.endpoint, pointer, label, f"{label}: media type {media} added", "media-type-added"))
        else:
            schemas.compare(_dict(oc[media]).get("schema", {}), _dict(nc[media]).get("schema", {}), [*base, media, "schema"],
                            label, request=request)
            _doc_keys(oc[media], nc[media], [*base, media], schemas)


def _diff_security(old: Any, new: Any, endpoint: str, pointer: str, add: Any) -> None:
    before = {json.dumps(r, sort_keys=True) for r in old or []}
    after = {json.dumps(r, sort_keys=True) for r in new or []}
    # More requirement alternatives are more ways in; a new one where there was none shuts clients out.
    breaking = bool(before - after) or (not before and bool(after))
    add(Change(breaking, endpoint, pointer, "security", f"security requirements changed from {sorted(before) or 'none'} "
               f"to {sorted(after) or 'none'}", "security"))


def _diff_document(old: dict[str, Any], new: dict[str, Any], add: Any) -> None:
    old_servers = {s.get("url") for s in old.get("servers") or [] if isinstance(s, dict)}
    new_servers = {s.get("url") for s in new.get("servers") or [] if isinstance(s, dict)}
    for url in sorted(old_servers - new_servers, key=str):
        add(Change(True, "", "/servers", "servers", f"server {url} removed", "server-removed"))
    for url in sorted(new_servers - old_servers, key=str):
        add(Change(False, "", "/servers", "servers", f"server {url} added", "server-added"))
    if old.get("security") != new.get("security"):
        _diff_security(old.get("security"), new.get("security"), "", "/security", add)
    osch = _dict(_dict(old.get("components")).get("securitySchemes"))
    nsch = _dict(_dict(new.get("components")).get("securitySchemes"))
    for name in sorted(osch.keys() | nsch.keys()):
        pointer = pointer_from_path(["components", "securitySchemes", name])
        if name not in nsch:
            add(Change(True, "", pointer, "security scheme", f"security scheme `{name}` removed (in the old spec)", "scheme-removed"))
        elif name not in osch:
            add(Change(False, "", pointer, "security scheme", f"security scheme `{name}` added", "scheme-added"))
        elif _scheme_meaning(osch[name]) != _scheme_meaning(nsch[name]):
            add(Change(True, "", pointer, "security scheme", f"security scheme `{name}` changed from "
                       f"{_scheme_meaning(osch[name])} to {_scheme_meaning(nsch[name])}", "scheme-changed"))
        elif osch[name] != nsch[name]:
            add(_doc_change("", [(pointer, "securityScheme")]))
    if old.get("openapi") != new.get("openapi"):
        add(Change(False, "", "/openapi", "openapi", f"OpenAPI version {old.get('openapi')} -> {new.get('openapi')}", "openapi"))
    if old.get("info") != new.get("info"):
        add(_doc_change("", [("/info", "info")]))


# What a client must do differently when these change, per scheme type (OpenAPI 3.0.3 4.7.27); every
# other field (`description`, `bearerFormat`, an `in` or `name` on an http scheme, where they mean nothing) only documents.
_SCHEME_FIELDS = {"apiKey": ("type", "name", "in"), "http": ("type", "scheme"), "oauth2": ("type", "flows"),
                  "openIdConnect": ("type", "openIdConnectUrl")}


def _scheme_meaning(scheme: Any) -> dict[str, Any]:
    if not isinstance(scheme, dict):
        return {"scheme": scheme}
    fields = _SCHEME_FIELDS.get(str(scheme.get("type")), tuple(k for k in scheme if k != "description" and not k.startswith("x-")))
    meaning: dict[str, Any] = {k: scheme.get(k) for k in fields if k in scheme}
    name = meaning.get("scheme")
    if isinstance(name, str):
        meaning["scheme"] = name.lower()  # RFC 7235: auth scheme names are case-insensitive
    return meaning


def _doc_keys(o: dict[str, Any], n: dict[str, Any], base: list[Any], schemas: SchemaDiff) -> None:
    for key in sorted(set(o) | set(n)):
        if (key in DOC_KEYWORDS or key.startswith("x-") or key == "operationId") and o.get(key) != n.get(key):
            schemas.doc_changes.append((pointer_from_path([*base, key]), key))


def _doc_change(endpoint: str, places: list[tuple[str, str]]) -> Change:
    counts = Counter(k for _, k in places)
    summary = ", ".join(f"{k} ×{n}" for k, n in sorted(counts.items()))
    # additionalProperties counts here only outside request bodies, where it changes nothing a client relies on.
    what = "documentation and response-validation changes" if "additionalProperties" in counts else "documentation-level changes"
    return Change(False, endpoint, places[0][0], "documentation", f"{what} in {len(places)} place(s): {summary}", "docs")


def _natural(pointer: str) -> list[tuple[int, str]]:
    """Sort key: `/oneOf/9` before `/oneOf/16`."""
    return [(int(p), "") if p.isdigit() else (-1, p) for p in pointer.split("/")]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def render_diff_text(diff: SpecDiff, old_label: str = "old", new_label: str = "new") -> str:
    """What changed, breaking first, grouped by endpoint; "no semantic change" when nothing did."""
    lines = [f"{old_label} -> {new_label}"]
    if not diff.changes:
        return "\n".join([*lines, NO_CHANGE]) + "\n"
    for title, changes in (("BREAKING for clients", diff.breaking), ("compatible", diff.compatible)):
        if not changes:
            continue
        lines.append(f"{title} ({len(changes)}):")
        for c in changes:
            lines.append(f"  {c.endpoint or '(document)'}: {c.message}")
            lines.append(f"      at {c.pointer}")
    lines.append(f"{len(diff.breaking)} breaking, {len(diff.compatible)} compatible")
    return "\n".join(lines) + "\n"


def diff_as_dict(diff: SpecDiff) -> dict[str, Any]:
    """The diff as JSON-ready data."""
    return {
        "summary": {"breaking": len(diff.breaking), "compatible": len(diff.compatible)},
        "changes": [
            {"breaking": c.breaking, "endpoint": c.endpoint, "pointer": c.pointer, "where": c.where,
             "message": c.message, "keyword": c.keyword}
            for c in diff.changes
        ],
    }


def change_findings(diff: SpecDiff, source: str, old_sha: str, new_sha: str) -> list[Finding]:
    """The changes of a spec against its locked version, as findings (CT501 breaking, CT502 compatible)."""
    findings = []
    for c in diff.changes:
        code, severity = (Code.SPEC_CHANGE_BREAKING, Severity.WARNING) if c.breaking else (Code.SPEC_CHANGE_COMPATIBLE, Severity.INFO)
        findings.append(
            Finding(
                code, severity, source, f"since the locked version {old_sha[:12]}…: {c.message}",
                pointer=c.pointer, endpoint=c.endpoint, anchor=c.keyword,
                fix="update clients and examples, then accept with `aimlapi-contract fetch --update-lock`" if c.breaking
                else "accept with `aimlapi-contract fetch --update-lock`",
                extra={"new_sha256": new_sha, "old_sha256": old_sha},
            )
        )
    return findings
