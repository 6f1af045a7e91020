"""Held-out-style PII precision benchmark (issue 12): `mlgate pii` and vanilla Presidio on the
labelled corpus of bench/pii_eval_corpus.py, scored line by line.

- mlgate: `mlgate pii --format json FILES` as a subprocess from the corpus directory (the way a
  user runs it; pre-commit-sized command lines), no policy (defaults). A finding counts on
  every line of its `lines` list (it aggregates occurrences per file + key + entity; the files
  are small enough that the 1000-line cap never truncates, which is asserted).
- Presidio: `AnalyzerEngine` with the no-op NLP engine and the default predefined recognizers,
  `analyze(line, entities=<mlgate's six defaults>, score_threshold=0.5)` on every physical
  line of the same files.

A planted value is found when the tool reports its entity on its line. A false line is a
(file, line, entity) the tool reports where no value of that entity is planted; it is
attributed to the false-positive class of the labelled negative it stands on (Presidio: the
span; mlgate: the key, and the column on a finding's first line), else to the class of the
line.

    python bench/bench_pii_precision.py --out bench/out/pii-eval --seed 12 --lines 12000 \\
        --json bench/out/pii-eval/results.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pii_eval_corpus
from common import partition, table

SIX = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"]
NO_OP = {"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}
MLGATE = ["python", "-c", "import sys; from mlgate.cli import main; sys.argv[0]='mlgate'; main()"]
MAX_LINES = 1000

# a report: (file, line) -> list of (entity, start, end, key, column); spans are None when
# the tool does not give them
Hit = tuple[str, int | None, int | None, str | None, int | None]


def run_mlgate(corpus: Path, files: list[str]) -> tuple[dict[tuple[str, int], list[Hit]], dict]:
    cmd = [sys.executable, *MLGATE[1:], "pii", "--format", "json"]
    hits: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    info = {"findings": 0, "errors": [], "other_rules": Counter()}
    start = time.perf_counter()
    for argv in partition(cmd, files):
        p = subprocess.run(argv, cwd=corpus, capture_output=True, text=True, check=False)
        if p.returncode not in (0, 1):
            raise SystemExit(f"mlgate exited {p.returncode}:\n{p.stderr[-2000:]}")
        doc = json.loads(p.stdout)
        info["errors"] += doc.get("errors", [])
        for f in doc["findings"]:
            rule = f["rule"]
            entity = rule.split("/", 1)[1]
            if entity not in SIX:
                info["other_rules"][rule] += 1
                continue
            info["findings"] += 1
            lines = f["lines"] or ([f["line"]] if f["line"] else [])
            assert len(lines) < MAX_LINES and f["occurrences"] >= len(lines), \
                f"`lines` truncated for {f['path']} {rule}: make the files smaller"
            for ln in lines:
                col = f["column"] if ln == f["line"] else None
                hits[(f["path"], ln)].append((entity, None, None, f.get("key"), col))
    info["seconds"] = time.perf_counter() - start
    info["other_rules"] = dict(info["other_rules"])
    return hits, info


def run_presidio(corpus: Path, files: list[str], threshold: float = 0.5
                 ) -> tuple[dict[tuple[str, int], list[Hit]], dict]:
    t0 = time.perf_counter()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp = NlpEngineProvider(nlp_configuration=NO_OP).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    setup = time.perf_counter() - t0
    hits: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    start = time.perf_counter()
    nbytes = 0
    for rel in files:
        text = (corpus / rel).read_text(encoding="utf-8")
        nbytes += len(text.encode())
        for i, line in enumerate(text.split("\n")[:-1], 1):
            if not line.strip():
                continue
            for r in engine.analyze(text=line, language="en", entities=SIX,
                                    score_threshold=threshold):
                hits[(rel, i)].append((r.entity_type, r.start, r.end, None, None))
    seconds = time.perf_counter() - start
    return hits, {"setup_seconds": setup, "seconds": seconds,
                  "mb_per_s": nbytes / 1e6 / seconds if seconds else None}


def attribute(lab: dict, hit: Hit) -> str:
    """The false-positive class of a false report on a labelled line."""
    entity, s, e, key, col = hit
    negs = lab["negatives"]
    if s is not None:
        over = [n for n in negs if n[1] < e and s < n[2]]
        if over:
            return over[0][0]
        other = [x for x in lab["entities"] if x[1] < e and s < x[2]]
        if other:
            return f"other-entity:{other[0][0]}"
        return lab["class"]
    cands = [n for n in negs if n[3] == key] if key is not None else \
        [n for n in negs if n[3] is None]
    if col is not None and len(cands) > 1:
        at = [n for n in cands if n[1] <= col - 1 < n[2]] or \
            [n for n in cands if n[1] >= col - 1]
        cands = at or cands
    if cands:
        return cands[0][0]
    other = [x for x in lab["entities"] if key is not None and x[3] == key]
    if other:
        return f"other-entity:{other[0][0]}"
    return lab["class"]


def score(labels: dict, hits: dict[tuple[str, int], list[Hit]]) -> dict:
    planted: Counter = Counter()
    found: Counter = Counter()
    by_fmt_planted: Counter = Counter()
    by_fmt_found: Counter = Counter()
    missed: list[tuple[str, int, str, str]] = []
    false: dict[tuple[str, int], set[str]] = defaultdict(set)
    false_class: dict[tuple[str, int], set[str]] = defaultdict(set)
    class_entity: Counter = Counter()
    examples: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for rel, f in labels["files"].items():
        for ln_s, lab in f["lines"].items():
            ln = int(ln_s)
            reported = {h[0] for h in hits.get((rel, ln), [])}
            for etype, _s, _e, _key, fmt in lab["entities"]:
                planted[etype] += 1
                family = fmt.split("-")[0] if etype == "PHONE_NUMBER" else ""
                if family:
                    by_fmt_planted[family] += 1
                if etype in reported:
                    found[etype] += 1
                    if family:
                        by_fmt_found[family] += 1
                else:
                    missed.append((rel, ln, etype, fmt))
            planted_types = {x[0] for x in lab["entities"]}
            seen: set[tuple[str, str]] = set()
            for h in hits.get((rel, ln), []):
                if h[0] in planted_types:
                    continue
                cls = attribute(lab, h)
                false[(rel, ln)].add(h[0])
                false_class[(rel, ln)].add(cls)
                if (h[0], cls) not in seen:
                    seen.add((h[0], cls))
                    class_entity[(cls, h[0])] += 1
                if len(examples[cls]) < 5 and all(x[:2] != (rel, ln) for x in examples[cls]):
                    examples[cls].append((rel, ln, h[0]))
    per_entity = Counter(e for ents in false.values() for e in ents)
    per_class = Counter(c for cs in false_class.values() for c in cs)
    return {
        "planted": dict(planted), "found": dict(found),
        "recall": {e: found[e] / planted[e] for e in planted},
        "recall_total": sum(found.values()) / max(1, sum(planted.values())),
        "phone_formats": {k: [by_fmt_found[k], v] for k, v in by_fmt_planted.items()},
        "false_lines": len(false), "false_entity_lines": sum(len(v) for v in false.values()),
        "false_per_entity": dict(per_entity), "false_per_class": dict(per_class),
        "false_class_entity": {f"{c}|{e}": n for (c, e), n in class_entity.items()},
        "examples": {c: v for c, v in examples.items()},
        "missed": missed[:200], "n_missed": len(missed),
    }


def _fmt_recall(r: dict, e: str) -> str:
    if e not in r["planted"]:
        return "–"
    return f"{r['found'].get(e, 0)}/{r['planted'][e]} ({r['recall'][e]:.3f})"


def report(labels: dict, res: dict[str, dict], meta: dict) -> str:
    tools = list(res)
    out = [f"# PII precision benchmark ({meta['date']})", "",
           f"corpus: {pii_eval_corpus.summary(labels)}; seed {labels['seed']}", "",
           "## Recall per entity (planted value found on its line)", ""]
    ents = [e for e in SIX if e in next(iter(res.values()))["planted"]]
    rows = [[e, next(iter(res.values()))["planted"][e], *[_fmt_recall(res[t], e)
                                                          for t in tools]] for e in ents]
    rows.append(["**all**", sum(next(iter(res.values()))["planted"].values()),
                 *[f"{res[t]['recall_total']:.3f}" for t in tools]])
    out += [table(["entity", "planted", *tools], rows), ""]
    fams = sorted(next(iter(res.values()))["phone_formats"])
    out += ["Phone numbers by how they are written:", "",
            table(["format", *tools], [[f, *[
                "{}/{}".format(*res[t]["phone_formats"].get(f, [0, 0])) for t in tools]]
                for f in fams]), ""]
    out += ["## False lines per entity", "",
            "(a line counts once per entity; `all` counts distinct lines)", ""]
    rows = [[e, *[res[t]["false_per_entity"].get(e, 0) for t in tools]] for e in SIX]
    rows.append(["**all (distinct lines)**", *[res[t]["false_lines"] for t in tools]])
    out += [table(["entity", *tools], rows), ""]
    classes = sorted({c for t in tools for c in res[t]["false_per_class"]},
                     key=lambda c: -max(res[t]["false_per_class"].get(c, 0) for t in tools))
    out += ["## False lines per false-positive class", ""]
    rows = []
    for c in classes:
        row = [c]
        for t in tools:
            n = res[t]["false_per_class"].get(c, 0)
            per = {k.split("|")[1]: v for k, v in res[t]["false_class_entity"].items()
                   if k.split("|")[0] == c}
            detail = ", ".join(f"{e.split('_')[0]} {v}" for e, v in sorted(per.items()))
            row.append(f"{n} ({detail})" if n else "0")
        rows.append(row)
    out += [table(["class", *tools], rows) if rows else "(none)", ""]
    out += [f"timing: {', '.join(f'{t} {meta[t]}' for t in tools)}"]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "pii-eval")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--lines", type=int, default=12_000)
    ap.add_argument("--json", type=Path, default=None, help="write raw results here")
    ap.add_argument("--reuse", action="store_true", help="keep an existing corpus")
    ap.add_argument("--no-presidio", action="store_true", help="score mlgate only")
    ap.add_argument("--presidio-threshold", type=float, default=0.5,
                    help="Presidio's score threshold (0.5; mlgate's default is 0.4)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    labels_path = a.out / "labels.json"
    if a.reuse and labels_path.exists():
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    else:
        labels = pii_eval_corpus.build(a.out, a.seed, a.lines)
    corpus = a.out / "corpus"
    files = sorted(labels["files"])
    assert all(f["n_lines"] < MAX_LINES for f in labels["files"].values())
    t0 = time.perf_counter()
    ml_hits, ml_info = run_mlgate(corpus, files)
    res = {"mlgate": score(labels, ml_hits)}
    meta: dict = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  "mlgate": f"{ml_info['seconds']:.1f} s", "mlgate_info": ml_info}
    if ml_info["errors"]:
        print("mlgate errors:", ml_info["errors"], file=sys.stderr)
    if not a.no_presidio:
        pr_hits, pr_info = run_presidio(corpus, files, a.presidio_threshold)
        res["presidio"] = score(labels, pr_hits)
        meta["presidio"] = (f"{pr_info['seconds']:.1f} s (+{pr_info['setup_seconds']:.1f} s "
                            f"setup, {pr_info['mb_per_s']:.2f} MB/s)")
        meta["presidio_info"] = pr_info
    meta["total_seconds"] = time.perf_counter() - t0
    print(report(labels, res, meta))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"meta": meta, "results": res, "seed": a.seed,
                                      "lines": a.lines}, indent=1, default=str),
                          encoding="utf-8")


if __name__ == "__main__":
    main()
