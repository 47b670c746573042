"""What a code sample sends: URL, method, headers and JSON payload, read from Python, JavaScript, cURL or HTTP.

Python is read with `ast` (the requests call, its `headers=` dict with duplicate keys, its `json=`
literal); JavaScript's `fetch(url, {...})` with `body: JSON.stringify({...})` read as JSON5 (comments
removed); cURL with `shlex`; a raw HTTP request by its lines. Lines are 1-based within the sample.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import json5

from .examples import matching_close
from .locate import JsonLocator

NO_PAYLOAD = object()
_HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
_URL = re.compile(r"""https?://[^\s'"`)\\]+""")


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    line: int | None


@dataclass(slots=True)
class Sample:
    """The request a sample makes, as far as it can be read; `problems` say what could not be."""

    lang: str
    url: str = ""
    url_line: int | None = None
    method: str = ""  # upper case; "" when unknown
    headers: list[Header] = field(default_factory=list)
    headers_read: bool = False  # False: headers could not be read, so none can be called missing
    payload: Any = NO_PAYLOAD
    payload_line: int | None = None
    payload_lines: dict[str, int] = field(default_factory=dict)  # pointer -> line
    sets_json_content_type: bool = False  # the client adds Content-Type itself (requests' json=, curl --json)
    problems: list[tuple[str, int | None]] = field(default_factory=list)  # (what, line)

    @property
    def has_payload(self) -> bool:
        return self.payload is not NO_PAYLOAD


def read_sample(lang: str, text: str) -> Sample:
    """Read the request a sample makes; never raises on bad input (see `problems`)."""
    reader = {"python": _python, "javascript": _javascript, "shell": _curl, "http": _http}.get(lang)
    sample = Sample(lang)
    if reader is None:
        return sample
    reader(text, sample)
    if not sample.url:  # fall back to the first URL in the text, so host and path still get checked
        match = _URL.search(text)
        if match:
            sample.url, sample.url_line = match.group(0), text.count("\n", 0, match.start()) + 1
    try:
        urlsplit(sample.url)
    except ValueError as exc:  # e.g. "http://[::1": nothing about it can be checked but this
        sample.problems.append((f"`{sample.url}` is not a URL: {exc}", sample.url_line))
        sample.url = ""
    return sample


# Python -------------------------------------------------------------------------------------------


def _python(text: str, sample: Sample) -> None:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        sample.problems.append((f"not valid Python: {exc.msg}", exc.lineno))
        return
    except (ValueError, RecursionError) as exc:  # a NUL byte, absurd nesting
        sample.problems.append((f"not valid Python: {exc}", None))
        return
    names = {t.id: node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_requests_call(n)), None)
    if call is None:
        return
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    method = call.func.attr  # type: ignore[attr-defined]
    args = list(call.args)
    if method == "request" and args:
        sample.method = str(_literal(args.pop(0), names) or "").upper()
    else:
        sample.method = method.upper()
    url_node = args[0] if args else kwargs.get("url")
    if url_node is not None:
        url = _literal(_resolve(url_node, names), names)
        sample.url, sample.url_line = (url if isinstance(url, str) else ""), url_node.lineno
    headers = _resolve(kwargs["headers"], names) if "headers" in kwargs else None
    if isinstance(headers, ast.Dict):
        sample.headers_read = True
        for key, value in zip(headers.keys, headers.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                sample.headers.append(Header(key.value, str(_literal(value, names) or ""), key.lineno))
    elif headers is None:
        sample.headers_read = True
    body = kwargs.get("json")
    sample.sets_json_content_type = body is not None
    if body is None and "data" in kwargs:
        data = _resolve(kwargs["data"], names)
        if isinstance(data, ast.Call) and ast.unparse(data.func) == "json.dumps" and data.args:
            body = data.args[0]
    if body is not None:
        body = _resolve(body, names)
        try:
            sample.payload = ast.literal_eval(body)
            sample.payload_line = body.lineno
            sample.payload_lines = _ast_lines(body, "")
        except (ValueError, SyntaxError, TypeError, RecursionError):
            sample.problems.append(("the request payload is not a literal, so it cannot be checked", body.lineno))


def _is_requests_call(node: ast.Call) -> bool:
    """`requests.post(...)`, `requests.request("POST", ...)`, `session.post(...)`."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and (func.attr in _HTTP_METHODS or func.attr == "request")):
        return False
    owner = ast.unparse(func.value).lower()
    return owner.split(".")[0] == "requests" or owner.endswith("session")


def _resolve(node: ast.expr, names: dict[str, ast.expr]) -> ast.expr:
    seen = 0
    while isinstance(node, ast.Name) and node.id in names and seen < 10:
        node, seen = names[node.id], seen + 1
    return node


def _literal(node: ast.expr, names: dict[str, ast.expr]) -> Any:
    node = _resolve(node, names)
    if isinstance(node, ast.JoinedStr):  # f"https://{host}/v1/x": keep the literal parts, mark the rest
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{…}" for v in node.values)
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _ast_lines(node: ast.expr, pointer: str) -> dict[str, int]:
    out = {pointer: node.lineno}
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant):
                child = pointer + "/" + str(key.value).replace("~", "~0").replace("/", "~1")
                out.update(_ast_lines(value, child))
                out[child] = key.lineno
    elif isinstance(node, ast.List):
        for i, value in enumerate(node.elts):
            out.update(_ast_lines(value, f"{pointer}/{i}"))
    return out


# JavaScript ---------------------------------------------------------------------------------------


def _javascript(text: str, sample: Sample) -> None:
    code = _strip_js_comments(text)
    match = re.search(r"""fetch\(\s*(['"`])(?P<url>.*?)\1""", code, re.S)
    if not match:
        return
    sample.url, sample.url_line = match.group("url"), code.count("\n", 0, match.start()) + 1
    method = re.search(r"""\bmethod\s*:\s*['"](\w+)['"]""", code[match.end():])
    sample.method = method.group(1).upper() if method else "GET"  # fetch's default
    headers = _balanced_after(code, r"\bheaders\s*:\s*(?=\{)", match.end())
    sample.headers_read = headers is None
    if headers is not None:
        start, block = headers
        try:
            pairs = json5.loads(block, object_pairs_hook=list)
            sample.headers_read = True
            for name, value in pairs:
                where = re.search(rf"""['"]?{re.escape(name)}['"]?\s*:""", code[start:])
                line = code.count("\n", 0, start + where.start()) + 1 if where else None
                sample.headers.append(Header(name, str(value), line))
        except ValueError as exc:
            sample.problems.append((f"the headers object is not a literal: {exc}", code.count("\n", 0, start) + 1))
    body = _balanced_after(code, r"\bbody\s*:\s*JSON\.stringify\(\s*(?=[\{\[])", match.end())
    if body is not None:
        start, block = body
        sample.payload_line = code.count("\n", 0, start) + 1
        try:
            sample.payload = json5.loads(block)
        except ValueError as exc:
            sample.problems.append((f"JSON.stringify's argument is not a JSON5 literal: {exc}", sample.payload_line))


def _strip_js_comments(code: str) -> str:
    """`//` and `/* */` comments replaced by spaces (newlines kept, so lines still match the page)."""
    out, i, quote = [], 0, ""
    while i < len(code):
        ch = code[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(code):
                out.append(code[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
            out.append(ch)
        elif code.startswith("//", i):
            end = code.find("\n", i)
            end = len(code) if end < 0 else end
            out.append(" " * (end - i))
            i = end - 1
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            end = len(code) if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in code[i:end]))
            i = end - 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _balanced_after(code: str, pattern: str, pos: int) -> tuple[int, str] | None:
    """(start, text) of the bracketed value following `pattern`, brackets inside strings ignored."""
    match = re.compile(pattern).search(code, pos)
    if not match:
        return None
    start = match.end()
    end = matching_close(code, start, quotes="'\"`")  # JavaScript template literals too
    return None if end is None else (start, code[start : end + 1])


# cURL and raw HTTP --------------------------------------------------------------------------------


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
        elif word.startswith("http") and not sample.url:
            sample.url = word
    sample.url_line = _line_of(text, sample.url) if sample.url else None
    sample.method = sample.method or ("POST" if data is not None else "GET")
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
    if body.strip():
        _json_body(body, sample, len(lines) + 2)


def _json_body(data: str, sample: Sample, line: int | None) -> None:
    try:
        sample.payload = json.loads(data)
        sample.payload_line = line
        sample.payload_lines = {p: (line or 1) + n - 1 for p, n in JsonLocator(data).lines().items()}
    except json.JSONDecodeError as exc:
        sample.problems.append((f"the request body is not JSON: {exc.msg} (body line {exc.lineno})", line))


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle) if needle else -1
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None
