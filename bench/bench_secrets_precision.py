"""Precision and recall of `mlgate secrets` and `detect-secrets-hook` on a labelled ML repository.

1. Generates the evaluation repository of bench/secrets_eval_corpus.py (about 100 files, seeded,
   at run time): planted credentials of every rule, and lines of every false-positive class
   (placeholders, git SHAs under commit keys, DNA, base64 media in notebooks, print tuples,
   checkpoint digests, UUIDs, W&B run ids, HF revision SHAs, lockfile hashes).
2. Runs both tools on all files, the way `pre-commit run --all-files` passes them (mlgate with
   `--format json`, every line of an aggregated finding counted; detect-secrets with its
   default plugins, no baseline).
3. Scores: recall per planted kind (a planted credential is found when the tool reports its
   line), and false lines — distinct (file, line) reported where nothing was planted — per
   false-positive class. Prints Markdown; raw results go to bench/out/secrets-precision.json.

    python bench/bench_secrets_precision.py [--seed 0]

Target (issue 12): recall >= 0.95 and at most 2 false lines for mlgate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench_secrets import parse_detect_secrets
from common import OUT, list_files, machine, package_version, partition, save_json, table, tool
from secrets_eval_corpus import Decoy, Planted, write_eval_repo

Place = tuple[str, int]


def run_mlgate(root: Path, files: list[str]) -> list[tuple[str, int, str]]:
    hits = []
    for argv in partition([tool("mlgate"), "secrets", "--format", "json"], files):
        p = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
        if p.returncode not in (0, 1):
            raise SystemExit(f"mlgate exited {p.returncode}: {p.stderr[-2000:]}")
        for f in json.loads(p.stdout)["findings"]:
            for line in f.get("lines") or ([f["line"]] if f["line"] else []):
                hits.append((f["path"], line, f["rule"]))
    return hits


def run_detect_secrets(root: Path, files: list[str]) -> list[tuple[str, int, str]]:
    out = []
    for argv in partition([tool("detect-secrets-hook")], files):
        p = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
        if p.returncode not in (0, 1):
            raise SystemExit(f"detect-secrets-hook exited {p.returncode}: {p.stderr[-2000:]}")
        out.append(p.stdout)
    return parse_detect_secrets("".join(out))


def score(planted: list[Planted], decoys: list[Decoy],
          hits: list[tuple[str, int, str]]) -> dict:
    at: dict[Place, set[str]] = {}
    for path, line, rule in hits:
        at.setdefault((path, line), set()).add(rule)
    recall: dict[str, dict[str, int]] = {}
    for p in planted:
        row = recall.setdefault(p.kind, {"planted": 0, "found": 0, "same_rule": 0})
        row["planted"] += 1
        rules = at.get((p.path, p.line), set())
        row["found"] += bool(rules)
        row["same_rule"] += f"secrets/{p.rule}" in rules
    planted_at = {(p.path, p.line) for p in planted}
    decoy_at = {(d.path, d.line): d.cls for d in decoys}
    false = sorted(place for place in at if place not in planted_at)
    by_class = Counter(decoy_at.get(place, "other") for place in false)
    found = sum(r["found"] for r in recall.values())
    return {"recall": found / len(planted), "planted": len(planted), "found": found,
            "per_kind": recall, "false_lines": len(false),
            "false_lines_by_class": dict(by_class),
            "false": [(path, line, decoy_at.get((path, line), "other"), sorted(at[(path, line)]))
                      for path, line in false],
            "missed": sorted((p.path, p.line, p.kind) for p in planted
                             if (p.path, p.line) not in at)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", type=Path, default=OUT / "secrets-eval")
    ap.add_argument("--results", type=Path, default=OUT / "secrets-precision.json")
    args = ap.parse_args()
    root = args.corpus.resolve()
    if root.exists():
        shutil.rmtree(root)
    planted, decoys = write_eval_repo(root, args.seed)
    files = list_files(root)
    size = sum((root / f).stat().st_size for f in files)

    tools = {"mlgate": run_mlgate, "detect-secrets": run_detect_secrets}
    scores, seconds = {}, {}
    for name, fn in tools.items():
        start = time.perf_counter()
        scores[name] = score(planted, decoys, fn(root, files))
        seconds[name] = time.perf_counter() - start
    save_json(args.results, {
        "machine": machine(), "seed": args.seed, "files": len(files), "bytes": size,
        "versions": {"mlgate": package_version("mlgate"),
                     "detect-secrets": package_version("detect-secrets")},
        "seconds": seconds, "scores": scores,
        "planted": [p.__dict__ for p in planted], "decoys": [d.__dict__ for d in decoys]})

    names = list(tools)
    print(f"Corpus: {len(files)} files, {size / 1e6:.2f} MB (seed {args.seed}); "
          f"{len(planted)} planted credentials; {len(decoys)} labelled false-positive lines "
          f"in {len(Counter(d.cls for d in decoys))} classes\n")
    print(table(["tool", "recall", "planted found", "false lines"], [
        [n, f"{scores[n]['recall']:.3f}", f"{scores[n]['found']}/{len(planted)}",
         scores[n]["false_lines"]] for n in names]))
    print()
    kinds = sorted(scores["mlgate"]["per_kind"])
    print(table(["planted kind", "planted", "mlgate", "mlgate (same rule)", "detect-secrets"], [
        [k, scores["mlgate"]["per_kind"][k]["planted"], scores["mlgate"]["per_kind"][k]["found"],
         scores["mlgate"]["per_kind"][k]["same_rule"],
         scores["detect-secrets"]["per_kind"][k]["found"]] for k in kinds]))
    print()
    classes = sorted({*Counter(d.cls for d in decoys), "other"})
    labelled = Counter(d.cls for d in decoys)
    print(table(["false-positive class", "labelled lines", *(f"{n} false lines" for n in names)],
                [[c, labelled.get(c, "—"), *(scores[n]["false_lines_by_class"].get(c, 0)
                                             for n in names)] for c in classes]))
    for n in names:
        print(f"\n{n} missed: {scores[n]['missed']}")
    print(f"\nmlgate false lines: {scores['mlgate']['false']}")
    print(f"\nraw results: {args.results}")


if __name__ == "__main__":
    main()
