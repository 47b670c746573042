"""End-to-end benchmark: `aimlapi-contract check --cassettes DIR` against a naive openapi-core script and a parse-only floor.

    AIMLAPI_DOCS_BASE=../shared/aimlapi-docs python benchmarks/e2e.py            # ~10 min on 2 cores
    python benchmarks/e2e.py --sizes 120,1200 --stream-events 20000 --no-reference  # quicker
    python benchmarks/e2e.py --sizes '' --stream-events 0 --long-streams 100x300    # long answers only
    python benchmarks/e2e.py --sizes '' --stream-events 0 --long-streams '' --corpus DIR  # your own recordings

Corpora are generated at run time into a temporary directory from the shared real samples
(../shared/real-traffic-samples), drift and all, with ids, timestamps and text varied per copy
(benchmarks/corpus.py). Every command is its own process, timed from start to exit, with its peak RSS:
the largest single process (wait4) and, for `check`, the whole process tree sampled every 20 ms.
Corpora are written by a child process, so this one stays small (a child's peak counts what it
inherits at fork). Each corpus gets `--repeat` rounds with the commands interleaved, and the least time
of each is kept (this machine's speed drifts by 2x within minutes); a command over 60 s runs once.
`reference` is `check` on the old path (AIMLAPI_CONTRACT_REFERENCE=1: PyYAML's pure-Python loader, no
caches, serial); its findings must equal the new path's, byte for byte.

`check` runs with the cache a scheduled job keeps between runs: the lint findings and what validation
learned (explanations, the specs' index; validation/learned.py) from a 12-recording warm-up, then from its own
earlier rounds. `first` is `check` with only the lint findings cached, as on a first run over new specs:
everything validation learns is learned during the timed run. `cold` is `check` with an empty cache, as in a
fresh clone: the specs and the page are linted too. Their reports must equal `check`'s.
`--corpus DIR` adds a row for a directory of recordings as they are (never written to): real traffic of
your own, measured the same way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402


def generate(function: str, *args: object) -> int:
    """Run corpus.<function>(samples, dest, ...) in a child process; the bytes it wrote."""
    code = f"import sys, corpus; from pathlib import Path; print(corpus.{function}(Path(sys.argv[1]), Path(sys.argv[2]), *map(int, sys.argv[3:])))"
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=HERE, check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, in KB (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall and CPU seconds, peak RSS of the largest process and of the sampled process tree (MB)."""
    # As installed packages run: with their bytecode cached. (Some sandboxes set PYTHONDONTWRITEBYTECODE, which
    # would recompile an editable install's sources on every run while the libraries' bytecode is cached.)
    full_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | (env or {})
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # `check` exits 1 when it has findings; the scripts must exit 0 (1 would be a traceback).
    if proc.returncode not in ((0, 1) if "check" in cmd else (0,)):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"error: {' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime  # includes the worker processes it waited for
    return {"seconds": seconds, "cpu": cpu, "rss": usage.ru_maxrss / 1024, "tree": max(peak[0], usage.ru_maxrss) / 1024}


def _fastest(known: dict[str, float] | None, result: dict[str, float]) -> dict[str, float]:
    """The least wall and CPU time and the largest memory seen over the runs of one command."""
    if known is None:
        return result
    return {"seconds": min(known["seconds"], result["seconds"]), "cpu": min(known["cpu"], result["cpu"]),
            "rss": max(known["rss"], result["rss"]), "tree": max(known["tree"], result["tree"])}


def check_cmd(base: Path, cassettes: Path, cache: Path, output: Path) -> list[str]:
    script = Path(sys.executable).with_name("aimlapi-contract")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "aimlapi_contract"]
    return head + ["check", "--docs-base", str(base), "--cassettes", str(cassettes), "--cache-dir", str(cache), "--output", str(output)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs-base", help="docs mirror (default: $AIMLAPI_DOCS_BASE, else ../shared/aimlapi-docs)")
    parser.add_argument("--samples", default=str(ROOT.parent / "shared" / "real-traffic-samples"))
    parser.add_argument("--sizes", default="120,1200,10000", help="interactions per corpus (comma-separated)")
    parser.add_argument("--per-cassette", type=int, default=10, help="interactions per cassette in corpora above 1,200")
    parser.add_argument("--stream-events", type=int, default=200_000, help="events of the one long-stream cassette (0: none)")
    parser.add_argument("--long-streams", default="100x300",
                        help="RECORDINGSxEVENTS: recordings each streaming one long answer (chat and responses in turn; '' for none)")
    parser.add_argument("--corpus", action="append", default=[], metavar="DIR",
                        help="a directory of cassettes measured as it is (repeatable; never modified)")
    parser.add_argument("--no-reference", action="store_true", help="skip the old path (slow: ~10x `check`)")
    parser.add_argument("--reference-max", type=int, default=1200, help="largest corpus the old path runs on")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds per corpus, commands interleaved, the fastest kept (a command over 60 s runs once)")
    args = parser.parse_args(argv)
    base = Path(args.docs_base or os.environ.get("AIMLAPI_DOCS_BASE") or ROOT.parent / "shared" / "aimlapi-docs")
    samples = Path(args.samples)
    work = Path(tempfile.mkdtemp(prefix="aimlapi-e2e-"))
    try:
        cache = work / "cache"
        warm = work / "warm"
        generate("write_corpus", samples, warm, 12)
        run(check_cmd(base, warm, cache, work / "warm.txt"))  # spec-lint findings cached: the rows time the cassettes
        lint_only = work / "lint-only"  # the cache without what validation learned, copied afresh before each `first`
        shutil.copytree(cache, lint_only, ignore=lambda d, names: ["validation"] if Path(d) == cache else [])
        print(f"specs: {base}\nsamples: {samples} (x{len(corpus.samples(samples))}); cores: {os.cpu_count()}; "
              f"load average: {os.getloadavg()[0]:.2f}\n")
        header = (f"{'corpus':<44} {'floor s':>8} {'naive s':>8} {'check s':>8} {'first s':>8} {'cold s':>7} {'ref s':>7} "
                  f"{'naive/check':>11} {'check/floor':>11} {'naive/first':>11} {'naive/cold':>10} {'ref/check':>9}"
                  "   peak RSS MB floor/naive/check(tree)/ref")
        print(header)
        print("-" * len(header))
        corpora: list[tuple[str, tuple[object, ...]]] = []
        for size in [int(s) for s in args.sizes.split(",") if s]:
            per = 1 if size <= 1200 else args.per_cassette
            corpora.append((f"{size:,} interactions ({per}/file)", ("write_corpus", samples, work / f"c{size}", size, per)))
        if args.long_streams:
            n, _, events = args.long_streams.partition("x")
            corpora.append((f"{int(n):,} answers streamed in {int(events):,} events",
                            ("write_long_streams", samples, work / "answers", int(n), int(events))))
        if args.stream_events:
            corpora.append((f"1 stream of {args.stream_events:,} events", ("write_long_stream", samples, work / "stream", args.stream_events)))
        for given in args.corpus:
            corpora.append((Path(given).name[:30], ("", Path(given))))
        for label, spec in corpora:
            dest = Path(str(spec[2] if spec[0] else spec[1]))
            if spec[0]:
                written = generate(str(spec[0]), *spec[1:])
            elif dest.is_dir():
                written = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
            else:
                raise SystemExit(f"error: --corpus {dest} is not a directory")
            label = f"{label} {written / 1e6:.1f} MB"
            commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
                "floor": ([sys.executable, str(HERE / "floor.py"), str(dest)], None),
                "naive": ([sys.executable, str(HERE / "naive.py"), str(base), str(dest)], None),
                "check": (check_cmd(base, dest, cache, work / "new.txt"), None),
                "first": (check_cmd(base, dest, work / "first-cache", work / "first.txt"), None),
                "cold": (check_cmd(base, dest, work / "cold-cache", work / "cold.txt"), None),
            }
            n_files = sum(1 for _ in dest.rglob("*.y*ml"))
            if not args.no_reference and n_files <= args.reference_max and "stream" not in label:
                commands["ref"] = (check_cmd(base, dest, cache, work / "ref.txt"), {"AIMLAPI_CONTRACT_REFERENCE": "1"})
            best: dict[str, dict[str, float]] = {}
            for round_ in range(max(1, args.repeat)):  # interleaved: a slow spell of the machine hits every command
                for name, (cmd, env) in commands.items():
                    if round_ and best[name]["seconds"] > 60:
                        continue
                    if name == "first":
                        shutil.rmtree(work / "first-cache", ignore_errors=True)
                        shutil.copytree(lint_only, work / "first-cache")
                    if name == "cold":
                        shutil.rmtree(work / "cold-cache", ignore_errors=True)
                    result = run(cmd, env=env)
                    best[name] = _fastest(best.get(name), result)
            floor, naive, check, first, cold, ref = (best["floor"], best["naive"], best["check"], best["first"], best["cold"],
                                                     best.get("ref"))
            same = ref is not None and (work / "new.txt").read_bytes() == (work / "ref.txt").read_bytes()
            first_same = (work / "new.txt").read_bytes() == (work / "first.txt").read_bytes() == (work / "cold.txt").read_bytes()
            ref_s = f"{ref['seconds']:7.2f}" if ref else f"{'-':>7}"
            ratio_ref = f"{ref['seconds'] / check['seconds']:8.1f}x" if ref else f"{'-':>9}"
            ref_rss = f"/{ref['rss']:.0f}" if ref else ""
            print(
                f"{label:<44} {floor['seconds']:8.2f} {naive['seconds']:8.2f} {check['seconds']:8.2f} {first['seconds']:8.2f} "
                f"{cold['seconds']:7.2f} {ref_s} "
                f"{naive['seconds'] / check['seconds']:10.1f}x {check['seconds'] / floor['seconds']:10.2f}x "
                f"{naive['seconds'] / first['seconds']:10.1f}x {naive['seconds'] / cold['seconds']:9.1f}x {ratio_ref}"
                f"   {floor['rss']:.0f}/{naive['rss']:.0f}/{check['rss']:.0f}({check['tree']:.0f}){ref_rss}"
            )
            cpu = (f"{'':44} CPU s: floor {floor['cpu']:.2f}, naive {naive['cpu']:.2f}, check {check['cpu']:.2f}"
                   + (f", ref {ref['cpu']:.2f}" if ref else "")
                   + f"; naive/check {naive['cpu'] / check['cpu']:.1f}x, check/floor {check['cpu'] / floor['cpu']:.2f}x")
            print(cpu)
            if not first_same:
                print("  FINDINGS DIFFER between a first (or cold) run and a warm one")
            if ref and not same:
                print("  FINDINGS DIFFER between the old path and the new one")
            elif ref:
                print("  findings identical to the old path's")
            if spec[0]:
                shutil.rmtree(dest)  # generated here; a --corpus directory is the user's
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
