"""Benchmark: the big hostile inputs of issue 11 — wall time and peak memory per run.

tests/test_hostile.py checks the hostile cases that are small enough for CI; this script runs
the ones that are about size, each as one `mlgate` process, and records its wall time, its
peak resident memory (os.wait4's rusage of that child alone) and what it wrote:

- `sparse-scrub`: a 1 GiB sparse file with a text head (e-mails in the first 64 KiB, then a
  hole of NUL bytes) through `mlgate pii scrub -o` (issue: 2.2 GB, 37 s, and a 1 GB
  non-sparse output; NULs after the first 8 KiB passed as text);
- `long-line-scrub`: one 200 MB line (words, an e-mail every MiB) through `mlgate pii scrub`
  (issue: 880 MB);
- `short-lines-scrub`: 5 M short lines (~50 MB of words and 3-digit numbers, an e-mail every
  10,000 lines) through `mlgate pii scrub` (issue: 5 M lines, 54 MB at 0.16 MB/s;
  docs/benchmarks.md says 1.3 MB/s for text);
- `digit-lines-scrub`: the same with a 7-digit number on every line ("row 0001234"), so that
  every line is a phone-number candidate: the prefilter's worst case (slow: ~10x the above);
- `short-lines-secrets`: 20,000,000 bytes of short lines (the secrets hook's default
  `max-bytes`, a token every 20,000 lines) through `mlgate secrets` (issue: 423 MB, ~21x).

    python bench/bench_hostile.py                    # full size (several GB of disk, minutes)
    python bench/bench_hostile.py --scale 0.01       # a quick look
    python bench/bench_hostile.py --cases sparse-scrub,long-line-scrub

Values are generated at run time (mlgate.fakes); nothing found is printed. The inputs are
written under --work (default bench/out/hostile-work, a fresh git repository so that policy
discovery stops there) and removed after each case unless --keep. Results go to --results
(default bench/out/hostile-results.json); a Markdown table is printed. Every child runs under
an address-space cap (--memory-cap, default 3/4 of the machine's memory) so that a runaway
case fails instead of the machine, and is killed after --timeout seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common import OUT, machine, save_json, table

from mlgate.fakes import FAKES, fake_email

CLI = "import sys; from mlgate.cli import main; sys.argv[0]='mlgate'; main()"
HF = next(f for f in FAKES if f.rule == "huggingface-token")
MiB = 1 << 20
GiB = 1 << 30
WORDS = ("the", "model", "was", "trained", "on", "public", "data", "with", "a", "learning",
         "rate", "of", "3e-4", "and", "warmup", "steps", "while", "the", "loss", "curve",
         "flattened", "after", "the", "second", "epoch")


@dataclass
class Result:
    case: str
    command: list[str]
    input_bytes: int
    exit_code: int | None  # None: killed at --timeout
    seconds: float
    peak_rss_bytes: int
    mb_per_s: float
    rss_per_input_byte: float
    output_bytes: int | None = None  # size of the file written (scrub)
    output_allocated_bytes: int | None = None  # blocks on disk: a sparse input stays sparse?
    stderr_tail: str = ""
    notes: dict[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------- inputs


def _filler(rng: random.Random, n: int) -> str:
    """About `n` characters of words, no newline."""
    out: list[str] = []
    size = 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def write_sparse(path: Path, size: int, rng: random.Random) -> dict[str, object]:
    head_lines: list[str] = []
    size_head = 0
    while size_head < 64 * 1024:
        head_lines.append(f"{_filler(rng, 80)} contact {fake_email(rng)}\n")
        size_head += len(head_lines[-1])
    head = "".join(head_lines).encode()
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(max(size, len(head)))
    return {"text_head_bytes": len(head), "emails": len(head_lines)}


def write_long_line(path: Path, size: int, rng: random.Random) -> dict[str, object]:
    chunk = min(MiB, max(4096, size // 4))
    block = _filler(rng, chunk - 64)
    written = emails = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        while written < size:
            piece = f"{block} {fake_email(rng)} "
            f.write(piece)
            written += len(piece)
            emails += 1
    return {"lines": 1, "emails": emails}


def write_short_lines(path: Path, lines: int, rng: random.Random,
                      digits: bool = False) -> dict[str, object]:
    """`lines` lines of ~11 bytes, an e-mail every 10,000 lines; with `digits` each line holds
    a 7-digit number (a phone-number candidate for the prefilter on every line)."""
    emails = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        batch: list[str] = []
        for i in range(lines):
            if i % 10_000 == 50:
                batch.append(f"mail {fake_email(rng)}\n")
                emails += 1
            elif digits:
                batch.append(f"row {i:07d}\n")
            else:
                batch.append(f"{WORDS[i % len(WORDS)]:>5.5} {i % 1000:03d}\n")
            if len(batch) >= 100_000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))
    return {"lines": lines, "emails": emails}


def write_secrets_lines(path: Path, size: int, rng: random.Random) -> dict[str, object]:
    tokens = lines = written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        batch: list[str] = []
        while written < size:
            if lines % 20_000 == 100:
                line = f'HF_TOKEN = "{HF.make(rng)}"\n'
                tokens += 1
            else:
                line = f"lr_{lines % 97} = 0.{lines % 1000:03d}\n"
            batch.append(line)
            written += len(line)
            lines += 1
            if len(batch) >= 100_000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))
    return {"lines": lines, "tokens": tokens}


# --------------------------------------------------------------------------- running


def run_child(args: list[str], cwd: Path, timeout: float, memory_cap: int) -> tuple[
        int | None, float, int, str]:
    """Run `mlgate ARGS`; (exit code or None if killed, seconds, peak RSS bytes, stderr tail).
    The peak RSS is this child's own (os.wait4), not the maximum over all children so far."""
    def limit() -> None:
        if memory_cap:
            resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    err_path = cwd.parent / "stderr.txt"
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, preexec_fn=limit, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    tail = err_path.read_bytes()[-600:].decode("utf-8", "replace")
    err_path.unlink()
    return (None if killed.is_set() else proc.returncode), seconds, usage.ru_maxrss * scale, tail


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path, float, random.Random], dict[str, object]]
    args: Callable[[str], list[str]]  # input file name -> mlgate args
    output: str | None  # the file the run writes, if any


def _sparse(p: Path, scale: float, rng: random.Random) -> dict[str, object]:
    return write_sparse(p, int(GiB * scale), rng)


def _long(p: Path, scale: float, rng: random.Random) -> dict[str, object]:
    return write_long_line(p, int(200 * MiB * scale), rng)


def _short(p: Path, scale: float, rng: random.Random) -> dict[str, object]:
    return write_short_lines(p, max(1, int(5_000_000 * scale)), rng)


def _digits(p: Path, scale: float, rng: random.Random) -> dict[str, object]:
    return write_short_lines(p, max(1, int(5_000_000 * scale)), rng, digits=True)


def _secrets(p: Path, scale: float, rng: random.Random) -> dict[str, object]:
    return write_secrets_lines(p, max(1, int(20_000_000 * scale)), rng)


CASES = (
    Case("sparse-scrub", _sparse, lambda f: ["pii", "scrub", f, "-o", "scrubbed.txt"],
         "scrubbed.txt"),
    Case("long-line-scrub", _long, lambda f: ["pii", "scrub", f, "-o", "scrubbed.txt"],
         "scrubbed.txt"),
    Case("short-lines-scrub", _short, lambda f: ["pii", "scrub", f, "-o", "scrubbed.txt"],
         "scrubbed.txt"),
    Case("digit-lines-scrub", _digits, lambda f: ["pii", "scrub", f, "-o", "scrubbed.txt"],
         "scrubbed.txt"),
    Case("short-lines-secrets", _secrets, lambda f: ["secrets", "-q", f], None),
)


def run_case(case: Case, work: Path, scale: float, timeout: float, memory_cap: int,
             keep: bool) -> Result:
    repo = work / case.name / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "mlgate.toml").write_text("", encoding="utf-8")  # the defaults
    name = "input.txt"
    t0 = time.perf_counter()
    notes = case.write(repo / name, scale, random.Random(11))
    notes["generate_seconds"] = round(time.perf_counter() - t0, 2)
    size = (repo / name).stat().st_size
    args = case.args(name)
    code, seconds, rss, tail = run_child(args, repo, timeout, memory_cap)
    result = Result(case=case.name, command=["mlgate", *args], input_bytes=size,
                    exit_code=code, seconds=round(seconds, 3), peak_rss_bytes=rss,
                    mb_per_s=round(size / MiB / seconds, 3) if seconds else 0.0,
                    rss_per_input_byte=round(rss / size, 2) if size else 0.0,
                    stderr_tail=tail, notes=notes)
    if case.output and (repo / case.output).exists():
        st = (repo / case.output).stat()
        result.output_bytes = st.st_size
        result.output_allocated_bytes = st.st_blocks * 512
    if not keep:
        shutil.rmtree(repo.parent)
    return result


def _default_memory_cap() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 // 4)
    except (ValueError, OSError, AttributeError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the big hostile inputs of issue 11 through mlgate; record wall time "
                    "and peak RSS per run.",
        epilog="Full size needs about 1.5 GB of disk (more if a scrub output is not sparse) "
               "and several minutes. Use --scale 0.01 for a quick look.")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every input size by this (default 1: 1 GiB sparse, "
                             "200 MB line, 5 M lines twice, 20 MB)")
    parser.add_argument("--cases", default=",".join(c.name for c in CASES),
                        help="comma-separated subset of: " + ", ".join(c.name for c in CASES))
    parser.add_argument("--work", type=Path, default=OUT / "hostile-work",
                        help="where inputs are written (default: bench/out/hostile-work)")
    parser.add_argument("--results", type=Path, default=OUT / "hostile-results.json",
                        help="JSON results file (default: bench/out/hostile-results.json)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a run is killed (default 1800)")
    parser.add_argument("--memory-cap", type=float, default=_default_memory_cap() / GiB,
                        help="address-space cap of each child in GiB, 0 for none "
                             "(default: 3/4 of physical memory)")
    parser.add_argument("--keep", action="store_true", help="keep the inputs and outputs")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(wanted) - {c.name for c in CASES})
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    cap = int(args.memory_cap * GiB)

    results: list[Result] = []
    for case in CASES:
        if case.name not in wanted:
            continue
        print(f"{case.name} ...", file=sys.stderr, flush=True)
        r = run_case(case, args.work, args.scale, args.timeout, cap, args.keep)
        results.append(r)
        state = "killed" if r.exit_code is None else f"exit {r.exit_code}"
        print(f"  {state}, {r.seconds:.2f} s, peak RSS {r.peak_rss_bytes / MiB:.0f} MiB",
              file=sys.stderr, flush=True)
    if not args.keep and args.work.exists() and not any(args.work.rglob("*")):
        args.work.rmdir()

    save_json(args.results, {"machine": machine(), "scale": args.scale,
                             "memory_cap_bytes": cap, "timeout_s": args.timeout,
                             "results": [asdict(r) for r in results]})
    rows = [[r.case, f"{r.input_bytes / MiB:.1f}",
             "killed" if r.exit_code is None else r.exit_code, f"{r.seconds:.2f}",
             f"{r.mb_per_s:.2f}", f"{r.peak_rss_bytes / MiB:.0f}", f"{r.rss_per_input_byte}",
             "" if r.output_bytes is None else f"{r.output_bytes / MiB:.1f}",
             "" if r.output_allocated_bytes is None else
             f"{r.output_allocated_bytes / MiB:.1f}"]
            for r in results]
    print(table(["case", "input MiB", "exit", "wall s", "MiB/s", "peak RSS MiB",
                 "RSS / input byte", "output MiB", "output on disk MiB"], rows))
    print(f"\nraw results: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
