"""What live mode sends: one table of scenarios for both endpoints, each a request the specs document.

Add a scenario with one row in SCENARIOS: `chat(id, field=value, ...)` or `responses(id, ...)`.
`model` and a small token cap are filled in unless the row sets them; `stream=True` makes it a
streaming scenario. A row with `expect=STATUS_4XX, conforms=False` is a negative scenario: its
request breaks the spec on purpose and the API must refuse it. Its cassette carries an intent
marker (intent.py), so that deliberate breakage is no finding, live or replayed; the refusal is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..traffic import negative_marker

MODEL = "openai/gpt-4.1-nano-2025-04-14"
CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
# Token caps per endpoint, in the order a request may carry them; the budget checks the first present.
TOKEN_FIELDS = {CHAT: ("max_completion_tokens", "max_tokens"), RESPONSES: ("max_output_tokens",)}
DEFAULT_TOKENS = 16  # /v1/responses refuses max_output_tokens below 16
STATUS_4XX = range(400, 500)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One request live mode sends, and the status it expects back."""

    id: str
    path: str
    body: dict[str, Any] = field(hash=False)
    expect: range = range(200, 201)
    conforms: bool = True  # False: the request breaks the spec on purpose (a negative scenario)

    @property
    def streaming(self) -> bool:
        return self.body.get("stream") is True

    @property
    def endpoint(self) -> str:
        return f"POST {self.path}"

    def expected_status(self) -> str:
        """`200` or `4xx`, for messages."""
        if len(self.expect) == 1:
            return str(self.expect.start)
        return f"{str(self.expect.start)[0]}xx"

    def intent_marker(self) -> str | None:
        """What its recorded request carries to say it breaks the spec on purpose (intent.py); None if it conforms."""
        return None if self.conforms else negative_marker(self.id, self.expected_status())

    def requested_tokens(self) -> int | None:
        """The most output tokens this request may cost (cap times `n`); None when it sets no cap."""
        for name in TOKEN_FIELDS.get(self.path, ()):
            cap = self.body.get(name)
            if isinstance(cap, (int, float)) and not isinstance(cap, bool):
                n = self.body.get("n")
                return int(cap) * (n if isinstance(n, int) and n > 1 else 1)
        return None


def chat(id: str, *, expect: range = range(200, 201), conforms: bool = True, **fields: Any) -> Scenario:
    """A /v1/chat/completions scenario: a one-line user message and a small cap unless `fields` say otherwise."""
    body: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": "Say hi in one word."}]}
    if not any(name in fields for name in TOKEN_FIELDS[CHAT]):
        body["max_completion_tokens"] = DEFAULT_TOKENS
    return Scenario(f"chat-{id}", CHAT, body | fields, expect, conforms)


def responses(id: str, *, expect: range = range(200, 201), conforms: bool = True, **fields: Any) -> Scenario:
    """A /v1/responses scenario: a one-line string input and a small cap unless `fields` say otherwise."""
    body: dict[str, Any] = {"model": MODEL, "input": "Say hi in one word.", "max_output_tokens": DEFAULT_TOKENS}
    return Scenario(f"responses-{id}", RESPONSES, body | fields, expect, conforms)


def _greeting_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"greeting": {"type": "string"}},
        "required": ["greeting"],
        "additionalProperties": False,
    }


_WEATHER_PARAMS = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
_CHAT_TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.", "parameters": _WEATHER_PARAMS}}]
_CHAT_FORCE_TOOL = {"type": "function", "function": {"name": "get_weather"}}
_RESPONSES_TOOLS = [{"type": "function", "name": "get_weather", "description": "Weather in a city.", "parameters": _WEATHER_PARAMS, "strict": True}]
_ASK_WEATHER = "What is the weather in Paris?"

SCENARIOS: list[Scenario] = [
    # /v1/chat/completions, one reply
    chat("plain"),
    chat("system", messages=[{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Say hi."}]),
    chat("max-completion-tokens", max_completion_tokens=8),
    chat("max-tokens", max_tokens=8),
    chat("sampling", temperature=0.2, top_p=0.9),
    chat("n", n=2, max_completion_tokens=8),
    chat("stop", stop=["!", "."]),
    chat("json-schema", max_completion_tokens=32, response_format={"type": "json_schema", "json_schema": {"name": "greeting", "strict": True, "schema": _greeting_schema()}}),
    chat("tools", messages=[{"role": "user", "content": _ASK_WEATHER}], max_completion_tokens=32, tools=_CHAT_TOOLS, tool_choice=_CHAT_FORCE_TOOL),
    chat("logprobs", logprobs=True, top_logprobs=2, max_completion_tokens=4),
    # /v1/chat/completions, streamed
    chat("stream", stream=True),
    chat("stream-usage", stream=True, stream_options={"include_usage": True}),
    chat("stream-tools", stream=True, messages=[{"role": "user", "content": _ASK_WEATHER}], max_completion_tokens=32, tools=_CHAT_TOOLS, tool_choice=_CHAT_FORCE_TOOL),
    # /v1/responses, one reply
    responses("string-input"),
    responses("message-input", input=[{"role": "user", "content": "Say hi in one word."}]),
    responses("instructions", instructions="Answer in one word.", input="Say hi."),
    responses("max-output-tokens", max_output_tokens=20),
    responses("json-schema", max_output_tokens=32, text={"format": {"type": "json_schema", "name": "greeting", "strict": True, "schema": _greeting_schema()}}),
    responses("function-tool", input=_ASK_WEATHER, max_output_tokens=32, tools=_RESPONSES_TOOLS, tool_choice={"type": "function", "name": "get_weather"}),
    # /v1/responses, streamed
    responses("stream", stream=True),
    responses("stream-function-tool", stream=True, input=_ASK_WEATHER, max_output_tokens=32, tools=_RESPONSES_TOOLS, tool_choice={"type": "function", "name": "get_weather"}),
    # Negative: an unknown model must be refused with a 4xx on both endpoints
    chat("unknown-model", model="openai/no-such-model", expect=STATUS_4XX, conforms=False),
    responses("unknown-model", model="openai/no-such-model", expect=STATUS_4XX, conforms=False),
]


def scenario_by_id(scenario_id: str) -> Scenario:
    """The scenario with this id; KeyError naming the known ids otherwise."""
    for scenario in SCENARIOS:
        if scenario.id == scenario_id:
            return scenario
    raise KeyError(f"no scenario `{scenario_id}`; known: {', '.join(s.id for s in SCENARIOS)}")
