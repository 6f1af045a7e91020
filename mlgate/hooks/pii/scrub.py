"""`mlgate pii scrub`: write a copy of a data sample with the PII replaced, keeping its format.

Detection is the hook's own (`PiiDetector(policy).spans`), replacement is presidio-anonymizer's
(`replace` for tags, `custom` for pseudonyms). The file is rewritten value by value:

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

import codecs
import hashlib
import hmac
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from mlgate.errors import MlgateError
from mlgate.fileio import UnsafeFile, atomic_write, open_regular, printable
from mlgate.policy import Policy
from mlgate.sources import (
    SourceError,
    display_path,
    is_lfs_pointer,
    iter_records,
    record_format,
)
from mlgate.sources.delimited import rewrite_delimited
from mlgate.sources.parquet import _parquet_wanted

MODES = ("tag", "pseudonym")
KEY_ENV = "MLGATE_SCRUB_KEY"
MAX_RECORD_LINES = 1000  # a JSONL record may span lines (pretty-printed), up to this many
MAX_PASSES = 3  # a changed value is detected again at most this many times
_CACHE_SIZE = 16_384  # scrubbed values remembered (values up to _CACHE_TEXT characters)
_CACHE_TEXT = 1024
_SNIFF_BYTES = 64 * 1024
_BINARY_MIME = ("image/", "audio/", "video/", "application/pdf")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
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
    """Replaces the PII in one string value at a time with presidio-anonymizer; counts it."""

    def __init__(self, spans_fn: SpansFn, mode: str = "tag", key: bytes | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.spans_fn = spans_fn
        self.mode = mode
        self.key = key if key is not None else os.urandom(32)
        self.count = 0
        self._engine: Any = None  # presidio-anonymizer, imported when the first value is found
        self._operators: dict[tuple[str, str], Any] = {}
        self._stand_ins: dict[tuple[str, str], str] = {}
        self._cache: dict[tuple[str, str | None, str], tuple[str, int]] = {}

    # The anonymizer wants one operator per entity type; build them as entities turn up.
    def _operator(self, entity: str, mode: str) -> Any:
        op = self._operators.get((entity, mode))
        if op is None:
            from presidio_anonymizer.entities import OperatorConfig

            if mode == "tag":
                op = OperatorConfig("replace", {"new_value": f"<{entity}>"})
            else:
                op = OperatorConfig("custom", {"lambda": lambda v, e=entity: self.stand_in(e, v)})
            self._operators[(entity, mode)] = op
        return op

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
        spans = self.spans_fn(text, key)
        if not spans:
            return text, 0
        if self._engine is None:
            from presidio_anonymizer import AnonymizerEngine

            self._engine = AnonymizerEngine()
        from presidio_anonymizer.entities import RecognizerResult

        results = [RecognizerResult(s.entity, s.start, s.end, s.score) for s in spans]
        operators = {s.entity: self._operator(s.entity, mode) for s in spans}
        out = self._engine.anonymize(text, results, operators, merge_entities_with_spaces=False)
        return out.text, len(out.items)

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


class _Encoding:
    def __init__(self, bom: bytes, codec: str) -> None:
        self.bom = bom
        self.codec = codec
        # invalid UTF-8 bytes round-trip unchanged; UTF-16/32 must decode cleanly
        self.errors = "surrogateescape" if codec == "utf-8" else "strict"


def _sniff(head: bytes) -> _Encoding:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return _Encoding(bom, codec)
    if b"\0" in head[:8192]:
        raise _FileProblem("binary content, not text")
    sample = head[:8192].decode("utf-8", errors="replace")
    if sample.count("\ufffd") > max(16, len(sample) * 3 // 10):
        raise _FileProblem("binary content, not text")
    return _Encoding(b"", "utf-8")


@contextmanager
def _text_streams(source: Path, raw_out: BinaryIO) -> Iterator[tuple[IO[str], IO[str], str]]:
    """The source decoded and the destination encoded alike (BOM kept), newlines untranslated;
    also the decoded head of the source for sniffing."""
    with open_regular(source) as raw_in:
        head = raw_in.read(_SNIFF_BYTES)
        enc = _sniff(head)
        raw_in.seek(len(enc.bom))
        raw_out.write(enc.bom)
        sample = head[len(enc.bom):].decode(enc.codec, errors="replace")
        fin = io.TextIOWrapper(raw_in, encoding=enc.codec, errors=enc.errors, newline="")
        fout = io.TextIOWrapper(raw_out, encoding=enc.codec, errors=enc.errors, newline="")
        try:
            yield fin, fout, sample
            fout.flush()
        except UnicodeError:
            raise _FileProblem(f"not valid {enc.codec.upper()} text") from None
        finally:
            fin.detach()
            fout.detach()


def _split_ending(line: str) -> tuple[str, str]:
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith(("\n", "\r")):
        return line[:-1], line[-1]
    return line, ""


# --------------------------------------------------------------------------- formats


def _scrub_text(fin: IO[str], fout: IO[str], rep: Replacer) -> None:
    for line in fin:
        body, ending = _split_ending(line)
        fout.write(rep.scrub(body) + ending)


# A JSON string literal, a number, or a structural character; everything else (true, false,
# null, whitespace) is copied as it stands.
_JSON_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[{}\[\]:,]', re.DOTALL)


def _scrub_json_text(text: str, rep: Replacer, notebook: bool = False) -> str:
    """Scrub the strings (and numbers) of a JSON text in place, everything else kept as it is
    spelled. Each value is scrubbed with its innermost key as context (array items take the key
    of the array), as `mlgate pii` checks it.

    - A number that is PII (a phone number stored as a number) becomes a string.
    - An object key that is PII (a map keyed by e-mail address) becomes a pseudonym in either
      mode, so that keys stay unique.
    - Notebooks: binary outputs and attachments (`image/*`, audio, video, PDF) and numbers are
      left alone.
    """
    out: list[str] = []
    pos = 0
    # per open container: [kind, key of the current value, key the container stands under]
    stack: list[list[Any]] = []
    expect_key = False
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == '"':
            raw = tok[1:-1]
            escaped = "\\" in raw
            value = json.loads(tok) if escaped else raw
            if expect_key:
                new = rep.scrub(value, stack[-1][2], mode="pseudonym")
                stack[-1][1] = value
            else:
                key = stack[-1][1] if stack else None
                if notebook and key is not None and key.startswith(_BINARY_MIME):
                    continue
                new = rep.scrub(value, key)
            if new != value:
                out.append(text[pos:m.start()])
                out.append(json.dumps(new, ensure_ascii="\\u" in raw) if escaped
                           else f'"{new}"')
                pos = m.end()
        elif c == "{":
            parent = stack[-1][1] if stack else None
            stack.append(["{", None, parent])
            expect_key = True
        elif c == "[":
            parent = stack[-1][1] if stack else None
            stack.append(["[", parent, parent])
            expect_key = False
        elif c in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif c == ":":
            expect_key = False
        elif c == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        elif not notebook:  # a number
            new = rep.scrub(tok, stack[-1][1] if stack else None)
            if new != tok:
                out.append(text[pos:m.start()])
                out.append(json.dumps(new))
                pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_WS = " \t\r\n"
# Validation only: objects and numbers are not built (a large file stays small in memory).
_CHECKER = json.JSONDecoder(object_pairs_hook=lambda pairs: None,
                            parse_float=lambda s: None, parse_int=lambda s: None,
                            parse_constant=lambda s: None)


class _JsonError(Exception):
    def __init__(self, error: json.JSONDecodeError | None, text: str) -> None:
        super().__init__()
        self.error = error
        # input that ends inside a value: more lines may complete it (pretty-printed JSONL)
        self.incomplete = error is not None and (
            error.pos >= len(text.rstrip(_WS)) or error.msg.startswith("Unterminated string"))

    def message(self, first_line: int = 1) -> str:
        e = self.error
        if e is None:
            return "not valid JSON (nested too deeply)"
        return f"not valid JSON ({e.msg} at line {first_line + e.lineno - 1} column {e.colno})"


def _json_values(text: str, build: bool = False) -> list[Any]:
    """The whitespace-separated JSON values of `text` (None for each unless `build`)."""
    dec = json.JSONDecoder() if build else _CHECKER
    values = []
    i, n = 0, len(text)
    try:
        while True:
            while i < n and text[i] in _WS:
                i += 1
            if i >= n:
                break
            value, i = dec.raw_decode(text, i)
            values.append(value)
    except json.JSONDecodeError as e:
        raise _JsonError(e, text) from None
    except RecursionError:
        raise _JsonError(None, text) from None
    return values


def _scrub_jsonl(fin: IO[str], fout: IO[str], rep: Replacer) -> None:
    """Record by record: a line, or the lines of a pretty-printed record."""
    pending: list[str] = []
    start = 0
    error: _JsonError | None = None
    for lineno, line in enumerate(fin, 1):
        if not pending:
            if not line.strip(_WS):
                fout.write(line)
                continue
            start = lineno
        pending.append(line)
        text = "".join(pending) if len(pending) > 1 else line
        try:
            _json_values(text)
        except _JsonError as e:
            error = e
            if e.incomplete and len(pending) < MAX_RECORD_LINES:
                continue
            break
        fout.write(_scrub_json_text(text, rep))
        pending.clear()
        error = None
    if error is not None:
        if error.incomplete and len(pending) < MAX_RECORD_LINES:
            raise _FileProblem(f"not valid JSON (the record at line {start} is not closed at "
                               "the end of the file)")
        raise _FileProblem(error.message(start))


def _scrub_json(fin: IO[str], fout: IO[str], rep: Replacer, notebook: bool) -> None:
    text = fin.read()
    try:
        values = _json_values(text, build=notebook)
    except _JsonError as e:
        raise _FileProblem(e.message()) from None
    if not values:
        raise _FileProblem("not valid JSON (empty)")
    if notebook and not (len(values) == 1 and isinstance(values[0], dict)
                         and isinstance(values[0].get("cells"), list)):
        raise _FileProblem("not a Jupyter notebook (no 'cells' list)")
    fout.write(_scrub_json_text(text, rep, notebook=notebook))


def _scrub_parquet(source: Path, dest: BinaryIO, rep: Replacer) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _FileProblem("parquet support needs the 'parquet' extra: "
                           "pip install 'mlgate[parquet]'") from None

    def wanted(t: Any) -> bool:  # the column types `mlgate pii` checks
        return _parquet_wanted(t, pa)

    def walk(value: Any, key: str | None) -> Any:
        if isinstance(value, str):
            return rep.scrub(value, key)
        if isinstance(value, bytes):  # read as UTF-8 by the hook; rewritten as UTF-8
            text = value.decode("utf-8", errors="replace")
            new = rep.scrub(text, key)
            return value if new == text else new.encode("utf-8")
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):  # an integer that is PII cannot hold a tag: null
            return value if rep.scrub(str(value), key) == str(value) else None
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, tuple):  # a map entry
            return tuple(walk(v, key) for v in value)
        return value

    with open(source, "rb") as fh:
        head = fh.read(1024)
    if is_lfs_pointer(head):
        raise _FileProblem("Git LFS pointer, not the parquet content (git lfs pull)")
    try:
        pf = pq.ParquetFile(source)
        schema = pf.schema_arrow
        meta = pf.metadata
        compression = "snappy"
        if meta.num_row_groups and meta.num_columns:
            compression = meta.row_group(0).column(0).compression.lower()
            if compression == "uncompressed":
                compression = "none"
        with pq.ParquetWriter(dest, schema, compression=compression) as writer:
            for batch in pf.iter_batches(batch_size=65_536):
                columns = []
                for name, column in zip(batch.schema.names, batch.columns, strict=True):
                    if wanted(column.type):
                        values = [walk(v, name) for v in column.to_pylist()]
                        if pa.types.is_fixed_size_binary(column.type):  # a changed value
                            width = column.type.byte_width  # cannot keep the width: null
                            values = [v if v is None or len(v) == width else None
                                      for v in values]
                        column = pa.array(values, type=column.type)
                    columns.append(column)
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=batch.schema))
    except (pa.ArrowException, OSError) as e:
        raise _FileProblem(f"not a readable parquet file ({type(e).__name__})") from None


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
    shown = display_path(source)
    if mode not in MODES:
        raise MlgateError(f"pii scrub: --mode must be one of {', '.join(MODES)}, not {mode!r}")
    fmt = record_format(source)
    try:
        if not source.is_file():
            raise _FileProblem("no such file" if not source.exists() else "not a regular file")
        if target.is_symlink():
            raise MlgateError(f"{display_path(target)}: symbolic link, not replaced")
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
            _scrub_parquet(source, fh, rep)
        else:
            with _text_streams(source, fh) as (fin, fout, _sample):
                if fmt in ("csv", "tsv"):
                    rewrite_delimited(fin, fout, fmt, rep.scrub)
                elif fmt == "jsonl":
                    _scrub_jsonl(fin, fout, rep)
                elif fmt in ("json", "ipynb"):
                    _scrub_json(fin, fout, rep, notebook=fmt == "ipynb")
                else:
                    _scrub_text(fin, fout, rep)
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
