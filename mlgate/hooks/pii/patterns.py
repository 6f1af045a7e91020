"""Pattern recognizers of mlgate's own, without Presidio: the card pattern of every current
brand (12–19 digits), and the policy's custom recognizers (`[pii] recognizers`).

Results are what Presidio's PatternRecognizer gives for the same pattern and score: patterns
compiled with the `regex` module and its flags (DOTALL, MULTILINE, IGNORECASE); an empty match
skipped; a match the validator accepts scores 1.0, one it rejects is dropped; a score of 0 is
never reported; results inside another of the same recognizer with an equal or higher score
dropped. A pattern's scan stops after REGEX_TIMEOUT_SECONDS (a pathological user regex must
not hold a commit; Presidio's default is 60 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import regex

from mlgate.hooks.pii.cards import CARD_REGEX, card_brand, luhn_ok
from mlgate.hooks.pii.recognizers import MAX_SCORE, Result, _drop_contained

FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
REGEX_TIMEOUT_SECONDS = 5


class PatternRecognizer:
    def __init__(self, entity: str, patterns: Sequence[tuple[str, float]],
                 context: Sequence[str] = (),
                 valid: Callable[[str], bool] | None = None) -> None:
        self.entity = entity
        self.context = tuple(context)
        self.valid = valid
        self._patterns: list[tuple[Any, float]] = [(regex.compile(p, FLAGS), float(score))
                                                   for p, score in patterns]

    def analyze(self, text: str) -> list[Result]:
        out: list[Result] = []
        for pattern, score in self._patterns:
            try:
                for m in pattern.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                    start, end = m.span()
                    if start == end:
                        continue
                    if self.valid is None:
                        if score > 0:
                            out.append((start, end, score))
                    elif self.valid(text[start:end]):
                        out.append((start, end, MAX_SCORE))
            except TimeoutError:  # as Presidio: the matches found before the timeout stand
                continue
        return _drop_contained(out)


def _card_valid(candidate: str) -> bool:
    digits = "".join(c for c in candidate if c in "0123456789")
    return 12 <= len(digits) <= 19 and luhn_ok(digits) and card_brand(digits) is not None


def mlgate_card() -> PatternRecognizer:
    """Payment cards of every current brand and length that pass Luhn, including the 2-series
    Mastercard and 19-digit cards that Presidio's card recognizer misses."""
    return PatternRecognizer("CREDIT_CARD", [(CARD_REGEX, 0.3)],
                             ("credit", "card", "visa", "mastercard", "amex", "discover", "jcb",
                              "diners", "maestro", "unionpay"), _card_valid)


def custom(spec: dict[str, Any]) -> PatternRecognizer:
    """A `[pii] recognizers` entry: one regex with a score and context words."""
    return PatternRecognizer(spec["entity"], [(spec["regex"], float(spec.get("score", 0.6)))],
                             list(spec.get("context", [])))
