"""What is filler, not a secret: placeholders, templates, repeated characters, low entropy."""

from __future__ import annotations

import math
import re

_PLACEHOLDER_WORDS = ("xxxx", "your", "example", "placeholder", "redacted", "dummy", "changeme",
                      "change_me", "replace", "insert", "fake", "sample", "here", "secret",
                      "token", "password", "apikey", "api_key", "todo", "none", "null",
                      "undefined", "****", "....", "<", ">", "{", "}", "${", "%(", "$(", "0000",
                      "1234", "abcd", "test")


def shannon_entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_placeholder(value: str) -> bool:
    """Placeholders, templates and repeated characters are not secrets."""
    low = value.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    if re.search(r"(.)\1{4,}", value):  # xxxxx, 00000, -----
        return True
    return len(set(value)) < min(10, len(value) // 2)


def looks_placeholder_token(value: str, prefix: str) -> bool:
    """`hf_xxxxxxxx…`, `sk-…YOUR_KEY…`: a provider prefix followed by filler."""
    body = value[len(prefix):] if prefix and value.startswith(prefix) else value
    low = body.lower()
    if any(w in low for w in ("xxxx", "your", "example", "placeholder", "redacted",
                              "dummy", "insert", "replace")):
        return True
    return bool(re.search(r"(.)\1{5,}", body)) or len(set(body)) < min(8, len(body) // 2)
