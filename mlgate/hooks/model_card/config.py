"""The `[model-card]` policy table."""

from __future__ import annotations

from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key, regex

_MODEL_SECTIONS = ["intended-use", "out-of-scope-use", "bias-risks-limitations",
                   "training-data", "evaluation"]
# the template placeholders of huggingface_hub's card template and of transformers' Trainer
# cards, a TODO, and a line that starts with "Fill in"
PLACEHOLDERS = [r"(?i)\[more information needed\]", r"(?i)^\W*more information needed\W*$",
                r"\bTODO\b", r"(?i)^\W*fill in\b"]
_KINDS = ("model", "dataset")


def _globs(value: list[str]) -> str | None:
    return None if all(g.strip() for g in value) else "a list of non-empty glob patterns"


SCHEMA: dict[str, Key] = {
    "required-metadata": Key("list[str]", ["license"], "Front matter keys a model card must "
                             "have (`license`, `datasets`, `base_model`, `language`, "
                             "`model-index`, or any other key)."),
    "required-sections": Key("list[str]", list(_MODEL_SECTIONS), "Sections a model card must "
                             "have, by name (docs/hooks/model-card-fields.md lists them and "
                             "their heading synonyms; `[[model-card.sections]]` adds more)."),
    "dataset-required-metadata": Key("list[str]", ["license"], "Front matter keys a dataset "
                                     "card must have."),
    "dataset-required-sections": Key("list[str]", ["personal-and-sensitive-information"],
                                     "Sections a dataset card must have, by name."),
    "sections": Key("list[table]", [], "More sections, or more headings for a known one: "
                    "tables with `name`, `headings` (a list) and optionally `title` and "
                    "`hint`."),
    "placeholders": Key("list[str]", list(PLACEHOLDERS), "Regular expressions of template "
                        "placeholder text; a section that holds one counts as not filled in.",
                        check=regex),
    "min-section-words": Key("int", 1, "Words a required section must hold (its "
                             "subsections included) to count as filled in.", minimum=1),
    "min-words": Key("int", 0, "Words the whole card must hold (0: no minimum).", minimum=0),
    "readme": Key("str", "auto", "Which README.md files are cards: `auto` (those with YAML "
                  "front matter, a `Model Card`/`Dataset Card` title, or two card-only "
                  "headings), `card` (every one), `ignore` (none).",
                  choices=("auto", "card", "ignore")),
    "cards": Key("list[str]", [], "Glob patterns of more files that are cards (MODEL_CARD.md "
                 "and DATASET_CARD.md always are).", check=_globs),
    "dataset-cards": Key("list[str]", [], "Glob patterns of cards that are dataset cards "
                         "(besides DATASET_CARD.md and cards whose front matter has dataset "
                         "keys such as `task_categories`, `dataset_info` or `configs`).",
                         check=_globs),
    "license-check": Key("bool", True, "Compare the card's license with the repository's "
                         "LICENSE file and LICENSES/ directory (a warning when they differ)."),
    "provenance-check": Key("bool", True, "Check the datasets the card names against the "
                            "provenance ledger, and `model-index` results against the "
                            "evaluation results files its run records name."),
    "results-tolerance": Key("float", 1e-6, "How far a `model-index` metric value may be from "
                             "the results file's value (absolute).", minimum=0),
    "max-bytes": Key("int", 10_000_000, "Bytes read per card; the rest of a larger card is "
                     "not read and a warning says so.", minimum=1),
}

_SECTION_KEYS = {"name", "headings", "title", "hint"}


def validate(values: dict[str, Any], source: str) -> None:
    from mlgate.hooks.model_card.sections import BUILTIN

    known = set(BUILTIN)
    for i, table in enumerate(values["sections"]):
        where = f"{source}: 'model-card.sections[{i}]'"
        extra = sorted(set(table) - _SECTION_KEYS)
        if extra:
            raise MlgateError(f"{where} has unknown keys {extra} (expected name, headings, "
                              "title, hint)")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise MlgateError(f"{where} needs a non-empty string 'name'")
        headings = table.get("headings", [])
        if not isinstance(headings, list) or not all(
                isinstance(h, str) and h.strip() for h in headings):
            raise MlgateError(f"{where}: 'headings' must be a list of non-empty strings")
        if name not in BUILTIN and not headings:
            raise MlgateError(f"{where}: the new section {name!r} needs 'headings'")
        for key in ("title", "hint"):
            if key in table and not isinstance(table[key], str):
                raise MlgateError(f"{where}: {key!r} must be a string")
        known.add(name)
    for key in ("required-sections", "dataset-required-sections"):
        unknown = [n for n in values[key] if n not in known]
        if unknown:
            raise MlgateError(f"{source}: 'model-card.{key}' names unknown sections {unknown} "
                              "(known: see docs/hooks/model-card-fields.md, or define them "
                              "with [[model-card.sections]])")
    for key in ("required-metadata", "dataset-required-metadata"):
        if not all(k.strip() for k in values[key]):
            raise MlgateError(f"{source}: 'model-card.{key}' must hold non-empty key names")
