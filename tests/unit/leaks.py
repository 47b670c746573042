"""Every encoding of a key a leak test looks for, listed independently of the redactor, and a scanner over files and output."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

import yaml

from aimlapi_contract.redact import Redactor


def key_forms(key: str) -> dict[str, str]:
    """Name -> text of each form: plain, quoted, base64 (alone, Bearer, at every alignment), \\u escapes (all, some, doubled)."""
    forms = {
        "plain": key,
        "quoted": quote(key, safe=""),
        "quote-plus": quote_plus(key),
        "percent-all": "".join(f"%{ord(c):02X}" for c in key),
        "u-all": "".join(f"\\u{ord(c):04x}" for c in key),
        "u-odd-upper": "".join(f"\\u{ord(c):04X}" if i % 2 else c for i, c in enumerate(key)),
        "u-first": f"\\u{ord(key[0]):04x}{key[1:]}",
        "u-last": f"{key[:-1]}\\u{ord(key[-1]):04x}",
        "u-doubled": "".join(f"\\\\u{ord(c):04x}" for c in key),  # a \u escape inside a YAML or Python string literal
    }
    for name, raw in {"key": key, "bearer": f"Bearer {key}", "basic": f"user:{key}"}.items():
        encoded = base64.b64encode(raw.encode()).decode()
        forms[f"base64-{name}"] = encoded.rstrip("=")
        forms[f"urlsafe-base64-{name}"] = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    for offset in (1, 2):  # the key's own base64 characters at the other alignments, whatever precedes it
        encoded = base64.b64encode(b"x" * offset + key.encode()).decode()
        forms[f"base64-offset-{offset}"] = encoded[-(-8 * offset // 6) : 8 * (offset + len(key)) // 6]
    return forms


def texts_of(path: Path) -> Iterable[str]:
    """A file's text, and for a YAML cassette every string it decodes to (a folded scalar hides nothing)."""
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    yield text
    if path.suffix in (".yaml", ".yml"):
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError:
            return
        yield json.dumps(loaded, default=lambda b: b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b), ensure_ascii=False)


def leaks_in(key: str, named_texts: Iterable[tuple[str, str]]) -> list[str]:
    """`where: form` for each form of the key found (or the redactor's own class match), empty when none."""
    forms = key_forms(key)
    redactor = Redactor([key])
    found = []
    for where, text in named_texts:
        found += [f"{where}: {name}" for name, form in forms.items() if form in text]
        if redactor.leaks(text):
            found.append(f"{where}: a form the redactor matches")
    return sorted(set(found))


def leaks_under(key: str, root: Path, *outputs: str) -> list[str]:
    """Every leak in every file under `root` and in the given output texts."""
    named = [(str(p.relative_to(root)), t) for p in sorted(root.rglob("*")) if p.is_file() for t in texts_of(p)]
    return leaks_in(key, named + [(f"output {i}", o) for i, o in enumerate(outputs)])
