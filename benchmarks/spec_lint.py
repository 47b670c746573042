"""Benchmark: the spec lint (`iter_spec_findings`) of every published spec, serial, library path vs the fast path.

    python benchmarks/spec_lint.py [DIR ...]     # default: ../shared/aimlapi-docs and ../shared/aimlapi-docs-history

Both paths run in this one process over the same parsed specs (the reference path first, so imports and the
meta-schemas' one-time costs land there, not on the fast path). Prints each path's seconds, the ratio, the
slowest specs, and whether the findings are identical (exit 1 when they are not).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.spec import conformance
from aimlapi_contract.spec.lint import iter_spec_findings


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv] or [ROOT.parent / "shared" / "aimlapi-docs", ROOT.parent / "shared" / "aimlapi-docs-history"]
    files = [f for d in dirs for f in sorted(d.rglob("*.json"))]
    specs = [load_spec(str(f.relative_to(f.parents[len(f.parents) - 4])), f.read_bytes()) for f in files]
    timings: dict[str, list[float]] = {}
    results: dict[str, list[list[object]]] = {}
    for name, reference in (("library", True), ("fast", False)):
        os.environ[conformance.REFERENCE_ENV] = "1" if reference else "0"
        timings[name], results[name] = [], []
        for spec in specs:
            start = time.perf_counter()
            results[name].append(list(iter_spec_findings(spec)))
            timings[name].append(time.perf_counter() - start)
    before, after = sum(timings["library"]), sum(timings["fast"])
    print(f"{len(specs)} specs, serial: library {before:.2f} s, fast {after:.2f} s, ratio {before / after:.1f}x")
    slowest = sorted(range(len(specs)), key=lambda i: -timings["fast"][i])[:5]
    for i in slowest:
        print(f"  {timings['library'][i]:6.2f} s -> {timings['fast'][i]:6.2f} s  {specs[i].source}")
    differ = [specs[i].source for i in range(len(specs)) if results["library"][i] != results["fast"][i]]
    print("findings identical" if not differ else f"findings DIFFER for {len(differ)}: {differ[:5]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
