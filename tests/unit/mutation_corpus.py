"""Mutation testing of the docs-drift lint on copies of the published page and its specs (in a temporary directory).

Harmless edits (a prompt, an optional field, formatting, JSON5 syntax in a json5 fence, key order)
must raise no new warning or error and lose no finding; injected drift of each class the lint
covers must raise a new warning or error of its code. Each edit is applied at every site it fits
(every sample on the page, every x-codeSample), so a class is measured on several instances.

Run `python tests/unit/mutation_corpus.py` for the table; tests/unit/test_mutations.py asserts it.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimlapi_contract.findings import Finding, Severity
from aimlapi_contract.page.blocks import parse_page
from aimlapi_contract.page.lint import iter_doc_findings
from aimlapi_contract.sources.base import DEFAULT_PAGE, DocsBase
from aimlapi_contract.sources.docset import load_docset
from aimlapi_contract.sources.fetch import Fetcher

SPEC_DIR = "docs/api-references/text-models-llm/OpenAI"
SPECS = ("gpt-4.1-nano.json", "gpt-4.1-nano-RESPONSES.json")
MODEL = "openai/gpt-4.1-nano-2025-04-14"
_MODEL = re.compile(r"""(["']?model["']?\s*:\s*)(["'])openai/gpt-4\.1-nano-2025-04-14\2""")
_PROMPT = re.compile(r"""(["'])Hello\1""")

Edit = Callable[[str], str]  # a sample's text -> the edited text (unchanged: the edit does not apply there)


@dataclass
class Docs:
    """The page and its specs as text, edited in memory and written out to be linted."""

    page: str
    specs: dict[str, Any]

    def copy(self) -> Docs:
        return Docs(self.page, json.loads(json.dumps(self.specs)))


@dataclass(frozen=True)
class Mutation:
    """One edit at one site; `expected` codes for drift, empty for a harmless edit."""

    name: str
    site: str
    apply: Callable[[Docs], bool]  # edits in place; False when it does not apply at this site
    expected: frozenset[str] = frozenset()


@dataclass
class Outcome:
    mutation: Mutation
    new: list[Finding] = field(default_factory=list)  # warning or error, key not in the unmutated run
    lost: list[tuple[str, ...]] = field(default_factory=list)  # warning+ keys of the unmutated run now gone

    @property
    def caught(self) -> bool:
        return any(f.code.value in self.mutation.expected for f in self.new)


def read_docs(mirror: Path) -> Docs:
    page = (mirror / DEFAULT_PAGE).read_text(encoding="utf-8")
    return Docs(page, {name: json.loads((mirror / SPEC_DIR / name).read_text(encoding="utf-8")) for name in SPECS})


def lint(docs: Docs, where: Path, *, indent: int = 2) -> list[Finding]:
    if where.exists():
        shutil.rmtree(where)
    (where / SPEC_DIR).mkdir(parents=True)
    (where / DEFAULT_PAGE).parent.mkdir(parents=True, exist_ok=True)
    (where / DEFAULT_PAGE).write_text(docs.page, encoding="utf-8")
    for name, data in docs.specs.items():
        (where / SPEC_DIR / name).write_text(json.dumps(data, indent=indent, ensure_ascii=False), encoding="utf-8")
    return list(iter_doc_findings(load_docset(Fetcher(DocsBase.from_setting(str(where))), DEFAULT_PAGE)))


# Sites: every code sample on the page, every x-codeSample of the specs -----------------------------------


def page_sample_sites(docs: Docs) -> list[str]:
    return [f"page:{b.line}" for b in parse_page(docs.page).blocks if b.is_sample]


def spec_sample_sites(docs: Docs) -> list[str]:
    return [f"spec:{name}:{path}:{method}:{i}" for name, data in docs.specs.items()
            for path, item in data["paths"].items() for method, op in item.items() if isinstance(op, dict)
            for i, _ in enumerate(op.get("x-codeSamples") or [])]


def edit_sample(site: str, edit: Edit) -> Callable[[Docs], bool]:
    def apply(docs: Docs) -> bool:
        if site.startswith("page:"):
            line = int(site.split(":")[1])
            block = next(b for b in parse_page(docs.page).blocks if b.line == line)
            lines = docs.page.split("\n")
            end = block.first_line - 1 + block.text.count("\n")
            body = "\n".join(lines[block.first_line - 1 : end])
            new = edit(body)
            if new == body:
                return False
            docs.page = "\n".join([*lines[: block.first_line - 1], new, *lines[end:]])
            return True
        _, name, path, method, i = site.split(":", 4)
        entry = docs.specs[name]["paths"][path][method]["x-codeSamples"][int(i)]
        new = edit(entry["source"])
        if new == entry["source"]:
            return False
        entry["source"] = new
        return True

    return apply


def edit_page(edit: Edit) -> Callable[[Docs], bool]:
    def apply(docs: Docs) -> bool:
        new = edit(docs.page)
        changed, docs.page = new != docs.page, new
        return changed

    return apply


def edit_specs(edit: Callable[[dict[str, Any]], None]) -> Callable[[Docs], bool]:
    def apply(docs: Docs) -> bool:
        before = json.dumps(docs.specs)
        for data in docs.specs.values():
            edit(data)
        return json.dumps(docs.specs) != before

    return apply


def _after_model(text: str) -> Edit:
    return lambda body: _MODEL.sub(lambda m: m.group(0) + text, body, count=1)


def _lines(pattern: str, change: Callable[[str], str]) -> Edit:
    """Apply `change` to the first line matching `pattern`."""
    def edit(body: str) -> str:
        lines = body.split("\n")
        for i, line in enumerate(lines):
            if re.search(pattern, line):
                lines[i] = change(line)
                return "\n".join(lines)
        return body
    return edit


def _optional_field(body: str) -> str:
    responses = "/v1/responses" in body
    return _after_model(', "max_output_tokens": 256' if responses else ', "max_tokens": 256')(body)


# The edits ---------------------------------------------------------------------------------------------

HARMLESS_SAMPLE_EDITS: dict[str, Edit] = {
    "prompt text": lambda body: _PROMPT.sub(lambda m: f"{m.group(1)}Write a haiku about the sea{m.group(1)}", body),
    "optional temperature": _after_model(', "temperature": 0.7'),
    "optional max tokens": _optional_field,
    "reindented lines": lambda body: body.replace("\n    ", "\n      ") if "\n    " in body else body,
}

DRIFT_SAMPLE_EDITS: dict[str, tuple[Edit, frozenset[str]]] = {
    "wrong model": (lambda body: _MODEL.sub(lambda m: f"{m.group(1)}{m.group(2)}openai/gpt-4o{m.group(2)}", body, count=1),
                    frozenset({"CT325", "CT326"})),
    "duplicate payload key": (_after_model(', "model": "openai/gpt-4o"'), frozenset({"CT327"})),
    "wrong host": (lambda body: body.replace("https://api.aimlapi.com", "https://api.aimlapi.co", 1), frozenset({"CT321"})),
    "wrong path": (lambda body: re.sub(r"(https://api\.aimlapi\.com/v1/)(chat/completions|responses)", r"\1\2s", body, count=1),
                   frozenset({"CT322"})),
    "Authorization removed": (_lines(r"Authorization", lambda line: ""), frozenset({"CT324"})),
    "Authorization set twice": (_lines(r"Authorization", lambda line: line + "\n" + line.replace("<YOUR_AIMLAPI_KEY>", "sk-other")),
                                frozenset({"CT323"})),
    "payload type changed": (_after_model(', "stream": "yes"'), frozenset({"CT325"})),
}


def _gitbook_link(form: str) -> Edit:
    return lambda page: page.replace("\n## Code Example\n", f"\nSee the [setup guide]({form}).\n\n## Code Example\n", 1)


def _example_block(docs_page: str, endpoint_word: str) -> tuple[int, int] | None:
    """(first, end) line indexes of the Response example in the section naming `endpoint_word`."""
    for b in parse_page(docs_page).blocks:
        if b.is_example and endpoint_word in b.section.lower() or (b.is_example and endpoint_word == "chat" and "#2" not in b.section):
            return b.first_line - 1, b.first_line - 1 + b.text.count("\n")
    return None


def _edit_example(word: str, edit: Callable[[str, str], str]) -> Edit:
    """Edit the Response example of the `word` section; the edit gets (fence line, body)."""
    def apply(page: str) -> str:
        found = _example_block(page, word)
        if found is None:
            return page
        first, end = found
        lines = page.split("\n")
        fence, body = lines[first - 1], "\n".join(lines[first:end])
        new_fence, _, new_body = edit(fence, body).partition("\n")
        return "\n".join([*lines[: first - 1], new_fence, new_body, *lines[end:]])
    return apply


def _json_reordered(fence: str, body: str) -> str:
    value = json.loads(body)
    return fence + "\n" + json.dumps(_reverse(value), indent=4, ensure_ascii=False)


def _reverse(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reverse(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reverse(v) for v in value]
    return value


def _json5_comments(fence: str, body: str) -> str:
    head, _, rest = body.partition("\n")
    return fence + "\n" + head + "\n  // a comment, as JSON5 allows\n" + rest.rstrip().rstrip("}").rstrip() + ",\n}"


def _http_sample(length: Callable[[int], int]) -> Callable[[Docs], bool]:
    """Add a raw HTTP x-codeSample to the chat spec, with a Content-Length of `length(body bytes)`."""
    def apply(docs: Docs) -> bool:
        body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "Hello"}]}, indent=2)
        source = (f"POST /v1/chat/completions HTTP/1.1\nHost: api.aimlapi.com\nAuthorization: Bearer <YOUR_AIMLAPI_KEY>\n"
                  f"Content-Type: application/json\nContent-Length: {length(len(body.encode()))}\n\n{body}")
        docs.specs[SPECS[0]]["paths"]["/v1/chat/completions"]["post"].setdefault("x-codeSamples", []).append(
            {"lang": "HTTP", "source": source})
        return True
    return apply


def mutations(docs: Docs, *, every_spec_sample: bool = True) -> Iterator[Mutation]:
    """Every mutation of the corpus at every site it applies to (the first x-codeSample of each spec only, if not `every_spec_sample`)."""
    spec_sites = spec_sample_sites(docs)
    if not every_spec_sample:
        spec_sites = [next(s for s in spec_sites if s.startswith(f"spec:{name}:")) for name in docs.specs]
    sites = page_sample_sites(docs) + spec_sites
    for site in sites:
        for name, edit in HARMLESS_SAMPLE_EDITS.items():
            yield Mutation(name, site, edit_sample(site, edit))
        for name, (edit, codes) in DRIFT_SAMPLE_EDITS.items():
            yield Mutation(name, site, edit_sample(site, edit), codes)
    # Harmless edits of the page and specs as a whole
    yield Mutation("blank lines and headings moved", "page", edit_page(lambda p: p.replace("\n## ", "\n\n\n## ")))
    yield Mutation("key order and indentation of a JSON example", "page:responses example",
                   edit_page(_edit_example("responses", _json_reordered)))
    yield Mutation("JSON5 syntax in a json5 fence", "page:responses example", edit_page(_edit_example("responses", _json5_comments)))
    yield Mutation("spec key order", "specs", edit_specs(lambda d: d.update(_reverse(d))))
    yield Mutation("correct raw HTTP sample added", "spec:chat", _http_sample(lambda n: n))
    # Drift in the page and specs as a whole
    for form in ("broken-reference", "/broken/pages/AbC123xyz"):
        yield Mutation("GitBook broken link", f"page:{form}", edit_page(_gitbook_link(form)), frozenset({"CT329"}))
    yield Mutation("stray text after a baselined example", "page:chat example",
                   edit_page(_edit_example("chat", lambda f, b: f + "\n" + b.rstrip() + " (updated)")), frozenset({"CT310"}))
    yield Mutation("JSON5 syntax in a json fence", "page:responses example",
                   edit_page(_edit_example("responses", lambda f, b: _json5_comments(f.replace("json5", "json"), b))),
                   frozenset({"CT311"}))
    yield Mutation("example value outside its enum", "page:responses example",
                   edit_page(_edit_example("responses", lambda f, b: f + "\n" + b.replace('"role": "assistant"', '"role": "robot"', 1))),
                   frozenset({"CT312"}))
    yield Mutation("fence left open", "page", edit_page(lambda p: p.replace("```\n{% endcode %}\n{% endtab %}", "{% endcode %}\n{% endtab %}", 1)),
                   frozenset({"CT304"}))
    yield Mutation("spec link to a missing spec", "page", edit_page(lambda p: p.replace("gpt-4.1-nano-RESPONSES.json)", "gpt-4.1-nano-RESPONSE.json)", 1)),
                   frozenset({"CT302"}))
    yield Mutation("wrong Content-Length", "spec:chat", _http_sample(lambda n: n // 2), frozenset({"CT328"}))


def run(mirror: Path, work: Path, *, every_spec_sample: bool = True) -> list[Outcome]:
    """Lint the unmutated copy, then each mutation on a fresh copy; what each raised and lost.

    A mutation that fits no site at all is an error of the corpus (the published text moved on), not a skip.
    """
    original = read_docs(mirror)
    base = lint(original, work / "base")
    base_keys = {f.key for f in base}
    real = {f.key for f in base if f.severity >= Severity.WARNING}
    outcomes = []
    applied: dict[str, bool] = {}
    for i, mutation in enumerate(mutations(original, every_spec_sample=every_spec_sample)):
        docs = original.copy()
        fits = mutation.apply(docs)
        applied[mutation.name] = applied.get(mutation.name, False) or fits
        if not fits:
            continue  # the edit does not fit this site (e.g. no `Hello` in it)
        after = lint(docs, work / f"m{i}", indent=4 if mutation.name == "spec key order" else 2)
        keys = {f.key for f in after}
        new = [f for f in after if f.severity >= Severity.WARNING and f.key not in base_keys]
        lost = sorted(real - keys) if not mutation.expected else []
        outcomes.append(Outcome(mutation, new, lost))
    unused = sorted(name for name, fits in applied.items() if not fits)
    if unused:
        raise AssertionError(f"mutations that fit nowhere in the published docs: {unused}")
    return outcomes


@dataclass(frozen=True)
class Scores:
    harmless: int
    false_alarms: int  # harmless mutations that raised a new warning/error or lost a finding
    drift: int
    caught: int

    @property
    def precision(self) -> float:
        flagged = self.caught + self.false_alarms
        return self.caught / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.caught / self.drift if self.drift else 1.0


def scores(outcomes: list[Outcome]) -> Scores:
    harmless = [o for o in outcomes if not o.mutation.expected]
    drift = [o for o in outcomes if o.mutation.expected]
    return Scores(len(harmless), sum(1 for o in harmless if o.new or o.lost), len(drift), sum(1 for o in drift if o.caught))


def main() -> int:
    from shared_paths import MIRROR

    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run(MIRROR, Path(tmp))
    for o in outcomes:
        verdict = ("caught" if o.caught else "MISSED") if o.mutation.expected else ("FALSE ALARM" if o.new or o.lost else "quiet")
        extra = ", ".join(sorted({f.code.value for f in o.new}))
        print(f"{verdict:12} {o.mutation.name:40} {o.mutation.site[:70]:70} {extra}")
    s = scores(outcomes)
    print(f"harmless: {s.harmless} mutations, {s.false_alarms} false alarms; drift: {s.drift} mutations, {s.caught} caught")
    print(f"precision {s.precision:.3f}  recall {s.recall:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
