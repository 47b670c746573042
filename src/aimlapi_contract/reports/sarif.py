"""SARIF 2.1.0 for code scanning: one rule per catalogue code, results located in the docs repository.

Published pages and specs are located relative to `DOCSROOT` (the docs repository at the fetched
revision, also named in `versionControlProvenance`), the project's own files (cassettes, the
baseline) relative to `%SRCROOT%`. `partialFingerprints` carry `Finding.fingerprint`, so an alert
survives unrelated edits; baselined findings are reported as externally suppressed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..findings import Code, Finding, Severity
from .context import ReportContext
from .json_layout import dumps_with_rows
from .triage import triage_view

if TYPE_CHECKING:
    from .model import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "aimlapiContract/v1"
# GitHub code scanning takes at most this many results per run; root causes and errors go first.
MAX_RESULTS = 5000
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_HEADING = re.compile(r"^### (CT\d{3}) (.+?) \(([^)]*)\)\s*$", re.M)


def catalogue(path: Path | None = None) -> dict[str, tuple[str, str, str]]:
    """code -> (title, severity, text) from the finding catalogue: docs/findings.md, shipped in the package as
    `aimlapi_contract/findings.md` (a link to it in the source tree), so it is found from any directory."""
    try:
        if path is None:
            text = resources.files("aimlapi_contract").joinpath("findings.md").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    found = {}
    heads = list(_HEADING.finditer(text))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end() : end].split("\n## ", 1)[0].strip()
        severity = next((w for w in ("error", "warning", "info") if m.group(3).startswith(w)), "warning")
        found[m.group(1)] = (m.group(2), severity, body)
    return found


def _rules(found: dict[str, tuple[str, str, str]]) -> list[dict[str, Any]]:
    rules = []
    for c in Code:
        title, severity, text = found.get(c.value, (c.name.lower().replace("_", " "), "warning", ""))
        rule: dict[str, Any] = {
            "id": c.value,
            "name": "".join(w.capitalize() for w in c.name.split("_")),
            "shortDescription": {"text": f"{c.value} {title}"},
            "defaultConfiguration": {"level": _LEVEL[Severity.from_label(severity)]},
            "properties": {"tags": ["documentation", "api-contract"]},
        }
        # Code scanning requires both on every rule (GH2012); a code the catalogue lacks still says what it is.
        text = text or f"{c.value}: {title}. See docs/findings.md."
        rule["fullDescription"] = {"text": text.split("\n\n", 1)[0].replace("\n", " ")}
        rule["help"] = {"text": text, "markdown": text}
        rules.append(rule)
    return rules


def render_sarif(report: Report, context: ReportContext | None = None, catalogue_path: Path | None = None) -> str:
    """The report as a SARIF 2.1.0 log with one run."""
    context = context or ReportContext.from_report(report)
    rules = _rules(catalogue(catalogue_path))
    index = {r["id"]: i for i, r in enumerate(rules)}
    baselined = {id(f) for f in report.triage.baselined}
    # Triage order (root causes, then the findings behind them, then the rest): code scanning lists results
    # as given, and what survives the cap is what explains the rest.
    ordered = triage_view(report).ordered()
    kept, dropped = ordered[:MAX_RESULTS], len(ordered) - MAX_RESULTS
    results = [_result(f, context, index, id(f) in baselined) for f in kept]
    # Equal keys (two failures at one pointer of one event) still need distinct fingerprints.
    seen: Counter[str] = Counter()
    for result in results:
        fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
        seen[fingerprint] += 1
        if seen[fingerprint] > 1:
            result["partialFingerprints"][FINGERPRINT_KEY] = f"{fingerprint}:{seen[fingerprint]}"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "aimlapi-contract",
                "version": __version__,
                "informationUri": f"{context.repo}",
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            "DOCSROOT": {
                "uri": f"{context.repo}/blob/{context.ref}/",
                "description": {"text": "The published docs repository at the checked revision"},
            },
            "%SRCROOT%": {"description": {"text": "This project's repository (cassettes, baseline)"}},
        },
        "versionControlProvenance": [
            {"repositoryUri": context.repo, "branch" if not _is_sha(context.ref) else "revisionId": context.ref,
             "mappedTo": {"uriBaseId": "DOCSROOT"}},
            _project_provenance(),
        ],
        "results": results,
        "properties": {"summary": {k: v for k, v in report.summary().items() if k != "sources"}},
    }
    if dropped > 0:
        run["properties"]["omittedResults"] = dropped
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [{"level": "warning", "message": {
            "text": f"{dropped} lower-priority results omitted: code scanning takes at most {MAX_RESULTS} (see the JSON report)"}}]}]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps_with_rows(log, ("runs", 0, "results"))  # a result per line: reports/json_layout.py


def _result(f: Finding, context: ReportContext, index: dict[str, int], baselined: bool) -> dict[str, Any]:
    line = context.line_of(f)
    text = f.message + (f" Fix: {f.fix}" if f.fix else "")
    physical: dict[str, Any] = {
        "artifactLocation": _artifact(f.source, context),
        # Code scanning needs a region; a finding about a whole document sits on its first line.
        "region": {"startLine": line or 1},
    }
    if f.column and f.line:
        physical["region"]["startColumn"] = f.column
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.pointer or f.endpoint:
        location["logicalLocations"] = [
            {"fullyQualifiedName": f.pointer or f.endpoint, "kind": "member" if f.pointer else "function",
             **({"name": f.endpoint} if f.endpoint else {})}
        ]
    result: dict[str, Any] = {
        "ruleId": f.code.value,
        "ruleIndex": index[f.code.value],
        "level": _LEVEL[f.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "baselineState": "unchanged" if baselined else "new",
        "properties": {"endpoint": f.endpoint, "pointer": f.pointer, "anchor": f.anchor},
    }
    if baselined:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": "accepted in specs/baseline.json"}]
    return result


def _artifact(source: str, context: ReportContext) -> dict[str, str]:
    if context.in_docs_repo(source):
        return {"uri": quote(source), "uriBaseId": "DOCSROOT"}
    path = Path(source)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return {"uri": path.as_uri()}  # outside the project: an absolute file URI, no base
    return {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}


def _project_provenance() -> dict[str, Any]:
    """This project's repository, where cassettes and the baseline live: from GitHub Actions' environment when
    there, else the working directory as a file URI, so every result's base names a repository (SARIF2007)."""
    server, repo, sha = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    entry: dict[str, Any] = {"repositoryUri": f"{server}/{repo}" if server and repo else Path.cwd().resolve().as_uri() + "/",
                             "mappedTo": {"uriBaseId": "%SRCROOT%"}}
    if sha:
        entry["revisionId"] = sha
    return entry


def _is_sha(ref: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{7,40}", ref))
