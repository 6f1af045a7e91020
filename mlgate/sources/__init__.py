"""Reading what the hooks check, safely: one module per format with its reader (and, next to
it, the rewriter `mlgate pii scrub` uses), and the file-safety layer they all open files with.
Nothing here executes or unpickles what it reads.

    files.py      regular files only, size caps, encodings, binary content, LFS pointers
    stream.py     the Cell, the read status, a capped decoded text stream
    records.py    iter_records(path, max_bytes): the cells of a data sample, by format
    text.py  delimited.py  jsontext.py  notebook.py  parquet.py   the formats
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> module: imported on first use, so that a hook that reads text (secrets) does not
# import every format's reader
_PUBLIC = {
    "SourceError": "files", "TextSource": "files", "display_path": "files",
    "is_lfs_pointer": "files", "read_head": "files", "read_text": "files",
    "sniff_encoding": "files", "RecordReader": "records", "iter_records": "records",
    "record_format": "records", "Cell": "stream", "ReadStatus": "stream",
    "sniff_csv_dialect": "delimited",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'mlgate.sources' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mlgate.sources.{module}"), name)
