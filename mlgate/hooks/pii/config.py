"""The `[pii]` policy table; every value is checked when the policy is loaded, whichever hook
runs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key, regex

DEFAULT_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
                    "IP_ADDRESS")
PRESIDIO_PHONE_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")


def _recognizers(value: list[Mapping[str, Any]]) -> str | None:
    allowed = {"name", "entity", "regex", "score", "context"}
    for i, rec in enumerate(value):
        unknown = set(rec) - allowed
        if unknown:
            return f"only {sorted(allowed)} in recognizer #{i + 1}, not {sorted(unknown)}"
        for k in ("name", "entity", "regex"):
            if not isinstance(rec.get(k), str) or not rec[k]:
                return f"a non-empty string {k!r} in recognizer #{i + 1}"
        problem = regex(rec["regex"])
        if problem:
            return problem
        score = rec.get("score", 0.6)
        if not isinstance(score, (int, float)) or isinstance(score, bool) or not 0 <= score <= 1:
            return f"a score between 0 and 1 in recognizer #{i + 1}"
        context = rec.get("context", [])
        if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
            return f"a list of strings as 'context' in recognizer #{i + 1}"
    return None


SCHEMA: dict[str, Key] = {
    "entities": Key("list[str]", list(DEFAULT_ENTITIES),
                    "Presidio entity names to detect (any predefined recognizer's entity)."),
    "countries": Key("list[str]", [], "Enable every predefined country-specific recognizer "
                     "of these countries (`es`, `it`, `uk`, …)."),
    "threshold": Key("float", 0.4, "The lowest Presidio score that is reported.", minimum=0,
                 maximum=1),
    "phone-regions": Key("list[str]", list(PRESIDIO_PHONE_REGIONS),
                         "Regions (phonenumbers' two-letter codes: `GB`, not `UK`) whose "
                         "national formats phone numbers are parsed in; numbers written "
                         "with `+` are found for every country (Presidio's default).",
                         check=lambda v: None if all(re.fullmatch(r"[A-Z]{2}", r)
                                                     for r in v)
                         else "a list of two-letter upper-case region codes"),
    "allowlist": Key("list[str]", [], "Values that are never reported (exact match)."),
    "allowlist-patterns": Key("list[str]", [], "Regular expressions; a value that fully "
                              "matches one is never reported.", check=regex),
    "default-allowlist": Key("bool", True, "Skip reserved test and documentation values "
                             "(docs/hooks/pii-in-data-samples.md lists them)."),
    "precision-off": Key("list[str]", [], "mlgate's precision rules to switch off "
                         "(`phone-shape`, `phone-not-number`, `key-not-pii`, `ip-not-address`, "
                         "`ssn-unissuable`, `in-other-entity`, `email-placeholder`): their "
                         "matches are then reported (docs/hooks/pii-in-data-samples.md)."),
    "recognizers": Key("list[table]", [], "Custom pattern recognizers: tables with `name`, "
                       "`entity`, `regex`, `score` (0.6) and `context` (words).",
                       check=_recognizers),
    "max-bytes": Key("int", 5_000_000, "Per-commit byte budget per file; a larger file is "
                     "scanned up to it and gets a warning pointing at `mlgate scan`.",
                     minimum=1),
    "max-seconds": Key("float", 120.0, "Time budget per file: checking stops after this "
                       "many seconds and a warning says how far it got (a guard against "
                       "pathological data; normal files take a fraction of a second).",
                       minimum=0.01),
    "deep": Key("bool", False, "Deep mode (also `--deep`): in-text context words and NER."),
    "spacy-model": Key("str", "", "Deep mode: an installed spaCy pipeline, by package name "
                       "or path, for NER entities."),
    "ner-entities": Key("list[str]", ["PERSON", "LOCATION"], "Deep mode: NER entities to "
                        "report when `spacy-model` is set."),
}


def validate(values: dict[str, Any], source: str) -> None:
    """What ties to the libraries: region codes phonenumbers knows, entity names and countries
    of Presidio's predefined recognizers (a static table, checked against Presidio by a test,
    so that no policy load imports Presidio)."""
    from mlgate.hooks.pii.presidio_catalog import PREDEFINED

    if values["precision-off"]:
        from mlgate.hooks.pii.precision import NAMES

        unknown = [n for n in values["precision-off"] if n not in NAMES]
        if unknown:
            raise MlgateError(f"{source}: 'pii.precision-off' names unknown precision rules "
                              f"{unknown} (known: {', '.join(NAMES)})")

    if "PHONE_NUMBER" in values["entities"] and \
            values["phone-regions"] != list(PRESIDIO_PHONE_REGIONS):
        from phonenumbers import SUPPORTED_REGIONS

        unknown = [r for r in values["phone-regions"] if r not in SUPPORTED_REGIONS]
        if unknown:
            raise MlgateError(f"{source}: 'pii.phone-regions' must be region codes "
                              f"phonenumbers knows (US, GB, DE, ...), not {unknown}")
    known = {e for _, _, e in PREDEFINED} | set(DEFAULT_ENTITIES)
    missing = [e for e in dict.fromkeys(values["entities"]) if e not in known]
    if missing:
        raise MlgateError(f"{source}: 'pii.entities' names no Presidio predefined recognizer "
                          f"for {missing} (known: {', '.join(sorted(known))})")
    all_countries = {c for _, c, _ in PREDEFINED if c}
    bad = [c for c in values["countries"] if c.lower() not in all_countries]
    if bad:
        raise MlgateError(f"{source}: 'pii.countries' must be among "
                          f"{', '.join(sorted(all_countries))}, not {bad}")
    require_the_extra(values, source)


EXTRA = "pip install 'mlgate[presidio]'"


def require_the_extra(values: dict[str, Any], source: str) -> None:
    """What only Presidio provides (deep mode, other predefined recognizers, country sets)
    without Presidio installed: an error naming the extra, never a silent downgrade."""
    import importlib.util

    wanted = []
    others = [e for e in dict.fromkeys(values["entities"]) if e not in DEFAULT_ENTITIES]
    if others:
        wanted.append(f"'pii.entities' {others}")
    if values["countries"]:
        wanted.append(f"'pii.countries' {values['countries']}")
    if values["deep"]:
        wanted.append("deep mode ('pii.deep' or --deep)")
    if wanted and importlib.util.find_spec("presidio_analyzer") is None:
        raise MlgateError(f"{source}: {' and '.join(wanted)} need(s) Presidio, which is not "
                          f"installed: {EXTRA} (the default entities need nothing more)")
