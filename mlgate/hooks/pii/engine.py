"""The detector: cheap prefilters in front of the confirming recognizers, scored as
Presidio's AnalyzerEngine scores them with the no-op NLP engine.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.hooks.pii import patterns
from mlgate.hooks.pii import recognizers as native
from mlgate.hooks.pii.allowlist import (
    _NUMERIC_ENTITIES,
    MIN_PHONE_DIGITS,
    NoiseMemo,
    cell_is_noise,
    default_allowed,
)
from mlgate.hooks.pii.config import DEFAULT_ENTITIES
from mlgate.hooks.pii.phones import (
    POSSIBLE_MAX_DIGITS,
    _phone,
    _phone_spans,
    _possible_phone_spans,
    enable_pattern_cache,
    may_hold_phone_shape,
)
from mlgate.hooks.pii.precision import Precision
from mlgate.hooks.pii.prefilter import (
    _CARD_ANY_DIGIT,
    _CARD_MLGATE,
    _CARD_PRESIDIO,
    _DIGIT_SHAPES,
    _GATE_DEFAULT,
    _IBAN,
    _SSN,
    _email_anchors,
    _email_prefilter,
    _ip_anchors,
    _ip_prefilter,
    _PhonePrefilter,
    _RegexPrefilter,
    count_digits,
    min_phone_digits,
)
from mlgate.hooks.pii.presidio import (
    _PRESIDIO_FLAGS,
    ScanPlans,
    _custom,
    _iban_spans,
    _own,
    _pattern_spans,
    _predefined,
    _regex_module,
    _spaceless,
    _token_windows,
    key_context,
    setup_process,
)
from mlgate.hooks.pii.presidio_catalog import PREDEFINED
from mlgate.hooks.pii.recognizers import PHONE_CONTEXT, PHONE_SCORE
from mlgate.hooks.pii.spans import OutOfTime, PiiSpan, _Covers, _outside, remove_duplicates

if TYPE_CHECKING:
    from mlgate.policy import Policy


@dataclass
class _Rec:
    """One recognizer: what it finds, how to make it (with Presidio imported), its prefilter."""

    entity: str
    make: Callable[[], Any]
    # truthy when the text may match; None: no cheap condition known, always run
    prefilter: Callable[[str], object] | None
    presidio: bool = True  # False for mlgate's own additions (not in the parity reference)
    instance: Any = None
    lean_phone: bool = False  # run PhoneRecognizer's matching without its per-match extras
    lean_pattern: bool = False  # a PatternRecognizer with Presidio's own analyze: run lean
    lean_iban: bool = False  # Presidio's IbanRecognizer (its own analyze): run lean
    possible_phone: bool = False  # mlgate's phone-shaped POSSIBLE numbers (after Presidio's)
    # where a match must have a part (for windows; None: scan the whole text)
    anchors: Callable[[str], Iterator[int]] | None = None
    # mlgate's own implementation (recognizers.py, patterns.py): same results, no Presidio;
    # None where only Presidio has the recognizer (the `presidio` extra)
    native: Callable[[], Any] | None = None


@dataclass(frozen=True)
class _PhoneMatching:
    """What the phone matching (phones.py) needs of a phone recognizer, without Presidio:
    the regions, phonenumbers' leniency (1, valid, as Presidio's PhoneRecognizer) and the
    score and context words of Presidio's phone results."""

    supported_regions: tuple[str, ...]
    leniency: int = 1
    SCORE: float = PHONE_SCORE  # noqa: N815 - the name phones.py reads, as on Presidio's
    context: tuple[str, ...] = PHONE_CONTEXT


def _phone_matching(regions: tuple[str, ...]) -> _PhoneMatching:
    enable_pattern_cache()
    return _PhoneMatching(regions)


class PiiDetector:
    """Presidio's recognizers behind cheap prefilters. All its caches are its own (none is
    module-level): detectors with different policies can share a process. One detector is
    not thread-safe: make one per thread (Presidio's process-wide setup, setup_process, runs
    once, when the first one loads)."""

    def __init__(self, policy: Policy, *, presidio: bool | None = None) -> None:
        """`presidio`: confirm with Presidio's recognizers (True; the `presidio` extra), with
        mlgate's own (False), or with mlgate's own unless the policy needs Presidio (None:
        deep mode, entities or countries only Presidio has)."""
        cfg = policy.section("pii")
        self.policy = policy
        self.threshold = float(cfg["threshold"])
        self.deep = bool(cfg["deep"])
        self.use_default_allowlist = bool(cfg["default-allowlist"])
        self.allow_values = frozenset(cfg["allowlist"])
        self.allow_patterns = [re.compile(p) for p in cfg["allowlist-patterns"]]
        self.spacy_model = str(cfg["spacy-model"])
        self._precision = (Precision(cfg["precision-off"],
                                     [r.upper() for r in cfg["phone-regions"]])
                           if self.use_default_allowlist else None)
        self.ner_entities = list(cfg["ner-entities"]) if self.spacy_model and self.deep else []
        regions = [r.upper() for r in cfg["phone-regions"]]
        entities = list(dict.fromkeys(cfg["entities"]))
        countries = [c.lower() for c in cfg["countries"]]
        self.recs: list[_Rec] = []
        # the default allowlist's memory of the last text it read (prefilters and allowlist
        # ask about the same cell), and the lean runners' plans of its pattern recognizers
        self._memo = NoiseMemo()
        self._plans = ScanPlans()
        builtin = set(DEFAULT_ENTITIES)
        if "PHONE_NUMBER" in entities:
            # with the default allowlist, shorter numbers are never reported (and every region
            # set allows some number shorter than that: +43/+49 and four digits)
            n = MIN_PHONE_DIGITS if self.use_default_allowlist else min_phone_digits(regions)
            phone_prefilter = _PhonePrefilter(n, self.use_default_allowlist, self._memo)
            matching = functools.partial(_phone_matching, tuple(regions))
            self.recs.append(_Rec("PHONE_NUMBER", functools.partial(_phone, tuple(regions)),
                                  phone_prefilter, lean_phone=True, native=matching))
            self.recs.append(_Rec("PHONE_NUMBER", _own("mlgate_phone", tuple(regions)),
                                  phone_prefilter, presidio=False, possible_phone=True,
                                  native=matching))
        if "EMAIL_ADDRESS" in entities:
            self.recs.append(_Rec("EMAIL_ADDRESS", _own("offline_email"), _email_prefilter,
                                  anchors=_email_anchors, native=native.EmailRecognizer))
        if "CREDIT_CARD" in entities:
            self.recs.append(_Rec("CREDIT_CARD", _predefined("CreditCardRecognizer"),
                                  _CARD_PRESIDIO.search, native=native.CreditCardRecognizer))
            self.recs.append(_Rec("CREDIT_CARD", _own("mlgate_card"), _CARD_MLGATE.search,
                                  presidio=False, native=patterns.mlgate_card))
        if "US_SSN" in entities:
            self.recs.append(_Rec("US_SSN", _predefined("UsSsnRecognizer"), _SSN.search,
                                  native=native.UsSsnRecognizer))
        if "IBAN_CODE" in entities:
            self.recs.append(_Rec("IBAN_CODE", _predefined("IbanRecognizer"), _IBAN.search,
                                  native=native.IbanRecognizer))
        if "IP_ADDRESS" in entities:
            self.recs.append(_Rec("IP_ADDRESS", _predefined("IpRecognizer"), _ip_prefilter,
                                  anchors=_ip_anchors, native=native.IpRecognizer))
        others = [e for e in entities if e not in builtin]
        if others or countries:  # names and countries were checked at policy load
            catalog = PREDEFINED
            for name, country, entity in catalog:
                if entity in builtin and name in ("CreditCardRecognizer", "UsSsnRecognizer",
                                                  "IbanRecognizer", "IpRecognizer",
                                                  "EmailRecognizer", "PhoneRecognizer"):
                    continue
                if entity in others or (country and country in countries):
                    self.recs.append(_Rec(entity, _predefined(name), None))
        for spec in cfg["recognizers"]:
            pattern = _regex_module().compile(spec["regex"], _PRESIDIO_FLAGS())
            self.recs.append(_Rec(spec["entity"], _custom(spec), _RegexPrefilter(pattern),
                                  native=functools.partial(patterns.custom, spec)))
        self.entities = list(dict.fromkeys(r.entity for r in self.recs))
        needs_presidio = self.deep or any(r.native is None for r in self.recs)
        self.presidio = needs_presidio if presidio is None else presidio or needs_presidio
        self._phone_recs = [r for r in self.recs if isinstance(r.prefilter, _PhonePrefilter)]
        self._other_recs = [r for r in self.recs if not isinstance(r.prefilter, _PhonePrefilter)]
        # (recognizer, its prefilter) of the others: all, and those a noise cell still needs
        self._prefilters = [(r, r.prefilter) for r in self._other_recs]
        self._noise_prefilters = [(r, f) for r, f in self._prefilters
                                  if r.entity not in _NUMERIC_ENTITIES]
        phone = self._phone_recs[0].prefilter if self._phone_recs else None
        self._phone_prefilter = phone if isinstance(phone, _PhonePrefilter) else None
        # only mlgate's own prefilters are known to need one of the gate's characters (a
        # custom recognizer may reuse a built-in entity name with any regex)
        self._gate = (_GATE_DEFAULT if all(r.prefilter is not None and r.entity in builtin
                                           and not isinstance(r.prefilter, _RegexPrefilter)
                                           for r in self.recs) else None)
        self._loaded = False
        self._engine: Any = None  # deep mode only
        self._cache: dict[tuple[str, str | None], tuple[PiiSpan, ...]] = {}
        # shapes (see _DIGIT_SHAPES) of cells no prefilter passed; only where every prefilter
        # is mlgate's own, whose verdicts are the same for all cells of one shape
        self._quiet: set[tuple[str, str | None]] | None = (
            set() if self._gate is not None and not self.ner_entities else None)
        self._boosts: dict[str | None, dict[int, bool]] = {}
        # time.monotonic() after which results() raises OutOfTime: it looks at the clock
        # between the parts of a long text, so one huge line cannot outlast the budget
        self.deadline: float | None = None
        if self.deep:
            self._load()
            self._engine = self._deep_engine()

    # -- loading ---------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        if not self.presidio:
            for rec in self.recs:
                assert rec.native is not None
                rec.instance = rec.native()
            self._loaded = True
            return
        setup_process()
        from presidio_analyzer import PatternRecognizer

        for rec in self.recs:
            rec.instance = rec.make()
            if not isinstance(rec.prefilter, _RegexPrefilter):  # not a custom recognizer
                self._plans.readable.update(p.regex
                                            for p in getattr(rec.instance, "patterns", ()))
            rec.lean_pattern = (isinstance(rec.instance, PatternRecognizer)
                                and type(rec.instance).analyze is PatternRecognizer.analyze)
            rec.lean_iban = type(rec.instance).__name__ == "IbanRecognizer"
            if rec.anchors is not None and not (rec.lean_pattern
                                                and _spaceless(rec.instance.patterns)):
                rec.anchors = None
        self._loaded = True

    def presidio_recognizers(self) -> list[Any]:
        """Presidio's own recognizers of this detector's entities (for a reference
        AnalyzerEngine in the parity tests; needs Presidio installed)."""
        if self.presidio:
            self._load()
            return [r.instance for r in self.recs if r.presidio]
        setup_process()
        return [r.make() for r in self.recs if r.presidio]

    def _deep_engine(self) -> Any:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

        from mlgate.hooks.pii.presidio_recognizers import make_spacy_engine

        nlp_engine = make_spacy_engine(self.spacy_model, self.policy.source)
        registry = RecognizerRegistry(supported_languages=["en"])
        for rec in self.recs:
            registry.add_recognizer(rec.instance)
        if self.ner_entities:
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer

            registry.add_recognizer(SpacyRecognizer(supported_entities=self.ner_entities))
        return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry,
                              supported_languages=["en"],
                              default_score_threshold=self.threshold)

    # -- detection -------------------------------------------------------------------------

    def candidates(self, text: str, key: str | None = None) -> list[_Rec]:
        """The recognizers whose prefilter `text` passes (no Presidio import). Recognizers of
        numeric entities are skipped on a value the default allowlist covers whole."""
        if self._gate is not None and self._gate.search(text) is None:
            return []
        noise = self.use_default_allowlist and cell_is_noise(text, key, self._memo)
        picked = [r for r, test in (self._noise_prefilters if noise else self._prefilters)
                  if test is None or test(text)]
        phone = self._phone_prefilter
        # when other recognizers are confirmed anyway, the default allowlist is checked later,
        # on the phone candidates outside their matches only
        if phone is not None and not noise and phone(text, cheap=bool(picked)):
            picked += self._phone_recs
        return picked

    def results(self, text: str, key: str | None = None, *,
                raw: bool = False) -> tuple[PiiSpan, ...]:
        """Every match over the threshold and outside the allowlists, per entity de-duplicated
        as Presidio does; matches of different entities may overlap. `raw`: before any
        allowlist (a phone number inside another entity's match may then be missing)."""
        if not text:
            return ()
        if raw:
            recs = [r for r in self.recs if r.prefilter is None or r.prefilter(text)]
            recs.sort(key=lambda r: (r.lean_phone or r.possible_phone, r.possible_phone))
            if not recs:
                return ()
            self._load()
            return tuple(self._confirm(text, key, recs, phone_inside_ok=False))
        cacheable = len(text) <= 256
        if cacheable:
            hit = self._cache.get((text, key))
            if hit is not None:
                return hit
        shape = None
        if self._quiet is not None and len(text) <= 256:  # bounded: ≤ 32k short shapes
            shape = (text.translate(_DIGIT_SHAPES), key)
            if shape in self._quiet:
                return ()
        recs = self.candidates(text, key)
        if not recs and not self.ner_entities:
            out: tuple[PiiSpan, ...] = ()
            if shape is not None and self._quiet is not None and \
                    _CARD_ANY_DIGIT.search(text) is None:
                if len(self._quiet) >= 32_768:
                    self._quiet.clear()
                self._quiet.add(shape)
        else:
            self._load()
            confirmed = self._deep(text, key, recs) if self._engine is not None else \
                self._confirm(text, key, recs)
            found = confirmed
            if self.use_default_allowlist and len({s.entity == "PHONE_NUMBER"
                                                   for s in confirmed}) == 2:
                others = _Covers((o.start, o.end) for o in confirmed
                                 if o.entity != "PHONE_NUMBER")
                found = [s for s in confirmed
                         if s.entity != "PHONE_NUMBER" or not others.contains(s.start, s.end)]
            if self._precision is not None:  # mlgate's precision rules (precision.py)
                found = self._precision.keep(found, text, key)
            out = tuple(s for s in found if not self.allowed(s, text, key))
        if cacheable:
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[(text, key)] = out
        return out

    def _confirm(self, text: str, key: str | None, recs: list[_Rec],
                 phone_inside_ok: bool | None = None) -> list[PiiSpan]:
        """Presidio's recognizers on `text`, scored as AnalyzerEngine.analyze scores them with
        the no-op engine: explicit context (+0.35, at least 0.4), threshold, de-duplication.
        `recs` come with the phone recognizers last, Presidio's before mlgate's possible-number
        pass (as candidates() orders them): the phone matcher is slow, and candidates inside
        other matches are skipped; the possible-number pass runs only where Presidio's found
        nothing."""
        if phone_inside_ok is None:
            phone_inside_ok = self.use_default_allowlist
        boosted = self._boosted(key)
        results: list[tuple[str, int, int, float]] = []
        outside: list[tuple[int, int]] | None = None  # phone candidates outside other matches
        for rec in recs:
            inst = rec.instance
            boost = boosted[id(rec)]
            found: list[tuple[int, int, float]]
            if rec.lean_phone or rec.possible_phone:
                assert isinstance(rec.prefilter, _PhonePrefilter)
                if outside is None:  # results so far are the other entities' matches
                    outside = _outside(rec.prefilter.candidates(text), results)
            if rec.lean_phone:
                best = min(max(inst.SCORE + 0.35, 0.4), 1.0) if boost else inst.SCORE
                if best < self.threshold:
                    continue
                assert isinstance(rec.prefilter, _PhonePrefilter) and outside is not None
                if phone_inside_ok:
                    # the default allowlist drops phone numbers inside another entity's match:
                    # only candidates outside every other match need the (slow) matcher
                    todo = rec.prefilter.reportable(text, outside) if outside else []
                    if not todo:
                        continue
                    found = _phone_spans(inst, text, todo, self._on_time)
                else:
                    found = _phone_spans(inst, text, None, self._on_time)
            elif rec.possible_phone:
                assert isinstance(rec.prefilter, _PhonePrefilter) and outside is not None
                # only candidates where Presidio found no phone number at all: a result here
                # then never hides (by de-duplication) one of Presidio's
                if not outside:
                    continue
                phones = _Covers((a, b) for e, a, b, _ in results if e == "PHONE_NUMBER")
                todo = [c for c in outside if not phones.overlaps(*c)]
                if phone_inside_ok:
                    todo = rec.prefilter.reportable(text, todo)
                if not todo:
                    continue
                found = []
                for c0, c1 in todo:  # windows: each candidate with what the matcher inspects
                    self._on_time()
                    if count_digits(text[c0:c1]) > POSSIBLE_MAX_DIGITS:
                        continue  # a run of number blocks, not a phone number written out
                    w0, w1 = max(0, c0 - 1), min(len(text), c1 + 3)
                    if not may_hold_phone_shape(text[w0:w1]):
                        continue  # every match is a part of the window: none is phone-shaped
                    found += [(a + w0, b + w0, sc) for a, b, sc in
                              _possible_phone_spans(inst, text[w0:w1], [(c0 - w0, c1 - w0)])]
            elif rec.lean_pattern and rec.anchors is not None and len(text) > 64:
                found = []
                for w0, w1 in _token_windows(text, rec.anchors(text)):
                    self._on_time()
                    found += [(a + w0, b + w0, sc)
                              for a, b, sc in _pattern_spans(inst, text[w0:w1], self._plans)]
            elif rec.lean_pattern:
                found = _pattern_spans(inst, text, self._plans)
            elif rec.lean_iban:
                found = _iban_spans(inst, text, self._plans)
            elif not self.presidio and rec.anchors is not None and len(text) > 64:
                found = []
                for w0, w1 in _token_windows(text, rec.anchors(text)):
                    self._on_time()
                    found += [(a + w0, b + w0, sc) for a, b, sc in inst.analyze(text[w0:w1])]
            elif not self.presidio:
                found = inst.analyze(text)
            else:
                found = [(r.start, r.end, float(r.score))
                         for r in inst.analyze(text=text, entities=[rec.entity],
                                               nlp_artifacts=None) or []]
            for a, b, score in found:
                if boost:  # LemmaContextAwareEnhancer with the no-op engine: explicit context
                    score = min(max(score + 0.35, 0.4), 1.0)
                if score >= self.threshold:
                    results.append((rec.entity, a, b, score))
        return [PiiSpan(a, b, e, sc) for e, a, b, sc in remove_duplicates(results)]

    def _on_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime

    def _boosted(self, key: str | None) -> dict[int, bool]:
        """Per recognizer: whether the key's context words raise its scores (as
        LemmaContextAwareEnhancer does with explicit context), worked out once per key."""
        boosted = self._boosts.get(key)
        if boosted is None:
            context = key_context(key)
            boosted = {id(r): bool(context) and any(w.lower() in c
                                                    for w in (r.instance.context or [])
                                                    for c in context) for r in self.recs}
            if len(self._boosts) > 10_000:
                self._boosts.clear()
            self._boosts[key] = boosted
        return boosted

    def _deep(self, text: str, key: str | None, recs: list[_Rec]) -> list[PiiSpan]:
        entities = list(dict.fromkeys([*(r.entity for r in recs), *self.ner_entities]))
        if not entities:
            return []
        found = self._engine.analyze(text=text, language="en", entities=entities,
                                     score_threshold=self.threshold,
                                     context=key_context(key) or None)
        return sorted((PiiSpan(r.start, r.end, r.entity_type, float(r.score)) for r in found),
                      key=lambda s: (s.start, s.end, s.entity))

    def allowed(self, span: PiiSpan, text: str, key: str | None) -> bool:
        if self.allow_values or self.allow_patterns:
            value = text[span.start:span.end]
            if value in self.allow_values or value.strip() in self.allow_values:
                return True
            if any(p.fullmatch(value) for p in self.allow_patterns):
                return True
        return self.use_default_allowlist and default_allowed(span.entity, text, span.start,
                                                              span.end, key, self._memo)

    def spans(self, text: str, key: str | None = None) -> list[PiiSpan]:
        """Non-overlapping PII spans of `text`, sorted: overlapping matches are merged into one
        span that covers them all, labelled with the entity of the highest score."""
        out: list[PiiSpan] = []
        for s in sorted(self.results(text, key), key=lambda s: (s.start, -s.end)):
            if out and s.start < out[-1].end:
                last = out[-1]
                best = last if last.score >= s.score else s
                out[-1] = PiiSpan(last.start, max(last.end, s.end), best.entity,
                                  max(last.score, s.score))
            else:
                out.append(s)
        return out
