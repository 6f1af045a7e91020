"""Benchmark: `mlgate license-headers` vs `reuse lint-file` on the same generated project, in
the same run, alternating; and the one-file start-up of both.

The project (tests/hooks/license_headers/lh_tree.py, the agreement test's generator): source
files of 28 comment styles with full, partial or no headers, weights and images with and
without `.license` sidecars, notebooks, and a REUSE.toml with closest/aggregate/override
annotations. Files are passed as pre-commit passes them (command lines of at most 2^17
bytes, one after the other: per-core figures). The per-file verdicts of both tools on header
presence are compared too (notebooks aside: a documented difference).

    python bench/bench_license_headers.py            # 2,000 files, 5 runs each
    python bench/bench_license_headers.py --files 500 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, REPO, machine, median, package_version, partition, save_json, table, tool

sys.path.insert(0, str(REPO / "tests" / "hooks" / "license_headers"))
from lh_tree import COPYRIGHT, LICENSE, make_tree  # noqa: E402

VERDICTS = {"no license identifier": "missing-identifier",
            "no copyright notice": "missing-copyright"}


def timed(batches: list[list[str]], cwd: Path) -> tuple[float, float, list[str]]:
    """Wall seconds, CPU seconds (user + system of the children) and the outputs."""
    out: list[str] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for argv in batches:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        if p.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} exited {p.returncode}:\n{p.stderr[-2000:]}")
        out.append(p.stdout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def verdicts_mlgate(outputs: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for text in outputs:
        for f in json.loads(text)["findings"] if text.strip() else []:
            rule = f["rule"].split("/", 1)[1]
            if rule in VERDICTS.values():
                found.setdefault(f["path"], set()).add(rule)
    return found


def verdicts_reuse(outputs: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for text in outputs:
        for line in text.splitlines():
            path, _, message = line.rpartition(": ")
            if message in VERDICTS:
                found.setdefault(path, set()).add(VERDICTS[message])
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--startup-runs", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=OUT / "license-headers")
    args = ap.parse_args()
    reuse = shutil.which("reuse") or tool("reuse")
    if shutil.which(reuse) is None:
        raise SystemExit("reuse-tool is not installed (pip install reuse): it is the yardstick")
    mlgate = tool("mlgate")

    if args.dir.exists():
        shutil.rmtree(args.dir)
    tree = args.dir / "tree"
    tree.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    files = make_tree(tree, args.files)
    ours_cmd = partition([mlgate, "license-headers", "--format", "json"], files)
    theirs_cmd = partition([reuse, "lint-file"], files)

    ours_t: list[float] = []
    theirs_t: list[float] = []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    ours_out: list[str] = []
    theirs_out: list[str] = []
    for _ in range(args.runs):  # alternating, so that drift hits both alike
        t, c, ours_out = timed(ours_cmd, tree)
        ours_t.append(t)
        ours_cpu.append(c)
        t, c, theirs_out = timed(theirs_cmd, tree)
        theirs_t.append(t)
        theirs_cpu.append(c)
    wall_ratio = median([b / a for a, b in zip(ours_t, theirs_t, strict=True)])
    cpu_ratio = median([b / a for a, b in zip(ours_cpu, theirs_cpu, strict=True)])
    a, b = verdicts_mlgate(ours_out), verdicts_reuse(theirs_out)
    compared = [f for f in files if not f.endswith(".ipynb")]
    agree = sum(a.get(f, set()) == b.get(f, set()) for f in compared)

    # one-file start-up: a file with a header (its expression is checked: spdx-tools loads)
    # and one without
    one = args.dir / "one"
    one.mkdir()
    subprocess.run(["git", "init", "-q", str(one)], check=True)
    (one / "LICENSES").mkdir()
    (one / "LICENSES" / "MIT.txt").write_text("MIT\n")
    (one / "with_header.py").write_text(f"# {COPYRIGHT}\n# {LICENSE}\nimport os\n")
    (one / "no_header.py").write_text("import os\n")
    startup: dict[str, list[float]] = {}
    startup_cpu: dict[str, list[float]] = {}
    for _ in range(args.startup_runs):
        for name in ("with_header.py", "no_header.py"):
            for label, argv in ((f"mlgate license-headers {name}",
                                 [mlgate, "license-headers", name]),
                                (f"reuse lint-file {name}", [reuse, "lint-file", name])):
                t, c, _ = timed([argv], one)
                startup.setdefault(label, []).append(t)
                startup_cpu.setdefault(label, []).append(c)
    imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "mlgate.cli",
                              "license-headers", "no_header.py"], cwd=one, capture_output=True,
                             text=True).stderr
    spdx_on_clean = "spdx_tools" in imports

    mo, mt = median(ours_t), median(theirs_t)
    rows = [["mlgate license-headers", f"{mo:.3f}", f"{min(ours_t):.3f}", f"{max(ours_t):.3f}",
             f"{median(ours_cpu):.3f}", f"{len(files) / mo:,.0f}"],
            ["reuse lint-file", f"{mt:.3f}", f"{min(theirs_t):.3f}", f"{max(theirs_t):.3f}",
             f"{median(theirs_cpu):.3f}", f"{len(files) / mt:,.0f}"]]
    print(f"## {len(files):,} files, {args.runs} alternating runs each "
          f"({len(ours_cmd)} command line(s) per run)\n")
    print(table(["command", "median wall s", "min s", "max s", "median CPU s", "files/s"],
                rows))
    print(f"\nreuse / mlgate, median of the pairs: wall {wall_ratio:.1f}x, "
          f"CPU {cpu_ratio:.1f}x")
    print(f"verdicts on header presence: {agree} of {len(compared)} files agree "
          f"(notebooks aside)\n")
    print(f"## one-file start-up, {args.startup_runs} alternating runs each\n")
    print(table(["command", "median wall ms", "min ms", "max ms", "median CPU ms"],
                [[k, f"{median(v) * 1000:.0f}", f"{min(v) * 1000:.0f}",
                  f"{max(v) * 1000:.0f}", f"{median(startup_cpu[k]) * 1000:.0f}"]
                 for k, v in startup.items()]))
    print(f"\nspdx-tools imported on a file without a header: {spdx_on_clean}")
    info = machine()
    print(f"\nload average (1 min) at the end: {info['load_average_1min_at_end']:.2f}; "
          f"reuse {package_version('reuse')}, spdx-tools {package_version('spdx-tools')}")
    save_json(OUT / "license-headers-results.json", {
        "machine": info, "files": len(files), "runs": args.runs,
        "mlgate_seconds": ours_t, "reuse_seconds": theirs_t, "mlgate_cpu": ours_cpu,
        "reuse_cpu": theirs_cpu, "wall_ratio": wall_ratio, "cpu_ratio": cpu_ratio,
        "agree": agree,
        "compared": len(compared), "startup_seconds": startup,
        "startup_cpu_seconds": startup_cpu,
        "spdx_tools_on_clean_file": spdx_on_clean,
    })


if __name__ == "__main__":
    main()
