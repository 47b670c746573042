"""What an OpenAI SDK sample sends (Python or JavaScript, pointed at the AIML API by `base_url=`/`baseURL:`).

The call names the path (`client.chat.completions.create` -> `/chat/completions`); its arguments are the
payload: Python keyword arguments (`extra_body` merged in, as the SDK does; `extra_headers`, `extra_query`
and `timeout` are not body), or the JavaScript object literal passed. A member whose value is not a literal
(a variable, a call) is present with a placeholder value: the schema checks that it is there, not what it is.
The SDK writes `Authorization` and `Content-Type` itself, so no header is called missing.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .duplicates import loads_keeping_duplicates
from .js_source import balanced_after, js_literal, strip_js_comments
from .python_sample import ast_lines, literal_value, names_at
from .sample_request import FILE_PLACEHOLDER, MULTIPART, UNREAD_PLACEHOLDER, Sample

_SDK_BASE = re.compile(r"""\b(?:base_url|baseURL)\s*[:=]\s*['"](?P<base>https?://[^'"]+)['"]""")
_SDK_CALL = re.compile(r"\.(?P<call>chat\.completions\.create|responses\.create|embeddings\.create|images\.generate|images\.edit"
                       r"|audio\.speech\.create|audio\.transcriptions\.create|audio\.translations\.create|messages\.create)\s*\(")
SDK_PATHS = {
    "chat.completions.create": "/chat/completions", "responses.create": "/responses", "embeddings.create": "/embeddings",
    "images.generate": "/images/generations", "images.edit": "/images/edits", "audio.speech.create": "/audio/speech",
    "audio.transcriptions.create": "/audio/transcriptions", "audio.translations.create": "/audio/translations",
    "messages.create": "/messages",
}
_UPLOADS = {"images.edit", "audio.transcriptions.create", "audio.translations.create"}  # the SDK sends these as multipart
_NOT_BODY = {"extra_headers", "extra_query", "timeout"}
# `key: value` where the value is a name or a call (`content: prompt`, `file: fs.createReadStream(p)`), not a literal.
_JS_NON_LITERAL = re.compile(r"""(?P<head>[{,]\s*(?:['"][^'"]+['"]|[A-Za-z_$][\w$]*)\s*:\s*)"""
                             r"""(?P<value>(?!true\b|false\b|null\b)[A-Za-z_$][\w$.]*(?:\((?:[^()'"]|'[^']*'|"[^"]*")*\))?)"""
                             r"""(?=\s*[,}])""")


def read_sdk_call(lang: str, text: str, sample: Sample) -> None:
    """The URL, method and payload of an SDK call; nothing when the sample makes none."""
    base, call = _SDK_BASE.search(text), _SDK_CALL.search(text)
    if not (base and call):
        return
    name = call.group("call")
    sample.url = base.group("base").rstrip("/") + SDK_PATHS[name]
    sample.url_line, sample.method = text.count("\n", 0, call.start()) + 1, "POST"
    sample.sets_json_content_type = True
    if lang == "python":
        _python_payload(text, name, sample)
    elif lang == "javascript":
        _javascript_payload(text, call.end(), sample)
    if sample.has_payload and name in _UPLOADS:
        sample.media = MULTIPART


def _python_payload(text: str, name: str, sample: Sample) -> None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return  # read_python has said so already
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("." + name)),
                   key=lambda n: (n.lineno, n.col_offset))
    if not calls:
        return
    call = calls[0]
    if any(k.arg is None for k in call.keywords):
        return  # `**params`: its keys cannot be known
    names = names_at(sorted(((n.lineno, t.id, n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                             for t in n.targets if isinstance(t, ast.Name)), key=lambda a: a[0]), call.lineno)
    payload: dict[str, Any] = {}
    lines: dict[str, int] = {"": call.lineno}
    members = [(k.arg, k.value, k.lineno) for k in call.keywords if k.arg and k.arg not in _NOT_BODY]
    extra = next((v for n, v, _ in members if n == "extra_body"), None)
    if isinstance(extra, ast.Dict):
        members = [m for m in members if m[0] != "extra_body"]
        members += [(k.value, v, k.lineno) for k, v in zip(extra.keys, extra.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    for key, node, line in members:
        assert key is not None
        payload[key] = _partial_literal(node, names, 0)
        pointer = "/" + key.replace("~", "~0").replace("/", "~1")
        if isinstance(node, (ast.Dict, ast.List)):
            lines.update(ast_lines(node, pointer))
        lines[pointer] = line
    sample.payload, sample.payload_lines, sample.payload_line = payload, lines, call.lineno


def _partial_literal(node: ast.expr, names: dict[str, ast.expr], depth: int) -> Any:
    """A literal value with its non-literal parts (`{"content": question}`) as placeholders."""
    if depth < 50 and isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {k.value: _partial_literal(v, names, depth + 1) for k, v in zip(node.keys, node.values)}  # type: ignore[union-attr]
    if depth < 50 and isinstance(node, (ast.List, ast.Tuple)):
        return [_partial_literal(e, names, depth + 1) for e in node.elts]
    value = literal_value(node, names)
    if value is None and not (isinstance(node, ast.Constant) and node.value is None):
        return FILE_PLACEHOLDER if "open(" in ast.unparse(node) else UNREAD_PLACEHOLDER
    return value


def _javascript_payload(text: str, after_paren: int, sample: Sample) -> None:
    code = strip_js_comments(text)
    if not code[after_paren:].lstrip().startswith("{"):
        return  # `create(params)`: a variable, not a literal
    found = balanced_after(code, r"\s*(?=\{)", after_paren)
    if found is None:
        return
    start, block = found
    literal = _JS_NON_LITERAL.sub(lambda m: m.group("head") + f'"{_js_placeholder(m.group("value"))}"', block)
    try:
        sample.payload, sample.duplicate_keys = loads_keeping_duplicates(js_literal, literal)
    except ValueError:
        return  # spread members, functions, template literals: not a literal the schema can be asked about
    sample.payload_line = code.count("\n", 0, start) + 1


def _js_placeholder(value: str) -> str:
    return FILE_PLACEHOLDER if re.search(r"stream|blob|file|buffer", value, re.I) else UNREAD_PLACEHOLDER
