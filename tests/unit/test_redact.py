"""redact.py: the key leaves nothing behind in recorded requests, responses, findings or log lines."""

from __future__ import annotations

import logging

import pytest
from vcr.request import Request

from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.redact import REDACTED, Redactor, Secret, install_log_scrubber

KEY = "sk-test-redact-0a1b2c3d4e"


def test_a_secret_never_shows_in_repr_or_str() -> None:
    secret = Secret(KEY)
    assert KEY not in repr(secret) and KEY not in str(secret) and KEY not in f"{[secret]}"
    assert secret.reveal() == KEY


def test_a_recorded_request_loses_credentials_and_every_copy_of_the_key() -> None:
    request = Request(
        "POST",
        f"https://api.example/v1/chat/completions?api_key={KEY}&n=1",
        f'{{"note": "{KEY}"}}'.encode(),
        {"Authorization": f"Bearer {KEY}", "Cookie": "session=abc", "X-Trace": f"k={KEY}", "X-Request-Id": "req_1"},
    )
    scrubbed = Redactor([Secret(KEY)]).before_record_request(request)
    assert dict(scrubbed.headers) == {"Authorization": REDACTED, "Cookie": REDACTED, "X-Trace": f"k={REDACTED}", "X-Request-Id": "req_1"}
    assert scrubbed.uri == f"https://api.example/v1/chat/completions?api_key={REDACTED}&n=1"
    assert scrubbed.body == f'{{"note": "{REDACTED}"}}'.encode()


def test_a_recorded_response_loses_cookies_and_the_echoed_key_but_keeps_debugging_headers() -> None:
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Set-Cookie": ["__cf_bm=xyz; path=/"],
            "x-echo": [f"Bearer {KEY}"],
            "x-request-id": ["req_9"],
            "x-ratelimit-remaining-requests": ["99"],
        },
        "body": {"string": f'{{"content": "you sent Bearer {KEY}"}}'.encode()},
    }
    scrubbed = Redactor([KEY]).before_record_response(response)
    assert scrubbed["headers"] == {
        "Set-Cookie": [REDACTED],
        "x-echo": [f"Bearer {REDACTED}"],
        "x-request-id": ["req_9"],
        "x-ratelimit-remaining-requests": ["99"],
    }
    assert scrubbed["body"]["string"] == f'{{"content": "you sent Bearer {REDACTED}"}}'.encode()


def test_url_quoted_key_and_userinfo_are_scrubbed() -> None:
    redactor = Redactor(["sk-te st+key"])
    assert redactor.url("https://user:sk-te st+key@h/p?k=sk-te%20st%2Bkey") == f"https://h/p?k={REDACTED}"


def test_a_finding_quoting_the_key_is_scrubbed() -> None:
    finding = Finding(Code.RESPONSE_SCHEMA_MISMATCH, Severity.ERROR, "c.yaml", f"'{KEY}' is not of type 'integer'", detail=KEY, extra={"v": KEY})
    clean = Redactor([KEY]).finding(finding)
    assert KEY not in f"{clean.message}{clean.detail}{clean.extra}" and clean.key == finding.key


def test_a_key_too_short_to_be_real_redacts_nothing() -> None:
    assert Redactor([""]).text("a b c") == "a b c"


def test_log_records_are_scrubbed_whichever_logger_made_them(caplog: pytest.LogCaptureFixture) -> None:
    undo = install_log_scrubber(Redactor([KEY]))
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("vcr.cassette").info("Appending request %s and response %s", "req", {"body": f"Bearer {KEY}"})
    finally:
        undo()
    assert KEY not in caplog.text and REDACTED in caplog.text
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("x").info("after undo: %s", KEY)
    assert KEY in caplog.records[-1].getMessage()  # undone: the factory is the previous one again
