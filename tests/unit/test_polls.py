"""A sample that submits a generation and then polls it: the poll's path and query parameters are checked too."""

from __future__ import annotations

import json

from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.page.polls import iter_poll_findings, poll_endpoint
from aimlapi_contract.page.samples import read_sample
from aimlapi_contract.sources import DocSet, load_spec

SPEC = {
    "openapi": "3.0.0", "info": {"title": "video", "version": "1"}, "servers": [{"url": "https://api.aimlapi.com"}],
    "paths": {"/v2/video/generations": {
        "post": {"responses": {"200": {"description": "OK"}}},
        "get": {"parameters": [{"$ref": "#/components/parameters/Gen"}], "responses": {"200": {"description": "OK"}}},
    }},
    "components": {"parameters": {"Gen": {"name": "generation_id", "in": "query", "required": True, "schema": {"type": "string"}}}},
}
PYTHON = '''import requests
base_url = "https://api.aimlapi.com/v2"

def submit():
    return requests.post(f"{base_url}/video/generations", json={"model": "m"}, headers={"Authorization": "Bearer k"})

def poll(gen_id):
    params = {"id": gen_id}
    return requests.get(f"{base_url}/video/generations", params=params, headers={"Authorization": "Bearer k"})
'''
JAVASCRIPT = '''const baseUrl = "https://api.aimlapi.com/v2";
function submit() {
  const url = new URL(`${baseUrl}/video/generations`);
  https.request(url, { method: "POST" });
}
function poll(genId) {
  const url = new URL(`${baseUrl}/video/generations`);
  url.searchParams.append("generation_id", genId);
  https.request(url, { method: "GET" });
}
'''


def docset() -> DocSet:
    return DocSet(page="p.md", page_text="", specs={"v.json": load_spec("v.json", json.dumps(SPEC).encode())})


def factory(code: Code, severity: Severity, message: str, line: int | None, pointer: str = "", fix: str = "") -> Finding:
    return Finding(code, severity, "p.md", message, line=line, pointer=pointer, fix=fix, anchor="sample:python")


def test_python_poll_with_an_undocumented_query_parameter() -> None:
    sample = read_sample("python", PYTHON)
    assert (sample.method, sample.url) == ("POST", "https://api.aimlapi.com/v2/video/generations")  # f-string through base_url
    [poll] = sample.polls
    assert (poll.method, poll.query) == ("GET", {"id": 8})
    found = {(f.code, f.pointer, f.endpoint, f.anchor) for f in iter_poll_findings(poll, docset(), factory)}
    assert found == {
        (Code.DOC_SAMPLE_UNDOCUMENTED_QUERY, "/query/id", "GET /v2/video/generations", "sample:python:poll:GET"),
        (Code.DOC_SAMPLE_MISSING_QUERY, "/query/generation_id", "GET /v2/video/generations", "sample:python:poll:GET"),
    }
    assert poll_endpoint(poll, docset()) == "GET /v2/video/generations"


def test_javascript_poll_built_with_search_params_is_clean() -> None:
    sample = read_sample("javascript", JAVASCRIPT)
    assert (sample.method, sample.url) == ("POST", "https://api.aimlapi.com/v2/video/generations")
    [poll] = sample.polls
    assert (poll.method, poll.query) == ("GET", {"generation_id": 8})
    assert list(iter_poll_findings(poll, docset(), factory)) == []


def test_a_poll_of_an_undocumented_path_is_ct322() -> None:
    [poll] = read_sample("python", PYTHON.replace('get(f"{base_url}/video/generations"', 'get(f"{base_url}/video/status"')).polls
    [f] = iter_poll_findings(poll, docset(), factory)
    assert (f.code, f.pointer) == (Code.DOC_SAMPLE_UNDOCUMENTED_PATH, "/poll/url")
