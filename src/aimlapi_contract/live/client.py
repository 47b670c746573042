"""Send a scenario to the API, frugally and safely, and validate the reply like any recorded exchange.

Every request is checked against the spec before it is sent; the budget refuses what would cost
too much; retries (429/502/503/504, honouring Retry-After) come from urllib3's `Retry`; a network
failure is one line. Replies go through `validate_reply`, the one call into `traffic`, which is
also what a replayed cassette goes through, so live and offline runs give the same findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from ..baseline import BaselineEntry, triage
from ..findings import Code, Finding, Severity, dotted
from ..redact import Redactor, Secret
from ..reports import render_finding
from ..sources import Spec, documenting_operation
from ..traffic import Exchange, engine_for, iter_exchange_findings, with_marker
from .recording import live_cassette_source
from .scenarios import Scenario
from .settings import Budget, BudgetExhausted, LiveError, LiveSettings

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class _BearerAuth(requests.auth.AuthBase):
    """Adds the key per request, so it sits in no session header dict a traceback could print."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


def build_session(settings: LiveSettings, *, replay: bool = False) -> requests.Session:
    """A Session that retries 429/502/503/504 with backoff and Retry-After (no waiting when replaying)."""
    retry = Retry(
        total=settings.retries,
        connect=settings.retries,
        read=0,  # a POST that timed out may have been billed: never send it twice
        other=0,
        status=settings.retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"POST"}),
        backoff_factor=0 if replay else settings.backoff_factor,
        respect_retry_after_header=not replay,
        retry_after_max=settings.retry_after_max,
        raise_on_status=False,  # the last reply is returned and validated, not raised
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if settings.key:
        session.auth = _BearerAuth(settings.key)
    return session


class LiveClient:
    """Sends scenarios within the budget and turns each reply into a redacted Exchange."""

    def __init__(self, settings: LiveSettings, budget: Budget | None = None, *, replay: bool = False) -> None:
        self.settings = settings
        self.replay = replay  # replies come from a cassette: nothing is spent
        self.budget = budget or Budget.for_settings(settings)
        self.redactor = Redactor([settings.key])
        self.session = build_session(settings, replay=replay)

    def url_for(self, scenario: Scenario) -> str:
        return self.settings.api_base.rstrip("/") + scenario.path

    def send(self, scenario: Scenario) -> tuple[Exchange, int]:
        """POST the scenario: the redacted exchange and how many attempts it took. LiveError on failure."""
        if not self.replay:
            self.budget.check(scenario)
        url = self.url_for(scenario)
        body = json.dumps(scenario.body).encode()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream" if scenario.streaming else "application/json"}
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            response = self.session.post(url, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            if not self.replay:
                self.budget.spend(1)
            raise LiveError(f"POST {self.redactor.url(url)}: {self._reason(exc)}") from None
        retries = getattr(response.raw, "retries", None)
        attempts = 1 + len(retries.history) if retries is not None else 1
        if not self.replay:
            self.budget.spend(attempts)
        return exchange_from_response(response, self.redactor), attempts

    def _reason(self, exc: requests.RequestException) -> str:
        cause = exc.args[0] if exc.args else exc
        inner = getattr(cause, "reason", cause)  # urllib3 wraps the failure in MaxRetryError once retries run out
        if isinstance(inner, NewConnectionError):  # before timeouts: urllib3 makes it a ConnectTimeoutError subclass
            return self.redactor.text(f"cannot connect ({inner})".splitlines()[0])
        if isinstance(exc, requests.ConnectTimeout) or isinstance(inner, ConnectTimeoutError):
            return f"no connection within {self.settings.connect_timeout:g} s (connect timeout)"
        if isinstance(exc, requests.ReadTimeout) or isinstance(inner, ReadTimeoutError):
            return f"no reply within {self.settings.read_timeout:g} s (read timeout); not retried, a POST may have been billed"
        if isinstance(exc, requests.ConnectionError):
            return self.redactor.text(f"cannot connect ({type(inner).__name__}: {inner})".splitlines()[0])
        return self.redactor.text(f"{type(exc).__name__}: {exc}".splitlines()[0])


def exchange_from_response(response: requests.Response, redactor: Redactor) -> Exchange:
    """The exchange as a cassette would hold it: credentials and the key scrubbed, the body decoded."""
    request = response.request
    body = request.body or b""
    getlist = getattr(getattr(response.raw, "headers", None), "getlist", None)  # urllib3 keeps repeated headers apart
    response_headers: dict[str, list[str]] = {}
    for name in response.headers:
        values = getlist(name) if getlist else [response.headers[name]]
        if name.lower() != "content-encoding":  # the body below is decoded, as recorded
            response_headers[name.lower()] = [redactor.header_value(name, v) for v in values]
    return Exchange(
        method=(request.method or "POST").upper(),
        url=redactor.url(request.url or ""),
        request_headers={k.lower(): [redactor.header_value(k, v)] for k, v in request.headers.items()},
        request_body=redactor.bytes(body if isinstance(body, bytes) else body.encode()),
        status=response.status_code,
        response_headers=response_headers,
        response_body=redactor.bytes(response.content),
    )


def iter_request_findings(scenario: Scenario, specs: Sequence[Spec], *, source: str) -> Iterator[Finding]:
    """CT401 for each way a scenario that should conform breaks its spec; checked before anything is sent."""
    anchor = f"scenario:{scenario.id}"
    found = documenting_operation(specs, scenario.path, "post")
    if found is None:
        yield Finding(
            Code.LIVE_REQUEST_INVALID, Severity.ERROR, source, f"scenario {scenario.id}: no tracked spec documents {scenario.endpoint}",
            endpoint=scenario.endpoint, anchor=anchor, fix="send it to a documented path, or drop the scenario",
        )
        return
    spec, op = found
    pointer = op.request_media_types().get("application/json")
    if pointer is None or not scenario.conforms:
        return
    for v in engine_for(spec)[0].validate_request(pointer, scenario.body):
        yield Finding(
            Code.LIVE_REQUEST_INVALID, Severity.ERROR, source, f"scenario {scenario.id}: request {dotted(v.pointer)}: {v.message}",
            pointer=v.pointer, endpoint=op.endpoint, anchor=anchor,
            fix="fix the scenario's row in live/scenarios.py (or mark it conforms=False if it breaks the spec on purpose)",
        )


def validate_reply(exchange: Exchange, specs: Sequence[Spec], *, source: str, anchor: str, redactor: Redactor) -> list[Finding]:
    """Every finding for a live or replayed exchange: the one path shared with recorded cassettes, then scrubbed."""
    return [redactor.finding(f) for f in iter_exchange_findings(exchange, specs, source=source, anchor=anchor)]


def status_findings(scenario: Scenario, exchange: Exchange, *, source: str, anchor: str) -> list[Finding]:
    """CT402 when the reply's status is not the one the scenario expects."""
    if exchange.status in scenario.expect:
        return []
    excerpt = exchange.response_body[:200].decode("utf-8", errors="replace").strip()
    return [
        Finding(
            Code.LIVE_UNEXPECTED_STATUS, Severity.ERROR, source,
            f"scenario {scenario.id}: expected status {scenario.expected_status()}, got {exchange.status}",
            endpoint=scenario.endpoint, anchor=f"{anchor}:status", detail=excerpt,
        )
    ]


@dataclass(slots=True)
class LiveResult:
    """What one scenario gave: its findings, and the exchange when it was sent."""

    scenario: Scenario
    findings: list[Finding]
    exchange: Exchange | None = None
    attempts: int = 0


def run_scenario(
    client: LiveClient, scenario: Scenario, specs: Sequence[Spec], *, source: str, index: Callable[[], int] | None = None
) -> LiveResult:
    """Check the request, send it, validate the reply. `index()` says where the reply sits in its cassette
    (default 0: a fresh cassette holds the final attempt only)."""
    early = list(iter_request_findings(scenario, specs, source=source))
    if early:
        return LiveResult(scenario, early)  # never sent: a request the spec rejects would be money spent on nothing
    exchange, attempts = client.send(scenario)
    marker = scenario.intent_marker()
    if marker:  # as its cassette records it (recording.py), so live and replay agree; never sent
        exchange = with_marker(exchange, marker)
    anchor = f"interaction:{index() if index else 0}"
    findings = validate_reply(exchange, specs, source=source, anchor=anchor, redactor=client.redactor)
    findings += status_findings(scenario, exchange, source=source, anchor=anchor)
    return LiveResult(scenario, findings, exchange, attempts)


def run_live(
    client: LiveClient, scenarios: Sequence[Scenario], specs: Sequence[Spec], *, baseline: list[BaselineEntry],
    fail_on: Severity, echo: Callable[[str], None] = print,
) -> int:
    """Send each scenario once, echoing a line per scenario and its new findings: 1 if any failed, else 0.
    BudgetExhausted is raised: the run stops at the first request the budget refuses."""
    failed = 0
    for scenario in scenarios:
        try:
            result = run_scenario(client, scenario, specs, source=live_cassette_source(scenario.id))
        except BudgetExhausted:
            raise
        except LiveError as exc:
            echo(f"FAIL {scenario.id}: {exc.message}")
            failed += 1
            continue
        new = [f for f in triage(result.findings, baseline).new if f.severity >= fail_on]
        status = f"{result.exchange.status}, {result.attempts} attempt(s)" if result.exchange else "not sent"
        echo(f"{'FAIL' if new else 'ok  '} {scenario.id} ({status})")
        for finding in new:
            echo("    " + render_finding(finding).replace("\n", "\n    "))
        failed += bool(new)
    echo(f"{len(scenarios) - failed} of {len(scenarios)} scenarios as documented; {client.budget.used} request(s) sent")
    return 1 if failed else 0
