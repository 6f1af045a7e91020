"""mlgate's own Presidio recognizers and NLP engine for the pii-in-data-samples hook.

They subclass Presidio's classes, so they are defined when a maker below runs (Presidio is
imported only once some cell needs confirming). They live apart from mlgate/hooks/pii.py,
which may be compiled with mypyc, and a compiled module cannot define a class inside a
function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlgate.errors import MlgateError
from mlgate.hooks.pii.cards import CARD_REGEX, card_brand, luhn_ok
from mlgate.hooks.pii.phones import _possible_phone_spans


def offline_email() -> Any:
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())
    fqdn_known = host_verdicts(lambda host: extractor(host).fqdn != "")

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recognizer, validating with the bundled public-suffix snapshot
        instead of tldextract's default (which fetches the list over the network)."""

        def validate_result(self, pattern_text: str) -> bool:
            return fqdn_known(pattern_text)

    return OfflineEmailRecognizer(name="EmailRecognizer")


def host_verdicts(verdict: Callable[[str], bool]) -> Callable[[str], bool]:
    """`verdict` of an e-mail address, remembered per host: tldextract reads only the host
    (what `lenient_netloc` keeps of it), and reading it again gives the same host for such a
    match (no white space: tests/hooks/pii/test_presidio.py checks this), so a host's verdict
    is worked out once (a column of addresses shares a few dozen domains)."""
    try:
        from tldextract.remote import lenient_netloc
    except ImportError:  # pragma: no cover - another tldextract layout: no remembering
        return verdict
    known = functools.lru_cache(maxsize=65_536)(verdict)
    return lambda text: bool(known(lenient_netloc(text)))


def mlgate_card() -> Any:
    from presidio_analyzer import Pattern, PatternRecognizer

    class MlgateCardRecognizer(PatternRecognizer):
        """Payment cards of every current brand and length (12–19 digits) that pass Luhn,
        including the 2-series Mastercard and 19-digit cards Presidio's recognizer misses."""

        def __init__(self) -> None:
            super().__init__(supported_entity="CREDIT_CARD", name="MlgateCardRecognizer",
                             patterns=[Pattern("card (IIN + length + Luhn)", CARD_REGEX, 0.3)],
                             context=["credit", "card", "visa", "mastercard", "amex",
                                      "discover", "jcb", "diners", "maestro", "unionpay"])

        def validate_result(self, pattern_text: str) -> bool:
            digits = "".join(c for c in pattern_text if c in "0123456789")
            return 12 <= len(digits) <= 19 and luhn_ok(digits) and card_brand(digits) is not None

    return MlgateCardRecognizer()


def mlgate_phone(regions: tuple[str, ...]) -> Any:
    from presidio_analyzer import LocalRecognizer
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class MlgatePhoneRecognizer(LocalRecognizer):
        """Phone numbers written like phone numbers that python-phonenumbers finds *possible*
        (right length for the country) but not *valid* (its number-plan ranges are stricter
        than much real and generated data): found with leniency POSSIBLE, kept only when
        phone-shaped and not glued to letters or digits. Same score and context words as
        Presidio's PhoneRecognizer."""

        SCORE = PhoneRecognizer.SCORE

        def __init__(self) -> None:
            self.supported_regions = regions
            super().__init__(supported_entities=["PHONE_NUMBER"], name="MlgatePhoneRecognizer",
                             context=list(PhoneRecognizer.CONTEXT))

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> Any:
            from presidio_analyzer import RecognizerResult

            meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,  # type: ignore[has-type]
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
            return [RecognizerResult("PHONE_NUMBER", a, b, sc, recognition_metadata=dict(meta))
                    for a, b, sc in _possible_phone_spans(self, text, None)]

    return MlgatePhoneRecognizer()


def make_spacy_engine(model: str, source: str) -> Any:
    """A Presidio SpacyNlpEngine over `model` (an installed package name or a pipeline
    directory), or over a blank English pipeline when `model` is empty. Lemmas fall back to the
    lowercase token, so in-text context words work without a lemmatizer. Never downloads."""
    import spacy
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    class LemmaSpacyNlpEngine(SpacyNlpEngine):
        def load(self) -> None:
            pipelines: dict[str, Any] = {}
            for m in self.models:
                name = m["model_name"]
                pipelines[m["lang_code"]] = spacy.blank("en") if name == "blank:en" else \
                    spacy.load(name)
            self.nlp = pipelines  # type: ignore[assignment]

        @staticmethod
        def _download_spacy_model_if_needed(model_name: str) -> None:
            raise MlgateError(f"{source}: 'pii.spacy-model' {model_name!r} is not installed; "
                              "mlgate never downloads models")

        def _doc_to_nlp_artifact(self, doc: Any, language: str) -> Any:
            lemmas = [(t.lemma_ or t.text).lower() for t in doc]
            entities = self._get_entities(doc)
            scores = self._get_scores_for_entities(doc)
            entities, scores = self._get_updated_entities(entities, scores)
            return NlpArtifacts(entities=entities, tokens=doc,
                                tokens_indices=[t.idx for t in doc], lemmas=lemmas,
                                nlp_engine=self, language=language, scores=scores)

    if model:
        if not (spacy.util.is_package(model) or Path(model).is_dir()):
            raise MlgateError(f"{source}: 'pii.spacy-model' = {model!r} is neither an installed "
                              "spaCy pipeline package nor a pipeline directory (mlgate never "
                              "downloads models; install it or fix the path)")
        name = model
    else:
        name = "blank:en"
    engine = LemmaSpacyNlpEngine(models=[{"lang_code": "en", "model_name": name}])
    try:
        engine.load()
    except MlgateError:
        raise
    except Exception as e:
        raise MlgateError(f"{source}: 'pii.spacy-model' = {model!r} could not be loaded "
                          f"({type(e).__name__}: {e})") from None
    return engine
