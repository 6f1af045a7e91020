"""The hook environment as pre-commit builds it, for one or two source trees (issue 16).

For each tree: a fresh virtualenv plus `pip install TREE` (no extras), timed as a whole;
its size on disk (what pre-commit.ci's 250 MiB limit counts) and the largest packages in it;
whether spaCy / Presidio / numpy are importable; and the one-file start-up of `mlgate pii`
and `mlgate secrets` from that environment (median of --runs whole-process runs, alternating
between the trees). pip's wheel cache is used, as on a machine that has built it before.

    python bench/bench_install.py --tree before=/path/to/old/checkout --tree after=.

Prints Markdown; raw figures go to bench/out/install-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(tree: Path, env: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-input",
                    "--disable-pip-version-check", str(tree)], check=True)
    return time.monotonic() - started


def largest(env: Path, n: int = 8) -> list[tuple[str, int]]:
    site = next((env / "lib").glob("python*/site-packages"))
    sizes = [(p.name, du(p) if p.is_dir() else p.stat().st_size) for p in site.iterdir()
             if not p.name.endswith((".dist-info", ".pth"))]
    return sorted(sizes, key=lambda t: -t[1])[:n]


def importable(env: Path) -> list[str]:
    code = ("import importlib.util as u; print(','.join(m for m in ('spacy', "
            "'presidio_analyzer', 'numpy') if u.find_spec(m)))")
    out = subprocess.run([str(env / "bin" / "python"), "-c", code], capture_output=True,
                         text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def startup(env: Path, work: Path, command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(env / "bin" / "mlgate"), *command], cwd=work, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                    help="a source tree to install (repeat for a comparison)")
    ap.add_argument("--runs", type=int, default=15, help="start-up runs per command and tree")
    ap.add_argument("--results", type=Path, default=OUT / "install-results.json")
    args = ap.parse_args()
    trees = [(t.split("=", 1)[0], Path(t.split("=", 1)[1]).resolve()) for t in args.tree]
    OUT.mkdir(exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        (work / ".git").mkdir(parents=True)
        (work / "small.csv").write_text("id,score,note\n" + "".join(
            f"{i},{i / 7:.4f},run {i} ok\n" for i in range(200)), encoding="utf-8")
        (work / "train.py").write_text("import os\nTOKEN = os.environ['HF_TOKEN']\n",
                                       encoding="utf-8")
        envs = {}
        for name, tree in trees:
            env = Path(tmp) / f"env-{name}"
            seconds = build(tree, env)
            envs[name] = env
            results[name] = {"tree": str(tree), "build_s": round(seconds, 1),
                             "size_mb": round(du(env) / 1e6, 1),
                             "largest": [(p, round(s / 1e6, 1)) for p, s in largest(env)],
                             "importable": importable(env)}
        for command in (["pii", "small.csv"], ["secrets", "train.py"]):
            times: dict[str, list[float]] = {name: [] for name in envs}
            for _ in range(args.runs):
                for name, env in envs.items():
                    times[name].append(startup(env, work, command))
            for name in envs:
                results[name][f"{command[0]}_startup_ms"] = round(
                    statistics.median(times[name]) * 1000)
    load = os.getloadavg()[0]
    args.results.write_text(json.dumps({"load": load, "results": results}, indent=1))
    print(f"load average at the end: {load:.2f}\n")
    print("| tree | build | size | spaCy/Presidio/numpy | `mlgate pii small.csv` | "
          "`mlgate secrets train.py` | largest packages (MB) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        big = ", ".join(f"{p} {s}" for p, s in r["largest"][:5])  # type: ignore[index]
        print(f"| {name} | {r['build_s']} s | {r['size_mb']} MB | "
              f"{', '.join(r['importable']) or 'none'} | {r['pii_startup_ms']} ms | "  # type: ignore[arg-type]
              f"{r['secrets_startup_ms']} ms | {big} |")


if __name__ == "__main__":
    main()
