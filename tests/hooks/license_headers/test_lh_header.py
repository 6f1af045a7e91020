"""The header parser on real files: every comment style, shebang/encoding lines, BOM, CRLF,
strings that hold an identifier, the header region, notebooks; hypothesis on the lexer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lh_helpers import project, rules_of

from mlgate.hooks.license_headers.header import find_tags, split_lines
from mlgate.hooks.license_headers.styles import STYLES, style_for

C, L = "SPDX-FileCopyrightText: 2026 Jane Doe", "SPDX-License-Identifier: MIT"

# (file name, a header in the file's comment style, code that follows)
STYLED = [
    ("train.py", f"#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# {C}\n# {L}\n",
     "import os\n"),
    ("run.sh", f"#!/bin/sh\n# {C}\n# {L}\n", "echo hi\n"),
    ("kernel.c", f"/*\n * {C}\n * {L}\n */\n", "int x;\n"),
    ("kernel.h", f"// {C}\n// {L}\n", "#pragma once\n"),
    ("ops.cpp", f"// {C}\n// {L}\n", "int main() {}\n"),
    ("attn.cu", f"// {C}\n// {L}\n", "__global__ void k() {}\n"),
    ("attn.cuh", f"/* {C} */\n/* {L} */\n", "#pragma once\n"),
    ("lib.rs", f"// {C}\n// {L}\n", "fn main() {}\n"),
    ("main.go", f"// {C}\n// {L}\n\n", "package main\n"),
    ("App.java", f"/*\n * {C}\n * {L}\n */\n", "class App {}\n"),
    ("App.kt", f"// {C}\n// {L}\n", "fun main() {}\n"),
    ("App.scala", f"// {C}\n// {L}\n", "object App\n"),
    ("index.js", f"// {C}\n// {L}\n", "export {};\n"),
    ("index.ts", f"/**\n * {C}\n * {L}\n */\n", "export {};\n"),
    ("view.tsx", f"// {C}\n// {L}\n", "export {};\n"),
    ("stats.R", f"# {C}\n# {L}\n", "x <- 1\n"),
    ("model.jl", f"#=\n{C}\n{L}\n=#\n", "x = 1\n"),
    ("init.lua", f"-- {C}\n-- {L}\n", "local x = 1\n"),
    ("block.lua", f"--[[\n{C}\n{L}\n]]\n", "local x = 1\n"),
    ("schema.sql", f"-- {C}\n-- {L}\n", "SELECT 1;\n"),
    ("config.yaml", f"# {C}\n# {L}\n", "lr: 0.1\n"),
    ("config.yml", f"# {C}\n# {L}\n", "lr: 0.1\n"),
    ("pyproject.toml", f"# {C}\n# {L}\n", "[project]\n"),
    ("Dockerfile", f"# syntax=docker/dockerfile:1\n# {C}\n# {L}\n", "FROM python\n"),
    ("Makefile", f"# {C}\n# {L}\n", "all:\n\techo\n"),
    ("CMakeLists.txt", f"# {C}\n# {L}\n", "project(x)\n"),
    ("build.cmake", f"# {C}\n# {L}\n", "set(X 1)\n"),
    ("page.html", f"<!--\n{C}\n{L}\n-->\n", "<p>x</p>\n"),
    ("feed.xml", f'<?xml version="1.0"?>\n<!-- {C} -->\n<!-- {L} -->\n', "<a/>\n"),
    ("README.md", f"---\nlicense: mit\ntags: [x]\n---\n<!-- {C} -->\n<!-- {L} -->\n",
     "# Model\n"),
    ("site.css", f"/*\n * {C}\n * {L}\n */\n", "body {}\n"),
    ("model.proto", f"// {C}\n// {L}\n", 'syntax = "proto3";\n'),
    ("prompt.j2", f"{{# {C} #}}\n{{# {L} #}}\n", "Hello {{ name }}\n"),
    ("page.html.jinja", f"{{#\n{C}\n{L}\n#}}\n", "<p>{{ x }}</p>\n"),
    ("paper.tex", f"% {C}\n% {L}\n", "\\begin{document}\n"),
]


@pytest.mark.parametrize(("name", "header", "code"), STYLED, ids=[s[0] for s in STYLED])
def test_a_header_in_the_style_of_the_language_is_found(tmp_path: Path, name: str,
                                                        header: str, code: str) -> None:
    project(tmp_path, {name: header + code})
    assert rules_of(tmp_path, name) == set()


@pytest.mark.parametrize(("name", "header", "code"), STYLED, ids=[s[0] for s in STYLED])
def test_without_the_header_both_are_missing(tmp_path: Path, name: str, header: str,
                                             code: str) -> None:
    project(tmp_path, {name: code})
    assert rules_of(tmp_path, name) == {"missing-identifier", "missing-copyright"}


@pytest.mark.parametrize(("name", "header", "code"), STYLED, ids=[s[0] for s in STYLED])
def test_bom_and_crlf_files_work(tmp_path: Path, name: str, header: str, code: str) -> None:
    data = b"\xef\xbb\xbf" + (header + code).replace("\n", "\r\n").encode()
    project(tmp_path, {name: data})
    assert rules_of(tmp_path, name) == set()


@pytest.mark.parametrize(("name", "text"), [
    ("a.py", f'HEADER = """\n# {L}\n# {C}\n"""\n'),
    ("b.py", f'x = "# {L}"  # nothing here\ny = "# {C}"\n'),
    ("c.py", f"x = '''\n{L}\n'''\n"),
    ("d.c", f'const char *s = "// {L}";\nconst char *t = "/* {C} */";\n'),
    ("e.js", f"const s = `\n// {L}\n// {C}\n`;\n"),
    ("f.go", f"var s = `\n// {L}\n// {C}\n`\n"),
    ("g.yaml", f"script: |\n  # {L}\n  # {C}\nnext: 1\n"),
    ("h.toml", f'x = """\n# {L}\n# {C}\n"""\n'),
    ("i.sql", f"SELECT '-- {L}', '-- {C}';\n"),
    ("j.md", f"# Title\n\n{L}\n{C}\n"),
])
def test_an_identifier_in_a_string_or_outside_comments_does_not_count(
        tmp_path: Path, name: str, text: str) -> None:
    project(tmp_path, {name: text})
    assert rules_of(tmp_path, name) == {"missing-identifier", "missing-copyright"}


def test_an_identifier_far_below_the_header_does_not_count_and_the_message_says_where(
        tmp_path: Path) -> None:
    from lh_helpers import results

    project(tmp_path, {"late.py": "x = 1\n" * 60 + f"# {C}\n# {L}\n"})
    findings, _ = results(tmp_path, ["late.py"])
    missing = [f for f in findings if f.rule.endswith("missing-identifier")]
    assert missing and "line 62 is below the header region" in missing[0].message
    # the region is the policy's
    assert rules_of(tmp_path, "late.py", {"license-headers": {"header-lines": 70}}) == set()


def test_a_string_holding_an_identifier_is_named_in_the_message(tmp_path: Path) -> None:
    from lh_helpers import results

    project(tmp_path, {"s.py": f'X = "{L}"\n'})
    findings, _ = results(tmp_path, ["s.py"])
    assert any("line 1 is not in a comment" in f.message for f in findings)


def test_waive_copyright(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": f"# {L}\n"})
    assert rules_of(tmp_path, "a.py") == {"missing-copyright"}
    assert rules_of(tmp_path, "a.py", {"license-headers": {"waive-copyright": True}}) == set()


@pytest.mark.parametrize("line", ["# Copyright 2026 Jane Doe", "# Copyright (C) 2026 Jane",
                                  "# © 2026 Jane Doe", f"# {C}",
                                  "# SPDX-SnippetCopyrightText: 2026 Jane"])
def test_copyright_line_forms(tmp_path: Path, line: str) -> None:
    project(tmp_path, {"a.py": f"{line}\n# {L}\n"})
    assert rules_of(tmp_path, "a.py") == set()


def test_notebook_header_in_the_first_cell(tmp_path: Path) -> None:
    def nb(cells: list[dict[str, object]]) -> str:
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    good = nb([{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": [f"# {C}\n", f"# {L}\n", "import torch"]}])
    md = nb([{"cell_type": "markdown", "metadata": {}, "source": f"<!-- {C} -->\n{L}\n"}])
    second = nb([{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1"},
                 {"cell_type": "code", "metadata": {}, "outputs": [],
                  "source": f"# {C}\n# {L}\n"}])
    in_string = nb([{"cell_type": "code", "metadata": {}, "outputs": [],
                     "source": f'x = "# {L}"\n'}])
    project(tmp_path, {"good.ipynb": good, "md.ipynb": md, "second.ipynb": second,
                       "str.ipynb": in_string, "broken.ipynb": "{not json"})
    assert rules_of(tmp_path, "good.ipynb") == set()
    assert rules_of(tmp_path, "md.ipynb") == set()
    assert rules_of(tmp_path, "second.ipynb") == {"missing-identifier", "missing-copyright"}
    assert rules_of(tmp_path, "str.ipynb") >= {"missing-identifier"}
    from lh_helpers import results

    _, errors = results(tmp_path, ["broken.ipynb"])
    assert errors and "not valid JSON" in errors[0].message


def test_reuse_ignore_blocks_hide_their_content(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": f"# REUSE-IgnoreStart\n# {L}\n# REUSE-IgnoreEnd\n# {C}\n"})
    assert rules_of(tmp_path, "a.py") == {"missing-identifier"}


@pytest.mark.parametrize(("name", "style"), [
    ("x.py", "python"), ("X.PY", "python"), ("Dockerfile", "hash"), ("Dockerfile.gpu", "hash"),
    ("requirements-dev.txt", "hash"), ("notes.txt", "text"), ("w.safetensors", "none"),
    ("page.html.j2", "jinja"), ("a.cu", "c"), ("a.go", "js"), ("data.csv", "none"),
    ("README", "text"), ("nb.ipynb", "notebook"), ("a.R", "hash"),
])
def test_styles_by_name(name: str, style: str) -> None:
    assert style_for(name, {}).name == style


def test_policy_styles_override_the_table(tmp_path: Path) -> None:
    assert style_for("a.inc", {".inc": "c"}).name == "c"
    assert style_for("Jenkinsfile", {"Jenkinsfile": "c"}).name == "c"
    project(tmp_path, {"a.inc": f"// {C}\n// {L}\n"})
    assert rules_of(tmp_path, "a.inc", {"license-headers": {"styles": {".inc": "c"}}}) == set()
    # as `none`, the contents are never read: the header does not count
    assert "missing-identifier" in rules_of(
        tmp_path, "a.inc", {"license-headers": {"styles": {".inc": "none"}}})


# ---------------------------------------------------------------------- hypothesis

_words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"),
                 max_size=40)


@settings(max_examples=300, deadline=None)
@given(style=st.sampled_from(sorted(STYLES)),
       lines=st.lists(_words, max_size=30), count=st.integers(1, 60))
def test_the_parser_never_raises_and_tags_stand_in_the_region(style: str, lines: list[str],
                                                            count: int) -> None:
    header = find_tags(lines, STYLES[style], 0, count)
    for tag in header.licenses + header.copyrights:
        assert 1 <= tag.line <= min(count, len(lines))
        assert lines[tag.line - 1][tag.column - 1:].startswith(
            ("SPDX-", "Copyright", "©"))


@settings(max_examples=200, deadline=None)
@given(style=st.sampled_from(["python", "hash", "c", "js", "sql", "toml", "yaml", "css",
                              "lua", "julia"]),
       before=st.lists(_words.filter(lambda s: "SPDX" not in s), max_size=5),
       value=st.sampled_from(["MIT", "Apache-2.0 OR MIT", "GPL-2.0-only WITH "
                              "Classpath-exception-2.0"]))
def test_a_header_line_in_the_style_is_found_after_plain_comment_lines(
        style: str, before: list[str], value: str) -> None:
    s = STYLES[style]
    lead = s.line[0] + " " if s.line else s.blocks[0][0] + " "
    close = "" if s.line else " " + s.blocks[0][1]
    safe = [lead + b.replace(s.blocks[0][1] if s.blocks else "\0", "") + close
            if s.blocks and not s.line else lead + b for b in before]
    lines = [*safe, f"{lead}SPDX-License-Identifier: {value}{close}"]
    header = find_tags(lines, s, 0, 50)
    assert [t.value for t in header.licenses][-1:] == [value]


def test_split_lines_keeps_lone_cr_files_and_form_feeds() -> None:
    assert split_lines("a\rb") == ["a", "b"]
    assert split_lines("a\r\nb\n") == ["a", "b", ""]
    assert split_lines("a\x0cb\n") == ["a\x0cb", ""]
