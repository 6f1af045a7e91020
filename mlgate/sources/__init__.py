"""Reading what the hooks check, safely: one module per format with its reader (and, next to
it, the rewriter `mlgate pii scrub` uses), and the file-safety layer they all open files with.
Nothing here executes or unpickles what it reads.

    files.py      regular files only, size caps, encodings, binary content, LFS pointers
    stream.py     the Cell, the read status, a capped decoded text stream
    records.py    iter_records(path, max_bytes): the cells of a data sample, by format
    text.py  delimited.py  jsontext.py  notebook.py  parquet.py   the formats
"""

from mlgate.sources.delimited import sniff_csv_dialect
from mlgate.sources.files import (
    SourceError,
    TextSource,
    display_path,
    is_lfs_pointer,
    read_head,
    read_text,
    sniff_encoding,
)
from mlgate.sources.records import RecordReader, iter_records, record_format
from mlgate.sources.stream import Cell, ReadStatus

__all__ = ["Cell", "ReadStatus", "RecordReader", "SourceError", "TextSource", "display_path",
           "is_lfs_pointer", "iter_records", "read_head", "read_text", "record_format",
           "sniff_csv_dialect", "sniff_encoding"]
