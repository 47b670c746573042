"""The naive check a user could write in 40 lines: libyaml + openapi-core per pair + openapi-schema-validator per event.

    python benchmarks/naive.py DOCS_BASE CASSETTE_DIR     # prints how many payloads were rejected
"""

import json
import sys
from pathlib import Path

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30ReadValidator

SPECS = {"/v1/chat/completions": "gpt-4.1-nano.json", "/v1/responses": "gpt-4.1-nano-RESPONSES.json"}
base, cassettes = Path(sys.argv[1]) / "docs/api-references/text-models-llm/OpenAI", Path(sys.argv[2])
# The published specs fail openapi-spec-validator, so it is off (as the suite has it).
apis = {path: OpenAPI.from_dict(json.loads((base / name).read_bytes()), config=Config(spec_validator_cls=None)) for path, name in SPECS.items()}
event_validators = {}
for path, api in apis.items():
    with (api.spec / "paths" / path / "post" / "responses" / "200" / "content" / "text/event-stream" / "schema").resolve() as r:
        event_validators[path] = OAS30ReadValidator(r.contents, format_checker=OAS30ReadValidator.FORMAT_CHECKER)
rejected = 0
for file in sorted(cassettes.rglob("*.yaml")):
    for interaction in yaml.load(file.read_bytes(), Loader=yaml.CSafeLoader)["interactions"]:
        req, resp = interaction["request"], interaction["response"]
        path = "/" + req["uri"].split("/", 3)[3].split("?")[0]
        body = resp["body"]["string"]
        body = body.encode() if isinstance(body, str) else body
        ctype = resp["headers"].get("content-type", resp["headers"].get("Content-Type", ["application/json"]))[0]
        request = MockRequest("https://api.aimlapi.com", req["method"].lower(), path, data=req["body"] or b"", content_type="application/json")
        try:
            apis[path].validate_request(request)
        except OpenAPIError:
            rejected += 1
        if ctype.startswith("text/event-stream"):
            for block in body.decode().split("\n\n"):
                data = "\n".join(line[5:].lstrip() for line in block.splitlines() if line.startswith("data:"))
                if data and data != "[DONE]":
                    rejected += any(True for _ in event_validators[path].iter_errors(json.loads(data)))
            continue
        try:
            apis[path].validate_response(request, MockResponse(body, status_code=resp["status"]["code"], content_type=ctype))
        except OpenAPIError:
            rejected += 1
print(json.dumps({"rejected": rejected}))
