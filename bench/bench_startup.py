"""Benchmark: start-up of `mlgate secrets` and `detect-secrets-hook` on one small clean file,
`mlgate --help`, and which heavy libraries each command imports (`python -X importtime`).

Two small clean files are used:
  small.py            a short PyTorch module: no word a secret rule is anchored on;
  small_tokenizer.py  a short Hugging Face script (`tokenizer`, `max_tokens`): words that
                      make lines candidates for confirmation, as in most ML code.
Each command runs `--runs` times, alternating between the commands, as separate processes;
the median wall time is reported. If hyperfine is installed it is run as a cross-check
(hyperfine runs each command's runs back to back, after 3 warm-up runs).

    python bench/bench_startup.py
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, machine, median, package_version, save_json, table, tool

SMALL_PY = '''import torch
from torch import nn


class MLP(nn.Module):
    """A two-layer perceptron."""

    def __init__(self, d_in: int = 128, d_hidden: int = 256, d_out: int = 10) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, d_hidden), nn.GELU(),
                                 nn.Linear(d_hidden, d_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


if __name__ == "__main__":
    model = MLP()
    print(model(torch.randn(4, 128)).shape)
'''

SMALL_TOKENIZER_PY = '''from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL = "meta-llama/Llama-3.1-8B"
tokenizer = AutoTokenizer.from_pretrained(MODEL)
model = AutoModelForCausalLM.from_pretrained(MODEL, torch_dtype="auto")
max_new_tokens = 128

inputs = tokenizer("The capital of France is", return_tensors="pt")
out = model.generate(**inputs, max_new_tokens=max_new_tokens)
print(tokenizer.decode(out[0], skip_special_tokens=True))
'''

HEAVY = ("presidio_analyzer", "presidio_anonymizer", "spacy", "detect_secrets", "requests",
         "phonenumbers", "tldextract", "pyarrow")


def time_once(argv: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    return time.perf_counter() - start, p.returncode


def alternate(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, dict]:
    for argv in commands.values():  # one untimed warm-up each (page cache, .pyc)
        time_once(argv, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            t, rc = time_once(argv, cwd)
            times[name].append(t)
            codes[name].add(rc)
    return {name: {"median_ms": 1000 * median(ts), "min_ms": 1000 * min(ts),
                   "max_ms": 1000 * max(ts), "runs": len(ts),
                   "exit_codes": sorted(codes[name]), "argv": commands[name]}
            for name, ts in times.items()}


def hyperfine(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, dict] | None:
    exe = shutil.which("hyperfine")
    if not exe:
        return None
    export = OUT / "startup-hyperfine.json"
    argv = [exe, "-N", "--warmup", "3", "--runs", str(runs), "-i", "--export-json",
            str(export)]
    for name, cmd in commands.items():
        argv += ["-n", name, " ".join(cmd)]
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    data = json.loads(export.read_text())
    return {r["command"]: {"median_ms": 1000 * r["median"], "mean_ms": 1000 * r["mean"],
                           "stddev_ms": 1000 * (r["stddev"] or 0.0)} for r in data["results"]}


def imports(argv: list[str], cwd: Path) -> dict:
    """Modules imported by a console script, via `python -X importtime SCRIPT ARGS`."""
    p = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=cwd,
                       capture_output=True, text=True, check=False)
    mods: dict[str, int] = {}
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            mods[m[4]] = int(m[2]) if len(m[3]) == 1 else mods.get(m[4], int(m[2]))
    top = {name: us for name, us in mods.items() if "." not in name}
    return {
        "modules": len(mods),
        "heavy_imported": sorted({h for h in HEAVY if h in mods}),
        "top_level_cumulative_ms": {k: round(v / 1000, 1) for k, v in
                                    sorted(top.items(), key=lambda kv: -kv[1])[:8]},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--results", type=Path, default=OUT / "startup-results.json")
    args = ap.parse_args()

    work = OUT / "startup"
    work.mkdir(parents=True, exist_ok=True)
    (work / "small.py").write_text(SMALL_PY, encoding="utf-8")
    (work / "small_tokenizer.py").write_text(SMALL_TOKENIZER_PY, encoding="utf-8")
    ml, ds = tool("mlgate"), tool("detect-secrets-hook")
    commands = {
        "mlgate secrets small.py": [ml, "secrets", "small.py"],
        "detect-secrets-hook small.py": [ds, "small.py"],
        "mlgate secrets small_tokenizer.py": [ml, "secrets", "small_tokenizer.py"],
        "detect-secrets-hook small_tokenizer.py": [ds, "small_tokenizer.py"],
        "mlgate --help": [ml, "--help"],
        "detect-secrets-hook --version": [ds, "--version"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    print(f"timing {len(commands)} commands, {args.runs} alternating runs each ...", flush=True)
    timed = alternate(commands, work, args.runs)
    hf = hyperfine({k: v for k, v in commands.items() if k.endswith(".py")}, work, args.runs)
    imp = {
        "mlgate --help": imports([ml, "--help"], work),
        "mlgate secrets small.py": imports([ml, "secrets", "small.py"], work),
        "mlgate secrets small_tokenizer.py": imports([ml, "secrets", "small_tokenizer.py"],
                                                     work),
        "detect-secrets-hook small.py": imports([ds, "small.py"], work),
    }
    results = {"machine": machine(),
               "versions": {"mlgate": package_version("mlgate"),
                            "detect-secrets": package_version("detect-secrets")},
               "alternating": timed, "hyperfine": hf, "imports": imp}
    save_json(args.results, results)

    print(table(["command", "median (ms)", "min (ms)", "max (ms)", "exit codes"], [
        [name, f"{r['median_ms']:.0f}", f"{r['min_ms']:.0f}", f"{r['max_ms']:.0f}",
         ",".join(map(str, r["exit_codes"]))] for name, r in timed.items()]))
    if hf:
        print("\nhyperfine cross-check (-N, 3 warm-up runs):")
        print(table(["command", "median (ms)", "mean ± σ (ms)"], [
            [name, f"{r['median_ms']:.0f}", f"{r['mean_ms']:.0f} ± {r['stddev_ms']:.0f}"]
            for name, r in hf.items()]))
    print("\nimports (python -X importtime):")
    print(table(["command", "modules", "heavy libraries imported", "largest top-level (ms)"], [
        [name, r["modules"], ", ".join(r["heavy_imported"]) or "none",
         ", ".join(f"{k} {v}" for k, v in list(r["top_level_cumulative_ms"].items())[:4])]
        for name, r in imp.items()]))
    print(f"\nraw results: {args.results}")


if __name__ == "__main__":
    main()
