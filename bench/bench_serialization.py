"""Benchmark: unsafe-serialization against picklescan and modelscan, in the same run.

1. Detection matrix on the labelled corpus the tests build
   (tests/hooks/serialization/serialization_corpus.py: malicious pickles written as opcode
   bytes, real torch.save / numpy.save / joblib.dump files, zips tampered by hand): per file
   and tool, `detected` (the tool exits 1: blocking), `error` (another non-zero exit: it
   blocks a CI job, but says nothing about the file), or `pass` (exit 0: a silent pass on a
   malicious file, correct on a benign one).
2. Large files, one process per tool, wall time and the tool's peak RSS (GNU time's %M):
   a 59 MB pickle of ~6.5 M small opcodes, and a 2 GiB torch checkpoint (256 tensors).
3. The walker in-process: mlgate's own opcode reader against pickletools.genops with a
   stack and memo model on top, on the same 59 MB pickle.

picklescan and modelscan are installed in a separate virtual environment (never project
dependencies): `python -m venv V && V/bin/pip install picklescan modelscan`, then

    python bench/bench_serialization.py --tools V/bin
    python bench/bench_serialization.py --tools V/bin --skip-large    # matrix only

Files are written under --work (default bench/out/serialization); results to
bench/out/serialization-results.json; Markdown tables are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "hooks" / "serialization"))

from serialization_corpus import build  # noqa: E402

TIME = "/usr/bin/time"
CPU_SECONDS = [0.0]  # user + system seconds of the last measured child
CLI = "import sys; from mlgate.cli import main; sys.argv[0]='mlgate'; main()"


def measure(argv: list[str], cwd: Path, timeout: float = 600) -> tuple[int | None, float, int,
                                                                        str]:
    """(exit code or None when killed, seconds, peak RSS bytes, output tail) of one child."""
    out_path = cwd / ".bench-out.txt"
    rss_path = cwd / ".bench-rss.txt"
    if os.path.exists(TIME):
        # GNU time execs the tool from a small process: a child forked from this (large)
        # process would report this process's resident set as its own peak
        argv = [TIME, "-f", "%M %U %S", "-o", str(rss_path), *argv]
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    text = out_path.read_bytes().decode("utf-8", "replace")
    out_path.unlink()
    rss = usage.ru_maxrss * 1024
    cpu = usage.ru_utime + usage.ru_stime
    if rss_path.exists():
        fields = rss_path.read_text().split()
        if len(fields) >= 3 and fields[-3].isdigit():
            rss = int(fields[-3]) * 1024
            cpu = float(fields[-2]) + float(fields[-1])
        rss_path.unlink()
    CPU_SECONDS[0] = cpu
    return (None if seconds > timeout else code), seconds, rss, text


def commands(tools: Path) -> dict[str, list[str]]:
    return {
        "mlgate": [sys.executable, "-c", CLI, "serialization"],
        "picklescan": [str(tools / "picklescan"), "-p"],
        "modelscan": [str(tools / "modelscan"), "-p"],
    }


def outcome(tool: str, code: int | None, text: str) -> str:
    if code is None:
        return "timeout"
    if code == 1:
        return "detected"
    if code == 0:
        # picklescan exits 0 when it scanned nothing (an unsupported or unreadable file)
        if tool == "picklescan" and "Scanned files: 0" in text:
            return "pass (not scanned)"
        if tool == "picklescan" and "ERROR" in text:
            return "pass (error printed)"
        return "pass"
    if tool == "modelscan" and code == 3:
        return "error (3: nothing scanned)"
    return f"error ({code})"


def matrix(work: Path, tools: Path) -> list[dict[str, object]]:
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    cases = build(corpus)
    (corpus / ".git").mkdir(exist_ok=True)  # policy discovery stops here
    rows = []
    for case in cases:
        row: dict[str, object] = {"file": case.name, "malicious": case.malicious,
                                  "kind": case.kind}
        for tool, argv in commands(tools).items():
            code, seconds, _rss, text = measure([*argv, case.name], corpus, timeout=120)
            row[tool] = outcome(tool, code, text)
        rows.append(row)
    return rows


def summary(rows: list[dict[str, object]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for tool in ("mlgate", "picklescan", "modelscan"):
        s = {"malicious": 0, "detected": 0, "error": 0, "silent pass": 0, "benign": 0,
             "benign blocked": 0}
        for r in rows:
            result = str(r[tool])
            if r["malicious"]:
                s["malicious"] += 1
                key = "detected" if result == "detected" else \
                    "silent pass" if result.startswith("pass") else "error"
                s[key] += 1
            else:
                s["benign"] += 1
                s["benign blocked"] += not result.startswith("pass")
        out[tool] = s
    return out


def large(work: Path, tools: Path) -> list[dict[str, object]]:
    import torch

    big = work / "large"
    big.mkdir(parents=True, exist_ok=True)
    (big / ".git").mkdir(exist_ok=True)
    pkl = big / "many_opcodes.pkl"
    if not pkl.exists():
        # ~3.2 M distinct short strings: SHORT_BINUNICODE + MEMOIZE each, in frames
        pkl.write_bytes(pickle.dumps([f"token-{i:09d}" for i in range(3_250_000)], protocol=4))
    ckpt = big / "checkpoint_2gib.pt"
    if not ckpt.exists():
        state = {f"layer{i}.weight": torch.zeros(2 * 1024 * 1024) for i in range(256)}
        torch.save(state, ckpt)
        del state
    rows = []
    for path in (pkl, ckpt):
        for tool, argv in commands(tools).items():
            code, seconds, rss, text = measure([*argv, path.name], big, timeout=600)
            rows.append({"file": path.name, "bytes": path.stat().st_size, "tool": tool,
                         "outcome": outcome(tool, code, text), "seconds": round(seconds, 2),
                         "cpu_seconds": round(CPU_SECONDS[0], 2),
                         "peak_rss_mib": round(rss / (1 << 20), 1)})
    return rows


def genops_walk(path: Path) -> tuple[int, int]:
    """The alternative design: pickletools.genops (streaming, from the file) with a minimal
    stack and memo model on top: (opcodes, imports). Only for the timing comparison."""
    import pickletools

    mark = object()
    stack: list[object] = []
    memo: dict[int, object] = {}
    imports = 0
    n = 0
    with open(path, "rb") as fh:
        for op, arg, _pos in pickletools.genops(fh):
            n += 1
            name = op.name
            if name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "SHORT_BINSTRING",
                        "BINSTRING", "STRING"):
                stack.append(arg)
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo[arg])
            elif name == "MARK":
                stack.append(mark)
            elif name == "STACK_GLOBAL":
                stack.pop()
                stack.pop()
                imports += 1
                stack.append(None)
            elif name in ("GLOBAL", "INST"):
                imports += 1
                stack.append(None)
            elif name in ("FRAME", "PROTO", "STOP"):
                pass
            else:
                if any(s is pickletools.markobject for s in op.stack_before):
                    while stack and stack.pop() is not mark:
                        pass
                    k = len(op.stack_before) - 2
                else:
                    k = len(op.stack_before)
                for _ in range(k):
                    stack.pop()
                stack.extend([None] * len(op.stack_after))
    return n, imports


def walkers(work: Path) -> list[dict[str, object]]:
    """In-process: mlgate's own opcode reader vs genops + the same kind of model."""
    from mlgate.hooks.serialization.opcodes import Caps, Source, Walk, Walker

    path = work / "large" / "many_opcodes.pkl"
    rows = []
    with open(path, "rb", buffering=0) as fh:
        t0, c0 = time.perf_counter(), time.process_time()
        r = Walk()
        Walker(Source(fh.read), Caps(1 << 40, 1 << 40, 600)).walk_one(r)
        rows.append({"walker": "mlgate opcodes.py", "opcodes": r.opcodes,
                     "seconds": round(time.perf_counter() - t0, 2),
                     "cpu_seconds": round(time.process_time() - c0, 2)})
    t0, c0 = time.perf_counter(), time.process_time()
    n, _ = genops_walk(path)
    rows.append({"walker": "pickletools.genops + model", "opcodes": n,
                 "seconds": round(time.perf_counter() - t0, 2),
                 "cpu_seconds": round(time.process_time() - c0, 2)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tools", type=Path, required=True,
                    help="bin/ directory of the venv with picklescan and modelscan")
    ap.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "serialization")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-matrix", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    rows = [] if args.skip_matrix else matrix(args.work, args.tools)
    result: dict[str, object] = {"load_before": load, "matrix": rows,
                                 "summary": summary(rows)}
    if not args.skip_large:
        result["large"] = large(args.work, args.tools)
        result["walkers"] = walkers(args.work)
    result["load_after"] = os.getloadavg()
    out = REPO / "bench" / "out" / "serialization-results.json"
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")

    print("| file | kind | mlgate | picklescan | modelscan |\n|---|---|---|---|---|")
    for r in rows:
        label = "" if r["malicious"] else " (benign)"
        print(f"| `{r['file']}` | {r['kind']}{label} | {r['mlgate']} | {r['picklescan']} | "
              f"{r['modelscan']} |")
    print("\n| tool | malicious | detected | error | silent pass | benign | benign blocked |")
    print("|---|---|---|---|---|---|---|")
    for tool, s in result["summary"].items():  # type: ignore[union-attr]
        print(f"| {tool} | {s['malicious']} | {s['detected']} | {s['error']} | "
              f"{s['silent pass']} | {s['benign']} | {s['benign blocked']} |")
    if "large" in result:
        print("\n| file | size | tool | outcome | wall s | CPU s | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|")
        for r in result["large"]:  # type: ignore[union-attr]
            print(f"| `{r['file']}` | {r['bytes'] / 1e6:,.0f} MB | {r['tool']} | {r['outcome']} "
                  f"| {r['seconds']} | {r['cpu_seconds']} | {r['peak_rss_mib']} |")
    if "walkers" in result:
        print("\n| walker | opcodes | wall s | CPU s |\n|---|---|---|---|")
        for r in result["walkers"]:  # type: ignore[union-attr]
            print(f"| {r['walker']} | {r['opcodes']:,} | {r['seconds']} | {r['cpu_seconds']} |")
    print(f"\nload average before {load}, after {result['load_after']}")


if __name__ == "__main__":
    main()
