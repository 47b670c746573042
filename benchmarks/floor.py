"""The parse-only floor: what reading the recordings costs at all (libyaml + json.loads of every body and event).

    python benchmarks/floor.py CASSETTE_DIR     # prints how many payloads were parsed
"""

import json
import sys
from pathlib import Path

import yaml

parsed = 0
for file in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    for interaction in yaml.load(file.read_bytes(), Loader=yaml.CSafeLoader)["interactions"]:
        request_body, body = interaction["request"]["body"], interaction["response"]["body"]["string"]
        body = body.decode() if isinstance(body, bytes) else body
        if request_body:
            json.loads(request_body)
            parsed += 1
        headers = interaction["response"]["headers"]
        if "event-stream" in str(headers.get("content-type", headers.get("Content-Type", ""))):
            for block in body.split("\n\n"):
                data = "\n".join(line[5:].lstrip() for line in block.splitlines() if line.startswith("data:"))
                if data and data != "[DONE]":
                    json.loads(data)
                    parsed += 1
        elif body.strip():
            json.loads(body)
            parsed += 1
print(json.dumps({"parsed": parsed}))
