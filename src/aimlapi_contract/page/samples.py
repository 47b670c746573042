"""What a code sample sends: URL, method, headers and JSON payload, read from Python, JavaScript, cURL or HTTP.

Python is read with `ast` (python_sample.py); JavaScript's `fetch(url, {...})` with
`body: JSON.stringify({...})` read as JSON5 (comments removed); cURL with `shlex`; a raw HTTP request
by its lines. Lines are 1-based within the sample.
"""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import urlsplit


from .. import limits
from ..sources import JsonLocator
from .duplicates import loads_keeping_duplicates
from .js_source import balanced_after, js_literal, strip_js_comments
from .python_sample import read_python
from .sdk_sample import read_sdk_call
from .sample_request import FILE_PLACEHOLDER, JSON, MULTIPART, UNREAD_PLACEHOLDER, Header, Poll, Sample

__all__ = ["Sample", "read_sample"]

_URL = re.compile(r"""https?://[^\s'"`)\\]+""")
# Something in the block sends a request; without it (a program's printed output in a ```javascript fence) a URL in
# the text is a value, not where the sample sends.
_SENDS = re.compile(r"\b(?:requests|httpx|aiohttp|urllib|urlopen|fetch|axios|https?|XMLHttpRequest|curl|wget|OpenAI|client)\b\s*[.(]|^\s*(?:POST|GET|PUT|PATCH|DELETE)\s", re.M)


def read_sample(lang: str, text: str) -> Sample:
    """Read the request a sample makes; never raises on bad input (see `problems`)."""
    reader = {"python": read_python, "javascript": _javascript, "shell": _curl, "http": _http}.get(lang)
    sample = Sample(lang)
    if reader is None:
        return sample
    reader(text, sample)
    if not sample.url and lang in ("python", "javascript"):
        read_sdk_call(lang, text, sample)
    if not sample.url and _SENDS.search(text):  # fall back to the first URL in the text, so host and path still get checked
        match = _URL.search(text)
        if match:
            sample.url, sample.url_line = match.group(0), text.count("\n", 0, match.start()) + 1
    try:
        urlsplit(sample.url)
    except ValueError as exc:  # e.g. "http://[::1": nothing about it can be checked but this
        sample.problems.append((f"`{sample.url}` is not a URL: {exc}", sample.url_line))
        sample.url = ""
    return sample


# JavaScript ---------------------------------------------------------------------------------------


# A string literal (quotes or a template literal), a variable assigned one (`const url = new URL(`${baseUrl}/x`)`), and
# the calls that take the request's URL: how the catalogue's JavaScript samples build it.
_JS_STRING = r"""(?P<q>['"`])(?P<s>(?:\\.|(?!(?P=q)).)*?)(?P=q)"""
_JS_ASSIGN = re.compile(r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*(?:new\s+URL\(\s*)?" + _JS_STRING, re.S)
_JS_CALL = re.compile(r"(?:\bfetch|\bnew\s+URL|\bhttps?\.request|\baxios(?:\.\w+)?)\(\s*(?:" + _JS_STRING + r"|(?P<var>[A-Za-z_$][\w$]*)\b)", re.S)
_JS_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}")


def js_variables(code: str) -> dict[str, str]:
    """Name -> the string each `const`/`let`/`var` of the sample is first assigned, its `${name}`s resolved through the others."""
    raw: dict[str, str] = {}
    for m in _JS_ASSIGN.finditer(code):
        raw.setdefault(m.group("name"), m.group("s"))

    def resolved(value: str, depth: int) -> str:
        if depth > 8:  # a cycle (`a = `${b}``, `b = `${a}``) stays unresolved
            return value
        return _JS_INTERPOLATION.sub(lambda v: resolved(raw[v.group(1)], depth + 1) if v.group(1) in raw else v.group(0), value)

    return {name: resolved(value, 0) for name, value in raw.items()}


def _js_request_url(code: str) -> tuple[str, re.Match[str]] | None:
    """The first URL the sample requests, through its variables; None when no call's URL resolves to an http(s) URL."""
    variables = js_variables(code)
    for call in _JS_CALL.finditer(code):
        value = call.group("s") if call.group("q") else variables.get(call.group("var") or "", "")
        url = _JS_INTERPOLATION.sub(lambda v: variables.get(v.group(1), v.group(0)), value) if value else ""
        if url.startswith(("http://", "https://")) and "${" not in url.split("?", 1)[0]:
            return url, call
    return None


_JS_QUERY = re.compile(r"""\.searchParams\.(?:append|set)\(\s*['"]([^'"]+)['"]""")


def _js_polls(code: str) -> list[Poll]:
    """The requests after the sample's first (e.g. the GET polling a generation), with their `searchParams` names.

    Consecutive calls with one URL are one request (`new URL(...)` then `https.request(url, ...)`)."""
    variables = js_variables(code)
    groups: list[tuple[str, int]] = []  # (url, offset of its first call)
    for call in _JS_CALL.finditer(code):
        value = call.group("s") if call.group("q") else variables.get(call.group("var") or "", "")
        url = _JS_INTERPOLATION.sub(lambda v: variables.get(v.group(1), v.group(0)), value) if value else ""
        if not url.startswith(("http://", "https://")) or "${" in url.split("?", 1)[0]:
            continue
        # A literal URL (`new URL(`...`)`, `fetch("...")`) starts a request; `https.request(url, ...)` sends the one built.
        if not groups or call.group("q") or groups[-1][0] != url:
            groups.append((url, call.start()))
    polls = []
    for i, (url, start) in enumerate(groups[1:], 1):
        region = code[start: groups[i + 1][1] if i + 1 < len(groups) else len(code)]
        line = code.count("\n", 0, start) + 1
        method = re.search(r"""\bmethod\s*:\s*['"](\w+)['"]""", region)
        query: dict[str, int | None] = {m.group(1): line + region.count("\n", 0, m.start()) for m in _JS_QUERY.finditer(region)}
        polls.append(Poll(method.group(1).upper() if method else "GET", url.split("?", 1)[0], line, query))
    return polls


_JS_FORM = re.compile(r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*new\s+FormData\(\s*\)")
_JS_STRING_ARG = re.compile(_JS_STRING + r"\s*[,)]", re.S)


def _js_form(code: str, sample: Sample) -> None:
    """`const form = new FormData(); form.append("model", "x"); form.append("file", stream)`: a multipart form.

    A string literal is the field's value; anything else (a stream, a Blob, a variable) a placeholder."""
    made = _JS_FORM.search(code)
    if not made:
        return
    form: dict[str, str] = {}
    lines: dict[str, int] = {}
    for call in re.finditer(rf"\b{re.escape(made.group('name'))}\.(?:append|set)\(\s*" + _JS_STRING + r"\s*,\s*", code, re.S):
        value = _JS_STRING_ARG.match(code, call.end())
        if value and "${" not in value.group("s"):
            form[call.group("s")] = value.group("s")
        else:
            head = code[call.end(): call.end() + 80]
            form[call.group("s")] = FILE_PLACEHOLDER if re.match(r"[^,)]*(?:stream|blob|file|buffer)", head, re.I) else UNREAD_PLACEHOLDER
        lines["/" + call.group("s").replace("~", "~0").replace("/", "~1")] = code.count("\n", 0, call.start()) + 1
    if form:  # fetch and axios write the multipart Content-Type (with its boundary) themselves
        sample.media, sample.sets_json_content_type = MULTIPART, True
        sample.payload, sample.payload_lines = form, {"": min(lines.values()), **lines}
        sample.payload_line = sample.payload_lines[""]


def _javascript(text: str, sample: Sample) -> None:
    code = strip_js_comments(text)
    sample.polls = _js_polls(code)
    _js_form(code, sample)
    match = re.search(r"""fetch\(\s*(['"`])(?P<url>.*?)\1""", code, re.S)
    if not match or "${" in match.group("url"):
        found = _js_request_url(code)
        if found is not None:
            # Built from variables (`${baseUrl}/tts`), or sent by https.request: the URL and method are read;
            # headers and body are not literals there, so nothing is said about them.
            sample.url, sample.url_line = found[0], code.count("\n", 0, found[1].start()) + 1
            method = re.search(r"""\bmethod\s*:\s*['"](\w+)['"]""", code[found[1].end():])
            verb = re.match(r"axios\.(\w+)", found[1].group(0))
            # axios.post(url, ...) names its method; fetch's and https.request's default is GET.
            sample.method = verb.group(1).upper() if verb else method.group(1).upper() if method else "GET"
        return
    sample.url, sample.url_line = match.group("url"), code.count("\n", 0, match.start()) + 1
    method = re.search(r"""\bmethod\s*:\s*['"](\w+)['"]""", code[match.end():])
    sample.method = method.group(1).upper() if method else "GET"  # fetch's default
    headers = balanced_after(code, r"\bheaders\s*:\s*(?=\{)", match.end())
    sample.headers_read = headers is None
    if headers is not None:
        start, block = headers
        try:
            pairs = js_literal(block, object_pairs_hook=list)
            sample.headers_read = True
            for name, value in pairs:
                where = re.search(rf"""['"]?{re.escape(name)}['"]?\s*:""", code[start:])
                line = code.count("\n", 0, start + where.start()) + 1 if where else None
                sample.headers.append(Header(name, str(value), line))
        except ValueError as exc:
            sample.problems.append((f"the headers object is not a literal: {exc}", code.count("\n", 0, start) + 1))
    body = balanced_after(code, r"\bbody\s*:\s*JSON\.stringify\(\s*(?=[\{\[])", match.end())
    if body is not None:
        start, block = body
        sample.payload_line = code.count("\n", 0, start) + 1
        try:
            sample.payload, sample.duplicate_keys = loads_keeping_duplicates(js_literal, block)
            sample.media, sample.payload_lines, sample.sets_json_content_type = JSON, {}, False  # JSON, not the FormData
        except ValueError as exc:
            sample.problems.append((f"JSON.stringify's argument is not a JSON5 literal: {exc}", sample.payload_line))


# cURL and raw HTTP --------------------------------------------------------------------------------


_CURL_PART_META = re.compile(r";(?:type|filename|headers|encoder)=.*$", re.S)


def _curl(text: str, sample: Sample) -> None:
    joined = re.sub(r"\\\r?\n", " ", text)
    try:
        words = shlex.split(joined, comments=False)
    except ValueError as exc:
        sample.problems.append((f"not a valid shell command: {exc}", None))
        return
    if "curl" not in words:
        return
    words = words[words.index("curl") + 1 :]
    sample.headers_read = True
    data = None
    form: dict[str, str] = {}
    form_lines: dict[str, int] = {}
    it = iter(words)
    for word in it:
        if word in ("-X", "--request"):
            sample.method = next(it, "").upper()
        elif word == "--url":
            sample.url = next(it, "")
        elif word in ("-H", "--header"):
            name, _, value = next(it, "").partition(":")
            sample.headers.append(Header(name.strip(), value.strip(), _line_of(text, name.strip())))
        elif word in ("-d", "--data", "--data-raw", "--data-binary", "--json"):
            data = next(it, "")
            sample.sets_json_content_type = sample.sets_json_content_type or word == "--json"
        elif word in ("-F", "--form", "--form-string"):
            name, _, value = next(it, "").partition("=")
            if word != "--form-string":  # `@file` uploads a file, `<file` sends its text; `;type=...` is part metadata
                value = FILE_PLACEHOLDER if value.startswith(("@", "<")) else _CURL_PART_META.sub("", value)
            form[name] = value
            form_lines["/" + name.replace("~", "~0").replace("/", "~1")] = _line_of(text, name + "=") or 1
        elif word.startswith("http") and not sample.url:
            sample.url = word
    sample.url_line = _line_of(text, sample.url) if sample.url else None
    sample.method = sample.method or ("POST" if data is not None or form else "GET")
    if form and data is None:  # curl sends -F fields as multipart/form-data and writes that Content-Type itself
        sample.media, sample.sets_json_content_type = MULTIPART, True
        sample.payload, sample.payload_lines = form, {"": min(form_lines.values()), **form_lines}
        sample.payload_line = sample.payload_lines[""]
    if data is not None:
        _json_body(data, sample, _line_of(text, data.strip().split("\n")[0]) or None)


def _http(text: str, sample: Sample) -> None:
    head, _, body = text.partition("\n\n")
    lines = head.splitlines()
    request = lines[0].split() if lines else []
    if len(request) < 2:
        sample.problems.append(("the first line is not `METHOD PATH HTTP/1.1`", 1))
        return
    sample.method, path = request[0].upper(), request[1]
    sample.headers_read = True
    for n, line in enumerate(lines[1:], start=2):
        name, _, value = line.partition(":")
        sample.headers.append(Header(name.strip(), value.strip(), n))
    host = next((h.value for h in sample.headers if h.name.lower() == "host"), "")
    sample.url, sample.url_line = (f"https://{host}{path}" if host else path), 1
    declared = next((h for h in sample.headers if h.name.lower() == "content-length"), None)
    if declared is not None and declared.value.strip().isdigit():
        # The body as sent: the sample's text after the blank line; a trailing newline may or may not be sent.
        sizes = {len(body.encode()), len(body.rstrip("\r\n").encode()), len(body.replace("\n", "\r\n").encode()),
                 len(body.rstrip("\r\n").replace("\n", "\r\n").encode())}
        if int(declared.value) not in sizes:
            sample.content_length = (int(declared.value), len(body.rstrip("\r\n").encode()), declared.line or 1)
    if body.strip():
        _json_body(body, sample, len(lines) + 2)


def _json_body(data: str, sample: Sample, line: int | None) -> None:
    try:
        limits.loads_json(data)  # nesting past the limit is said as such, before the recursive readers below
        sample.payload, sample.duplicate_keys = loads_keeping_duplicates(json.loads, data)
        sample.payload_line = line
        sample.payload_lines = {p: (line or 1) + n - 1 for p, n in JsonLocator(data, known_json=True).lines().items()}
    except limits.LimitError as exc:
        sample.problems.append((f"the request body is not read: {exc.message}", line))
    except json.JSONDecodeError as exc:
        sample.problems.append((f"the request body is not JSON: {exc.msg} (body line {exc.lineno})", line))


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle) if needle else -1
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None
