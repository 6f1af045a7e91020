"""`mlgate license-headers --fix` on real files: the header in the right style and place,
sidecars, existing identifiers untouched, bytes/newlines/BOM/permissions kept, a second run
changes nothing, exit codes as pre-commit expects."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lh_helpers import cli, project, rules_of

from mlgate.errors import MlgateError
from mlgate.hooks.license_headers.fix import fix_files
from mlgate.policy import Policy

POLICY = {"license-headers": {"default-license": "Apache-2.0", "copyright-holder": "Demo Org",
                              "year": "2026"}}
TOML = """[license-headers]
default-license = "Apache-2.0"
copyright-holder = "Demo Org"
year = "2026"
"""
C = "SPDX-FileCopyrightText: 2026 Demo Org"
L = "SPDX-License-Identifier: Apache-2.0"
BIN = b"\x00\x01\x02weights\xff" * 8


def fixed(root: Path, name: str, content: str | bytes, policy: dict | None = None) -> bytes:
    project(root, {name: content}, texts=("Apache-2.0", "MIT"))
    report = fix_files([str(root / name)], Policy(policy or POLICY, root=root))
    assert not report.skipped, report.skipped
    assert rules_of(root, name, policy or POLICY) == set()
    # a second run changes nothing
    again = fix_files([str(root / name)], Policy(policy or POLICY, root=root))
    assert again.modified == [] and again.skipped == []
    return (root / name).read_bytes()


@pytest.mark.parametrize(("name", "before", "after"), [
    ("a.py", "import os\n", f"# {C}\n# {L}\n\nimport os\n"),
    ("s.py", "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nimport os\n",
     f"#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# {C}\n# {L}\n\nimport os\n"),
    ("run.sh", "#!/bin/sh\necho hi\n", f"#!/bin/sh\n# {C}\n# {L}\n\necho hi\n"),
    ("k.cu", "__global__ void k() {}\n", f"// {C}\n// {L}\n\n__global__ void k() {{}}\n"),
    ("m.go", "package main\n", f"// {C}\n// {L}\n\npackage main\n"),
    ("q.sql", "SELECT 1;\n", f"-- {C}\n-- {L}\n\nSELECT 1;\n"),
    ("s.css", "body {}\n", f"/*\n * {C}\n * {L}\n */\n\nbody {{}}\n"),
    ("p.html", "<p>x</p>\n", f"<!--\n{C}\n{L}\n-->\n\n<p>x</p>\n"),
    ("f.xml", '<?xml version="1.0"?>\n<a/>\n',
     f'<?xml version="1.0"?>\n<!--\n{C}\n{L}\n-->\n\n<a/>\n'),
    ("README.md", "---\nlicense: apache-2.0\n---\n# Card\n",
     f"---\nlicense: apache-2.0\n---\n<!--\n{C}\n{L}\n-->\n\n# Card\n"),
    ("t.j2", "Hi {{ x }}\n", f"{{#\n{C}\n{L}\n#}}\n\nHi {{{{ x }}}}\n"),
    ("Dockerfile", "# syntax=docker/dockerfile:1\nFROM python\n",
     f"# syntax=docker/dockerfile:1\n# {C}\n# {L}\n\nFROM python\n"),
    ("c.yaml", "lr: 1\n", f"# {C}\n# {L}\n\nlr: 1\n"),
    ("x.lua", "local x = 1\n", f"-- {C}\n-- {L}\n\nlocal x = 1\n"),
    ("e.py", "", None),  # empty files are not covered: nothing to do
    ("nl.sh", "echo", f"# {C}\n# {L}\n\necho"),
    ("only.sh", "#!/bin/sh", f"#!/bin/sh\n# {C}\n# {L}\n"),
])
def test_the_header_goes_in_the_right_style_and_place(tmp_path: Path, name: str, before: str,
                                                      after: str | None) -> None:
    data = fixed(tmp_path, name, before)
    assert data.decode() == (before if after is None else after)


def test_crlf_bom_and_invalid_bytes_are_kept(tmp_path: Path) -> None:
    before = b"\xef\xbb\xbfx = '\xff\xfe'\r\ny = 2\r\n"
    data = fixed(tmp_path, "a.py", before)
    assert data == b"\xef\xbb\xbf" + f"# {C}\r\n# {L}\r\n\r\n".encode() + before[3:]


def test_permissions_are_kept(tmp_path: Path) -> None:
    project(tmp_path, {"run.sh": "#!/bin/sh\necho\n"})
    os.chmod(tmp_path / "run.sh", 0o750)
    fix_files([str(tmp_path / "run.sh")], Policy(POLICY, root=tmp_path))
    assert stat.S_IMODE(os.stat(tmp_path / "run.sh").st_mode) == 0o750


def test_an_existing_identifier_is_never_changed(tmp_path: Path) -> None:
    # wrong, deprecated and unknown ids stay as they are; only the copyright line is added
    for expression in ("GPL-3.0", "Foo-License", "MIT AND"):
        project(tmp_path, {"a.py": f"# SPDX-License-Identifier: {expression}\nx = 1\n"})
        fix_files([str(tmp_path / "a.py")], Policy(POLICY, root=tmp_path))
        assert (tmp_path / "a.py").read_text() == (
            f"# {C}\n# SPDX-License-Identifier: {expression}\nx = 1\n")


@pytest.mark.parametrize(("name", "before", "after"), [
    ("a.c", "/*\n * Copyright 2020 X\n */\nint x;\n",
     f"/*\n * Copyright 2020 X\n * {L}\n */\nint x;\n"),
    ("b.c", "/* Copyright 2020 X */\nint x;\n",
     f"/* Copyright 2020 X */\n/* {L} */\nint x;\n"),
    ("c.c", "/*\n * Copyright 2020 X */\nint x;\n",
     f"/*\n * {L}\n * Copyright 2020 X */\nint x;\n"),
    ("d.html", "<!-- SPDX-License-Identifier: Apache-2.0 -->\n<p/>\n",
     f"<!-- {C} -->\n<!-- SPDX-License-Identifier: Apache-2.0 -->\n<p/>\n"),
    ("e.c", "/* SPDX-License-Identifier: Apache-2.0\n */\nint x;\n",
     f"/* SPDX-License-Identifier: Apache-2.0\n   {C}\n */\nint x;\n"),
    ("f.py", "x = 1  # SPDX-License-Identifier: Apache-2.0\n",
     f"# {C}\n\nx = 1  # SPDX-License-Identifier: Apache-2.0\n"),
])
def test_a_missing_line_goes_beside_the_existing_one(tmp_path: Path, name: str, before: str,
                                                     after: str) -> None:
    assert fixed(tmp_path, name, before).decode() == after


def test_files_that_cannot_hold_a_comment_get_a_sidecar(tmp_path: Path) -> None:
    for name, content in (("w.safetensors", BIN), ("img.png", BIN), ("model.py", BIN),
                          ("notes.txt", "plain text\n"), ("d.csv", "a,b\n")):
        data = fixed(tmp_path, name, content)
        assert data == (content if isinstance(content, bytes) else content.encode())
        assert (tmp_path / f"{name}.license").read_text() == f"{C}\n{L}\n"


def test_a_new_sidecar_keeps_what_the_files_own_header_had(tmp_path: Path) -> None:
    fixed(tmp_path, "notes.txt", "Copyright 2019 Jane\nplain text\n")
    assert (tmp_path / "notes.txt.license").read_text() == f"Copyright 2019 Jane\n{L}\n"


def test_an_existing_sidecar_is_completed_not_replaced(tmp_path: Path) -> None:
    project(tmp_path, {"w.bin": BIN, "w.bin.license": "SPDX-License-Identifier: MIT\r\n"})
    fix_files([str(tmp_path / "w.bin")], Policy(POLICY, root=tmp_path))
    assert (tmp_path / "w.bin.license").read_bytes() == \
        f"{C}\r\nSPDX-License-Identifier: MIT\r\n".encode()


def test_a_notebook_gets_a_sidecar_and_is_not_rewritten(tmp_path: Path) -> None:
    nb = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    assert fixed(tmp_path, "a.ipynb", nb).decode() == nb
    assert (tmp_path / "a.ipynb.license").exists()


def test_waive_copyright_writes_only_the_identifier(tmp_path: Path) -> None:
    policy = {"license-headers": {"default-license": "MIT", "waive-copyright": True}}
    assert fixed(tmp_path, "a.py", "x = 1\n", policy).decode() == \
        "# SPDX-License-Identifier: MIT\n\nx = 1\n"


def test_fix_without_the_policy_values_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": "x = 1\n"})
    with pytest.raises(MlgateError, match="default-license"):
        fix_files([str(tmp_path / "a.py")], Policy({}, root=tmp_path))
    with pytest.raises(MlgateError, match="copyright-holder"):
        fix_files([str(tmp_path / "a.py")],
                  Policy({"license-headers": {"default-license": "MIT"}}, root=tmp_path))
    with pytest.raises(MlgateError, match="deprecated"):
        fix_files([str(tmp_path / "a.py")], Policy(
            {"license-headers": {"default-license": "GPL-3.0", "copyright-holder": "X"}},
            root=tmp_path))
    assert (tmp_path / "a.py").read_text() == "x = 1\n"


def test_symlinks_utf16_and_override_files_are_left_alone(tmp_path: Path) -> None:
    project(tmp_path, {"t.py": "x = 1\n", "u.py": "x = 1\n".encode("utf-16"),
                       "REUSE.toml": 'version = 1\n[[annotations]]\npath = "o/**"\n'
                                     'precedence = "override"\nSPDX-License-Identifier = '
                                     '"MIT"\n',
                       "o/a.py": "x = 1\n"})
    os.symlink("t.py", tmp_path / "link.py")
    report = fix_files([str(tmp_path / n) for n in ("link.py", "u.py", "o/a.py")],
                       Policy(POLICY, root=tmp_path))
    assert report.modified == []
    assert any("utf-16" in s for s in report.skipped)
    assert any("override" in s for s in report.skipped)
    assert (tmp_path / "t.py").read_text() == "x = 1\n"
    assert (tmp_path / "o/a.py").read_text() == "x = 1\n"


def test_the_command_exits_1_when_it_modified_files_then_0(tmp_path: Path) -> None:
    project(tmp_path, {"mlgate.toml": "# " + C + "\n# " + L + "\n" + TOML, "a.py": "x = 1\n",
                       "w.bin": BIN}, texts=("Apache-2.0",))
    first = cli("--fix", "a.py", "w.bin", cwd=tmp_path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "fixed a.py" in first.stderr and "fixed w.bin" in first.stderr
    second = cli("--fix", "a.py", "w.bin", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stderr == "" and second.stdout == ""


def test_fix_with_what_it_cannot_fix_still_reports_it(tmp_path: Path) -> None:
    project(tmp_path, {"mlgate.toml": TOML, "a.py": "# SPDX-License-Identifier: Foo\n"})
    out = cli("--fix", "a.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "license-headers/unknown-license" in out.stdout
    assert "missing-copyright" not in out.stdout  # that one was fixed


_line = st.lists(st.sampled_from([*"ab #/*-\"'=:<>!{}\t\xe9", "SPDX-", "Copyright", "-->",
                                  "*/", '"""', "---"]), max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["a.py", "a.c", "a.css", "a.md", "a.sql", "a.yaml", "a.html",
                             "Dockerfile", "a.j2"]),
       lines=st.lists(_line, max_size=8), newline=st.sampled_from(["\n", "\r\n"]),
       bom=st.booleans())
def test_fix_keeps_every_byte_and_a_second_run_changes_nothing(
        name: str, lines: list[str], newline: str, bom: bool) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        before = (b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode()
        project(root, {name: before}, texts=("Apache-2.0",))
        fix_files([str(root / name)], Policy(POLICY, root=root))
        after = (root / name).read_bytes()
        found = rules_of(root, name, POLICY)
        sidecar = (root / f"{name}.license").exists()
        if not before or sidecar:
            assert after == before
        else:
            assert found <= {"malformed-expression", "unknown-license"}, found
            # the original lines are all still there, in order
            kept = iter(after.split(b"\n"))
            assert all(any(line.rstrip(b"\r") == got.rstrip(b"\r").lstrip(b"\xef\xbb\xbf")
                           for got in kept)
                       for line in before.lstrip(b"\xef\xbb\xbf").split(b"\n"))
        again = fix_files([str(root / name)], Policy(POLICY, root=root))
        assert again.modified == []
