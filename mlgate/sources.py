"""Safe reading of the files hooks check: size caps, binary and encoding detection,
Git LFS pointers, and streaming record readers for data samples (`iter_records`).
Nothing here executes or unpickles what it reads."""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import functools
import io
import json
import os
import re
import stat
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class SourceError(Exception):
    """A file that cannot be read as asked; the message is for the user, without the path."""


@dataclass(frozen=True)
class TextSource:
    text: str
    encoding: str
    truncated: bool  # the file is larger than the cap and only its head was read
    size: int


def display_path(path: str | os.PathLike[str]) -> str:
    """Repo-relative with `/` when under the working directory, else as given, with `/`."""
    p = Path(path)
    if p.is_absolute():
        with contextlib.suppress(ValueError):
            p = p.relative_to(Path.cwd())
    return p.as_posix()


def read_head(path: str | os.PathLike[str], max_bytes: int) -> tuple[bytes, int]:
    """Up to `max_bytes` bytes and the file size. Symlinks and non-regular files are refused."""
    p = Path(path)
    try:
        st = p.lstat()
    except FileNotFoundError:
        raise SourceError("no such file") from None
    except OSError as e:
        raise SourceError(f"cannot read ({e.strerror or e})") from None
    if p.is_symlink():
        raise SourceError("symbolic link, not followed")
    if not p.is_file():
        raise SourceError("not a regular file")
    try:
        with open(p, "rb") as fh:
            return fh.read(max_bytes), st.st_size
    except OSError as e:
        raise SourceError(f"cannot read ({e.strerror or e})") from None


def sniff_encoding(head: bytes) -> str | None:
    """The encoding to decode with, or None for binary content."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if b"\0" in head[:8192]:
        return None
    return "utf-8"


def is_lfs_pointer(head: bytes) -> bool:
    return head.startswith(LFS_POINTER) and len(head) < 1024


def read_text(path: str | os.PathLike[str], max_bytes: int) -> TextSource:
    """Decode a text file (BOM-aware; invalid UTF-8 bytes become U+FFFD, never an exception).

    Raises SourceError for binary content, unreadable paths and symlinks.
    """
    data, size = read_head(path, max_bytes)
    encoding = sniff_encoding(data)
    if encoding is None:
        raise SourceError("binary content, not text")
    if encoding.startswith("utf-16"):
        data = data[: len(data) - len(data) % 2]
    elif encoding == "utf-32":
        data = data[: len(data) - len(data) % 4]
    text = data.decode(encoding, errors="replace")
    return TextSource(text=text, encoding=encoding, truncated=size > len(data), size=size)


# ---------------------------------------------------------------------------------------------
# Record readers for data samples
# ---------------------------------------------------------------------------------------------
#
# `iter_records(path, max_bytes)` yields every value of a data sample as a `Cell` with the line
# (and, where known, the column) of the file where the value stands and the column name or
# JSON key it stands under. Readers stream: memory is bounded by the chunk size plus the largest
# single value, and never more than O(max_bytes). Reading stops after `max_bytes` bytes of
# input; `status.truncated` then tells the caller to warn.

_CHUNK = 1 << 20  # characters per read of the JSON tokenizer
_STR_PIECE = 1 << 20  # a JSON string longer than this is yielded in pieces of about this size
_PIECE_OVERLAP = 256  # each later piece repeats this many characters of the one before
_SNIFF_CHARS = 8192  # head sample for csv.Sniffer


class Cell(NamedTuple):
    """One value of a data sample (a named tuple: immutable, and built several times faster
    than a frozen dataclass, which matters at a few hundred thousand cells per commit).

    text:   the value as text (a CSV field, a JSON string or number literal, a text line, a
            notebook source/output line). Empty values are never yielded.
    line:   1-based line of the file where the value starts (for .ipynb: of the .ipynb file;
            for parquet: the 1-based row number).
    column: 1-based column (in characters) in that line where the text of the value starts
            (for a quoted value: just after the opening quote), when known. Within a value
            without escapes, offset i of `text` stands at column + i.
    key:    CSV/TSV header name, innermost JSON key, parquet column (or innermost struct
            field) name; None for text lines, notebooks and where there is no key.
    physical_breaks: the line breaks in `text` are the file's (a quoted multi-line CSV
            field), so what follows one stands on a later line. Elsewhere a break in `text`
            was an escape (JSON `\n`) or is inside a row (parquet): the value stays on `line`.
    """

    text: str
    line: int
    column: int | None
    key: str | None
    physical_breaks: bool = False


@dataclass(frozen=True, slots=True)
class ReadStatus:
    truncated: bool  # reading stopped at max_bytes; the rest of the file was not read
    bytes_read: int  # bytes of the file read (parquet: decoded bytes of the columns read)


_FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json", ".parquet": "parquet", ".ipynb": "ipynb",
}
_FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSONL", "json": "JSON",
                 "parquet": "parquet", "ipynb": "a notebook", "text": "text"}


def record_format(path: str | os.PathLike[str]) -> str:
    """csv, tsv, jsonl, json, parquet, ipynb or text — chosen by the file extension."""
    return _FORMATS.get(Path(path).suffix.lower(), "text")


class RecordReader:
    """An iterable of `Cell`s; `status` is filled in when iteration ends.

    Every error — missing file, symlink, binary content, malformed data — is a `SourceError`
    raised *from iteration*, possibly after some cells were already yielded (the file is
    streamed, so a syntax error near the end is only seen there). Calling `iter_records`
    itself never raises. Iterating again reads the file again.
    """

    def __init__(self, path: str | os.PathLike[str], max_bytes: int, fmt: str) -> None:
        self.path = Path(path)
        self.max_bytes = max(0, int(max_bytes))
        self.format = fmt
        self.status = ReadStatus(truncated=False, bytes_read=0)

    def __iter__(self) -> Iterator[Cell]:
        reader = {
            "csv": _iter_csv, "tsv": _iter_csv, "jsonl": _iter_json, "json": _iter_json,
            "parquet": _iter_parquet, "ipynb": _iter_notebook, "text": _iter_text,
        }[self.format]
        return reader(self)


def iter_records(path: str | os.PathLike[str], max_bytes: int) -> RecordReader:
    """The values of a data sample, by extension: .csv, .tsv, .jsonl/.ndjson, .json, .parquet,
    .ipynb; anything else is read as text lines.

    - CSV/TSV: the dialect is sniffed on the head (fallback: comma, or tab for .tsv). A first
      row that looks like a header gives the keys; the header cells themselves are yielded
      too (key None), so that a data row mistaken for a header is still checked. Without a
      header (or for fields beyond it, in ragged rows) the key is None. `line` is the line
      where the field starts (quoted fields may span lines); `column` is exact.
    - JSON/JSONL: every string and number (numbers as their literal text) with its innermost
      key (array items take the key of the array); true/false/null are not yielded. Object
      keys that are not plain words (they contain digits, '@', '.', …: e.g. a map keyed by
      e-mail address) are yielded too, with the key of the enclosing object. Both formats
      give the exact line and column (`column` is where a string's text starts, just after
      its opening quote). JSON is read by a streaming tokenizer (bounded memory); a .json
      file may hold several whitespace-separated values (JSONL named .json reads fine).
      Containers that fit in the read buffer are parsed by json's C scanner and their values
      placed in the text (any doubt, e.g. duplicate keys: token by token, so that every
      value of a duplicate key is yielded). JSONL is parsed line by line the same way (a
      record split over lines is an error); errors name the line ("not valid JSON at line
      N: …"). Strings in .json longer than about 1 MiB characters are yielded in pieces
      (later pieces repeat the last 256 characters of the piece before and have column
      None). Empty strings are skipped. Nesting deeper than 10,000 levels is an error.
    - Parquet (extra `parquet`): string, integer and nested (list/struct/map) columns; float,
      boolean, binary and temporal columns are skipped. `line` is the 1-based row, column None.
    - Notebooks: cell sources and outputs (stream text, text/* and application/json data,
      error values and tracebacks), one cell per JSON string (nbformat writes one per source
      line) at the line and column of the .ipynb file where it stands; images and other
      binary or widget outputs, attachments and metadata are skipped. Key None.
    - Text: one cell per line (without the line ending), column 1, key None. A line longer
      than about 1 MiB characters comes in pieces that overlap by 256 characters; their
      columns are exact.

    A file larger than `max_bytes` is read up to that many bytes and `status.truncated` is
    set; a value cut by the cap is yielded as far as it was read, and the syntax error that
    the cut makes (an unterminated string, an unclosed bracket) is not reported.
    Lines are counted with universal newlines (\\n, \\r\\n and a lone \\r each end a line).
    Encoding: BOM-aware (UTF-8, UTF-16, UTF-32), else UTF-8 with invalid bytes replaced by
    U+FFFD. A NUL byte in the first 8 KiB means binary content: SourceError.
    """
    return RecordReader(path, max_bytes, record_format(path))


# --- opening and decoding -------------------------------------------------------------------

class _CappedRaw(io.RawIOBase):
    """A raw binary stream over an open file that ends after `cap` bytes."""

    def __init__(self, fh: BinaryIO, cap: int, head: bytes = b"") -> None:
        self._fh = fh
        self._left = cap
        self._head = head  # bytes already read from fh (served first)
        self.bytes_read = 0
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._left <= 0:
            if not self.truncated and self._fh.read(1):
                self.truncated = True
            return 0
        want = min(len(b), self._left)
        if self._head:
            data, self._head = self._head[:want], self._head[want:]
        else:
            try:
                data = self._fh.read(want)
            except OSError as e:
                raise SourceError(f"cannot read ({e.strerror or e})") from None
        n = len(data)
        b[:n] = data
        self._left -= n
        self.bytes_read += n
        return n


def _open_binary(path: Path) -> BinaryIO:
    """Open a regular file for reading; symlinks and other non-regular files are refused."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise SourceError("no such file") from None
    except OSError as e:
        raise SourceError(f"cannot read ({e.strerror or e})") from None
    if stat.S_ISLNK(st.st_mode):
        raise SourceError("symbolic link, not followed")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SourceError("symbolic link, not followed") from None
        raise SourceError(f"cannot read ({e.strerror or e})") from None
    return os.fdopen(fd, "rb")


class _TextInput:
    """A capped, decoded text stream over a file (context manager)."""

    def __init__(self, rr: RecordReader, newline: str | None) -> None:
        self.rr = rr
        self.fh = _open_binary(rr.path)
        try:
            head = self.fh.read(min(rr.max_bytes, 8192))
        except OSError as e:
            self.fh.close()
            raise SourceError(f"cannot read ({e.strerror or e})") from None
        encoding = sniff_encoding(head)
        if encoding is None:
            self.fh.close()
            raise SourceError(f"binary content, not {_FORMAT_NAMES[rr.format]}")
        self.raw = _CappedRaw(self.fh, rr.max_bytes, head)
        buffered = io.BufferedReader(self.raw, buffer_size=1 << 16)
        self.text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace",
                                     newline=newline)

    def __enter__(self) -> _TextInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rr.status = ReadStatus(truncated=self.raw.truncated, bytes_read=self.raw.bytes_read)
        self.fh.close()

    def finish(self) -> None:
        """Note whether the file goes on past the cap (call at the end of the input)."""
        self.raw.readinto(bytearray(1))


def _text_io_errors(gen: Iterator[Cell]) -> Iterator[Cell]:
    """Turn decoding/IO surprises during iteration into SourceError."""
    try:
        yield from gen
    except (OSError, UnicodeError, ValueError) as e:
        if isinstance(e, SourceError):
            raise
        raise SourceError(f"cannot read ({e})") from None


# --- text -----------------------------------------------------------------------------------

def _iter_text(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_text_cells(rr))


def _text_cells(rr: RecordReader) -> Iterator[Cell]:
    """One cell per line; a line longer than _STR_PIECE characters comes in pieces, each
    repeating the last _PIECE_OVERLAP characters of the one before (columns stay exact)."""
    with _TextInput(rr, newline=None) as src:
        limit = _STR_PIECE
        n = 0
        for n, line in enumerate(src.text, 1):  # noqa: B007 - n is used after the loop
            if line.endswith("\n"):
                line = line[:-1]
            if len(line) <= limit:
                if line:
                    yield Cell(line, n, 1, None)
                continue
            step = limit - _PIECE_OVERLAP
            for i in range(0, len(line) - _PIECE_OVERLAP, step):
                yield Cell(line[i:i + limit], n, i + 1, None)
        src.finish()


# --- CSV / TSV ------------------------------------------------------------------------------

_HEADER_FIELD = re.compile(r"[^\W\d][\w .\-/()#%?]{0,63}")
_NUMBER = re.compile(r"[-+]?(?:\d[\d,_ ]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?%?")


def _looks_like_header(first: list[str], rows: list[list[str]], sample: str,
                       dialect: type[csv.Dialect] | csv.Dialect) -> bool:
    names = [f.strip() for f in first]
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        return False
    if not all(_HEADER_FIELD.fullmatch(n) for n in names):
        return False  # digits first, '@', ':' … : a data row
    # A column whose values are numbers, or not word-like at all (e-mail addresses, phone
    # numbers, dates), under a word is a header; so is csv.Sniffer's vote.
    for row in rows:
        for v in row[: len(names)]:
            v = v.strip()
            if v and ((_NUMBER.fullmatch(v) and any(c.isdigit() for c in v))
                      or not _HEADER_FIELD.fullmatch(v)):
                return True
    try:
        if csv.Sniffer().has_header(sample):
            return True
    except csv.Error:
        pass
    # All-text tables: words that are identifiers (no spaces, short) are column names.
    return all(len(n) <= 32 and " " not in n for n in names) and len(names) > 1


def sniff_csv_dialect(sample: str, fmt: str) -> csv.Dialect:
    """The dialect of a CSV/TSV head sample, as the readers (and `pii scrub`) use it."""
    default = "\t" if fmt == "tsv" else ","
    first = sample.split("\n", 1)[0]
    delimiter = default
    if not (fmt == "tsv" and "\t" in first):
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = default
            if default not in first:
                for d in (",", "\t", ";", "|"):
                    if d in first:
                        delimiter = d
                        break

    # Tab-separated files are often written without quoting; a stray quote must not swallow
    # the rest of the file, so quoting is only honoured when the head shows quoted fields.
    d = re.escape(delimiter)
    quoted = bool(re.search(rf'(?:^|{d})"(?:[^"]|"")*"(?:{d}|\r?$)', sample, re.MULTILINE))
    # (a class made by type(), not a class statement: this module may be compiled by mypyc)
    dialect: type[csv.Dialect] = type("_Dialect", (csv.Dialect,), {
        "delimiter": delimiter, "quotechar": '"', "doublequote": True,
        "skipinitialspace": False, "lineterminator": "\n", "strict": False,
        "quoting": csv.QUOTE_MINIMAL if (fmt != "tsv" or quoted) else csv.QUOTE_NONE})
    return dialect()


def _breaks(s: str, start: int = 0, end: int | None = None) -> int:
    """Line breaks (\\n, \\r\\n, lone \\r) in s[start:end]."""
    if end is None:
        end = len(s)
    cr = s.count("\r", start, end)
    n = s.count("\n", start, end)
    return n + cr - s.count("\r\n", start, end) if cr else n


def _iter_csv(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_csv_cells(rr))


def _csv_cells(rr: RecordReader) -> Iterator[Cell]:
    old_limit = csv.field_size_limit()
    with _TextInput(rr, newline="") as src:
        f = src.text
        head = f.read(_SNIFF_CHARS)
        if head.endswith("\r"):
            head += f.read(1)
        if head and not head.endswith(("\n", "\r")):
            head += f.readline()
        dialect = sniff_csv_dialect(head, rr.format)
        delim, quote = dialect.delimiter, dialect.quotechar or '"'
        quoting = dialect.quoting != csv.QUOTE_NONE

        pending: list[str] = []

        def lines() -> Iterator[str]:
            for ln in io.StringIO(head, newline=""):
                pending.append(ln)
                yield ln
            for ln in f:
                pending.append(ln)
                yield ln

        csv.field_size_limit(min(max(rr.max_bytes + 1, 1 << 17), 2**31 - 1))
        try:
            reader = csv.reader(lines(), dialect)
            header: list[str | None] = []
            prev = 0  # physical lines consumed before the current record
            first = True
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    raise SourceError(f"not valid CSV at line {prev + 1}: {e}") from None
                start = prev + 1
                prev = reader.line_num
                single = len(pending) == 1  # one physical line
                raw = pending[0] if single else "".join(pending)
                pending.clear()
                if first:
                    first = False
                    sample_rows = list(csv.reader(io.StringIO(head, newline=""), dialect))
                    if _looks_like_header(row, sample_rows[1:21], head, dialect):
                        header = [h.strip() or None for h in row]
                        keys_row: list[str | None] = [None] * len(row)
                        yield from _csv_row_cells(row, keys_row, raw, single, start, delim, quote,
                                                  quoting)
                        continue
                yield from _csv_row_cells(row, header, raw, single, start, delim, quote, quoting)
            src.finish()
        finally:
            csv.field_size_limit(old_limit)


def _csv_row_cells(row: list[str], keys: list[str | None], raw: str, single: bool, start: int,
                   delim: str, quote: str, quoting: bool) -> Iterator[Cell]:
    nkeys = len(keys)
    if not quoting or quote not in raw:
        # one physical line, nothing quoted: positions follow from the field lengths
        col = 1
        for i, v in enumerate(row):
            if v:
                yield Cell(v, start, col, keys[i] if i < nkeys else None)
            col += len(v) + 1
        return
    if single:
        # quoted fields on one physical line: only the columns are needed
        pos = 0
        end = len(raw)
        for i, v in enumerate(row):
            if raw.startswith(quote, pos):
                if quote in v:
                    lit = quote + v.replace(quote, quote + quote) + quote
                    if not raw.startswith(lit, pos):
                        break
                    n = len(lit)
                else:
                    n = len(v) + 2
                    if raw[pos + n - 1:pos + n] != quote or not raw.startswith(v, pos + 1):
                        break
                col = pos + 2
            else:
                n = len(v)
                if not raw.startswith(v, pos):
                    break
                col = pos + 1
            nxt = pos + n
            if nxt < end and raw[nxt] not in (delim, "\r", "\n"):
                break
            if v:
                yield Cell(v, start, col, keys[i] if i < nkeys else None)
            pos = nxt + 1
        else:
            return
        for j in range(i, len(row)):  # something unexpected: the rest without columns
            if row[j]:
                yield Cell(row[j], start, None, keys[j] if j < nkeys else None)
        return
    # Quoted fields: walk the raw record text to find where each field starts. The walk is
    # exact for standard quoting; after anything unexpected (a stray quote inside a field) it
    # falls back to counting the line breaks in the values and leaves the column unknown.
    pos = 0
    scanned = 0  # raw[:scanned] has been counted into `line`
    line = start
    line_start = 0  # position in raw where `line` starts
    exact = True
    for i, v in enumerate(row):
        key = keys[i] if i < nkeys else None
        if exact:
            if raw.startswith(quote, pos):
                lit = quote + v.replace(quote, quote + quote) + quote
                skip = 1  # the column is where the text starts, after the quote
            else:
                lit = v
                skip = 0
            if raw.startswith(lit, pos) and (len(raw) == pos + len(lit)
                                             or raw[pos + len(lit)] in (delim, "\r", "\n")):
                n = _breaks(raw, scanned, pos)
                if n:
                    line += n
                    line_start = max(raw.rfind("\n", scanned, pos),
                                     raw.rfind("\r", scanned, pos)) + 1
                scanned = pos
                if v:
                    yield Cell(v, line, pos - line_start + 1 + skip, key, True)
                pos += len(lit) + 1
                continue
            exact = False
            line += _breaks(raw, scanned, pos)
        if v:
            yield Cell(v, line, None, key, True)
        line += _breaks(v)


# --- JSON / JSONL: a streaming tokenizer with line numbers ------------------------------------

_JTOK = re.compile(
    r"""[ \t\n\r]*(?:
      ("[^"\\]*(?:\\.[^"\\]*)*")                              # 1 string literal
    | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)  # 2 number
    | ([{}\[\]:,])                                            # 3 punctuation
    | (true|false|null)                                       # 4 literal
    | ([^ \t\n\r])                                             # 5 anything else
    )""",
    re.VERBOSE | re.DOTALL,
)
_JSTR = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_JNUM = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
# The tokenizer's loop: a key with its scalar value (and a comma) is one match, and so is a
# scalar with its comma, which halves the matches on record-shaped data.
_JPAIRS = re.compile(
    rf"""[ \t\n\r]*(?:
      ({_JSTR})[ \t\n\r]*:[ \t\n\r]*                 # 1 key
        (?:({_JSTR})|({_JNUM})|(true|false|null))   # 2 string, 3 number, 4 literal value
        [ \t\n\r]*(,)?                              # 5 comma
    | (?:({_JSTR})|({_JNUM})|(true|false|null))     # 6 string, 7 number, 8 literal
        [ \t\n\r]*(,)?                              # 9 comma
    | ([{{}}\[\]:,])                                # 10 punctuation
    | ([^ \t\n\r])                                 # 11 anything else
    )""",
    re.VERBOSE | re.DOTALL,
)
_MAX_DEPTH = 10_000
_JSTR_RE = re.compile(_JSTR, re.DOTALL)
# The body of a string literal up to (not including) its closing quote; stops before an
# incomplete \u escape so that a long string can be cut into pieces at a safe place.
_JSTR_BODY = re.compile(r'[^"\\]*(?:\\(?:u[0-9a-fA-F]{4}|[^u])[^"\\]*)*', re.DOTALL)
_HIGH_SURROGATE_ESC = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\Z")
_BAD_WORD = re.compile(r'[^\s,:\[\]{}"]{1,21}')
_PLAIN_KEY = re.compile(r"[^\W\d](?:[^\W\d]|[\- ])*")

# parser states
_TOP, _VAL, _VAL_OR_CLOSE, _KEY_OR_CLOSE, _KEY, _COLON, _COMMA_OR_CLOSE = range(7)
_EXPECTED = {
    _TOP: "a value", _VAL: "a value", _VAL_OR_CLOSE: "a value or ']'",
    _KEY_OR_CLOSE: "a key or '}'", _KEY: "a key", _COLON: "':'",
}

PathFilter = Callable[[tuple[str | None, ...]], bool]


def _decode_string(body: str, line: int) -> str:
    if "\\" not in body:
        return body
    try:
        text: str = json.loads('"' + body + '"', strict=False)
    except ValueError:
        raise SourceError(f"not valid JSON at line {line}: invalid escape in string") from None
    return text


def _json_events(read: Callable[[], str], truncated: Callable[[], bool], jsonl: bool = False,
                 want: PathFilter | None = None, first_line: int = 1) -> Iterator[Cell]:
    """Cells for the strings and numbers of a stream of JSON text.

    `read()` returns the next chunk of (newline-translated) text, "" at the end;
    `truncated()` says whether the end is the byte cap rather than the end of the file, in
    which case an incomplete document ends quietly. With `want`, only strings whose path
    (object keys, None for array levels) it accepts are yielded, keys and numbers never.
    """
    buf = read()
    eof = not buf
    line, lpos, line_start = first_line, 0, 0  # the line at buf[lpos], starting at line_start
    state = _TOP
    stack: list[list[Any]] = []  # [is_object, current key, key of the enclosing value]
    cur_key: str | None = None
    top_line = first_line
    tok_finditer = _JPAIRS.finditer

    def fail(what: str, at_line: int) -> SourceError:
        if jsonl and top_line != at_line and state != _TOP:
            return SourceError(f"not valid JSON at line {top_line}: {what} (at line {at_line})")
        return SourceError(f"not valid JSON at line {at_line}: {what}")

    fast = want is None  # see _place_container
    plain: dict[str, bool] = {}
    wasted = done = 0  # characters scanned by failed fast-path attempts / consumed
    pos = 0
    while True:
        more = False  # the token at `pos` may continue in the next chunk
        restart = False  # go on from `pos` in the same buffer
        blen = len(buf)
        for m in tok_finditer(buf, pos):
            g: int = m.lastindex  # type: ignore[assignment]
            if g == 10:  # punctuation
                p = m.start(10)
                c = m.group(10)
                if c == ",":
                    if state != _COMMA_OR_CLOSE:
                        pos = p
                        break
                    state = _KEY if stack[-1][0] else _VAL
                elif c == ":":
                    if state != _COLON:
                        pos = p
                        break
                    state = _VAL
                elif c == "{" or c == "[":
                    if state < _KEY_OR_CLOSE:  # _TOP, _VAL, _VAL_OR_CLOSE
                        if state == _TOP:
                            n = buf.count("\n", lpos, p)
                            if n:
                                line += n
                                line_start = buf.rfind("\n", lpos, p) + 1
                            lpos = p
                            top_line = line
                        if fast:
                            # Fast path: a whole container in the buffer is parsed by
                            # json's C scanner and its values placed in the text.
                            placed = _place_container(buf, p, cur_key, plain)
                            if placed is None:
                                wasted += blen - p
                                fast = wasted < done + 8 * _CHUNK
                            else:
                                for t, i, k in placed[1]:
                                    n = buf.count("\n", lpos, i)
                                    if n:
                                        line += n
                                        line_start = buf.rfind("\n", lpos, i) + 1
                                    lpos = i
                                    yield Cell(t, line, i - line_start + 1, k)
                                state = _COMMA_OR_CLOSE if stack else _TOP
                                pos, restart = placed[0], True
                                break
                        if len(stack) >= _MAX_DEPTH:
                            raise fail(f"nested deeper than {_MAX_DEPTH} levels", line)
                        if c == "{":
                            stack.append([True, None, cur_key])
                            cur_key = None
                            state = _KEY_OR_CLOSE
                        else:
                            stack.append([False, cur_key, cur_key])
                            state = _VAL_OR_CLOSE
                    else:
                        pos = p
                        break
                else:  # } or ]
                    is_obj = c == "}"
                    if stack and stack[-1][0] == is_obj and (
                            state == _COMMA_OR_CLOSE
                            or state == (_KEY_OR_CLOSE if is_obj else _VAL_OR_CLOSE)):
                        cur_key = stack.pop()[2]
                        state = _COMMA_OR_CLOSE if stack else _TOP
                    else:
                        pos = p
                        break
                continue
            if g == 11:
                pos = p = m.start(11)
                # an unfinished string, or a token cut by the chunk end: read on (at the
                # end of the input, the end-of-input checks below report it)
                more = buf[p] == '"' or (not eof and blen - p < 8)
                break
            if g <= 5:  # "key": scalar [,]
                p = m.start(1)
                if state != _KEY_OR_CLOSE and state != _KEY:
                    if state <= _VAL_OR_CLOSE:  # a string value, then an unexpected ':'
                        state = _COMMA_OR_CLOSE if stack else _TOP
                        pos = m.end(1)
                    else:
                        pos = p
                    break
                if g == 3 and not eof and m.end(3) >= blen - 2:  # "1.", "1e", "1e+" …
                    pos, more = p, True
                    break
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                key = _decode_string(m.group(1)[1:-1], line)
                frame = stack[-1]
                frame[1] = cur_key = key
                if want is None and key and not _PLAIN_KEY.fullmatch(key):
                    yield Cell(key, line, p - line_start + 2, frame[2])
                vs = m.group(2)
                if vs is not None:
                    if want is None or want(tuple(fr[1] if fr[0] else None for fr in stack)):
                        p = m.start(2)
                        n = buf.count("\n", lpos, p)
                        if n:
                            line += n
                            line_start = buf.rfind("\n", lpos, p) + 1
                        lpos = p
                        text = _decode_string(vs[1:-1], line)
                        if text:
                            yield Cell(text, line, p - line_start + 2,
                                       key if want is None else None)
                elif want is None:
                    vs = m.group(3)
                    if vs is not None:
                        p = m.start(3)
                        n = buf.count("\n", lpos, p)
                        if n:
                            line += n
                            line_start = buf.rfind("\n", lpos, p) + 1
                        lpos = p
                        yield Cell(vs, line, p - line_start + 1, key)
                state = _KEY if g == 5 else _COMMA_OR_CLOSE
                continue
            # a string, number or literal [,]
            kind = g if g != 9 else 6 if m.start(6) >= 0 else 7 if m.start(7) >= 0 else 8
            p = m.start(kind)
            if kind == 7 and not eof and m.end(7) >= blen - 2:  # "1.", "1e", "1e+" …
                pos, more = p, True
                break
            if state in (_KEY_OR_CLOSE, _KEY):
                if kind != 6:
                    pos = p
                    break
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                key = _decode_string(m.group(6)[1:-1], line)
                frame = stack[-1]
                frame[1] = cur_key = key
                if want is None and key and not _PLAIN_KEY.fullmatch(key):
                    yield Cell(key, line, p - line_start + 2, frame[2])
                state = _COLON
                if g == 9:  # "key",
                    pos = m.start(9)
                    break
                continue
            if state > _VAL_OR_CLOSE:
                pos = p
                break
            if kind != 8 and (want is None or (kind == 6 and want(
                    tuple(fr[1] if fr[0] else None for fr in stack)))):
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                if state == _TOP:
                    top_line = line
                if kind == 6:
                    text = _decode_string(m.group(6)[1:-1], line)
                    if text:
                        yield Cell(text, line, p - line_start + 2,
                                   cur_key if want is None else None)
                else:
                    yield Cell(m.group(7), line, p - line_start + 1, cur_key)
            elif state == _TOP and jsonl:
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                top_line = line
            if g == 9:
                if not stack:  # a comma after a top-level value
                    state = _TOP
                    pos = m.start(9)
                    break
                state = _KEY if stack[-1][0] else _VAL
            else:
                state = _COMMA_OR_CLOSE if stack else _TOP
        else:
            pos = blen  # only whitespace (or nothing) is left
            more = not eof

        if restart:
            continue
        if pos < blen and not more:
            # an unexpected token at `pos`
            n = buf.count("\n", lpos, pos)
            if n:
                line += n
                line_start = buf.rfind("\n", lpos, pos) + 1
            lpos = pos
            bad = _JTOK.match(buf, pos)
            if bad is None or bad.lastindex is None or bad.lastindex == 5:
                word = _BAD_WORD.match(buf, pos)
                tok = word.group() if word else buf[pos:pos + 1]
            else:
                tok = bad.group(bad.lastindex)
            if len(tok) > 20:
                tok = tok[:19] + "…"
            if state == _COMMA_OR_CLOSE:
                expected = "',' or '}'" if stack[-1][0] else "',' or ']'"
            else:
                expected = _EXPECTED[state]
            raise fail(f"expected {expected}, found {tok!r}", line)

        if eof:
            break
        # Refill: keep the unfinished token at `pos`, count the lines of what is dropped.
        n = buf.count("\n", lpos, pos)
        if n:
            line += n
            line_start = buf.rfind("\n", lpos, pos) + 1
        lpos = 0
        line_start -= pos
        done += pos
        rest = buf[pos:]
        if (len(rest) > _STR_PIECE and rest.startswith('"')
                and state in (_TOP, _VAL, _VAL_OR_CLOSE)):
            # one string literal larger than a piece: yield it piecewise, never hold it whole
            key_path = (tuple(fr[1] if fr[0] else None for fr in stack)
                        if want is not None else ())
            wanted = want is None or want(key_path)
            long_key = cur_key if want is None else None
            if state == _TOP:
                top_line = line
            col = -line_start + 2
            rest, breaks, consumed = yield from _long_string(rest, read, line, col, long_key,
                                                             wanted)
            if breaks is None:  # the end of the input inside the string
                if truncated():
                    return
                raise fail("unterminated string", line)
            line += breaks
            line_start = 0 if breaks else line_start - consumed
            done += consumed
            state = _COMMA_OR_CLOSE if stack else _TOP
            buf, pos = rest, 0
            eof = False
            continue
        if len(rest) > _STR_PIECE:
            raise fail("token too long or unterminated", line)
        chunk = read()
        if not chunk:
            eof = True
        buf = rest + chunk
        pos = 0

    # end of input
    if state == _TOP and pos >= len(buf):
        return
    if truncated():
        # the cap cut the document: yield an unterminated string's head, then stop quietly
        if pos < len(buf) and buf.startswith('"', pos) and state in (_VAL, _VAL_OR_CLOSE):
            body = _JSTR_BODY.match(buf, pos + 1)
            if body is not None and body.group():
                n = buf.count("\n", lpos, pos)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, pos) + 1
                text = _decode_string(body.group(), line)
                if text and want is None:
                    yield Cell(text, line, pos - line_start + 2, cur_key)
                elif text and want and want(tuple(fr[1] if fr[0] else None for fr in stack)):
                    yield Cell(text, line, pos - line_start + 2, None)
        return
    n = buf.count("\n", lpos, pos)
    line += n
    if pos < len(buf) and buf.startswith('"', pos):
        raise fail("unterminated string", line)
    if pos < len(buf):
        raise fail(f"unexpected end of input after {buf[pos:pos + 10]!r}", line)
    opened = "'{'" if stack and stack[-1][0] else "'['"
    raise fail(f"unexpected end of input, {opened} not closed" if stack
               else "unexpected end of input", line)


def _long_string(rest: str, read: Callable[[], str], line: int, col: int, key: str | None,
                 wanted: bool) -> Generator[Cell, None, tuple[str, int | None, int]]:
    """Yield a huge string literal (rest starts with its quote) in pieces.

    Returns the text after the closing quote, the number of line breaks inside the literal
    (None when the input ended inside it) and the length of the literal."""
    i = 1
    consumed = 0
    tail = ""
    first = True
    breaks = 0
    while True:
        m = _JSTR_BODY.match(rest, i)
        assert m is not None  # the pattern matches the empty string
        e = m.end()
        closed = e < len(rest) and rest[e] == '"'
        if not closed and e < len(rest) - 6:
            raise SourceError(f"not valid JSON at line {line + breaks}: invalid escape in string")
        if closed or len(rest) - i > _STR_PIECE:
            body = rest[i:e]
            if not closed:
                hs = _HIGH_SURROGATE_ESC.search(body)
                if hs:
                    e -= 6
                    body = body[:-6]
            breaks += body.count("\n")
            text = _decode_string(body, line)
            if wanted and (text or tail):
                yield Cell(tail + text, line, col if first else None, key)
            first = False
            tail = text[-_PIECE_OVERLAP:]
            if closed:
                return rest[e + 1:], breaks, consumed + e + 1
            consumed += e
            rest, i = rest[e:], 0
        chunk = read()
        if not chunk:
            body = rest[i:]
            m = _JSTR_BODY.match(body)
            text = _decode_string(m.group() if m else "", line)
            if wanted and text:
                yield Cell(tail + text, line, None, key)
            return rest, None, consumed + len(rest)
        rest += chunk


def _iter_json(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_json_cells(rr))


def _json_cells(rr: RecordReader) -> Iterator[Cell]:
    with _TextInput(rr, newline=None) as src:
        read = functools.partial(src.text.read, _CHUNK)

        def truncated() -> bool:
            src.finish()
            return src.raw.truncated

        if rr.format == "jsonl":
            yield from _jsonl_lines(src)
        else:
            yield from _json_events(read, truncated)
        src.finish()


# A JSON number kept as its literal text: a str subclass, made by type() (this module may be
# compiled by mypyc, whose compiled classes cannot subclass str)
_Num = type("_Num", (str,), {"__slots__": ()})


_loads = json.JSONDecoder(parse_int=_Num, parse_float=_Num, strict=False).decode


class _Desync(Exception):
    """The fast JSONL path lost track of where values stand: use the tokenizer."""


def _jsonl_lines(src: _TextInput) -> Iterator[Cell]:
    """JSONL: json.loads per line (C speed), with each value's column found in the line.

    Lines that the fast path cannot place exactly (duplicate keys, very deep nesting) go
    through the streaming tokenizer; a last line cut by the byte cap too, leniently."""
    plain: dict[str, bool] = {}
    n = 0
    for n, text in enumerate(src.text, 1):  # noqa: B007 - n is used after the loop
        if not text.endswith("\n"):
            break  # the last line: handled below, it may have been cut by the cap
        if text.isspace():
            continue
        try:
            value = _loads(text)
        except ValueError as e:
            msg = getattr(e, "msg", None) or str(e)
            at = getattr(e, "pos", None)
            where = "" if at is None else f" (column {min(at, len(text.rstrip()))+ 1})"
            raise SourceError(f"not valid JSON at line {n}: {msg}{where}") from None
        except RecursionError:
            value = _Desync
        out: list[tuple[str, int, str | None]] = []
        if value is not _Desync:
            try:
                end = _place(value, None, text, 0, "\\" in text, out, plain)
                if text.find('"', end) != -1:
                    raise _Desync
            except (_Desync, RecursionError):
                value = _Desync
        if value is _Desync:
            yield from _json_events(iter((text, "")).__next__, lambda: False, jsonl=True,
                                    first_line=n)
        else:
            for t, i, k in out:
                yield Cell(t, n, i + 1, k)
    else:
        return
    src.finish()
    cut = src.raw.truncated
    yield from _json_events(iter((text, "")).__next__, lambda: cut, jsonl=True, first_line=n)


_raw_decode = json.JSONDecoder(parse_int=_Num, parse_float=_Num, strict=False).raw_decode


def _place_container(buf: str, p: int, key: str | None, plain: dict[str, bool]
                     ) -> tuple[int, list[tuple[str, int, str | None]]] | None:
    """The end and the values of the JSON object or array at buf[p], or None when it does
    not end within `buf`, is not valid, or cannot be placed exactly (the tokenizer then
    reads it token by token and reports any error)."""
    try:
        value, end = _raw_decode(buf, p)
    except (ValueError, RecursionError):
        return None
    out: list[tuple[str, int, str | None]] = []
    try:
        after = _place(value, key, buf, p, buf.find("\\", p, end) != -1, out, plain)
    except (_Desync, RecursionError):
        return None
    if after > end or buf.find('"', after, end) != -1:  # e.g. a duplicate key was dropped
        return None
    return end, out


def _string_at(text: str, pos: int, value: str, escapes: bool) -> tuple[int, int]:
    """Where the next string literal, which decodes to `value`, starts and ends."""
    q = text.find('"', pos)
    if q < 0:
        raise _Desync
    if escapes:
        m = _JSTR_RE.match(text, q)
        if m is None:
            raise _Desync
        return q, m.end()
    end = q + len(value) + 2
    if text[end - 1:end] != '"' or not text.startswith(value, q + 1):
        raise _Desync
    return q, end


def _place(value: Any, key: str | None, text: str, pos: int, escapes: bool,
           out: list[tuple[str, int, str | None]], plain: dict[str, bool]) -> int:
    """Append (text, index in `text` where it starts, key) for the values of `value` (parsed
    from `text`, its literal at or after `pos`) in document order; returns the index after
    the literal. Raises _Desync when unsure where a value stands.

    Exact because, between the end of one literal and the next, valid JSON has only
    whitespace, punctuation and true/false/null: the next '"' opens the next string (keys
    included), and the next occurrence of a number's text is that number."""
    if isinstance(value, str):
        if type(value) is not str:  # a number, as its literal text
            q = text.find(value, pos)
            if q < 0 or text.find('"', pos, q) != -1:
                raise _Desync
            out.append((value, q, key))
            return q + len(value)
        q, end = _string_at(text, pos, value, escapes)
        if value:
            out.append((value, q + 1, key))
        return end
    if isinstance(value, dict):
        for k, v in value.items():
            q, pos = _string_at(text, pos, k, escapes)
            is_plain = plain.get(k)
            if is_plain is None:
                if len(plain) > 10_000:
                    plain.clear()
                is_plain = plain[k] = not k or bool(_PLAIN_KEY.fullmatch(k))
            if not is_plain:
                out.append((k, q + 1, key))
            pos = _place(v, k, text, pos, escapes, out, plain)
        return pos
    if isinstance(value, list):
        for v in value:
            pos = _place(v, key, text, pos, escapes, out, plain)
        return pos
    return pos  # true, false, null


# --- notebooks ------------------------------------------------------------------------------

_NB_OUTPUT_TEXT = frozenset({"text", "traceback", "evalue", "html", "latex", "markdown"})


def _notebook_wants(path: tuple[str | None, ...]) -> bool:
    """Cell sources and the textual parts of outputs (nbformat 4, and 3's worksheets)."""
    if path[:2] == ("worksheets", None):
        path = path[2:]
    if len(path) < 3 or path[0] != "cells" or path[1] is not None:
        return False
    part = path[2]
    if part == "source" or part == "input":
        return len(path) == 3 or (len(path) == 4 and path[3] is None)
    if part != "outputs" or len(path) < 5 or path[3] is not None:
        return False
    what = path[4]
    if what in _NB_OUTPUT_TEXT:
        return len(path) == 5 or (len(path) == 6 and path[5] is None)
    if what == "data" and len(path) >= 6:
        mime = path[5] or ""
        if mime.startswith("text/"):
            return len(path) == 6 or (len(path) == 7 and path[6] is None)
        return mime == "application/json"  # every string inside the JSON value
    return False  # images, widget state, PDFs, javascript, metadata, attachments


def _iter_notebook(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_notebook_cells(rr))


def _notebook_cells(rr: RecordReader) -> Iterator[Cell]:
    with _TextInput(rr, newline=None) as src:
        started = False

        def read() -> str:
            nonlocal started
            chunk = src.text.read(_CHUNK)
            if not started and chunk.strip():
                started = True
                if not chunk.lstrip().startswith("{"):
                    raise SourceError("notebook is not valid JSON (not a JSON object)")
            return chunk

        def truncated() -> bool:
            src.finish()
            return src.raw.truncated

        try:
            yield from _json_events(read, truncated, want=_notebook_wants)
        except SourceError as e:
            msg = str(e)
            if msg.startswith("not valid JSON"):
                raise SourceError("notebook is not valid JSON (" + msg[len("not valid JSON "):]
                                  + ")") from None
            raise
        if not started:
            raise SourceError("notebook is not valid JSON (empty file)")
        src.finish()


# --- parquet --------------------------------------------------------------------------------

def _iter_parquet(rr: RecordReader) -> Iterator[Cell]:
    fh = _open_binary(rr.path)
    try:
        try:
            head = fh.read(4)
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - 4))
            tail = fh.read(4)
            fh.seek(0)
        except OSError as e:
            raise SourceError(f"cannot read ({e.strerror or e})") from None
        if head != b"PAR1":
            if head == LFS_POINTER[:4]:
                fh.seek(0)
                if is_lfs_pointer(fh.read(1024)):
                    raise SourceError("Git LFS pointer, not the parquet content (git lfs pull)")
            raise SourceError("not a parquet file")
        if tail != b"PAR1" or size < 12:
            raise SourceError("truncated parquet file")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise SourceError(
                "parquet support needs the 'parquet' extra: pip install 'mlgate[parquet]'"
            ) from None
        yield from _parquet_cells(rr, fh, pa, pq)
    finally:
        fh.close()


def _parquet_wanted(t: Any, pa: Any) -> bool:
    types = pa.types
    if types.is_dictionary(t):
        return _parquet_wanted(t.value_type, pa)
    if types.is_string(t) or types.is_large_string(t) or types.is_integer(t):
        return True
    if getattr(types, "is_string_view", None) and types.is_string_view(t):
        return True
    if types.is_list(t) or types.is_large_list(t) or types.is_fixed_size_list(t):
        return _parquet_wanted(t.value_type, pa)
    if types.is_map(t):
        return _parquet_wanted(t.key_type, pa) or _parquet_wanted(t.item_type, pa)
    if types.is_struct(t):
        return any(_parquet_wanted(t.field(i).type, pa) for i in range(t.num_fields))
    return False


def _walk_value(value: Any, key: str | None, row: int) -> Iterator[Cell]:
    """Strings and integers inside a nested parquet value (lists, structs, maps)."""
    stack: list[tuple[Any, str | None]] = [(value, key)]
    budget = 1_000_000  # a cap on the values of one nested cell
    out: list[Cell] = []
    while stack and budget > 0:
        v, k = stack.pop()
        budget -= 1
        if isinstance(v, str):
            if v:
                out.append(Cell(v, row, None, k))
        elif isinstance(v, bool) or v is None:
            continue
        elif isinstance(v, int):
            out.append(Cell(str(v), row, None, k))
        elif isinstance(v, dict):
            stack.extend((x, fk) for fk, x in reversed(list(v.items())))
        elif isinstance(v, (list, tuple)):
            if v and isinstance(v[0], tuple) and len(v[0]) == 2:  # a map: [(key, value), ...]
                for mk, mv in reversed(v):
                    stack.append((mv, mk if isinstance(mk, str) else k))
                    stack.append((mk, k))
            else:
                stack.extend((x, k) for x in reversed(v))
    return iter(out)


def _parquet_cells(rr: RecordReader, fh: BinaryIO, pa: Any, pq: Any) -> Iterator[Cell]:
    bytes_read = 0
    truncated = False
    try:
        try:
            pf = pq.ParquetFile(fh)
            schema = pf.schema_arrow
        except Exception as e:  # pyarrow raises ArrowInvalid, OSError, ...
            raise SourceError(f"invalid parquet file ({_short(e)})") from None
        columns = [f.name for f in schema if _parquet_wanted(f.type, pa)]
        if not columns:
            return
        row0 = 0
        # batches of about 4 MB (uncompressed), so that rows of long documents stay bounded
        try:
            meta = pf.metadata
            rows = max(1, meta.num_rows)
            size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            batch_size = max(1, min(8192, (4 << 20) * rows // max(1, size)))
        except Exception:
            batch_size = 1024
        batches = pf.iter_batches(batch_size=batch_size, columns=columns)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except Exception as e:
                raise SourceError(f"invalid parquet file ({_short(e)})") from None
            if bytes_read >= rr.max_bytes:
                truncated = True
                break
            bytes_read += batch.nbytes
            for name, col in zip(batch.schema.names, batch.columns, strict=True):
                t = col.type
                flat = (pa.types.is_string(t) or pa.types.is_large_string(t)
                        or pa.types.is_integer(t) or pa.types.is_dictionary(t)
                        or (getattr(pa.types, "is_string_view", None)
                            and pa.types.is_string_view(t)))
                values = col.to_pylist()
                if flat:
                    for i, v in enumerate(values, row0 + 1):
                        if v is None or v == "":
                            continue
                        yield Cell(v if isinstance(v, str) else str(v), i, None, name)
                else:
                    for i, v in enumerate(values, row0 + 1):
                        if v is not None:
                            yield from _walk_value(v, name, i)
            row0 += batch.num_rows
    finally:
        rr.status = ReadStatus(truncated=truncated, bytes_read=bytes_read)


def _short(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:200]
