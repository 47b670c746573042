"""A GitBook Markdown page read into its fenced blocks, each with its line, language and surroundings.

markdown-it-py finds the fences (with line numbers); GitBook tags (`{% tab title=... %}`, `{% code %}`)
and `<details><summary>` are not Markdown, so they are read from the non-fence tokens' text in page
order. An unterminated fence swallows the rest of the page in CommonMark; here it is cut at the next
line that opens a fence or closes a GitBook block, and the rest of the page is read as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

# Fence info string -> the language the lint reads the block as.
LANGUAGES = {
    "json": "json",
    "json5": "json5",
    "jsonc": "json5",
    "python": "python",
    "py": "python",
    "python3": "python",
    "javascript": "javascript",
    "js": "javascript",
    "node": "javascript",
    "typescript": "javascript",
    "ts": "javascript",
    "bash": "shell",
    "sh": "shell",
    "shell": "shell",
    "curl": "shell",
    "console": "shell",
    "http": "http",
}
EXAMPLE_LANGUAGES = {"json", "json5"}
SAMPLE_LANGUAGES = {"python", "javascript", "shell", "http"}

_TAG = re.compile(r"\{%\s*(?P<name>end[\w-]+|[\w-]+)(?P<attrs>[^%]*)%\}")
_ATTR = re.compile(r'(\w[\w-]*)\s*=\s*"([^"]*)"')
_DETAILS = re.compile(r"<(?P<close>/?)details\b[^>]*>|<summary>(?P<summary>.*?)</summary>", re.I | re.S)
_FENCE_START = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_GITBOOK_END = re.compile(r"^\s*\{%\s*end(code|tab|tabs)\s*%\}")


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced block: its text and where it sits on the page."""

    info: str  # the fence's info string as written
    text: str
    line: int  # 1-based line of the opening fence
    section: str = ""  # text of the nearest heading above
    tab: str = ""  # GitBook tab title, "" outside tabs
    summary: str = ""  # <summary> of the enclosing <details>, "" outside
    closed: bool = True

    @property
    def lang(self) -> str:
        """The normalized language ("json", "python", ...), or the raw first word when unknown."""
        word = self.info.split()[0].lower() if self.info.split() else ""
        return LANGUAGES.get(word, word)

    @property
    def first_line(self) -> int:
        """The page line of the block's first content line."""
        return self.line + 1

    @property
    def is_example(self) -> bool:
        """A reply example: a JSON block (not under a "Request…" summary), or any non-code block under "Response"."""
        if "request" in self.summary.lower():
            return False
        return self.lang in EXAMPLE_LANGUAGES or (self.summary.lower() == "response" and self.lang not in SAMPLE_LANGUAGES)

    @property
    def is_sample(self) -> bool:
        return self.lang in SAMPLE_LANGUAGES


@dataclass(slots=True)
class Page:
    """The blocks of a page in page order, and the fences that never close."""

    blocks: list[Block] = field(default_factory=list)
    unterminated: list[int] = field(default_factory=list)  # opening-fence lines


@dataclass(slots=True)
class _State:
    section: str = ""
    tabs: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # summary of each open <details>


def parse_page(text: str) -> Page:
    """Every fenced block of a page, with line numbers, GitBook tab and <details> context."""
    page = Page()
    _read(text.splitlines(), 0, page, _State(), MarkdownIt("commonmark"))
    return page


def _read(lines: list[str], offset: int, page: Page, state: _State, md: MarkdownIt) -> None:
    tokens = md.parse("\n".join(lines) + "\n")
    heading = False
    for tok in tokens:
        if tok.type == "heading_open":
            heading = True
            continue
        if tok.type == "inline" and heading:
            state.section = tok.content.strip()
            heading = False
            continue
        if tok.type in ("inline", "html_block"):
            _track(tok.content, state)
            continue
        if tok.type not in ("fence", "code_block") or tok.map is None or tok.type == "code_block":
            continue
        start, end = tok.map
        closed = end - 1 > start and _is_closing(lines[end - 1], tok.markup)
        content_end = end - 1 if closed else end
        # A fence whose text holds another fence's opening line or a GitBook end tag lost its closing line.
        cut = _cut(lines, start + 1, content_end, tok.markup)
        if closed and cut == content_end:
            page.blocks.append(_block(tok.info, tok.content, offset + start + 1, state, closed=True))
            continue
        body = "\n".join(lines[start + 1 : cut]) + ("\n" if cut > start + 1 else "")
        page.unterminated.append(offset + start + 1)
        page.blocks.append(_block(tok.info, body, offset + start + 1, state, closed=False))
        if cut < len(lines):
            _read(lines[cut:], offset + cut, page, state, md)
        return


def _block(info: str, body: str, line: int, state: _State, *, closed: bool) -> Block:
    return Block(
        info=info.strip(),
        text=body,
        line=line,
        section=state.section,
        tab=state.tabs[-1] if state.tabs else "",
        summary=state.details[-1] if state.details else "",
        closed=closed,
    )


def _track(content: str, state: _State) -> None:
    """Update the tab and <details> context from the text between fences, in order."""
    events = [(m.start(), "tag", m) for m in _TAG.finditer(content)]
    events += [(m.start(), "html", m) for m in _DETAILS.finditer(content)]
    for _, kind, m in sorted(events, key=lambda e: e[0]):
        if kind == "tag":
            name = m.group("name")
            if name == "tab":
                state.tabs.append(dict(_ATTR.findall(m.group("attrs"))).get("title", ""))
            elif name == "endtab" and state.tabs:
                state.tabs.pop()
        elif m.group("summary") is not None:
            if state.details:
                state.details[-1] = re.sub(r"<[^>]+>", "", m.group("summary")).strip()
        elif m.group("close"):
            if state.details:
                state.details.pop()
        else:
            state.details.append("")


def _is_closing(line: str, markup: str) -> bool:
    stripped = line.strip()
    return bool(markup) and stripped.startswith(markup[0] * len(markup)) and set(stripped) == {markup[0]}


def _cut(lines: list[str], first: int, end: int, markup: str) -> int:
    """Where a fence's text plausibly ends: before `end`, or earlier at a fence opening or GitBook end tag."""
    for i in range(first, end):
        opening = _FENCE_START.match(lines[i])
        if opening and markup and opening.group(1)[0] == markup[0] and lines[i].strip() != opening.group(1):
            return i
        if _GITBOOK_END.match(lines[i]):
            return i
    return end
