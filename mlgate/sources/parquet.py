"""Parquet (extra `parquet`): the values of string, integer and nested columns, row by row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mlgate.sources.files import LFS_POINTER, SourceError, _open_binary, _short, is_lfs_pointer
from mlgate.sources.stream import Cell, ReadStatus, Rewrite

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


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
    # binary columns often hold text (bytes written by a tokenizer, encoded JSON): read as
    # UTF-8, like any other value, rather than passed unread
    if types.is_binary(t) or types.is_large_binary(t) or types.is_fixed_size_binary(t):
        return True
    for view in ("is_string_view", "is_binary_view"):
        if getattr(types, view, None) and getattr(types, view)(t):
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
        if isinstance(v, bytes):
            v = v.decode("utf-8", errors="replace")
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
                        or pa.types.is_binary(t) or pa.types.is_large_binary(t)
                        or pa.types.is_fixed_size_binary(t)
                        or (getattr(pa.types, "is_string_view", None)
                            and pa.types.is_string_view(t)))
                values = col.to_pylist()
                if flat:
                    for i, v in enumerate(values, row0 + 1):
                        if v is None or v == "" or v == b"":
                            continue
                        if isinstance(v, bytes):
                            v = v.decode("utf-8", errors="replace")
                        yield Cell(v if isinstance(v, str) else str(v), i, None, name)
                else:
                    for i, v in enumerate(values, row0 + 1):
                        if v is not None:
                            yield from _walk_value(v, name, i)
            row0 += batch.num_rows
    finally:
        rr.status = ReadStatus(truncated=truncated, bytes_read=bytes_read)


# --- the rewriter (`mlgate pii scrub`) ---------------------------------------------------------

def rewrite_parquet(source: Path, dest: BinaryIO, rewrite: Rewrite) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError("parquet support needs the 'parquet' extra: "
                           "pip install 'mlgate[parquet]'") from None

    def wanted(t: Any) -> bool:  # the column types `mlgate pii` checks
        return _parquet_wanted(t, pa)

    def walk(value: Any, key: str | None) -> Any:
        if isinstance(value, str):
            return rewrite(value, key)
        if isinstance(value, bytes):  # read as UTF-8 by the hook; rewritten as UTF-8
            text = value.decode("utf-8", errors="replace")
            new = rewrite(text, key)
            return value if new == text else new.encode("utf-8")
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):  # an integer that is PII cannot hold a tag: null
            return value if rewrite(str(value), key) == str(value) else None
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
        raise SourceError("Git LFS pointer, not the parquet content (git lfs pull)")
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
        raise SourceError(f"not a readable parquet file ({type(e).__name__})") from None

