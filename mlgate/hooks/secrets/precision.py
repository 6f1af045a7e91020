"""mlgate's precision rules: named checks that act after a confirmer matched a value.

Each rule looks at one confirmed value and the line it stands on and says whether the value is
something else (a placeholder, a git SHA, a DNA sequence, a piece of embedded media, a code
expression). They never widen what is found and never run on a line the confirmers did not
match, so the prefilter's promise (it loses nothing the confirmers would report) is untouched.
Every rule is documented in docs/hooks/detect-ml-secrets.md under "Precision rules" and tested
on the positives that must still be found (tests/hooks/secrets/test_secrets_precision.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A run of zeros or X's that no generated credential holds by chance: the filler of
# `…/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX` webhooks and `AKIAXXXXXXXXXXXXXXXX` ids.
_FILLER_RUN = re.compile(r"0{6,}|[Xx]{6,}|\*{4,}|\.{4,}")

_HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# The name or words just before a value that say it is a commit: `git_commit: `,
# `"sha": "`, `revision=`, `commit `, `/commit/`, `…@` (pip's `git+https://…@<sha>`).
_GIT_NAME = re.compile(
    r"(?i)(?<![a-z])(?:commit|sha1?|revision|rev|git|hash|checkout)"
    r"[\w.\-]{0,20}(?:\\?[\"'`\]]){0,3}\s*(?:=|:=|:|,|\s|/)\s*(?:[bruf]?\\?[\"'`])?$"
    r"|@$")
_GIT_LINE = re.compile(r"(?i)\bgit\b|\bcommit\b|rev-parse|/commit/|/tree/|/blob/")

_DNA = re.compile(r"[ACGT]+")
_BASE64_RUN_MIN = 200  # a value inside a longer unbroken base64 run is a piece of a blob
_BASE64_CHAR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")

_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class Candidate:
    """A confirmed value: its rule (without `secrets/`), where it stands and its public prefix."""

    rule: str
    value: str
    line: str
    start: int  # 0-based offset of the value in `line`
    prefix: str


def placeholder_runs(c: Candidate) -> bool:
    """`placeholder-runs`: a value holding a run of six zeros or X's (or `****`, `....`) is
    filler: Slack webhooks `…/T00000000/B00000000/XXXX…`, `AKIAXXXXXXXXXXXXXXXX`."""
    if c.rule in ("private-key", "gcp-service-account-key"):
        return False
    return _FILLER_RUN.search(c.value, len(c.prefix)) is not None


def git_sha(c: Candidate) -> bool:
    """`git-sha`: a 40- or 64-hex value found by a rule without a public prefix (the legacy
    W&B key, Cohere, the generic rule) is a commit, not a key, when it stands under a
    commit/sha/revision/git name (`git_commit: …`, `"sha": "…"`, `revision=…`) or on a line
    that talks git (`git checkout …`, `…/commit/<sha>`, `git+https://…@<sha>`)."""
    if c.prefix or not _HEX_SHA.fullmatch(c.value):
        return False
    before = c.line[max(0, c.start - 40):c.start]
    return _GIT_NAME.search(before) is not None or _GIT_LINE.search(c.line) is not None


def dna_sequence(c: Candidate) -> bool:
    """`dna-sequence`: an "AWS key id" made only of the letters A, C, G and T is a DNA
    sequence (`ACCA` + 16 bases); a real id is 16 random base32 characters, which are all
    ACGT with probability 8^-16."""
    return c.rule == "aws-access-key" and len(c.value) == 20 and \
        _DNA.fullmatch(c.value) is not None


def embedded_base64(c: Candidate) -> bool:
    """`embedded-base64`: a value that is a piece of a longer unbroken base64 run (at least
    200 characters, and 64 longer than the value) is part of embedded media — a
    `data:video/mp4;base64,…` URI in a notebook's HTML output, an audio or font blob."""
    if c.rule in ("private-key", "gcp-service-account-key", "neptune-api-token"):
        return False
    line, start, end = c.line, c.start, c.start + len(c.value)
    if end - start > _BASE64_RUN_MIN or len(line) < _BASE64_RUN_MIN:
        return False
    lo, hi = start, end
    while lo > 0 and line[lo - 1] in _BASE64_CHAR and end - lo < 4 * _BASE64_RUN_MIN:
        lo -= 1
    while hi < len(line) and line[hi] in _BASE64_CHAR and hi - lo < 4 * _BASE64_RUN_MIN:
        hi += 1
    run = hi - lo
    return run >= _BASE64_RUN_MIN and run >= len(c.value) + 64


def code_reference(c: Candidate) -> bool:
    """`code-reference`: for the generic rule, an unquoted value that is called or indexed
    (`secret = vault.lookup2(name)`, `…id2label[i]`), or a dotted name that follows the
    credential word as the next item of a tuple or argument list rather than as its assigned
    value (`print((token, model.config.id2label))`), is code, not a secret. An unquoted dotted
    value after `=` or `:` (`.env`, YAML) is still a value."""
    if c.rule != "generic-api-key":
        return False
    if c.start > 0 and c.line[c.start - 1] in "\"'`":
        return False  # quoted: a string literal
    end = c.start + len(c.value)
    if c.line[end:end + 1] in ("(", "["):
        return True
    separator = c.line[:c.start].rstrip()[-1:]
    return separator not in ("=", ":", ">") and _DOTTED_NAME.fullmatch(c.value) is not None


RULES: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("placeholder-runs", placeholder_runs),
    ("git-sha", git_sha),
    ("dna-sequence", dna_sequence),
    ("embedded-base64", embedded_base64),
    ("code-reference", code_reference),
)
NAMES = tuple(name for name, _ in RULES)


def rejected(c: Candidate, off: frozenset[str] = frozenset()) -> str | None:
    """The name of the first precision rule that says `c` is not a secret, or None."""
    for name, rule in RULES:
        if name not in off and rule(c):
            return name
    return None
