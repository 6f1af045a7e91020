"""Benchmark: `mlgate provenance` start-up on one file, against `check-jsonschema` (the
pre-commit hook a team would otherwise use to validate its YAML notes against the same
JSON Schema), on ledgers of growing size, and on a YAML "billion laughs".

A small release repository is generated (git work tree): a data file, model weights, a training
config, evaluation results, a root ledger with two dataset records and one run, and a
sidecar. Commands, as pre-commit would run them on a commit touching one file:

  mlgate provenance data/support/train.jsonl   a data file: its record, its checksum verified
  mlgate provenance PROVENANCE.yaml             a changed ledger, checked in full
  mlgate provenance train.py                    a code file: the ledger is not read
  check-jsonschema --schemafile … PROVENANCE.yaml   schema validation only

Each command runs `--runs` times, alternating, as separate processes; median wall time.
Needs check-jsonschema installed (`pip install check-jsonschema`; bench only).

    python bench/bench_provenance.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_startup import imports
from common import OUT, machine, median, package_version, save_json, table, tool

DATASET = """\
  - id: {id}
    paths: ["{paths}"]
    name: Support chats {n}
    version: 2024.06.{n}
    description: Customer support conversations from the helpdesk, English only.
    source: exported from the helpdesk, project SUP
    source-type: user-submitted
    license: CC-BY-4.0
    terms-url: https://creativecommons.org/licenses/by/4.0/
    creators:
      - {{name: Support analytics team, contact: data-team}}
    collection-period: {{start: 2024-01-01, end: 2024-06-30}}
    consent: {{given: yes, mechanism: opt-in checkbox, revocable: yes}}
    personal-data: {{present: yes, categories: [names, order numbers]}}
    anonymisation: names replaced by placeholders
    preprocessing: [dropped attachments, deduplicated by exact match]
    known-bias: [English-speaking customers only]
"""

CHATS = '{"turns": ["Where is my order?", "It ships tomorrow."]}\n' * 200
WEIGHTS = b"\x08\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}" + b"\0" * 4096


def ledger(records: int, chats_sha: str, weights_sha: str) -> str:
    datasets = [DATASET.format(id="support-chats", paths="data/support/**", n=0) +
                f"    checksums:\n      - path: data/support/train.jsonl\n"
                f"        sha256: {chats_sha}\n"]
    datasets += [DATASET.format(id=f"set-{i}", paths=f"data/set-{i}/**", n=i)
                 for i in range(1, records)]
    run = ("  - id: support-bot-v3\n    datasets: [support-chats]\n"
           "    hyperparameters: configs/train.yaml\n    code-revision: 3f1e9c2d5b7a\n"
           "    artifacts:\n      - path: models/model.safetensors\n"
           f"        sha256: {weights_sha}\n    evaluation: [eval/results.json]\n")
    return "ledger: 1\ndatasets:\n" + "".join(datasets) + "runs:\n" + run


def bomb(levels: int = 9) -> str:
    lines = ["x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"x-a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\ndatasets:\n  - id: bomb\n    preprocessing: *a{levels}\n"


def build(work: Path, records: int) -> None:
    files = {"data/support/train.jsonl": CHATS.encode(), "models/model.safetensors": WEIGHTS,
             "configs/train.yaml": b"learning_rate: 2.0e-5\n",
             "eval/results.json": b'{"accuracy": 0.81}\n', "train.py": b"print('hi')\n",
             "data/eval.csv": b"q,a\nhow,so\n"}
    for name, data in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(data)
    (work / "data/eval.csv.provenance.yaml").write_text(
        "datasets:\n" + DATASET.format(id="eval", paths="eval.csv", n=99))
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    (work / "PROVENANCE.yaml").write_text(
        ledger(records, sha["data/support/train.jsonl"], sha["models/model.safetensors"]))
    (work / "schema.json").write_text(json.dumps(_schema()))
    if not (work / ".git").exists():
        subprocess.run(["git", "init", "-q", str(work)], check=True)


def _schema() -> dict:
    from mlgate.ledger import LEDGER_SCHEMA

    return LEDGER_SCHEMA


def timed(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child: user + system, exit code). CPU time is the
    figure that a shared, loaded machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.returncode


def alternate(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, dict]:
    for argv in commands.values():  # one untimed warm-up each (page cache, .pyc)
        timed(argv, cwd)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            wall, cpu, rc = timed(argv, cwd)
            walls[name].append(wall)
            cpus[name].append(cpu)
            codes[name].add(rc)
    return {name: {"median_ms": 1000 * median(walls[name]), "min_ms": 1000 * min(walls[name]),
                   "max_ms": 1000 * max(walls[name]),
                   "cpu_median_ms": 1000 * median(cpus[name]), "runs": runs,
                   "exit_codes": sorted(codes[name]), "argv": commands[name]}
            for name in commands}


def once(argv: list[str], cwd: Path, timeout: float) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout, check=False)
        outcome = f"exit {p.returncode}"
    except subprocess.TimeoutExpired:
        outcome = f"killed after {timeout:.0f} s"
    return time.perf_counter() - start, outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--results", type=Path, default=OUT / "provenance-results.json")
    args = ap.parse_args()
    ml, cj = tool("mlgate"), tool("check-jsonschema")

    work = OUT / "provenance"
    work.mkdir(parents=True, exist_ok=True)
    build(work, records=2)
    commands = {
        "mlgate provenance data/support/train.jsonl": [ml, "provenance",
                                                       "data/support/train.jsonl"],
        "mlgate provenance PROVENANCE.yaml": [ml, "provenance", "PROVENANCE.yaml"],
        "mlgate provenance train.py": [ml, "provenance", "train.py"],
        "check-jsonschema PROVENANCE.yaml": [cj, "--schemafile", "schema.json",
                                             "PROVENANCE.yaml"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    print(f"start-up: {len(commands)} commands, {args.runs} alternating runs ...", flush=True)
    startup = alternate(commands, work, args.runs)
    imp = {name: imports(argv, work) for name, argv in commands.items()
           if name.startswith("mlgate")}

    scaling: dict[str, dict[str, float]] = {}
    for records in (10, 100, 1000):
        build(work, records)
        row = {}
        for name, argv in (("mlgate provenance PROVENANCE.yaml", commands[
                "mlgate provenance PROVENANCE.yaml"]),
                ("check-jsonschema PROVENANCE.yaml", commands["check-jsonschema PROVENANCE.yaml"])):
            times = sorted(once(argv, work, 120)[0] for _ in range(5))
            row[name] = 1000 * times[2]
        scaling[str(records)] = row
        print(f"  {records} records: " + ", ".join(f"{k} {v:.0f} ms" for k, v in row.items()),
              flush=True)

    build(work, records=2)
    (work / "PROVENANCE.yaml").write_text(bomb())
    hostile = {}
    for name, argv in (("mlgate provenance PROVENANCE.yaml", commands[
            "mlgate provenance PROVENANCE.yaml"]),
            ("check-jsonschema PROVENANCE.yaml", commands["check-jsonschema PROVENANCE.yaml"])):
        seconds, outcome = once(argv, work, 60)
        hostile[name] = {"seconds": round(seconds, 2), "outcome": outcome}
        print(f"  billion laughs: {name}: {seconds:.2f} s, {outcome}", flush=True)

    results = {"machine": machine(),
               "versions": {"mlgate": package_version("mlgate"),
                            "check-jsonschema": package_version("check-jsonschema")},
               "startup": startup, "imports": imp, "scaling_median_of_5_ms": scaling,
               "billion_laughs": hostile}
    save_json(args.results, results)
    print(table(["command", "median (ms)", "min (ms)", "max (ms)", "CPU median (ms)",
                 "exit codes"], [
        [name, f"{r['median_ms']:.0f}", f"{r['min_ms']:.0f}", f"{r['max_ms']:.0f}",
         f"{r['cpu_median_ms']:.0f}", ",".join(map(str, r["exit_codes"]))]
        for name, r in startup.items()]))
    print(f"load average at the end: {os.getloadavg()}")
    print(table(["command", "modules", "heavy libraries imported", "largest top-level (ms)"], [
        [name, r["modules"], ", ".join(r["heavy_imported"]) or "none",
         ", ".join(f"{k} {v}" for k, v in list(r["top_level_cumulative_ms"].items())[:5])]
        for name, r in imp.items()]))
    print(f"raw results: {args.results}")


if __name__ == "__main__":
    main()
