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

import json5

from ..sources import JsonLocator
from .duplicates import loads_keeping_duplicates
from .examples import matching_close
from .python_sample import read_python
from .sample_request import Header, Sample

__all__ = ["Sample", "read_sample"]

_URL = re.compile(r"""https?://[^\s'"`)\\]+""")


def read_sample(lang: str, text: str) -> Sample:
    """Read the request a sample makes; never raises on bad input (see `problems`)."""
    reader = {"python": read_python, "javascript": _javascript, "shell": _curl, "http": _http}.get(lang)
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
            sample.payload, sample.duplicate_keys = loads_keeping_duplicates(json5.loads, block)
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
        sample.payload, sample.duplicate_keys = loads_keeping_duplicates(json.loads, data)
        sample.payload_line = line
        sample.payload_lines = {p: (line or 1) + n - 1 for p, n in JsonLocator(data, known_json=True).lines().items()}
    except json.JSONDecodeError as exc:
        sample.problems.append((f"the request body is not JSON: {exc.msg} (body line {exc.lineno})", line))


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle) if needle else -1
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None
