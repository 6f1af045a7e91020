"""CSV and TSV: dialect sniffing, the header decision, and cells with exact lines and columns.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from mlgate.sources.files import SourceError
from mlgate.sources.stream import _SNIFF_CHARS, Cell, _text_io_errors, _TextInput

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


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


class LineTap:
    """The lines of a text stream for csv.reader, after the head already read from it; keeps
    the raw lines of the current record and the count of lines read. A class, not a
    generator: csv.reader calls next() again after the end, which a compiled (mypyc)
    generator does not survive."""

    def __init__(self, head: str, rest: IO[str]) -> None:
        self._head = io.StringIO(head, newline="")
        self._rest = rest
        self.pending: list[str] = []
        self.lineno = 0

    def __iter__(self) -> LineTap:
        return self

    def __next__(self) -> str:
        line = self._head.readline() if self._head is not None else ""
        if not line:
            self._head = None  # type: ignore[assignment]
            line = self._rest.readline()
            if not line:
                raise StopIteration
        self.lineno += 1
        self.pending.append(line)
        return line

    def take(self) -> str:
        raw = "".join(self.pending)
        self.pending.clear()
        return raw


def head_sample(f: IO[str]) -> str:
    """The head the dialect and the header are decided on: about 8 KiB, to a line end."""
    head = f.read(_SNIFF_CHARS)
    if head.endswith("\r"):
        head += f.read(1)
    if head and not head.endswith(("\n", "\r")):
        head += f.readline()
    return head


def header_keys(first: list[str], head: str, dialect: csv.Dialect) -> list[str | None] | None:
    """The column names when the first row is a header (the decision every reader and the
    rewriter share), else None."""
    sample_rows = list(csv.reader(io.StringIO(head, newline=""), dialect))
    if _looks_like_header(first, sample_rows[1:21], head, dialect):
        return [h.strip() or None for h in first]
    return None


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    old = csv.field_size_limit()
    csv.field_size_limit(min(max(limit, 1 << 17), 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


class Record(NamedTuple):
    row: list[str]
    raw: str  # the record's text as it stands in the file, line breaks included
    single: bool  # on one physical line
    start: int  # the line it starts on
    keys: list[str | None]  # per field (fewer than fields: the rest have none)


class Records:
    """The records of a CSV/TSV text with their keys, as both the reader and the rewriter
    take them: one head, one dialect, one header decision. `dialect` is known once made."""

    def __init__(self, f: IO[str], fmt: str) -> None:
        self.head = head_sample(f)
        self.dialect = sniff_csv_dialect(self.head, fmt)
        self._tap = LineTap(self.head, f)

    def __iter__(self) -> Iterator[Record]:
        tap = self._tap
        reader = csv.reader(tap, self.dialect)
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
            single = len(tap.pending) == 1
            keys: list[str | None] = header
            if first:
                first = False
                names = header_keys(row, self.head, self.dialect)
                if names is not None:
                    header = names
                    keys = []  # the header itself: no context
            yield Record(row, tap.take(), single, start, keys)

    def rest(self) -> str:
        """Text after the last record that csv did not turn into one."""
        return self._tap.take()


def _csv_cells(rr: RecordReader) -> Iterator[Cell]:
    with _TextInput(rr, newline="") as src, _field_limit(rr.max_bytes + 1):
        records = Records(src.text, rr.format)
        d = records.dialect
        delim, quote, quoting = d.delimiter, d.quotechar or '"', d.quoting != csv.QUOTE_NONE
        for r in records:
            yield from _csv_row_cells(r.row, r.keys, r.raw, r.single, r.start, delim, quote,
                                      quoting)
        src.finish()


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


# --- the rewriter (`mlgate pii scrub`) ---------------------------------------------------------

def _write_row(row: list[str], raw: str, original: list[str], dialect: csv.Dialect) -> str:
    """`row` in the quoting style that reproduces `raw` from `original`, with raw's ending.

    The writer quotes a field only for the characters of its own line terminator, so rows are
    written with `\r\n` (a field with a lone `\r` or `\n` gets quoted) and the ending swapped."""
    body = raw.rstrip("\r\n")
    ending = raw[len(body):]
    quotechar = None if dialect.quoting == csv.QUOTE_NONE else '"'

    def write(fields: list[str], quoting: Any) -> str:
        buf = io.StringIO()
        csv.writer(buf, delimiter=dialect.delimiter, quotechar=quotechar, quoting=quoting,
                   lineterminator="\r\n").writerow(fields)
        return buf.getvalue()[:-2] + ending

    chosen: Any = csv.QUOTE_MINIMAL if quotechar else csv.QUOTE_NONE
    for quoting in ((csv.QUOTE_MINIMAL, csv.QUOTE_ALL) if quotechar else ()):
        if write(original, quoting) == raw:
            chosen = quoting
            break
    return write(row, chosen)


def rewrite_delimited(fin: IO[str], fout: IO[str], fmt: str,
                      rewrite: Callable[[str, str | None], str]) -> None:
    """Copy a CSV/TSV text with every field passed through `rewrite(value, key)`, with the
    keys the reader gives the same fields (the same Records): a row without changes is copied
    byte for byte, a changed row is written in its own quoting style, delimiter and line
    ending."""
    records = Records(fin, fmt)
    with _field_limit(2**31 - 1):
        for r in records:
            new = [rewrite(v, r.keys[i] if i < len(r.keys) else None)
                   for i, v in enumerate(r.row)]
            fout.write(r.raw if new == r.row else _write_row(new, r.raw, r.row, records.dialect))
    fout.write(records.rest())
