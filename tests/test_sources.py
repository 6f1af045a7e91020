"""Record readers of data samples (mlgate.sources.iter_records) on real files written here."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgate import sources
from mlgate.sources import Cell, ReadStatus, SourceError, iter_records, jsontext, stream

MB = 1 << 20



def reader_constant(name: str, value: int) -> contextlib.ExitStack:
    """Patch a reader constant in every module of mlgate.sources that reads it."""
    import importlib

    stack = contextlib.ExitStack()
    for mod in ("stream", "text", "delimited", "jsontext", "notebook", "parquet"):
        module = importlib.import_module(f"mlgate.sources.{mod}")
        if hasattr(module, name):
            stack.enter_context(mock.patch.object(module, name, value))
    return stack

def read_all(path: Path, max_bytes: int = 50 * MB) -> tuple[list[Cell], ReadStatus]:
    reader = iter_records(path, max_bytes)
    cells = list(reader)
    return cells, reader.status


def by_text(cells: list[Cell]) -> dict[str, Cell]:
    return {c.text: c for c in cells}


def at(path: Path, cell: Cell) -> str:
    """The file text from the cell's line and column on."""
    line = path.read_text(encoding="utf-8").split("\n")[cell.line - 1]
    assert cell.column is not None
    return line[cell.column - 1:]


# --- CSV / TSV ------------------------------------------------------------------------------

def test_csv_with_header_keys_lines_columns(tmp_path: Path) -> None:
    p = tmp_path / "users.csv"
    p.write_text("name,email,phone\nAnn Lee,ann@corp.test,+1 202 555 0143\n"
                 "Bob,bob@corp.test,\n", encoding="utf-8")
    cells, status = read_all(p)
    c = by_text(cells)
    assert c["ann@corp.test"] == Cell("ann@corp.test", 2, 9, "email")
    assert c["+1 202 555 0143"].key == "phone"
    assert c["bob@corp.test"] == Cell("bob@corp.test", 3, 5, "email")
    # the header row itself is yielded too, without a key
    assert c["email"] == Cell("email", 1, 6, None)
    assert "" not in c  # empty fields are not yielded
    assert status == ReadStatus(truncated=False, bytes_read=p.stat().st_size)
    for cell in cells:
        assert at(p, cell).startswith(cell.text)


def test_tsv(tmp_path: Path) -> None:
    p = tmp_path / "d.tsv"
    p.write_text('id\ttext\n1\tsays "hi" to a@b.test\n2\tplain\n', encoding="utf-8")
    c = by_text(read_all(p)[0])
    assert c['says "hi" to a@b.test'] == Cell('says "hi" to a@b.test', 2, 3, "text")
    assert c["plain"].line == 3


def test_tsv_stray_quote_does_not_swallow_rows(tmp_path: Path) -> None:
    p = tmp_path / "d.tsv"
    p.write_text('id\ttext\n1\t"unbalanced\n2\tx@y.test\n', encoding="utf-8")
    c = by_text(read_all(p)[0])
    assert c["x@y.test"] == Cell("x@y.test", 3, 3, "text")


def test_semicolon_csv_is_sniffed(tmp_path: Path) -> None:
    p = tmp_path / "eu.csv"
    p.write_text("Name;E-Mail;Betrag\nMüller;m@x.test;1,50\nSchmidt;s@x.test;2,75\n",
                 encoding="utf-8")
    c = by_text(read_all(p)[0])
    assert c["m@x.test"] == Cell("m@x.test", 2, 8, "E-Mail")
    assert c["1,50"].key == "Betrag"


def test_multiline_quoted_fields_lines_and_columns(tmp_path: Path) -> None:
    p = tmp_path / "notes.csv"
    rows = [["id", "note", "email"],
            ["1", "first line\nsecond line\nthird", "a@x.test"],
            ["2", 'say "hi"\r\nagain', "b@x.test"],
            ["3", "one", "c@x.test"]]
    with p.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    cells, _ = read_all(p)
    c = by_text(cells)
    assert c["first line\nsecond line\nthird"] == Cell("first line\nsecond line\nthird", 2, 4,
                                                       "note", physical_breaks=True)
    assert c["a@x.test"] == Cell("a@x.test", 4, 8, "email", True)  # after the 3-line field
    assert c['say "hi"\r\nagain'].line == 5
    assert c["b@x.test"] == Cell("b@x.test", 6, 8, "email", True)
    assert c["c@x.test"] == Cell("c@x.test", 7, 7, "email")
    raw = p.read_bytes().decode().replace("\r\n", "\n").split("\n")
    for cell in (c["a@x.test"], c["b@x.test"], c["c@x.test"]):
        assert raw[cell.line - 1][cell.column - 1:].startswith(cell.text)


def test_ragged_rows(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("a,b\n1\n2,3,4,5\n\n6,7\n", encoding="utf-8")
    cells, _ = read_all(p)
    got = [(c.text, c.line, c.key) for c in cells]
    assert ("1", 2, "a") in got
    assert ("5", 3, None) in got  # beyond the header: no key
    assert ("7", 5, "b") in got


def test_csv_without_header_has_no_keys(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text("a@x.test,+1 202 555 0143\nb@x.test,+1 202 555 0188\n", encoding="utf-8")
    cells, _ = read_all(p)
    assert [c.key for c in cells] == [None] * 4
    assert cells[0] == Cell("a@x.test", 1, 1, None)


def test_csv_single_column_and_text_headers(tmp_path: Path) -> None:
    p = tmp_path / "one.csv"
    p.write_text("email\na@x.test\nb@x.test\n", encoding="utf-8")
    assert [(c.text, c.key) for c in read_all(p)[0]] == [
        ("email", None), ("a@x.test", "email"), ("b@x.test", "email")]
    p.write_text("name,city\nAnn Lee,Paris\nBo,Rome\n", encoding="utf-8")
    assert by_text(read_all(p)[0])["Paris"].key == "city"


def test_csv_huge_field_is_bounded_by_max_bytes(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    big = "x" * 300_000
    p.write_text(f'a,b\n"{big}",y@x.test\n', encoding="utf-8")
    c = by_text(read_all(p)[0])
    assert c[big].line == 2 and c["y@x.test"].key == "b"
    cells, status = read_all(p, max_bytes=1000)
    assert status.truncated and status.bytes_read == 1000


def test_binary_renamed_csv(tmp_path: Path) -> None:
    p = tmp_path / "model.csv"
    p.write_bytes(b"PK\x03\x04\x00\x00binary\x00stuff" * 10)
    with pytest.raises(SourceError, match="binary content, not CSV"):
        read_all(p)


def test_utf16_csv_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes("name,email\nJöhn,j@x.test\n".encode("utf-16"))
    c = by_text(read_all(p)[0])
    assert c["Jöhn"] == Cell("Jöhn", 2, 1, "name")
    assert c["j@x.test"].key == "email"


def test_utf8_bom_and_invalid_utf8(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_bytes(b"\xef\xbb\xbfid,email\n1,a\xffb@x.test\n")
    c = by_text(read_all(p)[0])
    assert c["a\ufffdb@x.test"].key == "email"
    assert "id" in c  # the BOM is not part of the first header name
    t = tmp_path / "t.txt"
    t.write_bytes(b"ok\n\xc3\x28 bad \xff\n")
    assert [x.text for x in read_all(t)[0]] == ["ok", "\ufffd( bad \ufffd"]


# --- text -----------------------------------------------------------------------------------

def test_text_lines(tmp_path: Path) -> None:
    p = tmp_path / "README.md"
    p.write_bytes(b"# Title\r\n\r\nmail me: a@x.test\rlast")
    cells, status = read_all(p)
    assert cells == [Cell("# Title", 1, 1, None), Cell("mail me: a@x.test", 3, 1, None),
                     Cell("last", 4, 1, None)]
    assert not status.truncated


def test_text_long_line_in_pieces(tmp_path: Path) -> None:
    p = tmp_path / "min.txt"
    text = "".join(f"{i:07d} " for i in range(400))
    p.write_text("short\n" + text + "\nend", encoding="utf-8")
    with reader_constant("_STR_PIECE", 500):
        cells, _ = read_all(p)
    assert cells[0] == Cell("short", 1, 1, None) and cells[-1] == Cell("end", 3, 1, None)
    pieces = cells[1:-1]
    assert len(pieces) > 5 and {c.line for c in pieces} == {2}
    for c in pieces:  # columns are exact, and every piece overlaps the one before
        assert c.column is not None and text[c.column - 1:].startswith(c.text)
    cols = [(c.column or 0, len(c.text)) for c in pieces]
    assert all(a + n > b for (a, n), (b, _) in zip(cols, cols[1:], strict=False))
    assert cols[-1][0] + cols[-1][1] == len(text) + 1


def test_text_truncated(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("line\n" * 1000, encoding="utf-8")
    cells, status = read_all(p, max_bytes=52)
    assert status == ReadStatus(truncated=True, bytes_read=52)
    assert len(cells) == 11 and cells[-1].text == "li"
    cells, status = read_all(p, max_bytes=5000)
    assert status == ReadStatus(truncated=False, bytes_read=5000)


# --- JSON -----------------------------------------------------------------------------------

RECORDS = [
    {"id": 1, "user": {"name": "Ann", "contact": {"email": "ann@x.test", "phone": 12025550143}},
     "tags": ["a", "b"], "score": 0.5, "ok": True, "none": None},
    {"id": 2, "user": {"name": "Bob", "contact": {"email": "bob@x.test"}}, "tags": []},
]


def test_json_pretty_nested_keys_and_lines(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text(json.dumps(RECORDS, indent=2), encoding="utf-8")
    cells, _ = read_all(p)
    lines = p.read_text().split("\n")
    c = by_text(cells)
    email = c["ann@x.test"]
    assert email.key == "email"
    assert lines[email.line - 1] == '        "email": "ann@x.test",'
    assert email.column == 19
    assert c["12025550143"].key == "phone"  # numbers are values too, as their literal
    assert c["0.5"].key == "score"
    assert c["a"].key == "tags" and c["b"].key == "tags"  # array items: the array's key
    assert "True" not in c and "true" not in c  # literals are not values
    assert c["bob@x.test"].line == lines.index('        "email": "bob@x.test"') + 1
    for cell in cells:
        assert at(p, cell).startswith(cell.text)


def test_json_minified_one_line(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    text = json.dumps(RECORDS, separators=(",", ":"))
    p.write_text(text, encoding="utf-8")
    cells, _ = read_all(p)
    assert {c.line for c in cells} == {1}
    c = by_text(cells)
    assert c["bob@x.test"].column == text.index("bob@x.test") + 1
    assert c["12025550143"].column == text.index("12025550143") + 1


def test_json_escapes_and_unicode(tmp_path: Path) -> None:
    p = tmp_path / "e.json"
    text = '{"q\\"k": "a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00", "ü": "日本 tel 555"}\n'
    p.write_text(text, encoding="utf-8")
    cells, _ = read_all(p)
    c = by_text(cells)
    assert c['a"b\\c\né😀'].key == 'q"k'
    assert c["日本 tel 555"] == Cell("日本 tel 555", 1, text.index("日") + 1, "ü")


def test_json_keys_that_may_be_pii_are_values(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"users": {"ann@x.test": {"age": 3}}}, indent=1), encoding="utf-8")
    c = by_text(read_all(p)[0])
    assert c["ann@x.test"] == Cell("ann@x.test", 3, 4, "users")
    assert "users" not in c and "age" not in c  # plain words are not


def test_json_duplicate_keys_keep_every_value(tmp_path: Path) -> None:
    p = tmp_path / "dup.json"
    p.write_text('[{"a": "x@y.test",\n  "a": "z@y.test"}, {"b": 1, "b": 2}]', encoding="utf-8")
    assert [(c.text, c.line, c.column, c.key) for c in read_all(p)[0]] == [
        ("x@y.test", 1, 9, "a"), ("z@y.test", 2, 9, "a"), ("1", 2, 27, "b"),
        ("2", 2, 35, "b")]


def test_json_several_top_level_values_and_empty(tmp_path: Path) -> None:
    p = tmp_path / "actually_lines.json"
    p.write_text('{"a": "x"}\n{"a": "y"}\n', encoding="utf-8")
    assert [(c.text, c.line) for c in read_all(p)[0]] == [("x", 1), ("y", 2)]
    e = tmp_path / "empty.json"
    e.write_text("  \n", encoding="utf-8")
    assert read_all(e)[0] == []


@pytest.mark.parametrize("doc, message", [
    ('[1, 2', "line 1: unexpected end of input, '[' not closed"),
    ('{"a": [1, 2}', "line 1: expected ',' or ']', found '}'"),
    ('[1, 2]]', "line 1: expected a value, found ']'"),
    ('{"a": "unterminated}\n', "line 1: unterminated string"),
    ('[\n1,\nnope\n]', "line 3: expected a value, found 'nope'"),
    ('{"a" 1}', "line 1: expected ':', found '1'"),
    ('{"a": 1,}', "line 1: expected a key, found '}'"),
    ('[1,]', "line 1: expected a value, found ']'"),
    ('["bad \\x escape"]', "line 1: invalid escape in string"),
    ('{1: 2}', "line 1: expected a key or '}', found '1'"),
    ('[01]', "line 1: expected ',' or ']', found '1'"),
])
def test_malformed_json(tmp_path: Path, doc: str, message: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(doc, encoding="utf-8")
    with pytest.raises(SourceError) as e:
        read_all(p)
    assert str(e.value) == "not valid JSON at " + message


def test_jsonl_bad_line(tmp_path: Path) -> None:
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "a@x.test"}\n{"text": broken}\n{"text": "c"}\n', encoding="utf-8")
    seen: list[Cell] = []
    with pytest.raises(SourceError, match=r"^not valid JSON at line 2: "):
        seen.extend(iter_records(p, MB))
    assert seen == [Cell("a@x.test", 1, 11, "text")]  # cells before the error were yielded
    p.write_text('{"text": "a"}\n{"text": "b"\n{"text": "c"}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"^not valid JSON at line 2: Expecting ',' delimiter "
                                          r"\(column 13\)$"):
        read_all(p)


def test_jsonl_records(tmp_path: Path) -> None:
    p = tmp_path / "chat.ndjson"
    lines = [json.dumps({"messages": [{"role": "user", "content": f"mail {i}@x.test"}],
                         "n": i}) for i in range(50)]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cells, _ = read_all(p)
    contents = [c for c in cells if c.key == "content"]
    assert [c.line for c in contents] == list(range(1, 51))
    assert all(at(p, c).startswith(c.text) for c in cells)


def test_jsonl_fast_path_falls_back_where_unsure(tmp_path: Path) -> None:
    p = tmp_path / "d.jsonl"
    deep = "[" * 3000 + '"deep@x.test"' + "]" * 3000
    p.write_text('{"a": "x@y.test", "a": "second@y.test"}\n'  # duplicate keys: both values
                 + deep + "\n"  # too deep for json.loads: the tokenizer reads it
                 + '{"n": -0, "big": ' + "9" * 5000 + ', "e": "tab\\there\\u00e9"}\n'
                 + '{"cut": "partial value',  # no newline at the end: invalid, not truncated
                 encoding="utf-8")
    seen: list[Cell] = []
    with pytest.raises(SourceError, match="^not valid JSON at line 4: unterminated string$"):
        seen.extend(iter_records(p, MB))
    c = by_text(seen)
    assert c["x@y.test"] == Cell("x@y.test", 1, 8, "a")
    assert c["second@y.test"] == Cell("second@y.test", 1, 25, "a")
    assert c["deep@x.test"] == Cell("deep@x.test", 2, 3002, None)
    assert c["-0"] == Cell("-0", 3, 7, "n")
    assert c["9" * 5000].key == "big"
    assert c["tab\there\u00e9"] == Cell("tab\there\u00e9", 3, 5026, "e")
    cells, status = read_all(p, max_bytes=p.stat().st_size - 3)
    assert status.truncated and cells[-1] == Cell("partial va", 4, 10, "cut")


def test_json_across_chunk_boundaries(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    doc = json.dumps([{"k": "v" * i, "n": -12.5e3, "t": True, "e": "\\u00e9\n"}
                      for i in range(40)], indent=1)
    p.write_text(doc, encoding="utf-8")
    whole, _ = read_all(p)
    for chunk in (1, 2, 3, 7, 64):
        with reader_constant("_CHUNK", chunk):
            assert read_all(p)[0] == whole


def test_large_single_line_json_truncated_fast(tmp_path: Path) -> None:
    p = tmp_path / "huge.json"
    record = json.dumps({"text": "lorem ipsum " * 8, "email": "a@x.test", "n": 1234})
    with p.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for _ in range(30 * MB // (len(record) + 2)):
            fh.write(record + ", ")
        fh.write(record + "]")
    assert p.stat().st_size > 29 * MB
    t = time.perf_counter()
    cells, status = read_all(p, max_bytes=2 * MB)
    assert time.perf_counter() - t < 5
    assert status == ReadStatus(truncated=True, bytes_read=2 * MB)
    assert {c.line for c in cells} == {1}
    assert sum(c.key == "email" for c in cells) > 10_000


def test_huge_string_literal_is_yielded_in_pieces(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    text = "".join(f"{i:07d} " for i in range(400))  # 3200 characters
    p.write_text(json.dumps({"k": [text, "after"]}), encoding="utf-8")
    with reader_constant("_CHUNK", 100), \
            reader_constant("_STR_PIECE", 500):
        cells, _ = read_all(p)
    pieces = [c for c in cells if c.text != "after"]
    assert len(pieces) > 3 and all(c.key == "k" and c.line == 1 for c in pieces)
    assert pieces[0].column == 9 and all(c.column is None for c in pieces[1:])
    assert all(len(c.text) < 1500 for c in pieces)
    # every piece after the first repeats the tail of the one before: nothing is cut
    joined = pieces[0].text
    for c in pieces[1:]:
        overlap = len(c.text) - (len(text) - len(joined)) if c is pieces[-1] else None
        assert joined.endswith(c.text[:stream._PIECE_OVERLAP]) or overlap
        joined += c.text[stream._PIECE_OVERLAP:]
    assert joined == text
    assert cells[-1] == Cell("after", 1, len(text) + 13, "k")


def test_truncated_json_yields_the_partial_string(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text('{"a": "x@y.test and more", "b": 1}', encoding="utf-8")
    cells, status = read_all(p, max_bytes=16)
    assert status.truncated
    assert cells == [Cell("x@y.test ", 1, 8, "a")]


# --- parquet --------------------------------------------------------------------------------

def write_parquet(path: Path, **kw: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "email": ["a@x.test", None, "c@x.test"],
        "phone": [12025550143, 2, None],
        "loss": [0.1, 0.2, 0.3],
        "msgs": [[{"role": "user", "content": "hi b@x.test"}], [], None],
    })
    pq.write_table(table, path, **kw)


def test_parquet(tmp_path: Path) -> None:
    p = tmp_path / "d.parquet"
    write_parquet(p, row_group_size=2)
    cells, status = read_all(p)
    got = {(c.text, c.line, c.key) for c in cells}
    assert ("a@x.test", 1, "email") in got and ("c@x.test", 3, "email") in got
    assert ("12025550143", 1, "phone") in got and ("2", 2, "phone") in got
    assert ("hi b@x.test", 1, "content") in got and ("user", 1, "role") in got
    assert not any(c.key == "loss" for c in cells)  # floats are never PII
    assert all(c.column is None for c in cells)
    assert not status.truncated and status.bytes_read > 0


def test_parquet_truncated_invalid_missing_extra(tmp_path: Path) -> None:
    p = tmp_path / "d.parquet"
    write_parquet(p)
    data = p.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="^truncated parquet file$"):
        read_all(cut)
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet at all")
    with pytest.raises(SourceError, match="^not a parquet file$"):
        read_all(junk)
    lfs = tmp_path / "lfs.parquet"
    lfs.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n")
    with pytest.raises(SourceError, match="Git LFS pointer"):
        read_all(lfs)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    with pytest.raises(SourceError, match="invalid parquet file"):
        read_all(broken)
    with mock.patch.dict(sys.modules, {"pyarrow": None, "pyarrow.parquet": None}), \
            pytest.raises(SourceError, match=r"needs the 'parquet' extra: pip install "):
        read_all(p)


def test_parquet_stops_at_max_bytes(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "big.parquet"
    pq.write_table(pa.table({"t": [f"row {i}" for i in range(50_000)]}), p,
                   row_group_size=10_000)
    cells, status = read_all(p, max_bytes=1000)
    assert status.truncated and 0 < len(cells) < 50_000
    assert [c.line for c in cells[:3]] == [1, 2, 3]


# --- notebooks ------------------------------------------------------------------------------

def notebook() -> dict[str, Any]:
    return {
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {},
             "source": ["# Demo\n", "Contact: ann@x.test\n"],
             "attachments": {"i.png": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}}},
            {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {},
             "source": ["df = load()\n", "df.head()"],
             "outputs": [
                 {"name": "stdout", "output_type": "stream",
                  "text": ["loaded 3 rows\n", "first: bob@x.test\n"]},
                 {"data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
                           "text/plain": ["   email\n", "0  carl@x.test"],
                           "text/html": ["<td>dora@x.test</td>"],
                           "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}},
                  "execution_count": 1, "metadata": {}, "output_type": "execute_result"},
                 {"ename": "ValueError", "evalue": "bad eve@x.test", "output_type": "error",
                  "traceback": ["Traceback:\n", "ValueError: bad eve@x.test"]},
             ]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def test_notebook_sources_and_outputs_with_file_lines(tmp_path: Path) -> None:
    p = tmp_path / "demo.ipynb"
    p.write_text(json.dumps(notebook(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    cells, _ = read_all(p)
    texts = [c.text for c in cells]
    for want in ("Contact: ann@x.test\n", "df.head()", "first: bob@x.test\n", "0  carl@x.test",
                 "<td>dora@x.test</td>", "bad eve@x.test", "ValueError: bad eve@x.test"):
        assert want in texts
    assert not any(t.startswith("iVBOR") for t in texts)  # images are skipped
    assert "abc" not in texts and "python3" not in texts and "ValueError" not in texts
    assert all(c.key is None for c in cells)
    lines = p.read_text().split("\n")
    for c in cells:
        assert lines[c.line - 1].strip().rstrip(",").endswith(json.dumps(c.text))
        assert at(p, c).startswith(json.dumps(c.text)[1:4])


def test_minified_notebook(tmp_path: Path) -> None:
    p = tmp_path / "min.ipynb"
    text = json.dumps(notebook())
    p.write_text(text, encoding="utf-8")
    cells, _ = read_all(p)
    c = by_text(cells)
    assert {x.line for x in cells} == {1}
    assert c["first: bob@x.test\n"].column == text.index("first: bob@x.test") + 1


def test_invalid_notebook(tmp_path: Path) -> None:
    p = tmp_path / "bad.ipynb"
    p.write_text('{"cells": [{"source": ["x"]}, ', encoding="utf-8")
    with pytest.raises(SourceError, match=r"^notebook is not valid JSON \(at line 1: "):
        read_all(p)
    p.write_text("print('not a notebook')", encoding="utf-8")
    with pytest.raises(SourceError, match=r"^notebook is not valid JSON"):
        read_all(p)
    p.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match=r"^notebook is not valid JSON"):
        read_all(p)


# --- paths ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a.csv", "a.json", "a.jsonl", "a.parquet", "a.ipynb", "a.txt"])
def test_symlink_missing_directory(tmp_path: Path, name: str) -> None:
    target = tmp_path / ("target" + Path(name).suffix)
    target.write_text("x\n", encoding="utf-8")
    link = tmp_path / name
    os.symlink(target, link)
    reader = iter_records(link, MB)  # never raises itself
    with pytest.raises(SourceError, match="^symbolic link, not followed$"):
        list(reader)
    with pytest.raises(SourceError, match="^no such file$"):
        read_all(tmp_path / ("missing" + Path(name).suffix))
    d = tmp_path / ("dir" + Path(name).suffix)
    d.mkdir()
    with pytest.raises(SourceError, match=r"^not a regular file \(a directory\)$"):
        read_all(d)


def test_record_format_by_extension() -> None:
    assert [sources.record_format(n) for n in
            ("a.CSV", "b.tsv", "c.jsonl", "d.ndjson", "e.json", "f.parquet", "g.ipynb",
             "h.md", "i")] == ["csv", "tsv", "jsonl", "jsonl", "json", "parquet", "ipynb",
                               "text", "text"]


# --- properties -----------------------------------------------------------------------------

json_scalars = (st.text(max_size=12) | st.integers(-10**20, 10**20)
                | st.floats(allow_nan=False, allow_infinity=False) | st.booleans() | st.none())
json_docs = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=4),
    max_leaves=25)


def expected_cells(value: Any, key: str | None = None) -> list[tuple[str, str | None, bool]]:
    """(text, key, is_string) for what the reader must yield, in document order."""
    out: list[tuple[str, str | None, bool]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k and not jsontext._PLAIN_KEY.fullmatch(k):
                out.append((k, key, True))
            out.extend(expected_cells(v, k))
    elif isinstance(value, list):
        for v in value:
            out.extend(expected_cells(v, key))
    elif isinstance(value, str):
        if value:
            out.append((value, key, True))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.append((json.dumps(value), key, False))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=json_docs, indent=st.sampled_from([None, 0, 1, 2, "\t"]),
       ascii_only=st.booleans(), chunk=st.sampled_from([1, 3, 16, MB]))
def test_property_streaming_json_matches_json_loads(tmp_path_factory: pytest.TempPathFactory,
                                                    doc: Any, indent: Any, ascii_only: bool,
                                                    chunk: int) -> None:
    p = tmp_path_factory.mktemp("prop") / "doc.json"
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    # dict keys of a generated document are unique, so json.loads(text) == doc
    p.write_text(text, encoding="utf-8")
    with reader_constant("_CHUNK", chunk):
        cells, status = read_all(p)
    assert not status.truncated
    expected = expected_cells(json.loads(text))
    assert [(c.text, c.key) for c in cells] == [(t, k) for t, k, _ in expected]
    # the same documents one per line as JSONL (json.loads per line) read the same
    lp = p.with_suffix(".jsonl")
    one_line = json.dumps(doc, ensure_ascii=ascii_only)
    lp.write_text(f"{one_line}\n\n{one_line}\n", encoding="utf-8")
    same = lp.with_name("same.json")  # the tokenizer reads a sequence of values too
    same.write_bytes(lp.read_bytes())
    assert read_all(lp)[0] == read_all(same)[0]
    lines = text.split("\n")
    decoder = json.JSONDecoder()
    for c, (_, _, is_string) in zip(cells, expected, strict=True):
        assert c.column is not None
        line = lines[c.line - 1]
        if is_string:
            assert line[c.column - 2] == '"'
            assert decoder.raw_decode(line, c.column - 2)[0] == c.text
        else:
            assert line[c.column - 1:].startswith(c.text)


_fields = st.lists(st.sampled_from(list('ab \t"\n\ré,')), max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_fields, min_size=1, max_size=4), min_size=1, max_size=6),
       quote_all=st.booleans(), crlf=st.booleans())
def test_property_tsv_lines_and_columns(tmp_path_factory: pytest.TempPathFactory,
                                        rows: list[list[str]], quote_all: bool,
                                        crlf: bool) -> None:
    """Every field of a table written by csv.writer is yielded, with its key, at the line
    and column of the file where its text stands (quoted multi-line fields included)."""
    header = ["h0", "h1", "h2"]
    out = io.StringIO()
    csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
               lineterminator="\r\n" if crlf else "\n").writerows([header, *rows])
    text = out.getvalue()
    p = tmp_path_factory.mktemp("tsv") / "t.tsv"
    p.write_bytes(text.encode("utf-8"))
    cells, _ = read_all(p)
    # what the csv module itself reads back (a bare "\r" is not quoted by the writer)
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    expected = [(h, None) for h in header] + [
        (v, header[j] if j < 3 else None) for row in table[1:] for j, v in enumerate(row) if v]
    assert [(c.text, c.key) for c in cells] == expected
    lines = re.split(r"\r\n|\r|\n", text)
    for c in cells:
        assert c.column is not None
        # the file at (line, column) holds the text, up to its first doubled quote
        here = "\n".join(lines[c.line - 1:])[c.column - 1:]
        want = re.split(r"\r\n|\r|\n", c.text)
        assert re.split(r"\r\n|\r|\n", here)[: len(want)][0].startswith(want[0].split('"')[0])
        got = "\n".join(re.split(r"\r\n|\r|\n", here)[: len(want)])
        assert got.startswith("\n".join(want).split('"')[0])


def is_json_sequence(text: str) -> bool:
    """Whether text is whitespace-separated JSON values (what the .json reader accepts)."""
    decoder = json.JSONDecoder(strict=False)
    pos, ws = 0, " \t\n\r"
    while True:
        while pos < len(text) and text[pos] in ws:
            pos += 1
        if pos == len(text):
            return True
        try:
            _, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet='{}[]:,"\\ \n\tatrufenl0123456789.-eEuU\u00e9x', max_size=60)
       | json_docs.map(lambda d: json.dumps(d)[:-1]))
def test_property_json_errors_exactly_when_not_json(tmp_path_factory: pytest.TempPathFactory,
                                                    text: str) -> None:
    """Malformed JSON is never read silently; well-formed JSON never fails."""
    p = tmp_path_factory.mktemp("valid") / "doc.json"
    p.write_text(text, encoding="utf-8")
    try:
        read_all(p)
        ok = True
    except SourceError:
        ok = False
    assert ok == is_json_sequence(text)


ALL_EXTENSIONS = [".csv", ".tsv", ".json", ".jsonl", ".parquet", ".ipynb", ".txt"]
json_ish = st.text(alphabet='{}[]:,"\\ \n\tatrufenl0123456789.-eE\u00e9\ud800x', max_size=80)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300) | json_ish.map(lambda s: s.encode("utf-8", "replace")),
       wrap=st.booleans(), max_bytes=st.sampled_from([7, 64, MB]))
def test_property_random_bytes_only_raise_source_error(tmp_path_factory: pytest.TempPathFactory,
                                                       data: bytes, wrap: bool,
                                                       max_bytes: int) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    for ext in ALL_EXTENSIONS:
        body = b"PAR1" + data + b"PAR1" if wrap and ext == ".parquet" else data
        p = d / ("f" + ext)
        p.write_bytes(body)
        reader = iter_records(p, max_bytes)
        try:
            for cell in reader:
                assert isinstance(cell.text, str) and cell.text and cell.line >= 1
        except SourceError:
            pass
        assert reader.status.bytes_read <= max(max_bytes, len(body)) + 1 or ext == ".parquet"
