"""Benchmark: one `check` over a whole catalogue, cold, HTML and JSON reports included; time and peak memory.

    AIMLAPI_DOCS_BASE=../shared/aimlapi-docs python benchmarks/catalogue.py --pages 776
    python benchmarks/catalogue.py --pages 776 --baseline-src /path/to/main/src   # the same run on other code

The shared mirror holds 58 pages; the upstream catalogue 776 pages and 829 specs. The larger catalogue is
generated in a temporary directory by copying the mirror's pages and specs under new names (each copy's
spec links point at its own renamed specs, and each spec copy differs by its title, so no two share bytes
and the lint cache cannot serve one copy from another). Each run is a fresh process with an empty cache
(cold); with --warm a second run reuses that cache. Peak memory is the max RSS of the run's process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SPEC_LINK = re.compile(r"(?P<name>[\w.\[\] ()-]+)\.json")


def generate(mirror: Path, target: Path, pages: int) -> tuple[int, int]:
    """Copy the mirror into `target`, then add renamed copies of its pages (and their specs) up to `pages`."""
    shutil.copytree(mirror, target, dirs_exist_ok=True)
    originals = sorted(p for p in target.rglob("*.md"))
    specs = sorted(p for p in target.rglob("*.json"))
    n, copy = len(originals), 0
    while n < pages:
        copy += 1
        for page in originals:
            if n >= pages:
                break
            text = page.read_text(encoding="utf-8")
            suffix = f"-copy{copy}"
            # Each copy links its own copies of the specs it links (same folder, new name).
            for spec in specs:
                if spec.name in text:
                    twin = spec.with_name(spec.stem + suffix + ".json")
                    if not twin.exists():
                        raw = spec.read_text(encoding="utf-8")
                        twin.write_text(raw.replace('"title":', f'"x-copy": {copy}, "title":', 1), encoding="utf-8")
                    text = text.replace(spec.name, twin.name)
            page.with_name(page.stem + suffix + ".md").write_text(text, encoding="utf-8")
            n += 1
    return n, len(list(target.rglob("*.json")))


def run(cmd: list[str], env: dict[str, str], tmp: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) of the run's process tree (GNU time: the largest of the process and its workers), exit code."""
    stats = tmp / "time.txt"
    timed = ["/usr/bin/time", "-o", str(stats), "-f", "%M", *cmd] if Path("/usr/bin/time").exists() else cmd
    start = time.perf_counter()
    proc = subprocess.run(timed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:], file=sys.stderr)
    try:
        peak = int(stats.read_text().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        peak = float("nan")
    return wall, peak, proc.returncode


def _has_pages_flag(env: dict[str, str]) -> bool:
    """Whether the code on env's PYTHONPATH takes --pages/--specs: then both sides check the very same sources."""
    out = subprocess.run([sys.executable, "-m", "aimlapi_contract", "check", "--help"], env=env, capture_output=True, text=True, check=False)
    return "--specs" in out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs-base", help="the mirror (default: $AIMLAPI_DOCS_BASE, else ../shared/aimlapi-docs)")
    parser.add_argument("--pages", type=int, default=0, help="pages in the generated catalogue (default: the mirror as it is)")
    parser.add_argument("--baseline-src", help="another checkout's src/ to run the same command with, for a ratio")
    parser.add_argument("--warm", action="store_true", help="also time a second run over the same cache")
    args = parser.parse_args()
    mirror = Path(args.docs_base or os.environ.get("AIMLAPI_DOCS_BASE") or ROOT.parent / "shared" / "aimlapi-docs").resolve()
    with tempfile.TemporaryDirectory(prefix="aimlapi-catalogue-") as tmp:
        base = Path(tmp, "docs-base")
        pages, specs = generate(mirror, base, args.pages) if args.pages else (len(list(mirror.rglob("*.md"))), len(list(mirror.rglob("*.json"))))
        docs = base if args.pages else mirror
        print(f"catalogue: {pages} pages, {specs} specs under {docs}")
        sides = [("this code", str(ROOT / "src"))] + ([("baseline", args.baseline_src)] if args.baseline_src else [])
        results: dict[str, float] = {}
        for label, src in sides:
            cache = Path(tmp, f"cache-{len(results)}")
            out = Path(tmp, f"out-{len(results)}")
            out.mkdir()
            env = {**os.environ, "PYTHONPATH": src, "AIMLAPI_CONTRACT_CACHE": str(cache)}
            if label == "baseline" and not _has_pages_flag(env):  # older code has no --pages: every page by name
                names = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
                selection = [a for n in names for a in ("--page", n)]
            else:
                selection = ["--pages", "docs", "--specs", "docs"]
            cmd = [sys.executable, "-m", "aimlapi_contract", "check", "--docs-base", str(docs), *selection,
                   "--cache-dir", str(cache), "--format", "json", "--output", str(out / "r.json"),
                   "--format", "html", "--output", str(out / "r.html")]
            wall, peak, code = run(cmd, env, Path(tmp))
            findings = len(json.loads((out / "r.json").read_text())["findings"]) if (out / "r.json").exists() else -1
            print(f"{label}: cold {wall:.1f} s, peak {peak:.0f} MB, exit {code}, {findings} findings")
            results[label] = wall
            if args.warm:
                wall, peak, code = run(cmd, env, Path(tmp))
                print(f"{label}: warm {wall:.1f} s, exit {code}")
        if len(results) == 2:
            print(f"ratio (baseline / this code, cold): {results['baseline'] / results['this code']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
