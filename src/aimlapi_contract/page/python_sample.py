"""What a Python code sample sends, read with `ast`: the requests call, its `headers=` dict (duplicate
keys kept), its `json=` (or `data=json.dumps(...)`) literal, or the form it uploads (`files=`, `data={...}`),
and the line of every payload member.
"""

from __future__ import annotations

import ast
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .duplicates import python_duplicates
from .sample_request import FILE_PLACEHOLDER, MULTIPART, UNREAD_PLACEHOLDER, URLENCODED, Header, Poll, Sample

_HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def read_python(text: str, sample: Sample) -> None:
    """Fill `sample` from the first `requests` call in a Python sample; problems instead of exceptions."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        sample.problems.append((f"not valid Python: {exc.msg}", exc.lineno))
        return
    except (ValueError, RecursionError) as exc:  # a NUL byte, absurd nesting
        sample.problems.append((f"not valid Python: {exc}", None))
        return
    assigns = sorted(((node.lineno, t.id, node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)), key=lambda a: a[0])
    # In source order: ast.walk is breadth-first, so a shallow GET poll in one function would come before the
    # POST nested in a `with` block of the function above it.
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_requests_call(n)),
                   key=lambda n: (n.lineno, n.col_offset))
    if not calls:
        return
    call = calls[0]
    sample.polls = [poll for later in calls[1:] if (poll := _poll(later, names_at(assigns, later.lineno))) is not None]
    names = names_at(assigns, call.lineno)
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    method = call.func.attr  # type: ignore[attr-defined]
    args = list(call.args)
    if method == "request" and args:
        sample.method = str(literal_value(args.pop(0), names) or "").upper()
    else:
        sample.method = method.upper()
    url_node = args[0] if args else kwargs.get("url")
    if url_node is not None:
        url = literal_value(_resolve(url_node, names), names)
        sample.url, sample.url_line = (url if isinstance(url, str) else ""), url_node.lineno
    headers = _resolve(kwargs["headers"], names) if "headers" in kwargs else None
    if isinstance(headers, ast.Dict):
        sample.headers_read = True
        for key, value in zip(headers.keys, headers.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                sample.headers.append(Header(key.value, str(literal_value(value, names) or ""), key.lineno))
    elif headers is None:
        sample.headers_read = True
    body = kwargs.get("json")
    sample.sets_json_content_type = body is not None
    data = _resolve(kwargs["data"], names) if "data" in kwargs else None
    if body is None and isinstance(data, ast.Call) and ast.unparse(data.func) == "json.dumps" and data.args:
        body = data.args[0]
    elif body is None and ("files" in kwargs or isinstance(data, ast.Dict)):
        _form(sample, data, _resolve(kwargs["files"], names) if "files" in kwargs else None, names, call.lineno)
        return
    if body is not None:
        body = _resolve(body, names)
        try:
            sample.payload = ast.literal_eval(body)
            sample.payload_line = body.lineno
            sample.payload_lines = ast_lines(body, "")
            sample.duplicate_keys = python_duplicates(body)
        except (ValueError, SyntaxError, TypeError, RecursionError):
            sample.problems.append(("the request payload is not a literal, so it cannot be checked", body.lineno))


def names_at(assigns: list[tuple[int, str, ast.expr]], line: int) -> dict[str, ast.expr]:
    """What each name is bound to at `line`: its last assignment above it (`url` is rebound in every function of a
    sample), else its first one anywhere."""
    names: dict[str, ast.expr] = {}
    for at, name, value in assigns:
        if at <= line or name not in names:
            names[name] = value
    return names


def _form(sample: Sample, data: ast.expr | None, files: ast.expr | None, names: dict[str, ast.expr], line: int) -> None:
    """`requests.post(url, data={...}, files={...})`: a multipart form (urlencoded without files) of field -> value.

    A file's value, and a field whose value is not a literal, is a placeholder: present, value unknown."""
    sample.media = MULTIPART if files is not None else URLENCODED
    sample.sets_json_content_type = True  # requests writes the form's Content-Type (and its boundary) itself
    payload: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for node, is_file in ((data, False), (files, True)):
        if node is None:
            continue
        if is_file and isinstance(node, (ast.List, ast.Tuple)):  # files=[("image", open(...)), ...]
            node = ast.Dict(keys=[e.elts[0] if isinstance(e, ast.Tuple) and e.elts else None for e in node.elts],
                            values=list(node.elts))
        if not isinstance(node, ast.Dict):
            sample.problems.append((f"the form's `{'files' if is_file else 'data'}=` is not a literal dict, so it cannot be checked",
                                    getattr(node, "lineno", line)))
            return
        for key, value in zip(node.keys, node.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            field_value = FILE_PLACEHOLDER if is_file else literal_value(value, names)
            payload[key.value] = UNREAD_PLACEHOLDER if field_value is None else field_value
            lines["/" + key.value.replace("~", "~0").replace("/", "~1")] = key.lineno
    sample.payload, sample.payload_lines = payload, {"": data.lineno if data is not None else line, **lines}
    sample.payload_line = sample.payload_lines[""]


def _poll(call: ast.Call, names: dict[str, ast.expr]) -> Poll | None:
    """A later requests call: its method, URL and the names of its `params=` (literal dict) and URL query."""
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    args = list(call.args)
    method = call.func.attr  # type: ignore[attr-defined]
    if method == "request":
        method = str(literal_value(args.pop(0), names) or "") if args else ""
    url_node = args[0] if args else kwargs.get("url")
    url = literal_value(_resolve(url_node, names), names) if url_node is not None else None
    if not isinstance(url, str) or not method:
        return None
    query: dict[str, int | None] = {name: call.lineno for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    params = _resolve(kwargs["params"], names) if "params" in kwargs else None
    if isinstance(params, ast.Dict):
        for key in params.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                query[key.value] = key.lineno
    return Poll(method.upper(), url.split("?", 1)[0], url_node.lineno if url_node is not None else call.lineno, query)


def _is_requests_call(node: ast.Call) -> bool:
    """`requests.post(...)`, `requests.request("POST", ...)`, `session.post(...)`."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and (func.attr in _HTTP_METHODS or func.attr == "request")):
        return False
    owner = ast.unparse(func.value).lower()
    return owner.split(".")[0] == "requests" or owner.endswith("session")


def _resolve(node: ast.expr, names: dict[str, ast.expr]) -> ast.expr:
    seen = 0
    while isinstance(node, ast.Name) and node.id in names and seen < 10:
        node, seen = names[node.id], seen + 1
    return node


def literal_value(node: ast.expr, names: dict[str, ast.expr]) -> Any:
    node = _resolve(node, names)
    if isinstance(node, ast.JoinedStr):  # f"{base_url}/v1/x": names bound to strings resolved, the rest marked
        return "".join(str(v.value) if isinstance(v, ast.Constant) else _interpolated(v, names) for v in node.values)
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _interpolated(value: ast.expr, names: dict[str, ast.expr]) -> str:
    """`{base_url}` in an f-string: the string the name is bound to, else `{…}` (unknown)."""
    if isinstance(value, ast.FormattedValue) and not value.format_spec and value.conversion == -1:
        bound = _resolve(value.value, names)
        if isinstance(bound, ast.Constant) and isinstance(bound.value, str):
            return bound.value
    return "{…}"


def ast_lines(node: ast.expr, pointer: str) -> dict[str, int]:
    out = {pointer: node.lineno}
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant):
                child = pointer + "/" + str(key.value).replace("~", "~0").replace("/", "~1")
                out.update(ast_lines(value, child))
                out[child] = key.lineno
    elif isinstance(node, ast.List):
        for i, value in enumerate(node.elts):
            out.update(ast_lines(value, f"{pointer}/{i}"))
    return out
