"""What validation learns about a spec, kept between runs: how each failure shape is explained, and which
formats openapi-core checks.

Explaining a failure takes openapi-schema-validator, and importing it costs about 0.5 s (pydantic,
pydantic-settings, jsonschema): more than checking a thousand recordings. Real recordings fail in the
same few ways run after run, so an explanation (explain_cache.py) is kept on disk under the cache
directory, and a warm run never imports the explaining validator. The key names everything an
explanation depends on: the spec's sha256, the suite's source and version, the Python, the versions of
openapi-schema-validator, jsonschema and jsonschema-rs, and which packages are installed (optional ones
add format checks). Nothing is kept that does not come back from JSON as it went in, or that holds the
API key in any form; a store that cannot be read or written only costs time.

`kept_in(cache)` opens the store for a block and saves what was new at its end. Forked workers hand back
what they learned with their results (`take`/`absorb`), so one process writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..sources.cache_keys import cache_key, installed_metadata

FORMAT = 1  # bump when the stored layout changes
_MAX_ENTRIES = 4096  # explanations kept per spec (as in memory)
_MAX_FILE_BYTES = 32 * 1024 * 1024  # a larger store file is ignored (and rewritten from this run)
_MAX_FILES = 2048  # past this, the least recently written go (older suites and specs); a catalogue has ~830 specs
_LIBRARIES = ("openapi-schema-validator", "jsonschema", "jsonschema-rs")
_PACKAGE = Path(__file__).resolve().parent.parent

# A key is (schema pointer, direction, failure shape); an explanation is a list of violation tuples (explain_cache.py).
Key = tuple[Any, ...]
Entries = dict[Key, Any]


class _Store:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.loaded: dict[str, Entries] = {}  # spec sha256 -> what the store held at first use
        self.new: dict[str, Entries] = {}  # learned in this run, to save
        self.unsent: dict[str, Entries] = {}  # learned in this process since the last take()
        # (file name, None, value) or (file name, table key, entry): derived since the last take()
        self.unsent_derived: list[tuple[str, str | None, Any]] = []
        self.derived: dict[str, Any] = {}  # store file name -> a value computed in this run, to save
        self.tables: dict[str, dict[str, Any]] = {}  # store file name -> a table read or begun in this run
        self.formats: frozenset[str] | None = None
        self.formats_learned = False
        self._env: str | None = None

    def env(self) -> str:
        if self._env is None:
            self._env = environment_key()
        return self._env

    def path(self, name: str) -> Path:
        return self.directory / "validation" / f"{hashlib.sha256((self.env() + name).encode()).hexdigest()}.json"


_STORE: _Store | None = None


@contextmanager
def kept_in(cache: Path | None) -> Iterator[None]:
    """Use `cache` for what validation learns during the block (None: nothing kept); save what was new at its end."""
    global _STORE
    previous, _STORE = _STORE, (_Store(cache) if cache is not None else None)
    try:
        yield
        if _STORE is not None:
            _save(_STORE)
    finally:
        _STORE = previous


def explanation(spec_sha256: str, key: Key) -> Any:
    """The explanation kept for `key` on this spec, or None."""
    if _STORE is None:
        return None
    if spec_sha256 not in _STORE.loaded:
        _STORE.loaded[spec_sha256] = _read_entries(_STORE.path(spec_sha256))
    found = _STORE.loaded[spec_sha256].get(key)
    return found if found is not None else _STORE.new.get(spec_sha256, {}).get(key)


def remember(spec_sha256: str, key: Key, explanation: Any) -> None:
    """Keep a new explanation, if it survives JSON exactly (saved when the block ends)."""
    if _STORE is None:
        return
    try:
        row = json.loads(json.dumps(_encode_entry(key, explanation)))
        if not _well_formed(row) or _decode_entry(row) != (key, explanation):
            return
    except (TypeError, ValueError):  # not JSON at all
        return
    _STORE.new.setdefault(spec_sha256, {})[key] = explanation
    _STORE.unsent.setdefault(spec_sha256, {})[key] = explanation


def known_formats(compute: Callable[[], frozenset[str]]) -> frozenset[str]:
    """The format names openapi-core's checker checks: kept, else `compute()` (which imports the checker)."""
    if _STORE is None:
        return compute()
    if _STORE.formats is None:
        try:
            names = json.loads(_STORE.path("formats").read_bytes())["formats"]
            if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
                raise ValueError("damaged")
            _STORE.formats = frozenset(names)
        except (OSError, ValueError, KeyError, TypeError):
            _STORE.formats, _STORE.formats_learned = compute(), True
    return _STORE.formats


def derived(spec_sha256: str, name: str, compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """A JSON value derived from the spec alone (e.g. its structural index): kept, else `compute()`'s.

    A kept value that `valid` rejects (a damaged file) is computed again."""
    if _STORE is None:
        return compute()
    value = _kept_value(_STORE.path(f"{spec_sha256}:{name}"))
    if value is not _ABSENT and valid(value):
        return value
    value = compute()
    _STORE.derived[f"{spec_sha256}:{name}"] = value
    _STORE.unsent_derived.append((f"{spec_sha256}:{name}", None, value))
    return value


def take() -> Any:
    """What this process learned since the last call (picklable), for the parent's `absorb`."""
    if _STORE is None:
        return None
    unsent, _STORE.unsent = _STORE.unsent, {}
    derived, _STORE.unsent_derived = _STORE.unsent_derived, []
    return unsent, derived


def absorb(learned: Any) -> None:
    """Add what a worker learned (its `take()`) to what this process saves."""
    if _STORE is None or not learned:
        return
    explanations, derived = learned
    for sha, entries in explanations.items():
        _STORE.new.setdefault(sha, {}).update(entries)
    for name, key, value in derived:
        if key is None:
            _STORE.derived[name] = value
        else:  # a table's entry: it joins this process' table
            table = _table(_STORE, name)
            table[key] = value
            _STORE.derived[name] = table


def environment_key() -> str:
    """What an explanation depends on besides the spec, as one string (see the module docstring)."""
    installed = installed_metadata()  # each distribution's metadata is named after itself and its version
    fingerprint = hashlib.sha256("\x1f".join(installed).encode()).hexdigest()
    return cache_key(f"{FORMAT}:{fingerprint}", rules=_PACKAGE, library=_LIBRARIES)


def derived_entry(spec_sha256: str, name: str, key: str, compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """One entry of a table of JSON values derived from the spec alone (e.g. what each schema reads), kept in one
    file per spec and table: kept, else `compute()`'s. A kept entry that `valid` rejects is computed again."""
    if _STORE is None:
        return compute()
    table_name = f"{spec_sha256}:{name}"
    table = _table(_STORE, table_name)
    if key in table and valid(table[key]):
        return table[key]
    value = table[key] = compute()
    _STORE.derived[table_name] = table  # the whole table is written at the end
    _STORE.unsent_derived.append((table_name, key, value))  # a worker hands back the entry, not its table
    return value


def _table(store: _Store, name: str) -> dict[str, Any]:
    """The table kept in store file `name`, read on first use ({} if absent or damaged)."""
    table = store.tables.get(name)
    if table is None:
        loaded = _kept_value(store.path(name))
        table = store.tables[name] = loaded if isinstance(loaded, dict) else {}
    return table


_ABSENT: Any = object()


def _kept_value(path: Path) -> Any:
    """The value a derived store file holds, or _ABSENT (no file, too large, or not one of ours)."""
    try:
        if path.stat().st_size <= _MAX_FILE_BYTES:
            return json.loads(path.read_bytes())["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return _ABSENT


def _save(store: _Store) -> None:
    from ..redact import Redactor, api_key

    redactor = Redactor([api_key()])
    writes: list[tuple[Path, bytes]] = []
    if store.formats_learned and store.formats is not None:
        writes.append((store.path("formats"), json.dumps({"formats": sorted(store.formats)}).encode()))
    writes += [(store.path(name), json.dumps({"value": value}).encode()) for name, value in store.derived.items()]
    for sha, entries in store.new.items():
        # An explanation quoting the key (a payload echoed it) is never written down.
        fresh = {k: v for k, v in entries.items() if not redactor.leaks(json.dumps(_encode_entry(k, v)))}
        if not fresh:
            continue
        path = store.path(sha)
        kept = _read_entries(path)  # another run may have added some since this one read it
        kept.update(fresh)
        rows = [_encode_entry(k, v) for k, v in list(kept.items())[-_MAX_ENTRIES:]]
        writes.append((path, json.dumps({"explanations": rows}).encode()))
    for path, data in writes:
        if redactor.leaks_bytes(data):
            continue  # the same promise for everything else written here
        try:
            atomic_write(path, data, durable=False)  # a torn file does not parse, and is rebuilt
        except OSError:
            pass  # a read-only cache only costs time
    if writes:
        _prune(store.directory / "validation")


def _prune(directory: Path) -> None:
    try:
        files = sorted(directory.glob("*.json"), key=lambda f: f.stat().st_mtime)
        for old in files[:-_MAX_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another run pruned it first, or the cache is read-only


def _read_entries(path: Path) -> Entries:
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            return {}
        rows = json.loads(path.read_bytes())["explanations"]
        if not isinstance(rows, list) or not all(map(_well_formed, rows)):
            return {}  # damaged: nothing in it is trusted
        return dict(_decode_entry(row) for row in rows)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _well_formed(row: Any) -> bool:
    """A stored [pointer, direction, shape, explanation] with every field of the type it was written with."""
    def path(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(p, str | int) and not isinstance(p, bool) for p in value)

    def texts(values: Any) -> bool:
        return all(isinstance(v, str) for v in values)

    if not (isinstance(row, list) and len(row) == 4 and texts(row[:2]) and isinstance(row[2], list) and isinstance(row[3], list)):
        return False
    shape_ok = all(isinstance(e, list) and len(e) == 4 and path(e[0]) and path(e[1]) and texts(e[2:]) for e in row[2])
    return shape_ok and all(isinstance(v, list) and len(v) == 5 and path(v[0]) and texts(v[1:]) for v in row[3])


def _encode_entry(key: Key, explanation: Any) -> Any:
    pointer, direction, shape = key
    return [pointer, direction, [list(map(list, error[:2])) + list(error[2:]) for error in shape],
            [[list(v[0]), *v[1:]] for v in explanation]]


def _decode_entry(row: Any) -> tuple[Key, Any]:
    pointer, direction, shape, explanation = row
    key = (pointer, direction, tuple((tuple(e[0]), tuple(e[1]), *e[2:]) for e in shape))
    return key, [(tuple(v[0]), *v[1:]) for v in explanation]
