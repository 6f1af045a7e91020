"""Cross-checks with the provenance ledger (core mlgate.ledger): the datasets a card names,
and the results its `model-index` reports.

- Each entry of `datasets:` that the policy's `[datasets] deny` matches is `denied-dataset`
  (whether or not the repository keeps a ledger).
- When the repository keeps a ledger (a root ledger or any sidecar), each entry must name a
  dataset record (`Ledger.dataset_for`: its id, or its name or source in any form — a Hub id
  matches the Hub's URLs of it); else `dataset-without-provenance`. A record whose source or
  derived-from the deny list matches makes the entry `denied-dataset` too.
- The runs whose artifacts lie in the card's directory (or below it) name evaluation results
  files; a `model-index` metric whose type is found in one of them (JSON or YAML; keys such
  as `eval_accuracy`, `accuracy`, `acc,none`) must agree with one value found, within
  `results-tolerance` (a value in percent agrees with a fraction), else `results-mismatch`.
  A metric no results file holds is not compared.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from mlgate import fileio, ledger
from mlgate.hooks.model_card.metadata import MAX_ITEMS, Issue, Meta, metric_values
from mlgate.policy import Policy

RESULTS_CAP = 10_000_000  # bytes of one results file
MAX_VALUES = 100_000  # numbers collected from one results file
_PREFIX = re.compile(r"^(?:eval|test|validation|val|dev|predict)[_/.-]")
_SYNONYMS = {"acc": "accuracy", "em": "exact_match", "exact": "exact_match",
             "f1_score": "f1", "f1score": "f1", "bleu_score": "bleu", "wer_score": "wer",
             "rougel": "rouge-l", "rouge_l": "rouge-l", "pass1": "pass@1"}


def metric_name(key: str) -> str:
    """A metric name as results files and model-index write it, compared loosely:
    `eval_accuracy`, `acc,none` and `Accuracy` are `accuracy`."""
    name = key.strip().lower().split(",", 1)[0]
    name = _PREFIX.sub("", name).replace(" ", "_")
    return _SYNONYMS.get(name, name)


def check(meta: Meta, fm_line: int | None, policy: Policy, card: Path, shown: str,
          cache: dict[str, Any]) -> Iterator[Issue]:
    datasets = meta.data.get("datasets")
    names = [d for d in (datasets if isinstance(datasets, list) else [datasets])[:MAX_ITEMS]
             if isinstance(d, str) and d.strip()]
    index = meta.data.get("model-index")
    if not names and not isinstance(index, list):
        return
    line = meta.line_of("datasets", fm_line)
    book = _ledger(policy, cache)
    for name in names:
        entry = ledger.denied(name, policy)
        if entry is not None:
            yield Issue("denied-dataset", f"dataset {_short(name)!r} is denied by the policy's "
                        f"[datasets] deny ({_short(entry)!r}): train without it, or change "
                        "the policy", line, f"datasets:{name}")
            continue
        record = book.dataset_for(name) if book is not None else None
        if record is not None:
            via = ledger.denied_fields(record, policy)
            if via:
                field, value, entry = via[0]
                yield Issue("denied-dataset", f"dataset {_short(name)!r} (record "
                            f"{_short(record.id)!r}) is denied: its {field} {_short(value)!r} "
                            f"matches [datasets] deny ({_short(entry)!r})", line,
                            f"datasets:{name}")
        elif book is not None:
            yield Issue("dataset-without-provenance", f"dataset {_short(name)!r} has no "
                        "provenance record: add one (id, source, license, consent, personal "
                        "data) to the ledger, see docs/hooks/provenance-notes.md", line,
                        f"datasets:{name}")
    if book is None:
        return
    if isinstance(index, list):
        yield from _results(index, meta.line_of("model-index", fm_line), book, policy, card,
                            shown, cache)


def _short(text: str) -> str:
    text = fileio.printable(text)
    return text if len(text) <= 80 else text[:77] + "..."


def _ledger(policy: Policy, cache: dict[str, Any]) -> ledger.Ledger | None:
    """The repository's ledger, read once per run without the schema (provenance-notes
    validates it); None when the repository keeps none."""
    if "ledger" not in cache:
        book = ledger.load(policy.root, ledger.ledger_name(policy), validate=False)
        cache["ledger"] = book if book.files else None
    found: ledger.Ledger | None = cache["ledger"]
    return found


def _results(index: list[Any], line: int | None, book: ledger.Ledger, policy: Policy,
             card: Path, shown: str, cache: dict[str, Any]) -> Iterator[Issue]:
    directory = PurePosixPath(shown).parent.as_posix()
    directory = "" if directory == "." else directory
    files: list[tuple[str, str]] = []  # (repo-relative results file, run id)
    for run in book.runs:
        listed = run.get("artifacts")
        paths = [run.resolve(a["path"]) for a in (listed if isinstance(listed, list) else [])
                 [:MAX_ITEMS] if isinstance(a, dict) and isinstance(a.get("path"), str)]
        artifacts = [p for p in paths if directory == "" or p.startswith(directory + "/")]
        evaluation = run.get("evaluation")
        if not artifacts or not isinstance(evaluation, list):
            continue
        files += [(run.resolve(e), run.id) for e in evaluation[:MAX_ITEMS]
                  if isinstance(e, str)]
    if not files:
        return
    found: dict[str, list[tuple[float, str]]] = {}
    for rel, run_id in files[:100]:
        for name, value in _numbers(policy.root / rel, cache):
            found.setdefault(name, []).append((value, f"{rel} (run {run_id})"))
    tolerance = float(policy.section("model-card")["results-tolerance"])
    reported = 0
    for dataset, split, metric, value in metric_values(index):
        known = found.get(metric_name(metric))
        if not known or any(_agrees(value, v, tolerance) for v, _ in known):
            continue
        reported += 1
        if reported > 20:
            return
        v, where = known[0]
        on = f" on {_short(dataset)}" + (f" ({_short(split)})" if split else "") \
            if dataset else ""
        yield Issue("results-mismatch", f"model-index reports {_short(metric)} = {value:g}"
                    f"{on}, but {where} has {v:g}: report the results of the released "
                    "model", line, f"model-index:{metric}:{dataset}:{split}")


def _agrees(a: float, b: float, tolerance: float) -> bool:
    return (abs(a - b) <= tolerance or abs(a - 100 * b) <= 100 * tolerance
            or abs(100 * a - b) <= 100 * tolerance)


def _numbers(path: Path, cache: dict[str, Any]) -> list[tuple[str, float]]:
    """(metric name, value) of every number in a JSON or YAML results file, keyed by the
    name of the key it stands under (capped); [] when it cannot be read."""
    key = f"results:{path}"
    if key in cache:
        numbers: list[tuple[str, float]] = cache[key]
        return numbers
    out: list[tuple[str, float]] = []
    cache[key] = out
    try:
        raw = fileio.read_regular(path, RESULTS_CAP, what="results file")
        text = raw.decode("utf-8-sig")
        if path.suffix.lower() in (".yaml", ".yml"):
            from mlgate.hooks.model_card.metadata import safe_load

            data = safe_load(text)
        else:
            data = json.loads(text)
    except (fileio.UnsafeFile, UnicodeDecodeError, ValueError, RecursionError):
        return out
    except Exception:  # yaml.YAMLError: a broken file is provenance-notes' to report
        return out
    stack: list[tuple[str, Any]] = [("", data)]
    seen = 0
    while stack and seen < MAX_VALUES:
        name, value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            stack.extend((str(k), v) for k, v in list(value.items())[:MAX_ITEMS])
        elif isinstance(value, list):
            stack.extend((name, v) for v in value[:MAX_ITEMS])
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and name and \
                math.isfinite(value):
            out.append((metric_name(name), float(value)))
    return out
