"""A streamed Response example (`data:` lines) is checked event by event against the text/event-stream schema."""

from __future__ import annotations

import json
from pathlib import Path

from aimlapi_contract.findings import Code
from aimlapi_contract.page import iter_doc_findings
from aimlapi_contract.page.stream_example import stream_events
from aimlapi_contract.sources import DocSet, load_spec
from aimlapi_contract.sources.discovery import iter_spec_links

DATA = Path(__file__).parents[1] / "data"
CHUNK = {"type": "object", "required": ["object"], "properties": {"object": {"type": "string", "enum": ["chat.completion.chunk"]}}}

PAGE = """# streaming

{% openapi-operation spec="mini-chat" path="/v1/chat/completions" method="post" %}
[OpenAPI](mini-chat.json)
{% endopenapi-operation %}

```python
import requests
requests.post("https://api.aimlapi.com/v1/chat/completions", headers={"Authorization": "Bearer k"},
              json={"model": "openai/gpt-4.1-nano-2025-04-14", "messages": [{"role": "user", "content": "Hi"}], "stream": True})
```

<details>

<summary>Response</summary>

```
data: {"object": "chat.completion.chunk"}

data: {"object": "chat.completion"}

data: [DONE]
```

</details>
"""


def docset(stream_schema: bool) -> DocSet:
    spec = json.loads((DATA / "docs" / "mini-chat.json").read_text())
    op = spec["paths"]["/v1/chat/completions"]["post"]
    op["requestBody"]["content"]["application/json"]["schema"]["properties"]["stream"] = {"type": "boolean"}
    if stream_schema:
        op["responses"]["200"]["content"]["text/event-stream"] = {"schema": CHUNK}
    rel = "docs/t/mini-chat.json"
    return DocSet(page="docs/t/page.md", page_text=PAGE, links=iter_spec_links(PAGE), specs={rel: load_spec(rel, json.dumps(spec).encode())})


def test_stream_events_reads_data_lines_only_in_an_sse_block() -> None:
    assert stream_events('data: {"a": 1}\n\nevent: x\ndata: [DONE]\n') == [(1, {"a": 1})]
    assert stream_events('{"a": 1}\n') is None
    assert stream_events('Generation: data: {"a": 1}\n') is None


def test_each_event_is_checked_against_the_stream_schema_at_its_line() -> None:
    found = [f for f in iter_doc_findings(docset(stream_schema=True)) if f.code in (Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Code.DOC_EXAMPLE_NOT_JSON)]
    assert [(f.code, f.pointer, f.anchor, f.line) for f in found] == [
        (Code.DOC_EXAMPLE_SCHEMA_MISMATCH, "/object", "example:event:1", PAGE.splitlines().index('data: {"object": "chat.completion"}') + 1)]
    assert "text/event-stream schema" in found[0].message


def test_a_stream_example_where_no_stream_is_documented_says_so() -> None:
    found = [f for f in iter_doc_findings(docset(stream_schema=False)) if f.code is Code.DOC_EXAMPLE_SCHEMA_MISMATCH]
    assert len(found) == 1 and "documents only application/json" in found[0].message
    assert not [f for f in iter_doc_findings(docset(stream_schema=False)) if f.code is Code.DOC_EXAMPLE_NOT_JSON]


def test_an_event_nested_past_the_depth_limit_is_not_json_not_a_crash() -> None:
    deep = "[" * 3000 + "]" * 3000
    events = stream_events(f'data: {deep}\n\ndata: {{"a": 1}}\n\ndata: [DONE]\n')
    assert events is not None and [n for n, _ in events] == [1, 3]
    assert events[1][1] == {"a": 1} and not isinstance(events[0][1], list)
