"""artifact-manifest hashing vs `sha256sum` on the same files (issue 15: at least 80 % of its
throughput).

Builds a release of random shards (default 1 GiB in 4 files; a real git repository with its
own mlgate.toml, outside any other policy), warms the page cache, then times whole processes,
alternating A B A B (median of --runs pairs; wall, and user+sys from the OS's accounting):

- `mlgate manifest create` (the manifest is up to date: every shard hashed, nothing written)
  vs `sha256sum` of the shards;
- `mlgate manifest verify --all` vs `sha256sum -c` of a checksum file of the shards;
- `mlgate manifest verify SHARD` (a commit that changes one shard) vs `sha256sum SHARD`;

and, in this process, the hashing loop itself: `mlgate.manifest_format.hash_file` vs
`hashlib.file_digest` (Python 3.11+) over the same shards, best of --runs, GB/s.

    python bench/bench_manifest.py [--mb 1024] [--files 4] [--runs 5] [--out bench/out/manifest]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, tool  # noqa: E402

from mlgate import manifest_format  # noqa: E402


def build(root: Path, mb: int, files: int) -> list[str]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "mlgate.toml").write_text("[manifest]\n")
    per = (mb << 20) // files
    names = []
    for i in range(files):
        name = f"model-{i + 1:05d}-of-{files:05d}.safetensors"
        with open(root / name, "wb") as fh:
            left = per
            while left:
                n = min(left, 16 << 20)
                fh.write(os.urandom(n))
                left -= n
        names.append(name)
    return names


def timed(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, user+sys seconds, exit code) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def pair(a: list[str], b: list[str], cwd: Path, runs: int) -> dict[str, float]:
    timed(a, cwd)  # warm-up (page cache, .pyc)
    timed(b, cwd)
    aw, ac, bw, bc = [], [], [], []
    for _ in range(runs):
        w, c, code = timed(a, cwd)
        if code != 0:
            raise SystemExit(f"{' '.join(a)} exited {code}")
        aw.append(w)
        ac.append(c)
        w, c, code = timed(b, cwd)
        if code != 0:
            raise SystemExit(f"{' '.join(b)} exited {code}")
        bw.append(w)
        bc.append(c)
    ratios = [bwi / awi for awi, bwi in zip(aw, bw, strict=True)]
    return {"mlgate_wall": statistics.median(aw), "mlgate_cpu": statistics.median(ac),
            "sha256sum_wall": statistics.median(bw), "sha256sum_cpu": statistics.median(bc),
            "throughput_ratio": statistics.median(ratios)}


def in_process(root: Path, names: list[str], runs: int) -> dict[str, float]:
    total = sum((root / n).stat().st_size for n in names)
    out: dict[str, float] = {}

    def ours() -> None:
        for n in names:
            manifest_format.hash_file(root / n)

    def file_digest() -> None:
        for n in names:
            with open(root / n, "rb") as fh:
                hashlib.file_digest(fh, "sha256")

    candidates = {"hash_file": ours}
    if hasattr(hashlib, "file_digest"):
        candidates["hashlib.file_digest"] = file_digest
    for label, fn in candidates.items():
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        out[label] = total / best / 1e9
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=1024, help="total size of the shards (MiB)")
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=OUT / "manifest")
    args = ap.parse_args()
    if shutil.which("sha256sum") is None:
        raise SystemExit("needs sha256sum (GNU coreutils)")
    root = args.out / "release"
    names = build(root, args.mb, args.files)
    mlgate = tool("mlgate")
    subprocess.run([mlgate, "manifest", "create"], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    sums = subprocess.run(["sha256sum", *names], cwd=root, check=True, capture_output=True)
    (root / "SHA256SUMS").write_bytes(sums.stdout)
    load = os.getloadavg()
    results = {
        "mb": args.mb, "files": args.files, "runs": args.runs,
        "load_before": load,
        "create": pair([mlgate, "manifest", "create"], ["sha256sum", *names], root, args.runs),
        "verify_all": pair([mlgate, "manifest", "verify", "--all"],
                           ["sha256sum", "--quiet", "-c", "SHA256SUMS"], root, args.runs),
        "verify_one": pair([mlgate, "manifest", "verify", names[0]],
                           ["sha256sum", names[0]], root, args.runs),
        "in_process_gbps": in_process(root, names, args.runs),
        "load_after": os.getloadavg(),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{args.mb} MiB in {args.files} files, median of {args.runs} alternating runs; "
          f"load average {load[0]:.2f} before, {results['load_after'][0]:.2f} after\n")
    print("| command (whole process) | mlgate wall | sha256sum wall | mlgate cpu | "
          "sha256sum cpu | mlgate throughput / sha256sum's |")
    print("|---|---|---|---|---|---|")
    for key, label in (("create", "`manifest create` vs `sha256sum SHARDS`"),
                       ("verify_all", "`manifest verify --all` vs `sha256sum -c`"),
                       ("verify_one", "`manifest verify SHARD` vs `sha256sum SHARD`")):
        r = results[key]
        print(f"| {label} | {r['mlgate_wall']:.2f} s | {r['sha256sum_wall']:.2f} s | "
              f"{r['mlgate_cpu']:.2f} s | {r['sha256sum_cpu']:.2f} s | "
              f"{r['throughput_ratio']:.0%} |")
    print()
    for label, gbps in results["in_process_gbps"].items():
        print(f"- in process, {label}: {gbps:.2f} GB/s")


if __name__ == "__main__":
    main()
