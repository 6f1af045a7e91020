"""Benchmark: `mlgate pii` against Presidio's `AnalyzerEngine` (default predefined recognizers,
no-op NLP engine), on a generated ~20 MB mixed corpus (bench/pii_corpus.py: 70 % clean ML
data, 30 % PII-dense samples made with Faker).

Speed: `mlgate pii FILES` runs as a process (one command line, or pre-commit-sized batches);
Presidio runs inside this Python process over the same files' text, cut into units
(`--unit chunks`: blocks of whole lines of at most 64 KiB per `analyze` call, the cheapest
way to call it — see docs/benchmarks.md; `--unit lines`: one call per line). Presidio's import
and engine setup (and its first call) are timed separately, once. Rounds alternate (mlgate,
Presidio, mlgate, ...); medians, MB/s and the ratio are reported.

Also: the whole-process time of `mlgate pii small.csv` on a small clean CSV, and whether it
imports Presidio; recall per entity of mlgate on every planted value, false positives on the
clean files; and on a subsample, recall of AnalyzerEngine (the six default entities, mlgate's
threshold, one call per line) and which of its findings mlgate does not report.

    python bench/bench_pii.py              # ~20 MB, 3 rounds
    python bench/bench_pii.py --mb 2 --runs 1   # quick look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pii_corpus
from common import (
    OUT,
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

SIX = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"]
CHUNK = 64 * 1024
NO_OP = {"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}


# ------------------------------------------------------------------------------- Presidio side

def mlgate_build() -> str:
    """Whether the timed mlgate runs compiled modules (`pip install .`, setup.py) or Python
    source (an editable install, or MLGATE_PURE_PYTHON=1)."""
    code = "import mlgate.hooks.pii as p, mlgate.sources as s; print(p.__file__, s.__file__)"
    where = subprocess.run([sys.executable, "-c", code], cwd=OUT, capture_output=True,
                           text=True, check=True).stdout.split()
    kind = "compiled (mypyc)" if all(w.endswith(".so") for w in where) else "Python source"
    return f"{kind}: {' '.join(where)}"


def presidio_setup() -> tuple[object, dict[str, float]]:
    """Import presidio_analyzer, build the default engine on the no-op NLP engine, warm it up.
    Must run in a process that has not imported Presidio yet (this one)."""
    assert "presidio_analyzer" not in sys.modules
    t0 = time.perf_counter()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    t1 = time.perf_counter()
    nlp = NlpEngineProvider(nlp_configuration=NO_OP).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    t2 = time.perf_counter()
    engine.analyze("write to someone@gmail.com or call +1 212 555 0100", language="en")
    t3 = time.perf_counter()
    return engine, {"import_s": t1 - t0, "engine_s": t2 - t1, "first_call_s": t3 - t2,
                    "recognizers": len(engine.registry.recognizers)}


def units_of(text: str, unit: str) -> list[str]:
    if unit == "lines":
        return [ln for ln in text.splitlines() if ln]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            nl = text.rfind("\n", start, end)
            end = nl + 1 if nl > start else end
        out.append(text[start:end])
        start = end
    return out


def presidio_pass(engine, units: list[tuple[bool, str]]) -> tuple[float, Counter]:
    """One timed pass of `engine.analyze` (all entities, default threshold) over every unit;
    returns the time and the count of results per (clean file?, entity, score >= 0.4)."""
    counts: Counter = Counter()
    start = time.perf_counter()
    for clean, text in units:
        for r in engine.analyze(text=text, language="en"):
            counts[(clean, r.entity_type, r.score >= 0.4)] += 1
    return time.perf_counter() - start, counts


# --------------------------------------------------------------------------------- mlgate side

def mlgate_findings(root: Path, files: list[str], out: Path) -> dict:
    batches = partition([tool("mlgate"), "pii", "--format", "json"], files)
    findings, errors = [], []
    for argv in batches:
        for attempt in (1, 2):
            p = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
            if p.returncode in (0, 1):
                break
            print(f"mlgate pii --format json exited {p.returncode} (attempt {attempt}): "
                  f"{p.stderr[-1000:]} {p.stdout[-1000:]}", flush=True)
        else:
            raise SystemExit("mlgate pii --format json failed twice")
        doc = json.loads(p.stdout)
        findings += doc["findings"]
        errors += doc["errors"]
    save_json(out, {"findings": findings, "errors": errors})
    return {"findings": findings, "errors": errors}


def recall_table(planted: list[pii_corpus.Planted], hits: set[tuple[str, int, str]]) -> dict:
    per: dict[str, Counter] = defaultdict(Counter)
    for p in planted:
        row = per[p.entity]
        found = (p.path, p.line, p.entity) in hits
        kind = Path(p.path).suffix.lstrip(".")
        row["planted"] += 1
        row["found"] += found
        row[f"planted_{kind}"] += 1
        row[f"found_{kind}"] += found
        if p.valid:
            row["planted_valid"] += 1
            row["found_valid"] += found
    return {e: dict(c) for e, c in sorted(per.items())}


def missed_shapes(planted: list[pii_corpus.Planted], hits: set[tuple[str, int, str]]
                  ) -> dict[str, dict[str, int]]:
    """Per entity, the shapes (brand/length/format; never values) of the missed values."""
    out: dict[str, Counter] = defaultdict(Counter)
    for p in planted:
        if (p.path, p.line, p.entity) not in hits:
            out[p.entity][f"{Path(p.path).suffix.lstrip('.')}: {p.shape}"] += 1
    return {e: dict(c.most_common(12)) for e, c in sorted(out.items())}


def small_csv_timing(work: Path, runs: int) -> dict:
    """Whole-process time of `mlgate pii small.csv` on a small clean CSV, and its imports."""
    import random

    work.mkdir(parents=True, exist_ok=True)
    (work / "small.csv").write_text(pii_corpus.clean_metrics(random.Random(1), 50),
                                    encoding="utf-8")
    argv = [tool("mlgate"), "pii", "small.csv"]
    subprocess.run(argv, cwd=work, capture_output=True, check=False)  # warm-up
    times, codes = [], set()
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(argv, cwd=work, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
        codes.add(p.returncode)
    imp = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=work,
                         capture_output=True, text=True, check=False).stderr
    heavy = sorted({m for m in ("presidio_analyzer", "presidio_anonymizer", "spacy",
                                "phonenumbers", "tldextract", "regex", "pyarrow")
                    if f" {m}\n" in imp or f"| {m}\n" in imp or f" {m}\r" in imp})
    hf = None
    if shutil.which("hyperfine"):
        export = OUT / "pii-small-hyperfine.json"
        subprocess.run(["hyperfine", "-N", "-i", "--warmup", "3", "--runs", str(runs),
                        "--export-json", str(export), " ".join(argv)], cwd=work,
                       capture_output=True, check=False)
        if export.exists():
            r = json.loads(export.read_text())["results"][0]
            hf = {"median_ms": 1000 * r["median"], "mean_ms": 1000 * r["mean"],
                  "stddev_ms": 1000 * (r["stddev"] or 0)}
    return {"median_ms": 1000 * median(times), "min_ms": 1000 * min(times),
            "max_ms": 1000 * max(times), "runs": runs, "exit_codes": sorted(codes),
            "bytes": (work / "small.csv").stat().st_size, "heavy_imports": heavy,
            "hyperfine": hf}


def presidio_subsample(engine, root: Path, files: list[str], threshold: float,
                       max_clean_lines: int = 500) -> dict:
    """AnalyzerEngine on every line of the subsample files: the six entities, mlgate's
    threshold. Returns (path, line, entity) hits, raw and outside mlgate's default allowlist."""
    from mlgate.hooks.pii.allowlist import default_allowed

    hits, hits_allowed_out = set(), set()
    for f in files:
        for i, line in enumerate((root / f).read_text(encoding="utf-8").splitlines(), 1):
            if f.startswith("clean/") and i > max_clean_lines:
                break
            if not line:
                continue
            for r in engine.analyze(text=line, language="en", entities=SIX,
                                    score_threshold=threshold):
                hits.add((f, i, r.entity_type))
                if not default_allowed(r.entity_type, line, r.start, r.end, None):
                    hits_allowed_out.add((f, i, r.entity_type))
    return {"hits": hits, "hits_outside_allowlist": hits_allowed_out}


# ---------------------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="corpus size in MB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1, help="timed rounds (mlgate + Presidio each)")
    ap.add_argument("--presidio-every", type=int, default=1,
                    help="Presidio is timed on every N-th file of each kind (a stratified "
                         "sample with the corpus' mix), and mlgate on the same files too; "
                         "1 (default) = the whole corpus (a Presidio pass over 20 MB takes "
                         "~5 min here)")
    ap.add_argument("--unit", choices=["chunks", "lines"], default="chunks")
    ap.add_argument("--compare-units-mb", type=float, default=1.0,
                    help="also time Presidio per line vs per chunk on this many MB (0: skip)")
    ap.add_argument("--sample-files", type=int, default=2,
                    help="files per kind for Presidio's recall/parity subsample")
    ap.add_argument("--small-runs", type=int, default=20)
    ap.add_argument("--corpus", type=Path, default=OUT / "pii-corpus")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--results", type=Path, default=OUT / "pii-results.json")
    args = ap.parse_args()

    root = args.corpus.resolve()
    stamp = root.parent / (root.name + ".planted.json")
    tag = {"mb": args.mb, "seed": args.seed}
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    if args.reuse and root.is_dir() and saved.get("tag") == tag:
        planted = [pii_corpus.Planted(**p) for p in saved["planted"]]
        print(f"reusing corpus {root} ({tag})", flush=True)
    else:
        print(f"generating corpus ({tag}) in {root} ...", flush=True)
        if root.exists():
            shutil.rmtree(root)
        planted = pii_corpus.write_corpus(root, args.mb, seed=args.seed)
        save_json(stamp, {"tag": tag, "planted": pii_corpus.planted_to_json(planted)})

    files = list_files(root)
    texts = {f: (root / f).read_text(encoding="utf-8") for f in files}
    size = sum((root / f).stat().st_size for f in files)
    mb = size / 1e6
    clean_bytes = sum((root / f).stat().st_size for f in files if f.startswith("clean/"))
    batches = partition([tool("mlgate"), "pii"], files)
    print(f"{len(files)} files, {mb:.2f} MB ({100 * clean_bytes / size:.0f} % clean), "
          f"{len(planted)} planted values; mlgate command lines per run: {len(batches)}",
          flush=True)
    build = mlgate_build()
    print(f"mlgate build: {build}", flush=True)

    # Presidio: import and setup, once, before anything else imports it in this process.
    engine, setup = presidio_setup()
    print(f"presidio: import {setup['import_s']:.2f} s, engine {setup['engine_s']:.2f} s, "
          f"first call {setup['first_call_s']:.2f} s, {setup['recognizers']} recognizers",
          flush=True)

    unit_cmp = None
    if args.compare_units_mb > 0:
        sample, budget = [], args.compare_units_mb * 1e6
        kinds = defaultdict(list)
        for f in files:
            kinds[(f.split("/")[0], Path(f).suffix)].append(f)
        per_kind = budget / max(1, len(kinds))
        for group in kinds.values():
            got = 0
            for f in group:
                if got >= per_kind:
                    break
                take = texts[f][: int(per_kind - got)]
                take = take[: take.rfind("\n") + 1] or take
                sample.append(take)
                got += len(take)
        sample_bytes = sum(len(s.encode()) for s in sample)
        unit_cmp = {"bytes": sample_bytes}
        for unit in ("lines", "chunks"):
            units = [(False, u) for s in sample for u in units_of(s, unit)]
            t, _ = presidio_pass(engine, units)
            unit_cmp[unit] = {"seconds": t, "calls": len(units),
                              "mb_per_s": sample_bytes / 1e6 / t}
            print(f"presidio per {unit}: {sample_bytes / 1e6:.2f} MB in {t:.2f} s "
                  f"({sample_bytes / 1e6 / t:.3f} MB/s, {len(units)} calls)", flush=True)

    groups = defaultdict(list)
    for f in files:
        groups[(f.split("/")[0], Path(f).suffix)].append(f)
    sample = sorted(f for fs in groups.values() for f in fs[:: args.presidio_every])
    sample_size = sum((root / f).stat().st_size for f in sample)
    sample_clean = sum((root / f).stat().st_size for f in sample if f.startswith("clean/"))
    sample_mb = sample_size / 1e6
    sample_batches = partition([tool("mlgate"), "pii"], sample)
    print(f"timed sample for Presidio (every {args.presidio_every}. file of each kind): "
          f"{len(sample)} files, {sample_mb:.2f} MB ({100 * sample_clean / sample_size:.0f} % "
          f"clean)", flush=True)
    units = [(f.startswith("clean/"), u) for f in sample for u in units_of(texts[f], args.unit)]
    times: dict[str, list[float]] = {"mlgate (whole corpus)": [], "mlgate (sample)": [],
                                     "presidio (sample)": []}
    loads: list[float] = []
    presidio_counts: Counter = Counter()
    for i in range(args.runs):  # a round: mlgate on all, mlgate on the sample, Presidio
        r = run_batches(batches, root)
        times["mlgate (whole corpus)"].append(r.seconds)
        print(f"  round {i + 1}: mlgate, whole corpus: {r.seconds:.2f} s "
              f"({mb / r.seconds:.3f} MB/s, exit {r.returncodes}; "
              f"load {os.getloadavg()[0]:.1f})", flush=True)
        r = run_batches(sample_batches, root)
        times["mlgate (sample)"].append(r.seconds)
        print(f"  round {i + 1}: mlgate, sample: {r.seconds:.2f} s "
              f"({sample_mb / r.seconds:.3f} MB/s; load {os.getloadavg()[0]:.1f})", flush=True)
        t, presidio_counts = presidio_pass(engine, units)
        times["presidio (sample)"].append(t)
        loads.append(os.getloadavg()[0])
        print(f"  round {i + 1}: presidio, sample: {t:.2f} s ({sample_mb / t:.3f} MB/s; "
              f"load {loads[-1]:.1f})", flush=True)
    med = {k: median(v) for k, v in times.items()}
    ratio = med["presidio (sample)"] / med["mlgate (sample)"]
    sizes = {"mlgate (whole corpus)": size, "mlgate (sample)": sample_size,
             "presidio (sample)": sample_size}

    save_json(args.results.with_suffix(".timings.json"),
              {"times_s": times, "median_s": med, "ratio": ratio, "setup": setup})

    # Findings of mlgate (one untimed JSON run) against the planted values.
    doc = mlgate_findings(root, files, args.results.with_suffix(".findings.json"))
    hits = set()
    clean_findings: Counter = Counter()
    clean_occurrences: Counter = Counter()
    clean_where: Counter = Counter()
    for f in doc["findings"]:
        entity = f["rule"].removeprefix("pii/")
        for line in f.get("lines") or ([f["line"]] if f.get("line") else []):
            hits.add((f["path"], line, entity))
        if f["path"].startswith("clean/"):
            clean_findings[entity] += 1
            clean_occurrences[entity] += f.get("occurrences", 1)
            kind = Path(f["path"]).name.split("_")[0] + Path(f["path"]).suffix
            clean_where[f"{entity} in {kind} under {f.get('key')!r}"] += f.get("occurrences", 1)
    planted_at = {(p.path, p.line, p.entity) for p in planted}
    stray = Counter(e for (path, line, e) in hits
                    if path.startswith("pii/") and (path, line, e) not in planted_at)
    recall = recall_table(planted, hits)
    truncated = [f["path"] for f in doc["findings"] if f["rule"] == "pii/file-truncated"]
    other_rules = Counter(f["rule"] for f in doc["findings"]
                          if f["rule"].removeprefix("pii/") not in SIX)

    # Presidio's recall and parity on a subsample (per line, six entities, same threshold).
    from mlgate.policy import discover

    threshold = float(discover().section("pii")["threshold"])
    by_kind = defaultdict(list)
    for f in files:
        by_kind[(f.split("/")[0], Path(f).suffix)].append(f)
    sub_pii = [f for (top, _), fs in sorted(by_kind.items()) if top == "pii"
               for f in fs[: args.sample_files]]
    sub_clean = [f for (top, _), fs in sorted(by_kind.items()) if top == "clean" for f in fs[:1]]
    t = time.perf_counter()
    sub = presidio_subsample(engine, root, sub_pii + sub_clean, threshold)
    sub_seconds = time.perf_counter() - t
    sub_planted = [p for p in planted if p.path in set(sub_pii)]
    presidio_recall = recall_table(sub_planted, sub["hits"])
    mlgate_sub_recall = recall_table(sub_planted, hits)
    only_presidio = Counter(e for (path, line, e) in sub["hits_outside_allowlist"]
                            if (path, line, e) not in hits)
    only_presidio_where = Counter((path.split("/")[0], e) for (path, line, e)
                                  in sub["hits_outside_allowlist"] if (path, line, e) not in hits)
    presidio_clean_lines = Counter(e for (path, _, e) in sub["hits"]
                                   if path.startswith("clean/"))
    mlgate_clean_lines_sub = Counter(e for (path, line, e) in hits
                                     if path in set(sub_clean) and line <= 500)

    small = small_csv_timing(OUT / "pii-small", args.small_runs)

    results = {
        "machine": machine(),
        "versions": {"mlgate": package_version("mlgate"),
                     "presidio-analyzer": package_version("presidio-analyzer"),
                     "faker": package_version("faker")},
        "corpus": {"mb": args.mb, "seed": args.seed, "files": len(files), "bytes": size,
                   "clean_bytes": clean_bytes, "planted": len(planted)},
        "mlgate_command_lines": len(batches), "mlgate_build": build,
        "presidio_setup": setup, "presidio_unit": args.unit, "presidio_calls": len(units),
        "unit_comparison": unit_cmp,
        "timed_sample": {"every": args.presidio_every, "files": len(sample),
                         "bytes": sample_size, "clean_bytes": sample_clean},
        "times_s": times, "median_s": med, "bytes_timed": sizes,
        "mb_per_s": {k: sizes[k] / 1e6 / v for k, v in med.items()},
        "ratio_presidio_over_mlgate": ratio,
        "ratio_including_presidio_setup": (med["presidio (sample)"] + setup["import_s"]
                                           + setup["engine_s"] + setup["first_call_s"])
        / med["mlgate (sample)"],
        "load_average_1min_after_each_timing": loads,
        "presidio_full_run_results": {f"{'clean' if c else 'pii'}/{e}/{'>=0.4' if s else '<0.4'}":
                                      n for (c, e, s), n in sorted(presidio_counts.items())},
        "mlgate": {"findings": len(doc["findings"]), "errors": doc["errors"],
                   "truncated_files": truncated, "other_rules": dict(other_rules),
                   "recall": recall,
                   "clean_file_findings": dict(clean_findings),
                   "clean_file_occurrences": dict(clean_occurrences),
                   "clean_file_occurrences_where": dict(clean_where.most_common()),
                   "pii_file_lines_not_planted": dict(stray),
                   "missed_shapes": missed_shapes(planted, hits)},
        "subsample": {"files": sub_pii + sub_clean, "threshold": threshold,
                      "seconds": sub_seconds,
                      "presidio_recall": presidio_recall, "mlgate_recall": mlgate_sub_recall,
                      "presidio_missed_shapes": missed_shapes(sub_planted, sub["hits"]),
                      "presidio_only_outside_allowlist": dict(only_presidio),
                      "presidio_only_where": {f"{a}/{b}": n for (a, b), n
                                              in only_presidio_where.items()},
                      "presidio_clean_file_lines": dict(presidio_clean_lines),
                      "mlgate_clean_file_lines": dict(mlgate_clean_lines_sub)},
        "small_csv": small,
    }
    save_json(args.results, results)
    report(results)


def report(r: dict) -> None:
    c = r["corpus"]
    print(f"\nCorpus: {c['files']} files, {c['bytes'] / 1e6:.2f} MB "
          f"({100 * c['clean_bytes'] / c['bytes']:.0f} % clean), {c['planted']} planted values")
    s = r["presidio_setup"]
    print(f"Presidio setup (once): import {s['import_s']:.2f} s + engine {s['engine_s']:.2f} s "
          f"+ first call {s['first_call_s']:.2f} s; {s['recognizers']} recognizers; "
          f"unit: {r['presidio_unit']} ({r['presidio_calls']} analyze calls per pass)")
    if r["unit_comparison"]:
        u = r["unit_comparison"]
        print(f"Presidio per line vs per 64 KiB chunk on {u['bytes'] / 1e6:.2f} MB: "
              f"{u['lines']['mb_per_s']:.3f} vs {u['chunks']['mb_per_s']:.3f} MB/s")
    ts = r["timed_sample"]
    print(f"Timed sample (every {ts['every']}. file of each kind): {ts['files']} files, "
          f"{ts['bytes'] / 1e6:.2f} MB ({100 * ts['clean_bytes'] / ts['bytes']:.0f} % clean)")
    print()
    print(table(["what", "MB", "runs (s)", "median (s)", "MB/s"], [
        [k, f"{r['bytes_timed'][k] / 1e6:.2f}", ", ".join(f"{t:.2f}" for t in v),
         f"{r['median_s'][k]:.2f}", f"{r['mb_per_s'][k]:.3f}"]
        for k, v in r["times_s"].items()]))
    print(f"\nmlgate pii is {r['ratio_presidio_over_mlgate']:.1f}× faster than AnalyzerEngine "
          f"on the same files\n(Presidio analysis only; {r['ratio_including_presidio_setup']:.1f}× "
          f"counting Presidio's import and setup)")
    sm = r["small_csv"]
    print(f"\n`mlgate pii small.csv` ({sm['bytes']} bytes, clean): median {sm['median_ms']:.0f} ms "
          f"(min {sm['min_ms']:.0f}, max {sm['max_ms']:.0f}, {sm['runs']} runs); heavy imports: "
          f"{', '.join(sm['heavy_imports']) or 'none'}"
          + (f"; hyperfine median {sm['hyperfine']['median_ms']:.0f} ms" if sm["hyperfine"]
             else ""))
    m = r["mlgate"]
    print("\nmlgate recall per entity (all planted values; phones also: only numbers "
          "phonenumbers says are valid):")
    rows = []
    for e, row in m["recall"].items():
        rows.append([e, row["planted"], row["found"], f"{row['found'] / row['planted']:.3f}",
                     f"{row.get('found_valid', 0)}/{row.get('planted_valid', 0)}"
                     if e == "PHONE_NUMBER" else "",
                     ", ".join(f"{k}: {row.get('found_' + k, 0)}/{row['planted_' + k]}"
                               for k in ("csv", "jsonl", "txt") if row.get("planted_" + k))])
    print(table(["entity", "planted", "found", "recall", "valid phones", "by file kind"], rows))
    print(f"\nmlgate on clean files: findings {m['clean_file_findings']}, occurrences "
          f"{m['clean_file_occurrences']}")
    print(f"  where (entity in file kind under key: occurrences): "
          f"{m['clean_file_occurrences_where']}")
    print(f"mlgate lines flagged in PII files that hold no planted value of that entity: "
          f"{m['pii_file_lines_not_planted']}")
    print(f"mlgate errors: {m['errors']}; truncated: {m['truncated_files']}; "
          f"other rules: {m['other_rules']}")
    print("mlgate misses by shape (file kind: shape):")
    for e, shapes in m["missed_shapes"].items():
        print(f"  {e}: {shapes}")
    sub = r["subsample"]
    print(f"\nSubsample ({len(sub['files'])} files, per line, six entities, threshold "
          f"{sub['threshold']}, {sub['seconds']:.1f} s):")
    print(table(["entity", "planted", "AnalyzerEngine", "mlgate"], [
        [e, row["planted"], f"{row['found']} ({row['found'] / row['planted']:.3f})",
         f"{sub['mlgate_recall'][e]['found']} "
         f"({sub['mlgate_recall'][e]['found'] / row['planted']:.3f})"]
        for e, row in sub["presidio_recall"].items()]))
    print(f"AnalyzerEngine hits (outside mlgate's default allowlist) that mlgate does not "
          f"report: {sub['presidio_only_outside_allowlist']} ({sub['presidio_only_where']})")
    print(f"AnalyzerEngine misses by shape: {sub['presidio_missed_shapes']}")
    print(f"lines flagged in the clean subsample files (first 500 lines each): AnalyzerEngine "
          f"{sub['presidio_clean_file_lines']}, mlgate {sub['mlgate_clean_file_lines']}")
    print(f"\nPresidio default engine, full corpus, results per file group/entity/score: "
          f"{r['presidio_full_run_results']}")


if __name__ == "__main__":
    main()
