"""Samples that upload a form (multipart or urlencoded): read in every language, checked against the documented media type."""

from __future__ import annotations

import json
from typing import Any

from aimlapi_contract.findings import Code, Finding
from aimlapi_contract.page.sample_checks import SampleSite, check_sample, documented_media
from aimlapi_contract.page.sample_request import FILE_PLACEHOLDER, JSON, MULTIPART, UNREAD_PLACEHOLDER, URLENCODED
from aimlapi_contract.page.samples import Sample, read_sample
from aimlapi_contract.sources import DocSet, load_spec
from aimlapi_contract.validation import SchemaEngine

FORM_SCHEMA = {"type": "object", "required": ["model", "audio"],
               "properties": {"model": {"type": "string", "enum": ["whisper"]}, "audio": {"type": "string", "format": "binary"},
                              "temperature": {"type": "number"}}}


def spec(content: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.0", "info": {"title": "stt", "version": "1"}, "servers": [{"url": "https://api.aimlapi.com"}],
            "paths": {"/v1/stt/create": {"post": {"requestBody": {"content": content}, "responses": {"200": {"description": "OK"}}}}}}


def findings(sample: Sample, content: dict[str, Any]) -> tuple[list[Finding], object]:
    docset = DocSet(page="p.md", page_text="", specs={"s.json": load_spec("s.json", json.dumps(spec(content)).encode())})
    checks = check_sample(sample, SampleSite("p.md", 1, "Python sample"), docset, SchemaEngine, lambda e: "sample:python")
    out: list[Finding] = []
    while True:
        try:
            out.append(next(checks))
        except StopIteration as done:
            return out, done.value[1]


PYTHON_TWO_FUNCTIONS = '''import requests
base_url = "https://api.aimlapi.com/v1"

def create():
    url = f"{base_url}/stt/create"
    data = {"model": "whisper", "temperature": 0.2}
    with open("a.mp3", "rb") as file:
        files = {"audio": ("a.mp3", file, "audio/mpeg")}
        return requests.post(url, data=data, headers={"Authorization": "Bearer k"}, files=files)

def fetch(gen_id):
    url = f"{base_url}/stt/{gen_id}"
    return requests.get(url, headers={"Authorization": "Bearer k"})
'''


def test_python_upload_is_the_first_call_in_source_order_with_its_own_url() -> None:
    # ast.walk is breadth-first: the GET in the second function is shallower than the POST inside `with`;
    # and `url` is rebound in each function, so each call reads the binding above it.
    sample = read_sample("python", PYTHON_TWO_FUNCTIONS)
    assert (sample.method, sample.url, sample.media) == ("POST", "https://api.aimlapi.com/v1/stt/create", MULTIPART)
    assert sample.payload == {"model": "whisper", "temperature": 0.2, "audio": FILE_PLACEHOLDER}
    assert sample.payload_lines == {"": 6, "/model": 6, "/temperature": 6, "/audio": 8}
    assert [p.url for p in sample.polls] == ["https://api.aimlapi.com/v1/stt/{…}"]


def test_python_data_dict_without_files_is_urlencoded_and_files_may_be_a_list() -> None:
    plain = read_sample("python", 'import requests\nrequests.post("https://x/v1/a", data={"model": "m", "n": n})\n')
    assert (plain.media, plain.payload) == (URLENCODED, {"model": "m", "n": UNREAD_PLACEHOLDER})
    listed = read_sample("python", 'import requests\nrequests.post("https://x/v1/a", files=[("image", open("a", "rb"))])\n')
    assert (listed.media, listed.payload) == (MULTIPART, {"image": FILE_PLACEHOLDER})
    dumped = read_sample("python", 'import requests, json\nrequests.post("https://x/v1/a", data=json.dumps({"a": 1}))\n')
    assert (dumped.media, dumped.payload) == (JSON, {"a": 1})


def test_curl_form_fields_files_and_part_metadata() -> None:
    sample = read_sample("shell", 'curl https://api.aimlapi.com/v1/stt/create \\\n  -H "Authorization: Bearer k" \\\n'
                                  '  -F model=whisper \\\n  -F "audio=@a.mp3;type=audio/mpeg" \\\n  --form-string "prompt=@literally"')
    assert (sample.method, sample.media) == ("POST", MULTIPART)
    assert sample.payload == {"model": "whisper", "audio": FILE_PLACEHOLDER, "prompt": "@literally"}
    assert sample.payload_lines["/audio"] == 4


def test_javascript_form_data() -> None:
    sample = read_sample("javascript", 'const form = new FormData();\nform.append("model", "whisper");\n'
                                       'form.append("audio", fs.createReadStream("a.mp3"));\nform.append("language", lang);\n'
                                       'await fetch("https://api.aimlapi.com/v1/stt/create", {method: "POST", body: form});\n')
    assert (sample.method, sample.media) == ("POST", MULTIPART)
    assert sample.payload == {"model": "whisper", "audio": FILE_PLACEHOLDER, "language": UNREAD_PLACEHOLDER}
    assert sample.payload_lines["/language"] == 4


def test_an_upload_to_an_operation_documenting_only_json_is_ct362_and_not_validated() -> None:
    out, sent = findings(read_sample("python", PYTHON_TWO_FUNCTIONS), {"application/json": {"schema": {"type": "object", "required": ["url"]}}})
    [f] = out
    assert (f.code, f.line, f.anchor, f.endpoint) == (Code.DOC_SAMPLE_UNDOCUMENTED_MEDIA_TYPE, 6, "sample:python:media", "POST /v1/stt/create")
    assert "`multipart/form-data`" in f.message and "`application/json`" in f.message
    assert sent is None  # not compared with the JSON samples of other languages


def test_a_documented_form_is_validated_field_by_field() -> None:
    content = {"multipart/form-data": {"schema": FORM_SCHEMA}}
    clean, _ = findings(read_sample("python", PYTHON_TWO_FUNCTIONS), content)
    assert clean == []  # the file is present (its value unknown); nothing else is wrong
    curl = read_sample("shell", 'curl https://api.aimlapi.com/v1/stt/create -H "Authorization: Bearer k" -F model=whisperx -F temperature=0.5')
    out, _ = findings(curl, content)
    assert sorted((f.code, f.pointer) for f in out) == [(Code.DOC_SAMPLE_SCHEMA_MISMATCH, ""), (Code.DOC_SAMPLE_SCHEMA_MISMATCH, "/model")]
    # "0.5" is text on the wire: its type is the server's to parse, so `temperature` is not a finding
    assert any("'audio' is a required property" in f.message for f in out)


def test_a_json_sample_to_a_form_only_operation_is_ct362() -> None:
    sample = read_sample("python", 'import requests\nrequests.post("https://api.aimlapi.com/v1/stt/create", '
                                   'headers={"Authorization": "Bearer k"}, json={"model": "whisper"})\n')
    [f] = findings(sample, {"multipart/form-data": {"schema": FORM_SCHEMA}})[0]
    assert f.code == Code.DOC_SAMPLE_UNDOCUMENTED_MEDIA_TYPE and "`application/json`" in f.message


def test_documented_media_wildcards_and_parameters() -> None:
    assert documented_media(["multipart/form-data; boundary=x"], MULTIPART) == "multipart/form-data; boundary=x"
    assert documented_media(["multipart/*"], MULTIPART) == "multipart/*"
    assert documented_media(["*/*"], JSON) == "*/*"
    assert documented_media(["application/json"], URLENCODED) is None
