"""The fast path (libyaml, cached explanations, closed-world proofs, planned walks, processes) finds exactly what
the old path (reference=True) finds, on the shared real recordings, drift and all."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from aimlapi_contract import limits
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.traffic import parallel, payloads
from aimlapi_contract.traffic.cassettes import CassetteError, read_cassette
from aimlapi_contract.traffic.replay import iter_cassette_findings

SPECS = (
    "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano.json",
    "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano-RESPONSES.json",
)
DATA = Path(__file__).parents[2] / "tests" / "data" / "cassettes"
_SHARED = parallel._shared  # the forking part of map_in_order, to see that it ran


@pytest.fixture(scope="module")
def published_specs(shared_dir: Path) -> list[Spec]:
    return [load_spec(rel, (shared_dir / "aimlapi-docs" / rel).read_bytes()) for rel in SPECS]


@pytest.fixture(scope="module")
def samples(shared_dir: Path) -> Path:
    path = shared_dir / "real-traffic-samples"
    if not any(path.glob("*.yaml")):
        pytest.skip(f"no real traffic samples in {path}")
    return path


def _repeated(samples: Path, dest: Path, copies: int) -> Path:
    """Each sample as a cassette of `copies` interactions: later payloads of a shape hit the caches."""
    dest.mkdir()
    for sample in sorted(samples.glob("*.yaml")):
        lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
        items = "".join(line for line in lines[1:] if not line[:1].isalpha())  # blank lines are body line breaks
        (dest / sample.name).write_text("interactions:\n" + items * copies + "version: 1\n", encoding="utf-8")
    return dest


def _dicts(directory: Path, specs: list[Spec], **kw: object) -> list[dict[str, object]]:
    return [f.to_dict() for f in iter_cassette_findings(directory, specs, root=directory, **kw)]  # type: ignore[arg-type]


def test_the_real_samples_give_identical_findings_on_both_paths(samples: Path, published_specs: list[Spec]) -> None:
    old = _dicts(samples, published_specs, reference=True)
    assert len(old) > 50  # the samples break the published specs in many known ways
    assert _dicts(samples, published_specs, reference=False, jobs=1) == old


def test_repeated_payloads_served_from_the_caches_give_identical_findings(
    samples: Path, published_specs: list[Spec], tmp_path: Path
) -> None:
    directory = _repeated(samples, tmp_path / "repeated", copies=3)
    old = _dicts(directory, published_specs, reference=True)
    new = _dicts(directory, published_specs, reference=False, jobs=1)
    assert new == old
    # every interaction of a repeated cassette reports the same findings as its first
    assert {f["anchor"].split(":", 2)[-1] for f in new if str(f["anchor"]).startswith("interaction:2")} == {
        f["anchor"].split(":", 2)[-1] for f in new if str(f["anchor"]).startswith("interaction:0")
    }


def test_processes_merge_in_order_into_the_serial_result(
    samples: Path, published_specs: list[Spec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "many"
    directory.mkdir()
    for i in range(5):  # 60 cassettes: the samples five times over, under distinct names
        for sample in sorted(samples.glob("*.yaml")):
            (directory / f"{i}-{sample.name}").write_bytes(sample.read_bytes())
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 10)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "WARM_UP", 3)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # threads other tests left behind
    forks: list[int] = []
    monkeypatch.setattr(parallel, "_shared", lambda *args: forks.append(1) or _SHARED(*args))
    assert _dicts(directory, published_specs, jobs=2) == _dicts(directory, published_specs, jobs=1)
    assert forks == [1]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml") if p.name not in ("corrupt.yaml", "hostile.yaml", "not-a-cassette.yaml")))
def test_libyaml_reads_what_pyyaml_reads_with_the_same_lines(name: str) -> None:
    assert read_cassette(DATA / name) == read_cassette(DATA / name, reference=True)


VCRPY_TAGS = """interactions:
- request:
    method: !!python/unicode POST
    uri: http://x/v1/chat/completions
    body: !!python/str '{"a": 1}'
    headers:
      content-type: !!python/tuple [application/json]
  response:
    status: {code: 200, message: OK}
    headers: {content-type: [application/json]}
    body: {string: '{}'}
version: 1
"""


def test_libyaml_takes_vcrpys_harmless_tags_as_pyyaml_does(tmp_path: Path) -> None:
    path = tmp_path / "tags.yaml"
    path.write_text(VCRPY_TAGS, encoding="utf-8")
    new, old = read_cassette(path), read_cassette(path, reference=True)
    assert new == old
    assert new.interactions[0].exchange.request_headers == {"content-type": ["application/json"]}


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/name:os.system", "!!python/object/new:dict", "!!python/module:os"])
def test_libyaml_refuses_every_other_python_tag(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(VCRPY_TAGS.replace("!!python/unicode POST", f"{tag} [echo hi]"), encoding="utf-8")
    for reference in (False, True):
        with pytest.raises(CassetteError, match="not a safe YAML document"):
            read_cassette(path, reference=reference)


def _varied(value: Any, rng: random.Random, counter: list[int]) -> Any:
    """`value` with most strings and integers changed, and now and then a type, a null, a key or an enum value."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            roll = rng.random()
            if roll < 0.01:
                continue  # a field left out
            if name == "sequence_number" and isinstance(item, int):
                counter[0] += 1 if rng.random() < 0.97 else -2  # now and then out of order
                out[name] = counter[0]
            elif roll < 0.03:
                out[name] = rng.choice([None, 7, "x", [], {}, True, 1.5])  # another type, or null
            elif roll < 0.05 and isinstance(item, str):
                out[name] = rng.choice(["stop", "length", "response.completed", "gpt-4o", "assistant", "in_progress"])
            else:
                out[name] = _varied(item, rng, counter)
        if rng.random() < 0.02:
            out[f"extra_{rng.randrange(3)}"] = "new"  # an undocumented field
        return out
    if isinstance(value, list):
        return [_varied(item, rng, counter) for item in value]
    if isinstance(value, str) and rng.random() < 0.8:
        return value + str(rng.randrange(10**6))
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.8:
        return value + rng.randrange(-3, 1000)
    return value


def _long_streams(samples: Path, dest: Path, events: int, seed: int) -> Path:
    """Each streamed sample as one cassette of `events` events: its own events over and over, values varied."""
    rng = random.Random(seed)
    dest.mkdir()
    for sample in sorted(samples.glob("*stream*.yaml")):
        data: Any = yaml.load(sample.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        interaction = data["interactions"][0]
        body = interaction["response"]["body"]["string"]
        blocks = [b for b in body.split("\n\n") if "data: {" in b]
        counter, out = [0], []
        for i in range(events):
            head, _, payload = blocks[i % len(blocks)].partition("data: ")
            out.append(head + "data: " + json.dumps(_varied(json.loads(payload), rng, counter), separators=(",", ":")))
        interaction["response"]["body"]["string"] = "\n\n".join(out) + "\n\ndata: [DONE]\n\n"
        (dest / sample.name).write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, width=1 << 30), encoding="utf-8")
    return dest


@pytest.mark.parametrize("seed", [1, 2])
def test_long_varied_streams_past_the_findings_cap_give_identical_findings(
    samples: Path, published_specs: list[Spec], tmp_path: Path, seed: int
) -> None:
    # Past the cap, events are judged once per shape (traffic/event_shapes.py); the old path judges each one.
    directory = _long_streams(samples, tmp_path / "long", events=400, seed=seed)
    with limits.applied(limits.with_overrides(findings_per_source=15)):
        old = _dicts(directory, published_specs, reference=True)
        new = _dicts(directory, published_specs, reference=False, jobs=1)
    assert new == old
    truncated = [f for f in new if f["code"] == "CT231"]
    assert sum(int(str(f["message"]).split()[0].replace(",", "")) for f in truncated) > 1_000  # most were counted


def test_long_varied_streams_listed_in_full_give_identical_findings(
    samples: Path, published_specs: list[Spec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under the cap, an event's findings are re-used for its shape where they quote no blanked value.
    directory = _long_streams(samples, tmp_path / "long", events=300, seed=3)
    judged = [0]
    judge = payloads._payload_findings

    def counting(*args: Any, **kw: Any) -> Any:
        judged[0] += 1
        return judge(*args, **kw)

    with limits.applied(limits.with_overrides(findings_per_source=100_000)):
        old = _dicts(directory, published_specs, reference=True)
        monkeypatch.setattr(payloads, "_payload_findings", counting)
        new = _dicts(directory, published_specs, reference=False, jobs=1)
    assert new == old
    assert not any(f["code"] == "CT231" for f in new) and len(new) > 3_000  # every finding listed, in full
    events = 300 * len(list(directory.glob("*.yaml")))
    assert judged[0] < 0.85 * events  # events of a shape judged before (the variation makes most shapes new)
