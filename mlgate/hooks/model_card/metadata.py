"""The card's YAML front matter: loaded safely, then its keys checked by shape.

PyYAML's safe loader (libyaml's CSafeLoader when built with it) and nothing that executes;
no YAML value is printed in a message except a key name or a short, printable id. Every walk
over the loaded structure has a cap, so that a hostile front matter (aliases that fan out, a
list of a million items) costs no more than a normal one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlgate.fileio import printable
from mlgate.hooks.model_card.markdown import FrontMatter

MAX_ITEMS = 1000  # list items looked at per key
MAX_NODES = 100_000  # nodes of model-index visited in all
_KEY_LINE = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:")
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]{0,95}(?:/[\w.-]{1,96})?")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*|multilingual|code", re.I)
RELATIONS = ("adapter", "merge", "quantized", "finetune")
# keys only dataset cards have (the Hub's dataset card metadata)
DATASET_KEYS = frozenset({"task_categories", "task_ids", "dataset_info", "configs",
                          "size_categories", "source_datasets", "annotations_creators",
                          "language_creators", "multilinguality", "pretty_name",
                          "paperswithcode_id", "train-eval-index"})
MODEL_KEYS = frozenset({"model-index", "base_model", "library_name", "pipeline_tag",
                        "base_model_relation", "model_name", "widget", "inference"})
# the Hub's card metadata: front matter with one of these is a card's
CARD_KEYS = DATASET_KEYS | MODEL_KEYS | frozenset({
    "license", "license_name", "license_link", "language", "tags", "datasets", "metrics",
    "thumbnail", "co2_eq_emissions", "extra_gated_prompt", "extra_gated_fields", "new_version",
    "language_bcp47", "viewer"})


@dataclass(frozen=True)
class Issue:
    rule: str  # the rule's name, without `model-card/`
    message: str
    line: int | None
    key: str


@dataclass
class Meta:
    """The loaded front matter (a mapping), or why it could not be read."""

    data: dict[str, Any]
    lines: dict[str, int]  # top-level key -> its line in the file
    problem: Issue | None = None

    def line_of(self, key: str, default: int | None) -> int | None:
        return self.lines.get(key, default)


def safe_load(text: str) -> Any:
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load(front: FrontMatter) -> Meta:
    lines: dict[str, int] = {}
    for i, text in enumerate(front.text.split("\n")):
        m = _KEY_LINE.match(text)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = front.start + 1 + i
    where = front.start
    if front.end is None:
        return Meta({}, lines, Issue("front-matter-invalid", "the YAML front matter opened "
                                     "with `---` is never closed: end it with a `---` line",
                                     where, "front-matter"))
    if front.too_large:
        return Meta({}, lines, Issue("front-matter-invalid", "the YAML front matter is too "
                                     "large to read (more than 4,000,000 characters)",
                                     where, "front-matter"))
    try:
        data = safe_load(front.text)
    except RecursionError:
        return Meta({}, lines, Issue("front-matter-invalid", "the YAML front matter is nested "
                                     "too deeply", where, "front-matter"))
    except Exception as e:  # yaml.YAMLError, and constructor errors (a bad date: ValueError)
        mark = getattr(e, "problem_mark", None)
        line = where + 1 + mark.line if mark is not None else where
        problem = getattr(e, "problem", None) or type(e).__name__
        return Meta({}, lines, Issue("front-matter-invalid", f"the YAML front matter is not "
                                     f"valid YAML ({printable(str(problem))[:120]})", line,
                                     "front-matter"))
    if data is None:
        return Meta({}, lines)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        return Meta({}, lines, Issue("front-matter-invalid", f"the YAML front matter is {kind}, "
                                     "not a mapping of keys (`license: mit`)", where,
                                     "front-matter"))
    data = {str(k): v for k, v in data.items()}
    return Meta(data, lines)


def is_dataset(data: dict[str, Any]) -> bool:
    keys = set(data)
    return bool(keys & DATASET_KEYS) and not keys & MODEL_KEYS


def filled(value: Any, placeholders: list[re.Pattern[str]]) -> bool:
    """A value that says something: not None, not empty, not a template placeholder."""
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip()
        return bool(text) and not any(p.search(text) for p in placeholders)
    if isinstance(value, (list, dict)):
        items = value if isinstance(value, list) else list(value.values())
        return bool(items) and any(filled(v, placeholders) for v in items[:MAX_ITEMS])
    return True


def _strings(value: Any) -> list[Any]:
    """A key that is a string or a list of strings, as a list (capped)."""
    if isinstance(value, list):
        return value[:MAX_ITEMS]
    return [value]


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    text = printable(text)
    return text if len(text) <= 60 else text[:57] + "..."


def check_shapes(meta: Meta, line: int | None) -> Iterator[Issue]:
    """The known keys' shapes (whether or not the policy requires them)."""
    data = meta.data
    for key in ("datasets", "base_model"):
        if key not in data or data[key] is None:
            continue
        for item in _strings(data[key]):
            if not isinstance(item, str) or not _HUB_ID.fullmatch(item.strip()):
                yield Issue("invalid-metadata", f"`{key}` must be a Hub id (`org/name`) or a "
                            f"list of them, not {_shown(item)!r}",
                            meta.line_of(key, line), key)
                break
    if data.get("base_model_relation") is not None and \
            data["base_model_relation"] not in RELATIONS:
        yield Issue("invalid-metadata", "`base_model_relation` must be one of "
                    f"{', '.join(RELATIONS)}", meta.line_of("base_model_relation", line),
                    "base_model_relation")
    if data.get("language") is not None:
        for item in _strings(data["language"]):
            if isinstance(item, bool):  # YAML 1.1 reads `no` (Norwegian) and `yes` as booleans
                yield Issue("invalid-metadata", f"`language` holds {str(item).lower()}: YAML "
                            "reads `no` (Norwegian) as false; quote it (`\"no\"`) or use `nb` "
                            "or `nn`", meta.line_of("language", line), "language")
                break
            if not isinstance(item, str) or not _LANGUAGE.fullmatch(item.strip()):
                yield Issue("invalid-metadata", "`language` must be ISO 639 codes (`en`, "
                            f"`fr`, `zh-Hans`) or a list of them, not {_shown(item)!r}",
                            meta.line_of("language", line), "language")
                break
    for key in ("license_name", "license_link", "library_name", "pipeline_tag"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            yield Issue("invalid-metadata", f"`{key}` must be a string",
                        meta.line_of(key, line), key)
    if "model-index" in data:
        yield from model_index(data["model-index"], meta.line_of("model-index", line))


def model_index(value: Any, line: int | None) -> Iterator[Issue]:
    """The Hub's structure: a list of models with `name` and `results`; each result with
    `task.type`, `dataset.type` and `dataset.name`, and `metrics` with `type` and `value`.
    One issue per problem found, at most 20."""
    problems: list[str] = []
    budget = [MAX_NODES]

    def bad(where: str, what: str) -> None:
        if len(problems) < 20:
            problems.append(f"{where}: {what}")

    def spend() -> bool:
        budget[0] -= 1
        return budget[0] > 0

    if not isinstance(value, list) or not value:
        bad("model-index", "must be a non-empty list of models")
    else:
        for i, model in enumerate(value[:MAX_ITEMS]):
            w = f"model-index[{i}]"
            if not spend():
                break
            if not isinstance(model, dict):
                bad(w, "must be a mapping with `name` and `results`")
                continue
            if not isinstance(model.get("name"), str) or not model["name"].strip():
                bad(w, "needs `name` (a string)")
            results = model.get("results")
            if not isinstance(results, list) or not results:
                bad(w, "needs `results` (a non-empty list)")
                continue
            for j, result in enumerate(results[:MAX_ITEMS]):
                if not spend():
                    break
                _result(result, f"{w}.results[{j}]", bad, spend)
    for p in problems:  # each its own finding: the key names where
        yield Issue("invalid-model-index", f"model-index is malformed at {p}", line,
                    p.split(": ", 1)[0])


def _result(result: Any, w: str, bad: Any, spend: Any) -> None:
    if not isinstance(result, dict):
        bad(w, "must be a mapping with `task`, `dataset` and `metrics`")
        return
    task = result.get("task")
    if not isinstance(task, dict) or not _text(task.get("type")):
        bad(f"{w}.task", "needs `type` (a string such as text-classification)")
    dataset = result.get("dataset")
    if not isinstance(dataset, dict):
        bad(f"{w}.dataset", "needs `type` and `name`")
    else:
        for k in ("type", "name"):
            if not _text(dataset.get(k)):
                bad(f"{w}.dataset", f"needs `{k}` (a string)")
    metrics = result.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        bad(f"{w}.metrics", "must be a non-empty list")
        return
    for n, metric in enumerate(metrics[:MAX_ITEMS]):
        if not spend():
            return
        mw = f"{w}.metrics[{n}]"
        if not isinstance(metric, dict):
            bad(mw, "must be a mapping with `type` and `value`")
            continue
        if not _text(metric.get("type")):
            bad(mw, "needs `type` (a string such as accuracy)")
        if "value" not in metric:
            bad(mw, "needs `value`")
        else:
            v = metric["value"]
            if isinstance(v, bool) or not (isinstance(v, (int, str)) or (
                    isinstance(v, float) and math.isfinite(v))):
                bad(mw, "`value` must be a number (or a string)")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def metric_values(value: Any) -> Iterator[tuple[str, str, str, float]]:
    """(dataset type, dataset split, metric type, value) of every numeric result of a
    well-formed model-index (capped)."""
    if not isinstance(value, list):
        return
    count = 0
    for model in value[:MAX_ITEMS]:
        results = model.get("results") if isinstance(model, dict) else None
        for result in results[:MAX_ITEMS] if isinstance(results, list) else ():
            if not isinstance(result, dict):
                continue
            found = result.get("dataset")
            dataset: dict[str, Any] = found if isinstance(found, dict) else {}
            metrics = result.get("metrics")
            for metric in metrics[:MAX_ITEMS] if isinstance(metrics, list) else ():
                count += 1
                if count > MAX_NODES:
                    return
                if not isinstance(metric, dict):
                    continue
                v = metric.get("value")
                if isinstance(v, (int, float)) and not isinstance(v, bool) and \
                        math.isfinite(v) and isinstance(metric.get("type"), str):
                    yield (str(dataset.get("type", "")), str(dataset.get("split", "")),
                           metric["type"], float(v))
