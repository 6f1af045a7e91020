"""Benchmark: `mlgate secrets` against `detect-secrets-hook` (its default plugins, no baseline).

1. Generates a realistic ML repository with tests/corpus.py (training scripts, configs,
   lockfiles, release manifests, notebooks with base64 images, and fake credentials of every
   supported provider planted in realistic contexts) — ~50 MB at the default scale.
2. Times both tools on the same files in the same run, alternating (mlgate, detect-secrets,
   mlgate, ...), `--runs` times each; reports the median wall time, MB/s and the ratio.
   Files are passed the way pre-commit passes them: command lines of at most 2**17 bytes
   (pre-commit's xargs limit), run one after the other; with fewer files it is one process.
3. Compares findings: recall on the planted credentials (per rule, per tool), and findings on
   the clean files (false positives, per rule / secret type).

    python bench/bench_secrets.py             # ~50 MB, 3 runs each
    python bench/bench_secrets.py --scale 20 --runs 1   # quick look

Raw results go to bench/out/secrets-results.json; the Markdown tables are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from common import (
    OUT,
    REPO,
    list_files,
    machine,
    median,
    package_version,
    partition,
    run_batches,
    save_json,
    table,
    tool,
)

sys.path.insert(0, str(REPO / "tests"))
from corpus import Planted, write_repo  # noqa: E402  (tests/ is not a package)

MLGATE_LINE = re.compile(r"^(?P<path>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>\S+) ",
                         re.M)
DS_ENTRY = re.compile(r"^Secret Type: (?P<type>.+)\nLocation: +(?P<path>.+):(?P<line>\d+)$",
                      re.M)


def parse_mlgate(text: str) -> list[tuple[str, int, str]]:
    return [(m["path"], int(m["line"]), m["rule"]) for m in MLGATE_LINE.finditer(text)]


def parse_detect_secrets(text: str) -> list[tuple[str, int, str]]:
    return [(m["path"].removeprefix("./"), int(m["line"]), m["type"].strip())
            for m in DS_ENTRY.finditer(text)]


def generate(root: Path, scale: int, seed: int) -> list[Planted]:
    if root.exists():
        shutil.rmtree(root)
    return write_repo(root, seed=seed, scale=scale)


def compare(planted: list[Planted], found: dict[str, list[tuple[str, int, str]]]) -> dict:
    """Recall per planted rule and per tool, and findings outside the planted lines."""
    planted_at = {(p.path, p.line) for p in planted}
    planted_files = {p.path for p in planted}
    result: dict = {"per_rule": {}, "tools": {}}
    per_rule: dict[str, dict[str, int]] = {}
    for p in planted:
        row = per_rule.setdefault(p.rule, {"planted": 0})
        row["planted"] += 1
        for name, hits in found.items():
            at = {(h[0], h[1]) for h in hits}
            if (p.path, p.line) in at:
                row[name] = row.get(name, 0) + 1
            if name == "mlgate" and (p.path, p.line, f"secrets/{p.rule}") in set(hits):
                row["mlgate_same_rule"] = row.get("mlgate_same_rule", 0) + 1
    result["per_rule"] = per_rule
    for name, hits in found.items():
        at = {(h[0], h[1]) for h in hits}
        tp = sum(1 for p in planted if (p.path, p.line) in at)
        clean = [h for h in hits if h[0] not in planted_files]
        stray = [h for h in hits if h[0] in planted_files and (h[0], h[1]) not in planted_at]
        result["tools"][name] = {
            "findings": len(hits),
            "planted_found": tp,
            "recall": tp / len(planted),
            "clean_file_findings": len(clean),
            "clean_file_findings_by_type": dict(Counter(h[2] for h in clean).most_common()),
            "clean_file_findings_by_file_kind": dict(Counter(
                Path(h[0]).suffix or Path(h[0]).name for h in clean).most_common()),
            "planted_file_other_lines": len(stray),
            "planted_file_other_lines_by_type": dict(Counter(h[2] for h in stray).most_common()),
            "missed": sorted({(p.path, p.line, p.rule) for p in planted
                              if (p.path, p.line) not in at}),
        }
    both = {(p.path, p.line) for p in planted}
    ml = {(h[0], h[1]) for h in found["mlgate"]} & both
    ds = {(h[0], h[1]) for h in found["detect-secrets"]} & both
    result["planted_found_only_by_detect_secrets"] = sorted(ds - ml)
    result["planted_found_only_by_mlgate"] = len(ml - ds)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=265,
                    help="corpus.write_repo scale (265 ≈ 50 MB; 1 ≈ 0.19 MB)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each tool")
    ap.add_argument("--corpus", type=Path, default=OUT / "secrets-corpus")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse an existing corpus of the same scale/seed")
    ap.add_argument("--results", type=Path, default=OUT / "secrets-results.json")
    args = ap.parse_args()

    root = args.corpus.resolve()
    stamp = root.parent / (root.name + ".planted.json")  # what was generated, and where
    tag = {"scale": args.scale, "seed": args.seed}
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    if args.reuse and root.is_dir() and saved.get("tag") == tag:
        planted = [Planted(**p) for p in saved["planted"]]
        print(f"reusing corpus {root} ({tag})", flush=True)
    else:
        print(f"generating corpus ({tag}) in {root} ...", flush=True)
        planted = generate(root, args.scale, args.seed)
        save_json(stamp, {"tag": tag, "planted": [p.__dict__ for p in planted]})

    files = list_files(root)
    size = sum((root / f).stat().st_size for f in files)
    mb = size / 1e6
    commands = {
        "mlgate": [tool("mlgate"), "secrets"],
        "detect-secrets": [tool("detect-secrets-hook")],
    }
    batches = {name: partition(cmd, files) for name, cmd in commands.items()}
    print(f"{len(files)} files, {mb:.1f} MB, {len(planted)} planted credentials; "
          f"batches per run: " + ", ".join(f"{k} {len(v)}" for k, v in batches.items()),
          flush=True)

    times: dict[str, list[float]] = {name: [] for name in commands}
    loads: list[float] = []
    outputs: dict[str, str] = {}
    codes: dict[str, list[int]] = {}
    for i in range(args.runs):
        for name in commands:  # alternating: one run of each per round
            r = run_batches(batches[name], root)
            times[name].append(r.seconds)
            loads.append(os.getloadavg()[0])
            outputs[name] = r.stdout
            codes[name] = r.returncodes
            print(f"  run {i + 1}/{args.runs} {name}: {r.seconds:.2f} s "
                  f"({mb / r.seconds:.2f} MB/s; load {os.getloadavg()[0]:.1f})", flush=True)

    found = {"mlgate": parse_mlgate(outputs["mlgate"]),
             "detect-secrets": parse_detect_secrets(outputs["detect-secrets"])}
    cmp = compare(planted, found)
    med = {name: median(ts) for name, ts in times.items()}
    ratio = med["detect-secrets"] / med["mlgate"]

    results = {
        "machine": machine(),
        "versions": {"mlgate": package_version("mlgate"),
                     "detect-secrets": package_version("detect-secrets")},
        "corpus": {"scale": args.scale, "seed": args.seed, "files": len(files), "bytes": size,
                   "planted": len(planted)},
        "batches": {name: len(b) for name, b in batches.items()},
        "max_command_line_bytes": 2**17,
        "times_s": times,
        "median_s": med,
        "load_average_1min_after_each_run": loads,
        "mb_per_s": {name: mb / t for name, t in med.items()},
        "ratio_detect_secrets_over_mlgate": ratio,
        "exit_codes_last_run": codes,
        "findings": cmp,
    }
    save_json(args.results, results)

    print()
    print(f"Corpus: {len(files)} files, {mb:.1f} MB (scale {args.scale}, seed {args.seed}); "
          f"{len(planted)} planted credentials in {len({p.path for p in planted})} files")
    print()
    print(table(["tool", "runs (s)", "median (s)", "MB/s", "command lines per run"], [
        [name, ", ".join(f"{t:.2f}" for t in times[name]), f"{med[name]:.2f}",
         f"{mb / med[name]:.2f}", len(batches[name])] for name in commands]))
    print(f"\nmlgate is {ratio:.1f}× faster than detect-secrets-hook (median wall time)\n")
    t = cmp["tools"]
    print(table(["tool", "findings", "planted found", "recall", "findings in clean files",
                 "other findings in planted files"], [
        [name, t[name]["findings"], f"{t[name]['planted_found']}/{len(planted)}",
         f"{t[name]['recall']:.3f}", t[name]["clean_file_findings"],
         t[name]["planted_file_other_lines"]] for name in t]))
    print()
    print(table(["planted rule", "planted", "mlgate", "mlgate (same rule)", "detect-secrets"], [
        [rule, row["planted"], row.get("mlgate", 0), row.get("mlgate_same_rule", 0),
         row.get("detect-secrets", 0)] for rule, row in sorted(cmp["per_rule"].items())]))
    for name in t:
        print(f"\n{name}: clean-file findings by type: {t[name]['clean_file_findings_by_type']}")
        print(f"{name}: ... by file kind: {t[name]['clean_file_findings_by_file_kind']}")
        print(f"{name}: other findings in planted files: "
              f"{t[name]['planted_file_other_lines_by_type']}")
    print(f"\nmlgate missed: {t['mlgate']['missed']}")
    print(f"planted found by detect-secrets but not by mlgate: "
          f"{cmp['planted_found_only_by_detect_secrets']}")
    print(f"\nraw results: {args.results}")


if __name__ == "__main__":
    main()
