"""limits.py: each limit is hit on bytes, nodes or a stream, never by inflating, recursing or constructing first."""

from __future__ import annotations

import argparse
import resource
import zlib
from pathlib import Path

import pytest
import yaml

from aimlapi_contract import limits
from aimlapi_contract.limits import LimitError, Limits
from hostile_cassettes import gzip_bomb

LOADERS = [pytest.param(yaml.SafeLoader, id="pyyaml")] + (
    [pytest.param(yaml.CSafeLoader, id="libyaml")] if getattr(yaml, "__with_libyaml__", False) else []
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_inflate_stops_a_bomb_at_the_cap_without_inflating_it_in_full() -> None:
    # Given 1 GiB of zeros gzip-compressed to about 1 MB, and a 16 MiB body limit
    bomb = gzip_bomb()
    before = _peak_mb()
    with limits.applied(limits.with_overrides(body_bytes=16 * limits.MiB)), pytest.raises(LimitError, match="--max-body-bytes"):
        limits.inflate(bomb)
    # Then memory grew by about the cap, never by the gigabyte
    assert _peak_mb() - before < 200


def test_inflate_reads_what_fits_and_still_refuses_a_corrupt_stream() -> None:
    data = b'{"ok": true}' * 1000
    assert limits.inflate(zlib.compress(data)) == data
    with pytest.raises(zlib.error):
        limits.inflate(zlib.compress(data)[:-8])


def test_read_file_ends_on_an_endless_file() -> None:
    with limits.applied(limits.with_overrides(file_bytes=1024)), pytest.raises(LimitError, match="--max-file-bytes"):
        limits.read_file(Path("/dev/zero"))


@pytest.mark.parametrize("depth", [201, 1_001, 100_000])
def test_json_nested_past_the_limit_is_a_limit_error_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(LimitError, match="JSON nesting exceeds the limit of 200 levels"):
        limits.loads_json("[" * depth + "]" * depth)


def test_json_at_the_limit_is_read() -> None:
    assert limits.json_depth(limits.loads_json("[" * 200 + "]" * 200)) == 200
    assert limits.json_depth({"a": [1, {"b": None}]}) == 3


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: " + "[" * 100_000 + "]" * 100_000 + "\n", id="flow-sequences"),
        pytest.param("a: " + "{b: " * 100_000 + "c" + "}" * 100_000 + "\n", id="flow-mappings"),
        pytest.param("- " * 100_000 + "x\n", id="block-sequences"),
    ],
)
def test_yaml_nested_100000_deep_is_refused_before_any_composer_runs(loader: type, text: str) -> None:
    # libyaml's composer overflows the C stack here (a segfault), PyYAML's raises RecursionError: neither runs.
    # libyaml's scanner itself stops flow nesting at 1,000 levels: then the loader's own error says so.
    try:
        limits.check_yaml_depth(text, loader)
    except LimitError as exc:
        assert "YAML nesting" in str(exc)
    else:
        with pytest.raises(yaml.YAMLError, match="maximum nesting depth"):
            yaml.compose(text, Loader=yaml.CSafeLoader)


def test_the_yaml_depth_bound_lets_ordinary_files_skip_the_event_pass() -> None:
    ordinary = "interactions:\n- request:\n    method: POST\n    headers:\n      a:\n      - b\n"
    assert limits.yaml_depth_bound(ordinary) <= Limits().yaml_depth
    limits.check_yaml_depth(ordinary, yaml.SafeLoader)


@pytest.mark.parametrize("loader", LOADERS)
def test_a_billion_laughs_is_measured_on_the_node_graph_without_expanding_it(loader: type) -> None:
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    root = yaml.compose("\n".join(lines) + "\nbomb: *a11\n", Loader=loader)
    with pytest.raises(LimitError, match="aliases expanded"):
        limits.check_yaml_expansion(root)


def test_a_recursive_alias_is_refused() -> None:
    root = yaml.compose("a: &r [1, *r]\n", Loader=yaml.SafeLoader)
    with pytest.raises(LimitError, match="recursive alias"):
        limits.check_yaml_expansion(root)


def test_shared_aliases_under_the_limit_are_accepted() -> None:
    root = yaml.compose("h: &h [x, y]\na: *h\nb: *h\n", Loader=yaml.SafeLoader)
    limits.check_yaml_expansion(root)


def test_every_limit_has_a_flag_and_the_flags_set_them() -> None:
    parser = argparse.ArgumentParser()
    limits.add_flags(parser)
    assert set(limits.FLAGS) == set(Limits.__dataclass_fields__)
    args = parser.parse_args(["--max-sse-events", "5", "--fetch-deadline", "2.5"])
    assert limits.from_namespace(args) == Limits(sse_events=5, fetch_seconds=2.5)
    with pytest.raises(SystemExit):
        parser.parse_args(["--max-json-depth", "0"])


def test_the_defaults_fit_real_recordings_and_are_documented() -> None:
    d = Limits()
    assert d.file_bytes >= 50 * 10**6 and d.sse_events >= 200_000
    doc = (Path(__file__).parents[2] / "docs" / "limits.md").read_text()
    for name, (flag, _) in limits.FLAGS.items():
        assert flag in doc, f"{flag} ({name}) is not documented in docs/limits.md"


def test_applied_limits_are_restored_after_the_block() -> None:
    with limits.applied(Limits(json_depth=3)):
        assert limits.current().json_depth == 3
    assert limits.current() == Limits()
