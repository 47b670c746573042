"""What a page leaves unchecked: no spec link at all (CT114), a GitBook placeholder instead of one (CT115), a
tracked model its specs do not document (CT116). Each names, where one is loaded, the spec documenting the model.

Catalogue-wide: the spec that documents a page's model is often linked from another page or only found
by `--specs`, so these look at every loaded spec of the run, not only the page's own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..findings import Code, Finding, Severity
from ..sources import DEFAULT_DOCS_BASE, DocSet, Spec
from ..sources.base import is_placeholder
from ..sources.models import spec_models, specs_documenting

# `"model": "x"` in JSON/JS/cURL payloads, `model="x"` in Python calls: what the page's samples ask for.
_MODEL = re.compile(r"""["']?\bmodel["']?\s*[:=]\s*["']([A-Za-z0-9][\w.:/@+-]{1,120})["']""")


def page_models(text: str) -> list[str]:
    """The models a page's samples request, in page order, without repeats."""
    return list(dict.fromkeys(m.group(1) for m in _MODEL.finditer(text)))


def iter_coverage_findings(docsets: Sequence[DocSet], tracked_models: Mapping[str, str] | None = None) -> Iterator[Finding]:
    """CT114/CT115/CT116 for every loaded page of the run."""
    specs = list({s.source: s for ds in docsets for s in ds.specs.values()}.values())
    for docset in docsets:
        if docset.page_text is None or docset.spec_only:
            continue
        models = page_models(docset.page_text)
        tracked = (tracked_models or {}).get(docset.page, "")
        if tracked and tracked not in models:
            models.insert(0, tracked)
        hint = _documenting_hint(specs, models)
        if not docset.links:
            yield Finding(
                Code.DOC_PAGE_NO_SPEC_LINK, Severity.WARNING, docset.page,
                "the page embeds no OpenAPI operation (no openapi-operation, openapi or swagger block), so none of its "
                "examples or samples is checked against a schema" + (f"; {hint[0]}" if hint else ""),
                line=1, anchor="spec-link", fix=hint[1] if hint else "embed the operation with {% openapi-operation %} and its spec link",
            )
        for link in docset.links:
            if is_placeholder(link.url):
                yield Finding(
                    Code.DOC_SPEC_LINK_PLACEHOLDER, Severity.ERROR, docset.page,
                    f"the operation's spec link is GitBook's placeholder `{link.url}` (the embedded spec was lost), so "
                    f"readers see \"Broken link\" and {link.endpoint or 'the operation'} is unchecked" + (f"; {hint[0]}" if hint else ""),
                    line=link.line, endpoint=link.endpoint, anchor=f"{link.tag}:{link.spec_id or link.path}",
                    fix=hint[1] if hint else "re-attach the spec in GitBook (or link its raw.githubusercontent.com URL) between the tags",
                )
        if tracked and docset.specs:
            named = [s for s in docset.specs.values() if spec_models(s)]
            if named and not any(tracked in spec_models(s) for s in named):
                documented = sorted({m for s in named for m in spec_models(s)})
                yield Finding(
                    Code.TRACKED_MODEL_UNDOCUMENTED, Severity.WARNING, docset.page,
                    f"the manifest tracks this page for `{tracked}`, but its specs document {', '.join(f'`{m}`' for m in documented[:5])}",
                    line=1, anchor="manifest-model",
                    fix="correct the `model` of this page in specs/manifest.json, or link the spec that documents it",
                )


def with_documenting_specs(findings: Iterable[Finding], docsets: Sequence[DocSet]) -> Iterator[Finding]:
    """The findings, each broken spec link (CT302) naming in its fix the loaded spec that documents the page's model."""
    specs = list({s.source: s for ds in docsets for s in ds.specs.values()}.values())
    texts = {ds.page: ds.page_text for ds in docsets if ds.page_text is not None and not ds.spec_only}
    for finding in findings:
        if finding.code is Code.DOC_SPEC_LINK_BROKEN and finding.source in texts:
            hint = _documenting_hint(specs, page_models(texts[finding.source] or ""))
            if hint:
                finding = dataclasses.replace(finding, fix=f"{finding.fix}; " + hint[1] if finding.fix else
                                              f"{hint[0][0].upper()}{hint[0][1:]}: {hint[1]}")
        yield finding


def _documenting_hint(specs: Sequence[Spec], models: list[str]) -> tuple[str, str] | None:
    """(message part, fix) naming the loaded spec that documents the page's model, if one does."""
    for model in models:
        found = specs_documenting(specs, model)
        if found:
            rel = found[0].source
            return (f"`{rel}` documents its model `{model}`",
                    f"link it: [{rel.rsplit('/', 1)[-1]}]({DEFAULT_DOCS_BASE}{rel}) inside an openapi-operation block")
    return None
