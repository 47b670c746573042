"""redact.py: the key leaves nothing behind in recorded requests, responses, findings or log lines."""

from __future__ import annotations

import json
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


# --- the class of encodings, not a list of examples -------------------------------------------

def _forms(key: str) -> dict[str, str]:
    from leaks import key_forms

    return key_forms(key)


@pytest.mark.parametrize("key", ["sk-test-redact-0a1b2c3d4e", "0123456789abcdef0123456789abcdef", "ab/cd+ef=gh:ij"])
def test_every_form_of_the_key_is_redacted_in_text_and_bytes(key: str) -> None:
    redactor = Redactor([key])
    for name, form in _forms(key).items():
        text = f'{{"a": "x {form} y"}}'
        assert redactor.leaks(text), name
        assert not redactor.leaks(redactor.text(text)) and REDACTED in redactor.text(text), name
        assert not redactor.leaks_bytes(redactor.bytes(text.encode())), name


def test_any_subset_of_characters_may_be_escaped() -> None:
    import random

    rng = random.Random(11)
    redactor = Redactor([KEY])
    for _ in range(200):
        form = "".join(rng.choice([c, f"\\u{ord(c):04x}", f"\\u{ord(c):04X}", f"%{ord(c):02x}", f"\\\\u{ord(c):04x}"]) for c in KEY)
        assert redactor.text(f"<{form}>") == f"<{REDACTED}>", form


def test_base64_of_any_text_holding_the_key_goes_as_a_whole_token() -> None:
    import base64

    redactor = Redactor([KEY])
    for prefix in ("", "B", "Be", "Bearer ", "user:", "xx:"):
        token = base64.b64encode(f"{prefix}{KEY}!".encode()).decode()
        assert redactor.text(f"h: {token} end") == f"h: {REDACTED} end", prefix


def test_ordinary_text_and_other_base64_are_left_alone() -> None:
    import base64

    redactor = Redactor([KEY])
    other = base64.b64encode(b"Bearer sk-test-something-else-entirely").decode()
    for text in (other, "sk-test-redact", "QmVhcmVy", "%73k-test", "\\u0073k-tes"):
        assert redactor.text(text) == text and not redactor.leaks(text)


def test_a_key_split_across_sse_events_is_found_only_when_pieced_together() -> None:
    from aimlapi_contract.live.recording import joined_strings

    events = "".join(f'data: {{"id": "c1", "choices": [{{"delta": {{"content": "{part}"}}}}]}}\n\n' for part in (KEY[:9], KEY[9:]))
    redactor = Redactor([KEY])
    assert not redactor.leaks(events) and redactor.leaks(joined_strings(events))
    assert not redactor.leaks(joined_strings(events.replace(KEY[9:], "other text")))


def test_a_body_nested_deeper_than_python_recurses_is_scanned_as_it_is() -> None:
    from aimlapi_contract.live.recording import joined_strings

    deep = f'data: {{"a": "{KEY}", "b": ' + "[" * 5000 + "]" * 5000 + "}\n\n"
    assert Redactor([KEY]).leaks(joined_strings(deep))


@pytest.mark.parametrize("key", ["sk-aiml-0123456789abcdef", " spaced key+/=", "ключ-секрет-1234", "%41\\u0042-key"])
def test_the_leading_character_class_changes_no_match(key: str) -> None:
    """The pattern's lookahead only skips positions no alternative can start at: same spans as without it."""
    import re

    from aimlapi_contract import redact
    from leaks import key_forms

    redactor = redact.Redactor([key])
    assert redactor._pattern is not None and redactor._pattern.pattern.startswith("(?=[")
    bare = re.compile(redactor._pattern.pattern.split("])(?:", 1)[1][:-1])  # the same alternatives, unled
    text = json.dumps({name: f"x {form} y" for name, form in key_forms(key).items()}) + " plain text % \\\\ + " + json.dumps(key)
    for value, pattern, bare_pattern, chars in ((text, redactor._pattern, bare, redact._BASE64_CHARS),
                                                (text.encode(), redactor._byte_pattern, re.compile(bare.pattern.encode()), redact._BASE64_BYTES)):
        spans = redact._spans(pattern, value, chars)
        assert spans == redact._spans(bare_pattern, value, chars)
        assert len(spans) >= len(key_forms(key)) // 2  # it did match: the comparison is not of two empty lists
