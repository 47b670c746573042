"""Keep the API key out of everything a run writes or prints: cassettes, findings, log lines.

`Secret` holds the key so a repr or a traceback local never shows it. `Redactor` scrubs text and
bytes, and provides vcrpy's `before_record_request`/`before_record_response` hooks: credentials
headers always go, and the key goes wherever else it shows up (a header, the query, a body the
server echoed). What helps debugging (request ids, rate-limit headers) is kept.
"""

from __future__ import annotations

import dataclasses
import os
import re
from base64 import b64encode
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .findings import Finding

if TYPE_CHECKING:
    import logging

KEY_ENV = "AIMLAPI_KEY"
REDACTED = "<redacted>"
# Headers that carry credentials whatever their value.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"})
# Below this many characters a key's base64 core is too short to tell from ordinary base64 text.
_MIN_BASE64_KEY = 8
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_BASE64_BYTES = frozenset(bytes([c]) for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")


def _hex(value: int, width: int) -> str:
    """`value` in hex as a regex matching either case of each digit."""
    return "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{value:0{width}x}")


def _escaped_char(char: str) -> str:
    """Every way one character appears in text: itself, JSON/Python `\\u`/`\\x` escapes, percent-encoding, `+` for space."""
    forms = [re.escape(char)]
    forms.append(r"\\+u" + _hex(ord(char), 4)) if ord(char) <= 0xFFFF else None
    forms.append(r"\\+x" + _hex(ord(char), 2)) if ord(char) <= 0xFF else None
    forms.append("".join("%" + _hex(b, 2) for b in char.encode("utf-8")))
    if char == " ":
        forms.append(r"\+")
    if char in "/\\\"":  # JSON may escape these with a backslash (any number, once nested in YAML or a repr)
        forms.append(r"\\+" + re.escape(char))
    return "(?:" + "|".join(forms) + ")"


def _first_chars(value: str) -> set[str]:
    """Every character a match of `_escaped_char(value[0])` can start with: itself, `\\` (escapes), `%`, `+`."""
    return {value[0], "\\", "%"} | ({"+"} if value[0] == " " else set())


def _escaped_pattern(value: str) -> str:
    """The key with each character in any of its escapes, independently (any subset escaped)."""
    return "".join(_escaped_char(c) for c in value)


def _base64_cores(value: str) -> list[str]:
    """The base64 text that encodes `value` at each of the three byte alignments, free of its neighbours' bits."""
    raw = value.encode("utf-8")
    cores = []
    for offset in range(3):
        encoded = b64encode(b"\0" * offset + raw).decode("ascii")
        start = -(-8 * offset // 6)  # first character whose 6 bits are all the key's
        end = 8 * (offset + len(raw)) // 6  # one past the last such character
        core = encoded[start:end]
        cores += [core, core.replace("+", "-").replace("/", "_")]  # standard and URL-safe alphabets
    return sorted(set(cores), key=len, reverse=True)


def _base64_pattern(value: str) -> str:
    """The key's base64 encoding at any alignment; `_spans` widens a match to its whole base64 token."""
    return "|".join(re.escape(c) for c in _base64_cores(value))


def _spans(pattern: re.Pattern[Any], value: Any, base64_chars: Any) -> list[tuple[int, int]]:
    """Where the secrets are in `value` (str or bytes): base64 matches widened to their token, overlaps merged."""
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(value):
        start, end = match.span()
        if match.lastgroup == "b64":  # the bits either side belong to the key too: the whole token goes
            while start > 0 and value[start - 1 : start] in base64_chars:
                start -= 1
            while end < len(value) and value[end : end + 1] in base64_chars:
                end += 1
            while end < len(value) and value[end : end + 1] in ("=", b"="):
                end += 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _replace(value: Any, spans: list[tuple[int, int]], replacement: Any) -> Any:
    parts, last = [], 0
    for start, end in spans:
        parts += [value[last:start], replacement]
        last = end
    parts.append(value[last:])
    return value[:0].join(parts)


class Secret:
    """A credential whose repr and str never show it; `reveal()` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __repr__


def api_key(environ: Mapping[str, str] | None = None) -> Secret:
    """The API key from $AIMLAPI_KEY (empty when unset): what live mode sends and what every output scrubs."""
    env = os.environ if environ is None else environ
    return Secret(env.get(KEY_ENV, "").strip())


class Redactor:
    """Replaces every encoding of the secrets with `<redacted>`: the class of forms, not a list of examples.

    A key may come back plain, URL-quoted, with any subset of its characters `\\u`-escaped (JSON) or
    percent-encoded, or inside base64 (alone, of `Bearer <key>`, of `user:<key>`, at any offset).
    One regex per secret matches each character in any of its escapes; base64 is matched by the
    three alignments of the key's encoding, which hold whatever text surrounds the key, and the
    whole base64 token around a match goes.
    """

    def __init__(self, secrets: Iterable[Secret | str]) -> None:
        values = []
        for secret in secrets:
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if len(value) >= 4:  # a shorter "key" would redact ordinary text
                values.append(value)
        self._count = len(values)
        base64 = "|".join(_base64_pattern(v) for v in values if len(v) >= _MIN_BASE64_KEY)
        escaped = "|".join(_escaped_pattern(v) for v in values)
        pattern = "|".join(p for p in (f"(?P<b64>{base64})" if base64 else "", f"(?:{escaped})" if escaped else "") if p)
        if pattern:
            # Led by the characters a match can start with: `re` then rejects most positions of a large report
            # at one class test instead of trying every alternative (2.5x on an 86 MB JSON report).
            first = {c for v in values for c in _first_chars(v)}
            first |= {core[0] for v in values if len(v) >= _MIN_BASE64_KEY for core in _base64_cores(v)}
            pattern = "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])(?:" + pattern + ")"
        self._pattern = re.compile(pattern) if pattern else None
        self._byte_pattern = re.compile(pattern.encode("utf-8")) if pattern else None

    def __repr__(self) -> str:
        return f"Redactor({self._count} secrets)"

    def __bool__(self) -> bool:
        return self._pattern is not None

    def leaks(self, text: str) -> bool:
        """True when `text` holds a secret in any form."""
        return bool(self._pattern and self._pattern.search(text))

    def leaks_bytes(self, value: bytes) -> bool:
        """True when `value` holds a secret in any form."""
        return bool(self._byte_pattern and self._byte_pattern.search(value))

    def text(self, value: str) -> str:
        """`value` with every form of a secret replaced."""
        if not self._pattern:
            return value
        return str(_replace(value, _spans(self._pattern, value, _BASE64_CHARS), REDACTED))

    def bytes(self, value: bytes) -> bytes:
        """`value` with every form of a secret replaced."""
        if not self._byte_pattern:
            return value
        return bytes(_replace(value, _spans(self._byte_pattern, value, _BASE64_BYTES), REDACTED.encode()))

    def url(self, url: str) -> str:
        """The URL with the secret gone from userinfo, path and query."""
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
        return self.text(urlunsplit(parts._replace(netloc=netloc)))

    def header_value(self, name: str, value: str) -> str:
        if name.lower() in CREDENTIAL_HEADERS:
            return REDACTED
        return self.text(value)

    def finding(self, finding: Finding) -> Finding:
        """The finding with the secret gone from every text it carries (a payload value may echo it)."""
        return dataclasses.replace(
            finding,
            message=self.text(finding.message),
            detail=self.text(finding.detail),
            fix=self.text(finding.fix),
            extra={k: self.text(v) if isinstance(v, str) else v for k, v in finding.extra.items()},
        )

    # vcrpy hooks: both get copies (vcrpy deep-copies before calling them).

    def before_record_request(self, request: Any) -> Any:
        """vcrpy hook: scrub a request before it is matched or written."""
        for name in list(request.headers):
            request.headers[name] = self.header_value(name, str(request.headers[name]))
        request.uri = self.url(request.uri)
        body = request.body
        if isinstance(body, bytes):
            request.body = self.bytes(body)
        elif isinstance(body, str):
            request.body = self.text(body)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy hook: scrub a response (headers and body) before it is written."""
        headers = response.get("headers") or {}
        for name, values in list(headers.items()):
            values = values if isinstance(values, list) else [values]
            headers[name] = [self.header_value(name, str(v)) for v in values]
        body = response.get("body") or {}
        raw = body.get("string")
        if isinstance(raw, bytes):
            body["string"] = self.bytes(raw)
        elif isinstance(raw, str):
            body["string"] = self.text(raw)
        return response


def install_log_scrubber(redactor: Redactor) -> Callable[[], None]:
    """Scrub the secret from every log record created from now on; returns the function that undoes it.

    Libraries log what they handle (vcrpy logs each response it records, bodies included), so the
    record factory, not a handler, is where every record can be caught, whichever logger made it.
    """
    import logging  # here: a `check` run logs nothing, and importing logging is ~5 ms of its start-up

    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return record
        if redactor.leaks(message):
            record.msg, record.args = redactor.text(message), None
        return record

    logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return uninstall


def scrub_report(report: Any, redactor: Redactor) -> None:
    """Scrub a pytest TestReport in place: its failure text and captured output, as the terminal and JUnit show them."""
    longrepr = getattr(report, "longrepr", None)
    if longrepr is not None:
        text = str(longrepr)
        if redactor.leaks(text):
            report.longrepr = redactor.text(text)
    sections = getattr(report, "sections", None)
    if sections:
        report.sections = [(title, redactor.text(content)) for title, content in sections]
