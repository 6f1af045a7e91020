"""`mlgate pii scrub`: write a copy of a data sample with the PII replaced, keeping its format.

Detection is the hook's own (`PiiDetector(policy).spans`), replacement is presidio-anonymizer's
(`replace` for tags, `custom` for pseudonyms). The file is rewritten value by value:

- CSV/TSV: row by row; a row without PII is copied byte for byte, a changed row is written
  again in the row's own quoting style, delimiter and line ending.
- JSONL, JSON, notebooks: string literal by string literal in the original text, so that
  spacing, key order, number spelling and everything without PII stays as it was. Object keys
  are kept; notebook images (`image/*`, PDF, audio, video) are not touched.
- text and Markdown: line by line, line endings kept.
- Parquet: batch by batch through pyarrow, schema (and its metadata) kept.

Encoding (UTF-8, UTF-8/16/32 with BOM) and line endings are kept; invalid UTF-8 bytes survive
unchanged. Output goes to a temporary file in the target's directory that replaces the target
with `os.replace`, with the permissions of the file it replaces (or of the source).

Modes:
- `tag`: every value becomes its entity tag, `<EMAIL_ADDRESS>`.
- `pseudonym`: the same value becomes the same stand-in everywhere in the file, so that joins
  still work: `user-<h>@example.invalid` for e-mail addresses, `<PHONE_NUMBER_<h>>` for the rest,
  where `<h>` is 10 letters of an HMAC-SHA256 of the (normalised) value under a key. The key is
  random per run unless given (`salt=` or the `MLGATE_SCRUB_KEY` environment variable): only
  with a fixed, secret key do pseudonyms agree across files and runs. Without the key the
  stand-ins cannot be reversed, not even for low-entropy values like phone numbers.

Scrubbing is idempotent: stand-ins are checked with the detector itself, and a changed value is
detected again until nothing is left (a stand-in that would be detected falls back to a tag).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from mlgate.errors import MlgateError
from mlgate.policy import Policy
from mlgate.sources import display_path

MODES = ("tag", "pseudonym")
KEY_ENV = "MLGATE_SCRUB_KEY"
FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".ipynb": "ipynb", ".txt": "text", ".md": "text", ".markdown": "text",
    ".parquet": "parquet",
}
MAX_PASSES = 3  # a changed value is detected again at most this many times
_CACHE_SIZE = 16_384
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
        from presidio_anonymizer import AnonymizerEngine

        self.spans_fn = spans_fn
        self.mode = mode
        self.key = key if key is not None else os.urandom(32)
        self.count = 0
        self._engine = AnonymizerEngine()
        self._operators: dict[str, Any] = {}
        self._stand_ins: dict[tuple[str, str], str] = {}
        self._cache: dict[tuple[str, str | None], tuple[str, int]] = {}

    # The anonymizer wants one operator per entity type; build them as entities turn up.
    def _operator(self, entity: str) -> Any:
        op = self._operators.get(entity)
        if op is None:
            from presidio_anonymizer.entities import OperatorConfig

            if self.mode == "tag":
                op = OperatorConfig("replace", {"new_value": f"<{entity}>"})
            else:
                op = OperatorConfig("custom", {"lambda": lambda v, e=entity: self.stand_in(e, v)})
            self._operators[entity] = op
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
        candidate = f"user-{h}@example.invalid" if entity == "EMAIL_ADDRESS" else f"<{entity}_{h}>"
        if candidate[0] != "<" and self.spans_fn(candidate, None):
            candidate = f"<{entity}_{h}>"  # the plausible form would be found again: use a tag
        self._stand_ins[(entity, norm)] = candidate
        return candidate

    def _replace_once(self, text: str, key: str | None) -> tuple[str, int]:
        spans = self.spans_fn(text, key)
        if not spans:
            return text, 0
        from presidio_anonymizer.entities import RecognizerResult

        results = [RecognizerResult(s.entity, s.start, s.end, s.score) for s in spans]
        operators = {s.entity: self._operator(s.entity) for s in spans}
        out = self._engine.anonymize(text, results, operators, merge_entities_with_spaces=False)
        return out.text, len(out.items)

    def scrub(self, text: str, key: str | None = None) -> str:
        """`text` with every detected value replaced (nothing found: `text` itself)."""
        if not text or text.isspace():
            return text
        cached = self._cache.get((text, key))
        if cached is None:
            new, total = text, 0
            for _ in range(MAX_PASSES):
                new, n = self._replace_once(new, key)
                total += n
                if not n:
                    break
            cached = (new, total)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[(text, key)] = cached
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
def _text_streams(source: Path, dest: Path) -> Iterator[tuple[IO[str], IO[str], str]]:
    """The source decoded and the destination encoded alike (BOM kept), newlines untranslated;
    also the decoded head of the source for sniffing."""
    with open(source, "rb") as raw_in, open(dest, "wb") as raw_out:
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


class _LineTap:
    """Feeds csv.reader line by line and remembers the raw text of the current record."""

    def __init__(self, fin: IO[str]) -> None:
        self.fin = fin
        self.raw: list[str] = []
        self.lineno = 0

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = self.fin.readline()
        if not line:
            raise StopIteration
        self.lineno += 1
        self.raw.append(line)
        return line

    def take(self) -> str:
        raw = "".join(self.raw)
        self.raw.clear()
        return raw


def _csv_dialect(sample: str, delimiter: str | None) -> tuple[str, str]:
    if delimiter is None:
        first = sample.split("\n", 1)[0]
        delimiter = ","
        try:
            sniffed = csv.Sniffer().sniff(sample[:16384], delimiters=",;\t|").delimiter
            if sniffed in first:
                delimiter = sniffed
        except csv.Error:
            pass
    return delimiter, '"'


def _write_row(row: list[str], raw: str, original: list[str], delimiter: str,
               quotechar: str) -> str:
    """`row` in the quoting style that reproduces `raw` from `original`, with raw's ending."""
    _, ending = _split_ending(raw)
    chosen: Any = csv.QUOTE_MINIMAL
    for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, quotechar=quotechar, quoting=quoting,
                   lineterminator=ending).writerow(original)
        if buf.getvalue() == raw:
            chosen = quoting
            break
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quotechar=quotechar, quoting=chosen,
               lineterminator=ending).writerow(row)
    return buf.getvalue()


def _scrub_csv(fin: IO[str], fout: IO[str], rep: Replacer, sample: str,
               delimiter: str | None) -> None:
    delimiter, quotechar = _csv_dialect(sample, delimiter)
    tap = _LineTap(fin)
    reader = csv.reader(tap, delimiter=delimiter, quotechar=quotechar, doublequote=True,
                        strict=False)
    header: list[str] | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise _FileProblem(f"line {tap.lineno}: not valid CSV ({e})") from None
        raw = tap.take()
        if header is None:
            header = row
            keys: list[str | None] = [None] * len(row)  # the header itself: no context
        else:
            keys = [header[i] if i < len(header) else None for i in range(len(row))]
        new = [rep.scrub(cell, k) for cell, k in zip(row, keys, strict=True)]
        fout.write(raw if new == row else _write_row(new, raw, row, delimiter, quotechar))
    rest = tap.take()  # e.g. trailing text the reader did not turn into a record
    fout.write(rest)


# A JSON string literal, or a structural character; everything else (numbers, literals,
# whitespace) is copied as it stands.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]', re.DOTALL)


def _scrub_json_text(text: str, rep: Replacer,
                     skip: Callable[[str | None], bool] | None = None) -> str:
    """Scrub the string values in a JSON text in place; object keys are kept. Each value is
    scrubbed with the nearest object key as context (arrays inherit their key)."""
    out: list[str] = []
    pos = 0
    stack: list[list[Any]] = []  # [kind, key] per open container
    expect_key = False
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == '"':
            raw = tok[1:-1]
            escaped = "\\" in raw
            value = json.loads(tok) if escaped else raw
            if expect_key:
                stack[-1][1] = value
                continue
            key = stack[-1][1] if stack else None
            if skip is not None and skip(key):
                continue
            new = rep.scrub(value, key)
            if new != value:
                out.append(text[pos:m.start()])
                if escaped:
                    out.append(json.dumps(new, ensure_ascii="\\u" in raw))
                else:
                    out.append(f'"{new}"')
                pos = m.end()
        elif c == "{":
            stack.append(["{", None])
            expect_key = True
        elif c == "[":
            stack.append(["[", stack[-1][1] if stack else None])
            expect_key = False
        elif c in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif c == ":":
            expect_key = False
        else:  # ","
            expect_key = bool(stack) and stack[-1][0] == "{"
    out.append(text[pos:])
    return "".join(out)


def _check_json(text: str, where: str = "") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise _FileProblem(f"{where}not valid JSON ({e.msg} at line {e.lineno} column "
                           f"{e.colno})") from None
    except RecursionError:
        raise _FileProblem(f"{where}JSON nested too deeply") from None


def _scrub_jsonl(fin: IO[str], fout: IO[str], rep: Replacer) -> None:
    for lineno, line in enumerate(fin, 1):
        body, ending = _split_ending(line)
        if body.strip():
            _check_json(body, f"line {lineno}: ")
            body = _scrub_json_text(body, rep)
        fout.write(body + ending)


def _scrub_json(fin: IO[str], fout: IO[str], rep: Replacer, notebook: bool) -> None:
    text = fin.read()
    doc = _check_json(text)
    skip = None
    if notebook:
        if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
            raise _FileProblem("not a Jupyter notebook (no 'cells' list)")

        def skip(key: str | None) -> bool:
            return key is not None and key.startswith(_BINARY_MIME)

    fout.write(_scrub_json_text(text, rep, skip))


def _scrub_parquet(source: Path, dest: Path, rep: Replacer) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _FileProblem("reading parquet needs pyarrow: pip install 'mlgate[parquet]'") \
            from None

    def has_text(t: Any) -> bool:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return True
        if pa.types.is_dictionary(t):
            return has_text(t.value_type)
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            return has_text(t.value_type)
        if pa.types.is_struct(t):
            return any(has_text(t.field(i).type) for i in range(t.num_fields))
        if pa.types.is_map(t):
            return has_text(t.key_type) or has_text(t.item_type)
        return False

    def walk(value: Any, key: str | None) -> Any:
        if isinstance(value, str):
            return rep.scrub(value, key)
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        return value

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
                    if has_text(column.type):
                        values = [walk(v, name) for v in column.to_pylist()]
                        column = pa.array(values, type=column.type)
                    columns.append(column)
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=batch.schema))
    except (pa.ArrowException, OSError) as e:
        raise _FileProblem(f"not a readable parquet file ({type(e).__name__})") from None


# --------------------------------------------------------------------------- the command


@contextmanager
def _atomic_target(target: Path, source: Path) -> Iterator[Path]:
    """A temporary file next to `target` that replaces it on success (and vanishes on error),
    with the permissions of the file it replaces, or of `source` for a new file."""
    directory = target.parent
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.",
                                    suffix=".mlgate-scrub")
    except OSError as e:
        raise MlgateError(f"{display_path(target)}: cannot write ({e.strerror or e})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        like = target if target.exists() else source
        os.chmod(tmp, stat.S_IMODE(like.stat().st_mode))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
    fmt = FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise MlgateError(f"{shown}: cannot scrub '{source.suffix or 'no extension'}' files "
                          f"(supported: {', '.join(sorted(FORMATS))})")
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
        from mlgate.hooks.pii import PiiDetector

        spans_fn = PiiDetector(policy).spans
    rep = Replacer(spans_fn, mode, _key(salt))
    in_place = target.exists() and os.path.samefile(source, target)
    try:
        with _atomic_target(target, source) as tmp:
            if fmt == "parquet":
                _scrub_parquet(source, tmp, rep)
            else:
                with _text_streams(source, tmp) as (fin, fout, sample):
                    if fmt in ("csv", "tsv"):
                        _scrub_csv(fin, fout, rep, sample, "\t" if fmt == "tsv" else None)
                    elif fmt == "jsonl":
                        _scrub_jsonl(fin, fout, rep)
                    elif fmt in ("json", "ipynb"):
                        _scrub_json(fin, fout, rep, notebook=fmt == "ipynb")
                    else:
                        _scrub_text(fin, fout, rep)
            if in_place and rep.count == 0:
                raise _Unchanged
    except _Unchanged:
        pass  # in place and nothing found: leave the file (and its mtime) alone
    except _FileProblem as e:
        raise MlgateError(f"{shown}: {e}") from None
    except OSError as e:
        raise MlgateError(f"{shown}: cannot scrub ({e.strerror or e})") from None
    return rep.count


class _Unchanged(Exception):
    pass
