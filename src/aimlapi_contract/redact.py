"""Keep the API key out of everything a run writes or prints: cassettes, findings, log lines.

`Secret` holds the key so a repr or a traceback local never shows it. `Redactor` scrubs text and
bytes, and provides vcrpy's `before_record_request`/`before_record_response` hooks: credentials
headers always go, and the key goes wherever else it shows up (a header, the query, a body the
server echoed). What helps debugging (request ids, rate-limit headers) is kept.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .findings import Finding

KEY_ENV = "AIMLAPI_KEY"
REDACTED = "<redacted>"
# Headers that carry credentials whatever their value.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"})


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
    """Replaces every known form of the secrets (plain, URL-quoted) with `<redacted>`."""

    def __init__(self, secrets: Iterable[Secret | str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if len(value) >= 4:  # a shorter "key" would redact ordinary text
                forms.update({value, quote(value, safe=""), quote(value)})
        self._forms = sorted(forms, key=len, reverse=True)
        self._byte_forms = [f.encode() for f in self._forms]

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} forms)"

    def leaks(self, text: str) -> bool:
        """True when `text` holds a secret."""
        return any(form in text for form in self._forms)

    def text(self, value: str) -> str:
        for form in self._forms:
            value = value.replace(form, REDACTED)
        return value

    def bytes(self, value: bytes) -> bytes:
        for form in self._byte_forms:
            value = value.replace(form, REDACTED.encode())
        return value

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
