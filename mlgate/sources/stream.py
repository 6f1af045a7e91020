"""What every record reader shares: the Cell, the read status, and a capped, decoded text
stream over a file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple, Protocol, cast

from mlgate.fileio import open_regular
from mlgate.sources.files import SourceError, _open_binary, sniff_encoding, text_encoding

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


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


_FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSONL", "json": "JSON",
                 "parquet": "parquet", "ipynb": "a notebook", "text": "text"}


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


class Rewrite(Protocol):
    """What a rewriter passes each value through: the new text of a value (standing under
    `key`); JSON object keys are rewritten with mode "pseudonym", so that keys stay unique."""

    def __call__(self, text: str, key: str | None = None, mode: str | None = None) -> str: ...


# --- the rewriter (`mlgate pii scrub`) ---------------------------------------------------------

_SNIFF_BYTES = 64 * 1024


class _Encoding:
    def __init__(self, bom: bytes, codec: str) -> None:
        self.bom = bom
        self.codec = codec
        # invalid UTF-8 bytes round-trip unchanged; UTF-16/32 must decode cleanly
        self.errors = "surrogateescape" if codec == "utf-8" else "strict"


def _sniff(head: bytes) -> _Encoding:
    """The reader's encoding (text_encoding); a head without a BOM that is mostly invalid
    UTF-8 is binary to a rewriter, which must write back what it read."""
    found = text_encoding(head)
    if found is None:
        raise SourceError("binary content, not text")
    if found[0]:
        return _Encoding(*found)
    sample = head[:8192].decode("utf-8", errors="replace")
    if sample.count("\ufffd") > max(16, len(sample) * 3 // 10):
        raise SourceError("binary content, not text")
    return _Encoding(b"", "utf-8")


MAX_REWRITE_LINE = 1 << 24  # characters: a longer "line" is not text a data sample holds


class _TextOnly:
    """A rewriter's decoded input that refuses what is not text: a NUL character anywhere (the
    binary check of the head reads 8 KiB only), or a line longer than MAX_REWRITE_LINE
    characters, read in bounded pieces (a 1 GB line never sits in memory)."""

    def __init__(self, f: IO[str]) -> None:
        self._f = f
        self.lineno = 0

    def _checked(self, text: str) -> str:
        if "\0" in text:
            raise SourceError(f"binary content (a NUL character) at line {self.lineno + 1}: "
                              "not text, not scrubbed")
        return text

    def readline(self, size: int = -1) -> str:
        line = self._checked(self._f.readline(MAX_REWRITE_LINE + 1))
        if len(line) > MAX_REWRITE_LINE and not line.endswith(("\n", "\r")):
            raise SourceError(f"line {self.lineno + 1} is longer than {MAX_REWRITE_LINE:,} "
                              "characters: not text a data sample holds, not scrubbed")
        if line:
            self.lineno += 1
        return line

    def read(self, size: int = -1) -> str:
        return self._checked(self._f.read(size))

    def __iter__(self) -> _TextOnly:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


@contextmanager
def rewrite_streams(source: Path, raw_out: BinaryIO) -> Iterator[tuple[IO[str], IO[str], str]]:
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
            yield cast(IO[str], _TextOnly(fin)), fout, sample
            fout.flush()
        except UnicodeError:
            raise SourceError(f"not valid {enc.codec.upper()} text") from None
        finally:
            fin.detach()
            fout.detach()

