"""Hostile input for the secrets hook (issue 11: #14 NUL bytes, #17 lone CR, #15 notebook list
items, #10 huge max-bytes). Every credential is generated at run time (mlgate.fakes)."""

from __future__ import annotations

import json
import random

import pytest
from secrets_helpers import rules, run, scan

from mlgate.fakes import FAKES

RNG = random.Random(20261202)
BY_RULE = {f.rule: f for f in FAKES}


def hf() -> str:
    return BY_RULE["huggingface-token"].make(RNG)


def gh() -> str:
    return BY_RULE["github-token"].make(RNG)


# -- #14: a NUL byte must not hide the secrets of a file -------------------------------------
def test_a_stray_nul_in_a_text_file_does_not_hide_a_token(tmp_path):
    token = hf()
    content = b"# config\x00\n" + b"x = 1\n" * 50 + f'HF_TOKEN = "{token}"\n'.encode()
    doc = scan(tmp_path, "settings.py", content)
    found = [f for f in doc["findings"] if f["rule"] == "secrets/huggingface-token"]
    assert [(f["line"], f["column"]) for f in found] == [(52, 13)]
    assert "secrets/not-scanned" not in rules(doc)  # it is text, and it was scanned


def test_a_token_inside_binary_content_is_found_and_the_note_says_how_much_was_read(tmp_path):
    token = gh()
    blob = bytes(RNG.randrange(256) for _ in range(4000)).replace(b"\n", b"\x01")
    content = blob + b"\x00token=" + token.encode() + b"\x00" + blob
    doc = scan(tmp_path, "cache.sqlite", content)
    assert "secrets/github-token" in rules(doc)
    note = next(f for f in doc["findings"] if f["rule"] == "secrets/not-scanned")
    assert note["severity"] == "note"
    assert f"of {len(content)} bytes" in note["message"]
    assert token not in json.dumps(doc)


def test_tokens_either_side_of_a_nul_are_not_glued(tmp_path):
    a, b = hf(), hf()
    doc = scan(tmp_path, "pair.txt", f"{a}\x00{b}\n".encode())
    found = sorted(f["column"] for f in doc["findings"] if f["rule"].endswith("huggingface-token"))
    assert found == [1, len(a) + 2]


def test_a_binary_file_without_text_is_still_a_note(tmp_path):
    data = bytes(RNG.randrange(256) for _ in range(2000))
    doc = scan(tmp_path, "weights.bin", b"\x00" + data)
    assert rules(doc) == ["secrets/not-scanned"]
    assert "2001 bytes" in doc["findings"][0]["message"]


# -- #17: a lone CR is a line break ----------------------------------------------------------
def test_line_numbers_in_a_cr_only_file(tmp_path):
    a, b = hf(), gh()
    doc = scan(tmp_path, "old_mac.txt", f"first\r{a}\rthird\rfourth {b}\r".encode())
    got = sorted((f["line"], f["column"], f["rule"]) for f in doc["findings"])
    assert got == [(2, 1, "secrets/huggingface-token"), (4, 8, "secrets/github-token")]


def test_line_numbers_in_a_mixed_ending_file(tmp_path):
    a, b, c = hf(), hf(), hf()
    content = f"one\r\ntwo\rthree {a}\nfour\r\n{b}\rsix\n\r{c}\n".encode()
    doc = scan(tmp_path, "mixed.env", content)
    got = sorted((f["line"], f["column"]) for f in doc["findings"])
    assert got == [(3, 7), (5, 1), (8, 1)]


# -- #15: nbformat joins list items ----------------------------------------------------------
def notebook(source: list[str], text: list[str], indent: int | None = 1) -> str:
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source,
              "outputs": [{"name": "stdout", "output_type": "stream", "text": text}]}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=indent) + "\n"


def test_a_token_split_across_source_items_is_found_at_its_first_piece(tmp_path):
    token = hf()
    nb = notebook(["import os\n", f'login(token="{token[:10]}', f'{token[10:]}")\n'], ["ok\n"])
    doc = scan(tmp_path, "split.ipynb", nb)
    found = [f for f in doc["findings"] if f["rule"] == "secrets/huggingface-token"]
    assert len(found) == 1
    lines = nb.split("\n")
    first = next(i for i, line in enumerate(lines, 1) if token[:10] in line)
    assert found[0]["line"] == first
    assert found[0]["column"] == lines[first - 1].index(token[:10]) + 1


def test_a_token_split_across_output_text_items_is_found(tmp_path):
    token = gh()
    nb = notebook(["!env\n"], ["HOME=/root\n", f"GITHUB_TOKEN={token[:7]}", token[7:20],
                               f"{token[20:]}\n", "PATH=/usr/bin\n"])
    doc = scan(tmp_path, "env.ipynb", nb)
    found = [f for f in doc["findings"] if f["rule"] == "secrets/github-token"]
    assert len(found) == 1
    assert token[:7] in nb.split("\n")[found[0]["line"] - 1]


def test_split_token_in_a_minified_notebook(tmp_path):
    token = hf()
    nb = notebook([f'tok = "{token[:5]}', f'{token[5:]}"'], [], indent=None)
    doc = scan(tmp_path, "mini.ipynb", nb)
    found = [f for f in doc["findings"] if f["rule"] == "secrets/huggingface-token"]
    assert [(f["line"], f["column"]) for f in found] == [(1, nb.index(token[:5]) + 1)]


def test_a_token_within_one_item_is_reported_once(tmp_path):
    token = hf()
    nb = notebook(["x = 1", f'\ntok = "{token}"', "\n"], [])
    doc = scan(tmp_path, "once.ipynb", nb)
    assert rules(doc).count("secrets/huggingface-token") == 1


# -- #10: a huge max-bytes on a small file ---------------------------------------------------
@pytest.mark.parametrize("cap", [10**11, 2**63 - 1])
def test_a_huge_max_bytes_works_on_a_small_file(tmp_path, cap):
    (tmp_path / "mlgate.toml").write_text(f"[secrets]\nmax-bytes = {cap}\n")
    token = hf()
    (tmp_path / "a.py").write_text(f'TOKEN = "{token}"\n')
    out = run("secrets", "--format", "json", "a.py", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert rules(json.loads(out.stdout)) == ["secrets/huggingface-token"]
