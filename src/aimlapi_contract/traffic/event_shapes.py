"""A payload's shape: its parsed data with each value no check reads replaced by its JSON type.

A payload's verdicts depend on its shape alone:
- the schema judges those strings and integers by type (validation/value_reads.py);
- the undocumented-field walk and the semantic rules read the values of only the names in their
  `VALUE_READS`, which are kept (traffic/payloads.py uses no shapes if other payload checks are added);
- a semantic finding quotes only values it read.
What may differ between two payloads of a shape is a schema finding's wording, which can quote the failing
value (`'abc' is not of type 'integer'`). So the first payload of a shape is checked, and its findings are
relabelled for the others where none of them quotes a blanked value (`reusable`): a null, a missing or an
undocumented property, a value the shape keeps.

Two uses. Within a stream (traffic/streams.py, `EventShapes`: the semantic rules' values kept too), an event
of a known shape gets all of the earlier event's findings. Past a cassette's findings cap (traffic/guard.py) a
finding made is only counted and its message is left empty, so there every shape's findings are re-used.
A 200,000-chunk stream whose chunks differ in text, ids, obfuscation and sequence numbers costs a few
verdicts and a look-up per event. The stream's own rules (one id, increasing sequence numbers) still read
every event. Across a run (traffic/payloads.py, `PayloadShapes` with only the walk's values kept), the
schema's and the walk's findings of a request, a reply or an event are made once per shape and spec
location and relabelled for each later payload of that shape, in any cassette; the semantic rules, which
read the request and the clock, run on each payload.
"""

from __future__ import annotations

from collections.abc import Container, Hashable
from typing import Any

from ..findings import Code, Finding, Severity, pointer_parts
from ..sources import Spec
from ..validation import semantics
from ..validation.value_reads import value_reads
from .guard import FindingBudget, Tallies
from .undocumented import VALUE_READS as WALK_READS

_CHECKS_READ = semantics.VALUE_READS | WALK_READS
# The findings payloads.py makes from schema violations (their `extra` names the keyword).
_SCHEMA_CODES = frozenset({Code.NULL_NOT_ALLOWED, Code.REQUEST_SCHEMA_MISMATCH, Code.RESPONSE_SCHEMA_MISMATCH, Code.SSE_EVENT_SCHEMA_MISMATCH})
_EXACT = 2**53  # integers up to this size are the same to every validator whatever their value


class PayloadShapes:
    """Shape keys for payloads validated against the schema at `schema_pointer`, keeping the values of the
    names in `kept` (besides those the schema reads)."""

    def __init__(self, spec: Spec, schema_pointer: str, kept: frozenset[str] = WALK_READS) -> None:
        self._spec, self._pointer, self._kept = spec, schema_pointer, kept
        self._strings: Container[str] = _Every()
        self._integers: Container[str] = _Every()
        self._decided = False  # what is read is decided when first asked (`reusable` asks after `key`)
        self.useful = True

    def key(self, payload: Any) -> Hashable | None:
        """The payload's shape, or None where the schema may read every value (no two payloads share one)."""
        if not self.useful:
            return None
        if not self._decided:
            self._decided = True
            reads = value_reads(self._spec, self._pointer)
            self._strings = _Every() if reads.strings is None else reads.strings | self._kept
            self._integers = _Every() if reads.integers is None else reads.integers | self._kept
            self.useful = reads.strings is not None or reads.integers is not None
            if not self.useful:
                return None
        return self._shape(payload)

    def reusable(self, payload: Any, findings: list[Finding]) -> bool:
        """Whether `findings`, made in full for `payload`, are every payload's of its shape (relabelled).

        A schema finding's message and cause may quote the value that failed; that is the same across
        a shape unless the value is, or holds, one the shape blanks. A missing property is named, never
        quoted with its object. Other findings name keys and read values (semantics) only the shape keeps."""
        for finding in findings:
            code = finding.code
            if code is Code.DOC_SCHEMA_UNUSABLE:
                return False  # reported once per schema by the caller: it must pass each time
            if code not in _SCHEMA_CODES:
                continue
            keyword = finding.extra.get("keyword")
            if keyword == "required":
                continue
            if not isinstance(keyword, str):
                return False  # no keyword: not a violation as payloads.py words them
            try:
                value, name = _member_at(payload, finding.pointer)
            except (KeyError, IndexError, TypeError, ValueError):
                return False
            if self._blanks(value, name):
                return False
        return True

    def _blanks(self, value: Any, name: str | None) -> bool:
        """Whether the shape leaves out `value` (the member `name` of an object; None: an array item or the
        root), or a value inside it."""
        t = type(value)
        if t is str:
            return name is not None and name not in self._strings
        if t is int:
            return name is not None and name not in self._integers and -_EXACT <= value <= _EXACT
        if t is dict:
            return any(self._blanks(item, key) for key, item in value.items())
        if t is list:
            return any(self._blanks(item, None) for item in value)
        return False  # null, booleans and floats are kept

    def _shape(self, value: Any) -> Hashable:
        kind = type(value)
        if kind is dict:
            return self._object(value)
        if kind is list:
            return ("[", *map(self._shape, value))
        return _scalar(value)

    def _object(self, value: dict[str, Any]) -> Hashable:
        strings, integers = self._strings, self._integers
        out: list[Any] = []
        for name, item in value.items():
            t = type(item)
            if t is str:
                out.append((name, item if name in strings else ""))
            elif t is int:
                # Past 2**53 an integer is not a double: conversions and comparisons in validators may differ.
                out.append((name, (int, item) if name in integers or not -_EXACT <= item <= _EXACT else 0))
            elif item is None:
                out.append((name, None))
            elif t is dict:
                out.append((name, self._object(item)))
            elif t is list:
                out.append((name, ("[", *map(self._shape, item))))
            else:
                out.append((name, _scalar(item)))
        return tuple(out)


class EventShapes(PayloadShapes):
    """Shape keys for the events of one stream validated against the schema at `schema_pointer`; the values
    the semantic rules read are kept, so an event's semantic findings are re-used with the rest."""

    def __init__(self, spec: Spec, schema_pointer: str, budget: FindingBudget) -> None:
        super().__init__(spec, schema_pointer, _CHECKS_READ)
        self._budget = budget

    @property
    def counting(self) -> bool:
        """Whether findings are only counted now (the cap is reached): then every shape's findings are re-used."""
        return self._budget.full

    def counted(self, finding: Finding) -> bool:
        """Count `finding` without handing it on, where the cap's count is all that would be read of it."""
        return finding.code is not Code.DOC_SCHEMA_UNUSABLE and self._budget.tally(finding.code, finding.severity)

    def tallies(self, findings: list[Finding]) -> Tallies | None:
        """`findings` as counts per code, for `all_counted`; None when one must be handed on whatever the count."""
        if any(f.code is Code.DOC_SCHEMA_UNUSABLE for f in findings):
            return None  # a malformed schema is reported once per schema by the caller: it must pass
        counts: dict[Code, tuple[int, Severity]] = {}
        for f in findings:
            n, severity = counts.get(f.code, (0, f.severity))
            counts[f.code] = (n + 1, max(severity, f.severity))
        return tuple((code, n, severity) for code, (n, severity) in counts.items())

    def all_counted(self, tallies: Tallies | None) -> bool:
        """Count the findings `tallies` stands for, if each can be counted without being made; else none."""
        return tallies is not None and self._budget.tally_all(tallies)


def _member_at(payload: Any, pointer: str) -> tuple[Any, str | None]:
    """The value at JSON pointer `pointer` in `payload`, and its name if an object's member holds it."""
    value, name = payload, None
    for part in pointer_parts(pointer):
        if type(value) is list:
            value, name = value[int(part)], None
        else:
            value, name = value[part], part
    return value, name


class _Every:
    """Holds every name: the values of a JSON type some schema reads under any name are all kept."""

    def __contains__(self, name: object) -> bool:
        return True


def _scalar(value: Any) -> Hashable:
    """A kept value, typed: 1, 1.0 and True are equal in Python but not to a schema."""
    if value is None or type(value) is str:
        return value
    if type(value) is float:
        return (float, repr(value))
    return (type(value), value)
