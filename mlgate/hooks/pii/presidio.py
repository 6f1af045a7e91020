"""Presidio glue: imports and process-wide settings (setup_process), predefined recognizers,
and lean runners of Presidio's pattern recognizers (the same results as their `analyze`, less
overhead).
"""

from __future__ import annotations

import functools
import gc
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    pass


REGEX_TIMEOUT_SECONDS = 5  # Presidio's default is 60 s per regex scan; a hook wants less


def _own(factory: str, *args: Any) -> Callable[[], Any]:
    """A maker of one of mlgate's own Presidio recognizers (presidio_recognizers.py: classes
    that subclass Presidio's, defined when Presidio is imported)."""
    def make() -> Any:
        from mlgate.hooks.pii import presidio_recognizers

        return getattr(presidio_recognizers, factory)(*args)
    return make


def _custom(spec: dict[str, Any]) -> Callable[[], Any]:
    def make() -> Any:
        from presidio_analyzer import Pattern, PatternRecognizer

        return PatternRecognizer(
            supported_entity=spec["entity"], name=spec["name"],
            patterns=[Pattern(spec["name"], spec["regex"], float(spec.get("score", 0.6)))],
            context=list(spec.get("context", [])))
    return make


@functools.lru_cache(maxsize=1)
def predefined_catalog() -> tuple[tuple[str, str | None, str], ...]:
    """(class name, country code, entity) of every Presidio predefined pattern recognizer."""
    import inspect

    import presidio_analyzer
    import yaml
    from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
        RecognizerListLoader,
    )

    conf = Path(presidio_analyzer.__file__).parent / "conf" / "default_recognizers.yaml"
    out = []
    for item in yaml.safe_load(conf.read_text(encoding="utf-8"))["recognizers"]:
        if not isinstance(item, dict) or item.get("type") != "predefined":
            continue
        try:
            cls = RecognizerListLoader.get_existing_recognizer_cls(item["name"])
            kwargs: dict[str, Any] = ({"supported_language": "en"} if "supported_language"
                                      in inspect.signature(cls.__init__).parameters else {})
            entities = cls(**kwargs).supported_entities
        except Exception:  # optional third-party recognizers whose packages are missing
            continue
        if len(entities) != 1 or entities[0] in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
            continue
        country = getattr(cls, "COUNTRY_CODE", None) or item.get("country_code")
        out.append((item["name"], country, entities[0]))
    return tuple(out)


def _predefined(class_name: str) -> Callable[[], Any]:
    def make() -> Any:
        import inspect

        from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
            RecognizerListLoader,
        )

        cls = RecognizerListLoader.get_existing_recognizer_cls(class_name)
        kwargs: dict[str, Any] = ({"supported_language": "en"} if "supported_language"
                                  in inspect.signature(cls.__init__).parameters else {})
        return cls(**kwargs)
    return make


def setup_process() -> None:
    """Process-wide setup for running Presidio here: the one place the pii hook changes
    state of the whole process. Idempotent (a second call does nothing); PiiDetector calls it
    before it makes its recognizers, and a worker that runs detectors in threads may call it
    once before starting them. It

    - imports Presidio (and mlgate's recognizer module) with the cyclic garbage collector
      paused: its collections there walk the 100,000 objects the import leaves behind for
      nothing; then exempts those objects from later collections (`gc.freeze`), which would
      walk them all on each full collection (≈ 0.45 s of a 12 s run; reference counting still
      frees what is freed later, only cycles among these objects would stay);
    - bounds Presidio's regex scans (REGEX_TIMEOUT_SECONDS instead of its 60 s);
    - silences Presidio's logger (it logs matched values on some validation errors: that must
      never reach a terminal or CI log)."""
    if _process_ready:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        import presidio_analyzer.predefined_recognizers  # noqa: F401
        from presidio_analyzer import pattern_recognizer

        import mlgate.hooks.pii.presidio_recognizers  # noqa: F401
    finally:
        if collecting:
            gc.enable()
    pattern_recognizer.REGEX_TIMEOUT_SECONDS = REGEX_TIMEOUT_SECONDS
    try:
        from presidio_analyzer.predefined_recognizers.generic import iban_recognizer

        if hasattr(iban_recognizer, "REGEX_TIMEOUT_SECONDS"):
            iban_recognizer.REGEX_TIMEOUT_SECONDS = REGEX_TIMEOUT_SECONDS
    except ImportError:  # pragma: no cover - layout of another Presidio version
        pass
    log = logging.getLogger("presidio-analyzer")
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False
    gc.freeze()
    _process_ready.append(True)


# whether setup_process has run in this process (it sets process-wide state, so its record
# is process-wide too; nothing else in the pii hook is)
_process_ready: list[bool] = []


def key_context(key: str | None) -> list[str]:
    """Context words for a column name or JSON key, as analyze_dict passes them."""
    if not key:
        return []
    words = [w for w in re.split(r"[^0-9A-Za-z]+|(?<=[a-z])(?=[A-Z])", key) if w]
    return [key.lower(), *(w.lower() for w in words)]


# A regex without these constructs matches no ASCII white space: no literal white space, no
# escape other than \d \w and the anchors (so no \s \S \W \D \p{..} \x20 \t ...), no negated
# set, no POSIX class, no unescaped `.` (conservative: some of these are harmless).
_SPACE_CAPABLE = re.compile(r"\\[^dwbBAZzG\W]|\[\^|\[:|\s|(?<!\\)\.")


_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]")


def _spaceless(patterns: Sequence[Any]) -> bool:
    return not any(_SPACE_CAPABLE.search(p.regex) for p in patterns)


def _token_windows(text: str, anchors: Iterator[int]) -> list[tuple[int, int]]:
    """The white-space-delimited tokens holding the anchors, each with the white space
    before and after it. A pattern that matches no white space finds on such a window
    exactly what it finds there in the whole text: no match crosses white space, so the
    scan enters each token afresh, and its look-arounds see the same neighbours."""
    out: list[tuple[int, int]] = []
    for pos in sorted(anchors):
        if out and pos < out[-1][1]:
            continue
        before = max(text.rfind(c, 0, pos) for c in " \t\n\r\f\v")  # -1: none
        m = _ASCII_SPACE.search(text, pos)
        out.append((max(0, before), m.end() if m else len(text)))
    return out


def _pattern_spans(rec: Any, text: str, plans: ScanPlans | None = None
                   ) -> list[tuple[int, int, float]]:
    """PatternRecognizer.analyze without explanation objects: each pattern (compiled by the
    `regex` module with the recognizer's flags, bounded by REGEX_TIMEOUT_SECONDS), then
    validate_result (True: 1.0, False: 0.0) and invalidate_result (True: 0.0). `plans`: the
    caller's (a detector's) plans; without, one is worked out for this call."""
    out = []
    plan = (plans or ScanPlans()).plan(rec)
    invalidate = plan.invalidate
    for pattern, m in _plan_matches(plan, text):
        a, b = m.span()
        if a == b:
            continue
        value = text[a:b]
        score = pattern.score
        valid = rec.validate_result(value)
        if valid is not None:
            score = 1.0 if valid else 0.0
        if invalidate(value):
            score = 0.0
        if score > 0:
            out.append((a, b, float(score)))
    return out


def _plan_matches(plan: _Plan, text: str) -> Iterator[tuple[Any, Any]]:
    """(pattern, match) of each of the recognizer's patterns, compiled as Presidio does (the
    `regex` module, the recognizer's flags); a pattern that hits REGEX_TIMEOUT_SECONDS stops.
    A pattern is not scanned over a text that lacks a character each of its matches has."""
    for pattern, compiled, needed in plan.steps:
        if needed and not all(c in text for c in needed):
            continue
        try:
            for m in compiled.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                yield pattern, m
        except TimeoutError:
            continue


class _Plan(NamedTuple):
    """How a pattern recognizer is run, worked out once per recognizer and flags (this runs
    for tens of thousands of cells)."""

    rec: Any
    flags: Any
    patterns: list[Any]
    # per pattern: the pattern, compiled with the recognizer's flags (kept on the pattern, as
    # Presidio keeps it), and the characters a text must hold for a match
    steps: list[tuple[Any, Any, frozenset[str]]]
    # its invalidate_result; for Presidio's own IpRecognizer one that answers for a dotted
    # quad without building ipaddress objects (≈ 15 µs each), as ipaddress does
    invalidate: Callable[[str], object]


class ScanPlans:
    """A detector's plans of its pattern recognizers, and which patterns `re` reads as the
    `regex` module does (`readable`: the patterns of Presidio's and mlgate's own recognizers;
    a policy's custom pattern may use syntax that `re` reads differently, `[[:digit:]]`,
    `{e<=1}`, so it is always scanned). Owned by one detector: not shared between threads."""

    def __init__(self) -> None:
        self.readable: set[str] = set()
        # keyed by the recognizer itself (compared by identity; the key keeps it alive)
        self._plans: dict[Any, _Plan] = {}

    def plan(self, rec: Any) -> _Plan:
        """The recognizer's plan; worked out again if its flags or patterns changed."""
        flags = rec.global_regex_flags
        plan = self._plans.get(rec)
        if plan is not None and plan.flags == flags and plan.patterns == rec.patterns:
            return plan
        plan = self._plans[rec] = _scan_plan(rec, flags, self.readable)
        return plan


def _scan_plan(rec: Any, flags: Any, readable: set[str] | frozenset[str]) -> _Plan:
    rx = _regex_module()
    steps = []
    for pattern in rec.patterns:
        if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
            pattern.compiled_with_flags = flags
            pattern.compiled_regex = rx.compile(pattern.regex, flags=flags)
        # (read without the flags: verbose mode would change what is literal)
        needed = required_chars(pattern.regex) \
            if pattern.regex in readable and not flags & rx.VERBOSE else frozenset()
        steps.append((pattern, pattern.compiled_regex, needed))
    invalidate: Callable[[str], object] = rec.invalidate_result
    if type(rec).__name__ == "IpRecognizer":
        from presidio_analyzer.predefined_recognizers import IpRecognizer

        if type(rec).invalidate_result is IpRecognizer.invalidate_result:
            invalidate = functools.partial(_ip_invalid, invalidate)
    return _Plan(rec, flags, list(rec.patterns), steps, invalidate)


def _ip_invalid(invalidate: Callable[[str], object], text: str) -> object:
    """IpRecognizer.invalidate_result (True where `ipaddress.ip_interface` fails): a dotted
    quad of ASCII digit runs is an address exactly when each run is 0–255 written without a
    leading zero (ipaddress rejects leading zeros since Python 3.9.5); anything else is
    asked of ipaddress."""
    parts = text.split(".")
    if len(parts) != 4 or not text.isascii() or not all(p.isdigit() for p in parts):
        return invalidate(text)
    return any(len(p) > 3 or (p[0] == "0" and len(p) > 1) or int(p) > 255 for p in parts)


@functools.lru_cache(maxsize=256)
def required_chars(pattern: str) -> frozenset[str]:
    """ASCII characters other than letters that every match of `pattern` contains: literals
    outside optional parts and look-arounds, in every branch of an alternation (IP patterns
    need a `:` or a `.`, Presidio's dashed SSN forms a `-`). Letters are left out (the
    patterns are matched ignoring case); a pattern `re` cannot parse requires nothing known."""
    from mlgate.upstream import re_parser

    try:
        found = re_parser.required_literals(pattern)
    except Exception:  # syntax of the `regex` module that `re` does not know
        return frozenset()
    return frozenset(ch for ch in found if ch.isascii() and not ch.isalpha())


def _iban_spans(rec: Any, text: str, plans: ScanPlans | None = None
                ) -> list[tuple[int, int, float]]:
    """IbanRecognizer.analyze without explanation objects: per match, the longest of its
    group-ends that validates (checksum and country format) wins, as in Presidio."""
    out = []
    for pattern, m in _plan_matches((plans or ScanPlans()).plan(rec), text):
        for group in reversed(range(1, len(m.groups()) + 1)):
            a = m.span(0)[0]
            b = m.span(group)[1] if m.span(group)[1] > 0 else m.span(0)[1]
            if a == b:
                continue
            score = pattern.score
            valid = rec.validate_result(text[a:b])
            if valid is not None:
                score = 1.0 if valid else 0.0
            if score > 0:
                out.append((a, b, float(score)))
                break
    return out


@functools.lru_cache(maxsize=1)
def _regex_module() -> Any:
    import regex

    return regex


def _PRESIDIO_FLAGS() -> int:  # noqa: N802 - a constant, computed lazily
    rx = _regex_module()
    return int(rx.DOTALL | rx.MULTILINE | rx.IGNORECASE)
