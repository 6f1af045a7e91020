"""`iter_records(path, max_bytes)`: the values of a data sample as Cells, by format.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from mlgate.sources.delimited import _iter_csv
from mlgate.sources.jsontext import _iter_json
from mlgate.sources.notebook import _iter_notebook
from mlgate.sources.parquet import _iter_parquet
from mlgate.sources.stream import Cell, ReadStatus
from mlgate.sources.text import _iter_text

_FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json", ".parquet": "parquet", ".ipynb": "ipynb",
}


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


def iter_records(path: str | os.PathLike[str], max_bytes: int, *, fmt: str | None = None
                 ) -> RecordReader:
    """The values of a data sample, by extension: .csv, .tsv, .jsonl/.ndjson, .json, .parquet,
    .ipynb; anything else is read as text lines (`fmt` names the format instead: a
    temporary copy has no telling extension).

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
    return RecordReader(path, max_bytes, fmt or record_format(path))
