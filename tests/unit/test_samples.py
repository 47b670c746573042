"""Reading what a code sample sends, in each language the page uses."""

from __future__ import annotations

import pytest

from aimlapi_contract.page.samples import read_sample


def test_python_requests_call_with_variable_url_duplicate_headers_and_payload_lines() -> None:
    text = (
        "import requests\n"
        'URL = "https://api.aimlapi.com/v1/responses"\n'
        "r = requests.post(\n"
        "    URL,\n"
        '    headers={"Content-Type": "application/json",\n'
        '             "Authorization": "Bearer k",  # key\n'
        '             "Content-Type": "application/json"},\n'
        '    json={"model": "m",\n'
        '          "input": "Hello"},\n'
        ")\n"
    )
    s = read_sample("python", text)
    assert (s.url, s.url_line, s.method) == ("https://api.aimlapi.com/v1/responses", 4, "POST")
    assert [(h.name, h.line) for h in s.headers] == [("Content-Type", 5), ("Authorization", 6), ("Content-Type", 7)]
    assert s.payload == {"model": "m", "input": "Hello"} and s.sets_json_content_type
    assert s.payload_lines == {"": 8, "/model": 8, "/input": 9}


def test_python_data_json_dumps_and_request_method() -> None:
    text = 'import json, requests\nrequests.request("POST", "https://h/x", data=json.dumps({"a": [1]}))\n'
    s = read_sample("python", text)
    assert (s.method, s.url, s.payload, s.sets_json_content_type) == ("POST", "https://h/x", {"a": [1]}, False)


def test_invalid_python_still_yields_its_url() -> None:
    s = read_sample("python", 'requests.post("https://api.aimlapi.com/v1/x",\n  json={"a": 1\n')
    assert s.problems and s.problems[0][0].startswith("not valid Python:")
    assert (s.url, s.url_line) == ("https://api.aimlapi.com/v1/x", 1)


def test_javascript_fetch_body_as_json5_with_comments_removed() -> None:
    text = (
        "const r = await fetch('https://api.aimlapi.com/v1/chat/completions', {\n"
        "  method: 'POST',\n"
        "  headers: {'Authorization': 'Bearer k', // the key\n"
        "            'Content-Type': 'application/json'},\n"
        "  body: JSON.stringify({\n"
        "    model: 'm', /* a } in a comment */\n"
        "    messages: [{role: 'user', content: 'it\\'s // not a comment'}],\n"
        "  }),\n"
        "});\n"
    )
    s = read_sample("javascript", text)
    assert (s.url, s.method) == ("https://api.aimlapi.com/v1/chat/completions", "POST")
    assert [(h.name, h.line) for h in s.headers] == [("Authorization", 3), ("Content-Type", 4)]
    assert s.payload == {"model": "m", "messages": [{"role": "user", "content": "it's // not a comment"}]}
    assert s.payload_line == 5 and s.problems == []


def test_javascript_without_method_is_a_get_and_bad_body_is_a_problem() -> None:
    s = read_sample("javascript", "fetch('https://h/x', {body: JSON.stringify({a: someVariable})});")
    assert s.method == "GET" and not s.has_payload
    assert s.problems[0][0].startswith("JSON.stringify's argument is not a JSON5 literal")



@pytest.mark.parametrize("literal", ['{"a": ' + "[" * 3000 + "]" * 3000 + "}", "{a: " + "[" * 3000 + "]" * 3000 + "}"], ids=["json", "json5"])
def test_javascript_body_nested_deeper_than_the_parsers_recurse_is_a_problem(literal: str) -> None:
    s = read_sample("javascript", f"fetch('https://h/x', {{method: 'POST', headers: {literal}, body: JSON.stringify({literal})}});")
    assert [p for p, _ in s.problems] == [
        "the headers object is not a literal: the literal is nested too deeply to read",
        "JSON.stringify's argument is not a JSON5 literal: the literal is nested too deeply to read",
    ]

def test_curl_url_headers_and_data() -> None:
    text = "curl -L \\\n  -X POST \\\n  'https://h/v1/x' \\\n  -H 'Authorization: Bearer k' \\\n  --data '{\"a\": 1}'\n"
    s = read_sample("shell", text)
    assert (s.url, s.url_line, s.method) == ("https://h/v1/x", 3, "POST")
    assert [(h.name, h.value, h.line) for h in s.headers] == [("Authorization", "Bearer k", 4)]
    assert s.payload == {"a": 1} and s.payload_line == 5


def test_curl_data_that_is_not_json() -> None:
    s = read_sample("shell", "curl https://h/x -d '{\"a\": 1,}'")
    assert s.problems[0][0].startswith("the request body is not JSON")


def test_raw_http_request() -> None:
    s = read_sample("http", "POST / HTTP/1.1\nHost: test.com\nAuthorization: Bearer k\n\n{\"a\": 1}\n")
    assert (s.method, s.url, s.payload, s.payload_line) == ("POST", "https://test.com/", {"a": 1}, 5)


# --- URLs built from the sample's own variables, as the catalogue's JavaScript samples do ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('const baseUrl = "https://api.aimlapi.com/v2";\nfunction go() {\n  const url = new URL(`${baseUrl}/video/generations`);\n'
                     '  const req = https.request(url, { method: "POST", headers: {"Content-Length": Buffer.byteLength(d)} });\n}\n',
                     ("https://api.aimlapi.com/v2/video/generations", "POST", 3), id="new-URL-then-https.request"),
        pytest.param('const baseURL = "https://api.aimlapi.com/v1";\nconst main = async () => {\n'
                     '  const response = await axios.post(`${baseURL}/tts`, data, { headers });\n};\n',
                     ("https://api.aimlapi.com/v1/tts", "POST", 3), id="axios-post-template"),
        pytest.param('const api = "https://api.aimlapi.com";\nconst path = `${api}/v1/chat/completions`;\n'
                     'fetch(path, { method: "POST" });\n',
                     ("https://api.aimlapi.com/v1/chat/completions", "POST", 3), id="fetch-of-a-variable-through-two"),
        pytest.param('const client = new OpenAI({ apiKey: "k", baseURL: "https://api.aimlapi.com/v1" });\n'
                     'const r = await client.embeddings.create({ input: text, model: "m" });\n',
                     ("https://api.aimlapi.com/v1/embeddings", "POST", 2), id="openai-sdk"),
    ],
)
def test_javascript_urls_resolve_through_the_samples_variables(text: str, expected: tuple[str, str, int]) -> None:
    s = read_sample("javascript", text)
    assert (s.url, s.method, s.url_line) == expected


def test_a_printed_output_in_a_javascript_fence_sends_nothing() -> None:
    text = "Generation: {'id': 'x', 'audio_file': {'url': 'https://cdn.aimlapi.com/files/out.mp3'}}\n"
    assert read_sample("javascript", text).url == ""


def test_an_unresolvable_template_is_not_read_as_its_base() -> None:
    text = 'const r = await fetch(`${process.env.BASE}/v1/tts`, { method: "POST" });\n'
    assert not read_sample("javascript", text).url.startswith("https://api.aimlapi.com/v")
