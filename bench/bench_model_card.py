"""Benchmark: `mlgate model-card` against what a user would otherwise run — huggingface_hub's
`ModelCard.load` (front matter) plus markdown-it-py's token stream (headings) — on

  one card       start-up: one realistic Hub-template card, a fresh process per run;
                 also in a git repository with a ledger (the datasets cross-check);
  200 cards      one process over 200 realistic cards (the pre-commit --all-files shape);
  10k headings   a card with 10,000 sections;
  50 MB README   a 50 MB card (a few real sections, then 50 MB of prose and tables),
                 read whole (`max-bytes` raised) and with the default cap.

Each measurement is a separate process: wall time and CPU time (user + system; steadier
than wall time on a shared machine), medians of --runs, and peak RSS (`wait4`'s ru_maxrss).
The comparator only parses (front matter + headings); it checks nothing, so it is a lower
bound of a hand-written check. huggingface_hub is not a dependency of mlgate:
`pip install huggingface_hub markdown-it-py` to run the comparison (the script says when
they are missing and times mlgate alone).

    python bench/bench_model_card.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, machine, median, package_version, save_json, table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hooks" /
                       "model_card"))
from card_helpers import MITCHELL, TRAINER, hf_template  # noqa: E402

WORK = OUT / "model_card"

COMPARATOR = r"""
import os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
from huggingface_hub import ModelCard
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark")
n = 0
for path in sys.argv[1:]:
    card = ModelCard.load(path)
    tokens = md.parse(card.text)
    n += sum(1 for t in tokens if t.type == "heading_open")
print(n)
"""


def run(cmd: list[str], cwd: Path) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, proc.returncode


def measure(cmd: list[str], cwd: Path, runs: int) -> dict[str, float]:
    times, cpu, rss, codes = [], [], [], set()
    for _ in range(runs):
        t, c, m, code = run(cmd, cwd)
        times.append(t)
        cpu.append(c)
        rss.append(m)
        codes.add(code)
    return {"seconds": median(times), "cpu_seconds": median(cpu), "rss_mib": max(rss),
            "exit": sorted(codes)}


def corpus() -> dict[str, list[str]]:
    WORK.mkdir(parents=True, exist_ok=True)
    one = WORK / "one" / "README.md"
    one.parent.mkdir(exist_ok=True)
    one.write_text(hf_template(), encoding="utf-8")
    many = []
    kinds = [hf_template(), hf_template(filled=False), MITCHELL.replace(
        "# Model Card", "---\nlicense: mit\n---\n# Model Card"), TRAINER]
    for i in range(200):
        p = WORK / "many" / f"m{i:03d}" / "README.md"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(kinds[i % len(kinds)], encoding="utf-8")
        many.append(str(p.relative_to(WORK)))
    ledger_card = WORK / "ledger" / "README.md"  # a git repository with a ledger
    ledger_card.parent.mkdir(exist_ok=True)
    ledger_card.write_text(hf_template(), encoding="utf-8")  # names stanfordnlp/imdb
    (ledger_card.parent / "PROVENANCE.yaml").write_text(
        "ledger: 1\ndatasets:\n  - id: imdb\n    source: stanfordnlp/imdb\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(ledger_card.parent)], check=False)
    (ledger_card.parent / "mlgate.toml").write_text("", encoding="utf-8")
    headings = WORK / "headings" / "README.md"
    headings.parent.mkdir(exist_ok=True)
    headings.write_text(hf_template() + "".join(
        f"## Section {i}\n\nSome words about part {i}.\n\n" for i in range(10_000)),
        encoding="utf-8")
    big = WORK / "big" / "README.md"
    big.parent.mkdir(exist_ok=True)
    para = ("The model was evaluated on held-out data; results are in the table below and "
            "vary with the prompt format and the decoding temperature used.\n\n"
            "| split | accuracy | f1 |\n|---|---|---|\n| test | 0.91 | 0.90 |\n\n")
    with big.open("w", encoding="utf-8") as fh:
        fh.write(hf_template())
        size = 0
        i = 0
        while size < 50 * 1024 * 1024:
            chunk = f"### Appendix {i}\n\n" + para * 20 if i % 50 == 0 else para * 20
            fh.write(chunk)
            size += len(chunk)
            i += 1
    return {"one": [str(one.relative_to(WORK))], "many": many, "ledger": ["README.md"],
            "headings": [str(headings.relative_to(WORK))],
            "big": [str(big.relative_to(WORK))]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = corpus()
    (WORK / "big.toml").write_text("[model-card]\nmax-bytes = 60000000\n", encoding="utf-8")
    mlgate = [sys.executable, "-m", "mlgate.cli", "model-card"]
    have_hub = package_version("huggingface_hub") != "not installed" and \
        package_version("markdown-it-py") != "not installed"
    cases = [("one card", files["one"], []),
             ("one card + ledger lookup", files["ledger"], ["--policy", "mlgate.toml"]),
             ("200 cards", files["many"], []),
             ("10k headings", files["headings"], []),
             ("50 MB README, whole", files["big"], ["--policy", "big.toml"]),
             ("50 MB README, default cap", files["big"], [])]
    rows, raw = [], {}
    for name, paths, extra in cases:
        runs = args.runs if "50 MB" not in name else max(1, args.runs // 2)
        cwd = WORK / "ledger" if "ledger" in name else WORK
        ours = measure([*mlgate, *extra, *paths], cwd, runs)
        theirs = measure([sys.executable, "-c", COMPARATOR, *paths], cwd, runs) \
            if have_hub else None
        raw[name] = {"mlgate": ours, "huggingface_hub+markdown-it": theirs}
        rows.append([name, f"{ours['seconds']:.3f} s / {ours['cpu_seconds']:.3f} s",
                     f"{ours['rss_mib']} MiB",
                     f"{theirs['seconds']:.3f} s / {theirs['cpu_seconds']:.3f} s"
                     if theirs else "-",
                     f"{theirs['rss_mib']} MiB" if theirs else "-"])
    print(table(["input", "mlgate model-card (wall / CPU)", "peak RSS",
                 "ModelCard.load + markdown-it (wall / CPU)", "peak RSS"], rows))
    print(f"\nload average: {os.getloadavg()}")
    save_json(OUT / "bench_model_card.json", {
        "machine": machine(), "load_average": os.getloadavg(), "results": raw,
        "versions": {p: package_version(p) for p in ("huggingface_hub", "markdown-it-py",
                                                     "PyYAML")}})


if __name__ == "__main__":
    main()
