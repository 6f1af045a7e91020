"""`mlgate pii scrub`: write a copy of a data sample with the PII replaced, keeping its format.

Detection is the hook's own (`PiiDetector(policy).spans`: non-overlapping spans); each span is
replaced by its tag or its stand-in. The file is rewritten value by value:

- CSV/TSV: row by row; a row without PII is copied byte for byte, a changed row is written
  again in the row's own quoting style, delimiter and line ending.
- JSONL, JSON, notebooks: string literal by string literal in the original text, so that
  spacing, key order, number spelling and everything without PII stays as it was. A number
  that is PII becomes a string; an object key that is PII becomes a pseudonym (in either mode,
  so that keys stay unique). Notebook images and other binary outputs (`image/*`, PDF, audio,
  video) are not touched.
- Parquet: batch by batch through pyarrow, schema (and its metadata) kept; an integer that is
  PII becomes null (an integer column cannot hold a tag).
- text, Markdown and any other extension: line by line, line endings kept.

The cells are the ones `mlgate pii` checks (same CSV dialect sniffing, same keys as context),
so a scrubbed file passes the hook with the same policy.

Encoding (UTF-8, UTF-8/16/32 with BOM) and line endings are kept; invalid UTF-8 bytes survive
unchanged. Output goes to a temporary file in the target's directory that replaces the target
with `os.replace`, with the permissions of the file it replaces (or of the source).

Modes:
- `tag`: every value becomes its entity tag, `<EMAIL_ADDRESS>`.
- `pseudonym`: the same value becomes the same stand-in everywhere in the file, so that joins
  still work: `user-<h>@example.test` for e-mail addresses, `<PHONE_NUMBER_<h>>` for the rest,
  where `<h>` is 10 letters of an HMAC-SHA256 of the (normalised) value under a key. The key is
  random per run unless given (`salt=` or the `MLGATE_SCRUB_KEY` environment variable): only
  with a fixed, secret key do pseudonyms agree across files and runs. Without the key the
  stand-ins cannot be reversed, not even for low-entropy values like phone numbers.

Scrubbing is idempotent: stand-ins are checked with the detector itself, and a changed value is
detected again until nothing is left (a stand-in that would be detected falls back to a tag).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from mlgate.errors import MlgateError
from mlgate.fileio import UnsafeFile, atomic_write, printable
from mlgate.policy import Policy
from mlgate.sources.delimited import rewrite_delimited
from mlgate.sources.files import SourceError, display_path
from mlgate.sources.jsontext import rewrite_json, rewrite_jsonl
from mlgate.sources.parquet import rewrite_parquet
from mlgate.sources.records import iter_records, record_format
from mlgate.sources.stream import rewrite_streams
from mlgate.sources.text import rewrite_text

MODES = ("tag", "pseudonym")
KEY_ENV = "MLGATE_SCRUB_KEY"
MAX_PASSES = 3  # a changed value is detected again at most this many times
_CACHE_SIZE = 16_384  # scrubbed values remembered (values up to _CACHE_TEXT characters)
_CACHE_TEXT = 1024
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SEPARATORS = re.compile(r"[\s\-.()/]")


class SpanLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def entity(self) -> str: ...
    @property
    def score(self) -> float: ...


SpansFn = Callable[[str, "str | None"], Sequence[SpanLike]]


class _FileProblem(Exception):
    """A problem with the input; scrub_file turns it into an MlgateError naming the file."""


# --------------------------------------------------------------------------- replacement


class Replacer:
    """Replaces the PII in one string value at a time; counts the values replaced."""

    def __init__(self, spans_fn: SpansFn, mode: str = "tag", key: bytes | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.spans_fn = spans_fn
        self.mode = mode
        self.key = key if key is not None else os.urandom(32)
        self.count = 0
        self._stand_ins: dict[tuple[str, str], str] = {}
        self._cache: dict[tuple[str, str | None, str], tuple[str, int]] = {}

    def stand_in(self, entity: str, value: str) -> str:
        """The pseudonym of `value`: the same for the same (normalised) value under one key."""
        norm = _normalise(entity, value)
        found = self._stand_ins.get((entity, norm))
        if found is not None:
            return found
        digest = hmac.new(self.key, f"{entity}\0{norm}".encode("utf-8", "surrogatepass"),
                          hashlib.sha256).digest()
        h = "".join(_LETTERS[b % 26] for b in digest[:10])
        candidate = f"user-{h}@example.test" if entity == "EMAIL_ADDRESS" else f"<{entity}_{h}>"
        if candidate[0] != "<" and self.spans_fn(candidate, None):
            candidate = f"<{entity}_{h}>"  # the plausible form would be found again: use a tag
        if len(self._stand_ins) >= _CACHE_SIZE:
            self._stand_ins.clear()  # only a cache: the HMAC gives the same stand-in again
        self._stand_ins[(entity, norm)] = candidate
        return candidate

    def _replace_once(self, text: str, key: str | None, mode: str) -> tuple[str, int]:
        """One pass: every span the detector gives (non-overlapping, in order) replaced by its
        tag or stand-in."""
        spans = sorted(self.spans_fn(text, key), key=lambda sp: sp.start)
        if not spans:
            return text, 0
        out, pos, n = [], 0, 0
        for sp in spans:
            if sp.start < pos:  # inside the span replaced before it
                continue
            value = text[sp.start:sp.end]
            new = f"<{sp.entity}>" if mode == "tag" else self.stand_in(sp.entity, value)
            out += [text[pos:sp.start], new]
            pos = sp.end
            n += 1
        out.append(text[pos:])
        return "".join(out), n

    def scrub(self, text: str, key: str | None = None, mode: str | None = None) -> str:
        """`text` with every detected value replaced (nothing found: `text` itself); `key` is
        the column name or JSON key (context); `mode` overrides the replacer's mode."""
        if not text or text.isspace():
            return text
        mode = mode or self.mode
        cached = self._cache.get((text, key, mode))
        if cached is None:
            new, total = text, 0
            for _ in range(MAX_PASSES):
                new, n = self._replace_once(new, key, mode)
                total += n
                if not n:
                    break
            cached = (new, total)
            if len(text) <= _CACHE_TEXT:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                self._cache[(text, key, mode)] = cached
        self.count += cached[1]
        return cached[0]


def _normalise(entity: str, value: str) -> str:
    value = value.strip()
    if entity == "EMAIL_ADDRESS":
        return value.casefold()
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE"):
        return _SEPARATORS.sub("", value).upper()
    return value


# --------------------------------------------------------------------------- files and encodings










# --------------------------------------------------------------------------- formats




# A JSON string literal, a number, or a structural character; everything else (true, false,
# null, whitespace) is copied as it stands.




# Validation only: objects and numbers are not built (a large file stays small in memory).












# --------------------------------------------------------------------------- the command


def _key(salt: str | bytes | None) -> bytes:
    if salt is None:
        salt = os.environ.get(KEY_ENV) or None
    if salt is None:
        return os.urandom(32)
    return salt.encode("utf-8") if isinstance(salt, str) else salt


def scrub_file(source: Path, target: Path, policy: Policy, mode: str = "tag", *,
               salt: str | bytes | None = None, spans_fn: SpansFn | None = None) -> int:
    """Write `source` with its PII replaced to `target` (which may be `source`: in place),
    keeping the format; return the number of values replaced.

    `salt` is the pseudonym key (default: `$MLGATE_SCRUB_KEY`, else random per run);
    `spans_fn(text, key)` is the detector (default: `PiiDetector(policy).spans`).
    Raises MlgateError (exit 2) with a one-line message naming the file; never shows a value.
    """
    source, target = Path(source), Path(target)
    shown = printable(display_path(source))
    if mode not in MODES:
        raise MlgateError(f"pii scrub: --mode must be one of {', '.join(MODES)}, not {mode!r}")
    fmt = record_format(source)
    try:
        if not source.is_file():
            raise _FileProblem("no such file" if not source.exists() else "not a regular file")
        if target.is_symlink():
            raise MlgateError(f"{printable(display_path(target))}: symbolic link, not replaced")
    except OSError as e:
        raise MlgateError(f"{shown}: cannot read ({e.strerror or e})") from None
    except _FileProblem as e:
        raise MlgateError(f"{shown}: {e}") from None

    if spans_fn is None:
        from mlgate.hooks.pii.engine import PiiDetector

        spans_fn = PiiDetector(policy).spans
    rep = Replacer(spans_fn, mode, _key(salt))
    in_place = target.exists() and os.path.samefile(source, target)

    def write(fh: BinaryIO) -> None:
        if fmt == "parquet":
            rewrite_parquet(source, fh, rep.scrub)
        else:
            with rewrite_streams(source, fh) as (fin, fout, _sample):
                if fmt in ("csv", "tsv"):
                    rewrite_delimited(fin, fout, fmt, rep.scrub)
                elif fmt == "jsonl":
                    rewrite_jsonl(fin, fout, rep.scrub)
                elif fmt in ("json", "ipynb"):
                    rewrite_json(fin, fout, rep.scrub, notebook=fmt == "ipynb")
                else:
                    rewrite_text(fin, fout, rep.scrub)
        if in_place and rep.count == 0:
            raise _Unchanged
        fh.flush()
        left = _still_found(Path(fh.name), fmt, spans_fn)
        if left:
            raise _FileProblem(f"{left} value(s) would still be reported by `mlgate pii` in the "
                               "scrubbed copy; nothing was written (please report this)")

    try:
        atomic_write(target, write, keep_mode_of=source)
    except _Unchanged:
        pass  # in place and nothing found: leave the file (and its mtime) alone
    except (_FileProblem, SourceError) as e:
        raise MlgateError(f"{shown}: {e}") from None
    except UnsafeFile as e:
        raise MlgateError(f"{printable(display_path(target))}: cannot write ({e})") from None
    except OSError as e:
        raise MlgateError(f"{shown}: cannot scrub ({e.strerror or e})") from None
    return rep.count


def _still_found(path: Path, fmt: str, spans_fn: SpansFn) -> int:
    """The values the hook would still report in the scrubbed copy, read by the hook's own
    reader (the whole file): the promise that a scrubbed file passes the hook is checked on
    every scrub, not assumed."""
    left = 0
    for cell in iter_records(path, max(path.stat().st_size, 1), fmt=fmt):
        left += len(spans_fn(cell.text, cell.key))
    return left


class _Unchanged(Exception):
    pass
