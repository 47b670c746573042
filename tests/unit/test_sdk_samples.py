"""OpenAI SDK samples: the call names the path, its arguments are the payload (literal or not)."""

from __future__ import annotations

from aimlapi_contract.page.sample_request import FILE_PLACEHOLDER, JSON, MULTIPART, UNREAD_PLACEHOLDER
from aimlapi_contract.page.samples import read_sample

PYTHON = '''from openai import OpenAI
client = OpenAI(base_url="https://api.aimlapi.com/v1", api_key="<YOUR_AIMLAPI_KEY>")
model = "gpt-4o"
response = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": question}],
    temperature=0.7,
    extra_body={"top_k": 5},
    extra_headers={"X-Trace": "1"},
    timeout=30,
)
'''
JAVASCRIPT = '''import OpenAI from "openai";
const api = new OpenAI({ baseURL: "https://api.aimlapi.com/v1", apiKey: key });
// the prompt comes from the user
const result = await api.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: prompt }],
  max_tokens: 256,
});
'''


def test_python_sdk_keyword_arguments_are_the_payload() -> None:
    sample = read_sample("python", PYTHON)
    assert (sample.method, sample.url, sample.media) == ("POST", "https://api.aimlapi.com/v1/chat/completions", JSON)
    # extra_body is merged as the SDK does; headers, query and timeout are not body; `question` is unknown
    assert sample.payload == {"model": "gpt-4o", "messages": [{"role": "user", "content": UNREAD_PLACEHOLDER}],
                              "temperature": 0.7, "top_k": 5}
    assert sample.payload_lines["/temperature"] == 7 and sample.payload_lines["/top_k"] == 8
    assert not sample.headers_read  # the SDK writes Authorization itself: none is called missing


def test_javascript_sdk_object_literal_is_the_payload() -> None:
    sample = read_sample("javascript", JAVASCRIPT)
    assert (sample.method, sample.url) == ("POST", "https://api.aimlapi.com/v1/chat/completions")
    assert sample.payload == {"model": "gpt-4o", "messages": [{"role": "user", "content": UNREAD_PLACEHOLDER}], "max_tokens": 256}
    assert sample.payload_line == 4


def test_sdk_uploads_are_multipart_and_unreadable_arguments_are_no_payload() -> None:
    upload = read_sample("python", 'from openai import OpenAI\nc = OpenAI(base_url="https://api.aimlapi.com/v1")\n'
                                   'c.audio.transcriptions.create(model="whisper-1", file=open("a.mp3", "rb"))\n')
    assert (upload.media, upload.payload) == (MULTIPART, {"model": "whisper-1", "file": FILE_PLACEHOLDER})
    spread = read_sample("python", 'from openai import OpenAI\nc = OpenAI(base_url="https://api.aimlapi.com/v1")\n'
                                   'c.chat.completions.create(**params)\n')
    assert spread.url.endswith("/chat/completions") and not spread.has_payload
    variable = read_sample("javascript", 'const c = new OpenAI({ baseURL: "https://api.aimlapi.com/v1" });\nawait c.responses.create(params);\n')
    assert variable.url.endswith("/responses") and not variable.has_payload
