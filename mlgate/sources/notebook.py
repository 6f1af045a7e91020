"""Jupyter notebooks: the cell sources and text outputs of an .ipynb file, read as JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlgate.sources.files import SourceError
from mlgate.sources.jsontext import _json_events
from mlgate.sources.stream import _CHUNK, _STR_PIECE, Cell, _text_io_errors, _TextInput

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


_NB_OUTPUT_TEXT = frozenset({"text", "traceback", "evalue", "html", "latex", "markdown"})


def _notebook_wants(path: tuple[str | None, ...]) -> bool:
    """Cell sources and the textual parts of outputs (nbformat 4, and 3's worksheets)."""
    if path[:2] == ("worksheets", None):
        path = path[2:]
    # a value straight under `cells` or a cell's `outputs` that is no list item: the shape is
    # wrong, and what it holds would not be read (fail closed, never a silent pass)
    if path[:1] == ("cells",) and (len(path) == 1 or path[1] is not None):
        raise SourceError("not a Jupyter notebook: 'cells' is not a list")
    if len(path) >= 3 and path[0] == "cells" and path[2] == "outputs" and \
            (len(path) == 3 or path[3] is not None):
        raise SourceError("not a Jupyter notebook: a cell's 'outputs' is not a list")
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
    return _text_io_errors(_joined(_notebook_cells(rr)))


def _joined(cells: Iterator[Cell]) -> Iterator[Cell]:
    """The items of one list joined as nbformat joins them, where an item does not end a line:
    a value split across two items (`["mail ann@exa", "mple.com\\n"]`) is one text. Items that
    end with a line break, as nbformat writes them, stay one cell each. A joined cell stands
    at the first item's line; its column is that of the first item only when it is one item.
    Keys are the tokenizer's container numbers here; notebook cells have none (None)."""
    pending: Cell | None = None
    for cell in cells:
        if (pending is not None and cell.key is not None and cell.key == pending.key
                and not pending.text.endswith(("\n", "\r"))
                and len(pending.text) < _STR_PIECE):
            pending = Cell(pending.text + cell.text, pending.line, None, pending.key)
            continue
        if pending is not None:
            yield pending._replace(key=None)
        pending = cell
    if pending is not None:
        yield pending._replace(key=None)


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
