"""A generated REUSE project: source files of every comment style with full, partial or no
headers, files that cannot hold a comment with and without sidecars, and a REUSE.toml
(closest, aggregate, override). Used by the agreement test with `reuse lint-file` and by
bench/bench_license_headers.py."""

from __future__ import annotations

import json
import random
from pathlib import Path

COPYRIGHT = "SPDX-FileCopyrightText: 2026 Jane Doe <jane@example.org>"
LICENSE = "SPDX-License-Identifier: MIT"

# (extension, line comment prefix or (open, prefix, close), code)
LANGS: list[tuple[str, str | tuple[str, str, str], str]] = [
    (".py", "# ", "import os\n\nprint(os.getcwd())\n"),
    (".sh", "# ", "echo hello\n"),
    (".c", ("/*", " * ", " */"), "int main(void) { return 0; }\n"),
    (".h", "// ", "#pragma once\n"),
    (".cpp", "// ", "int f() { return 1; }\n"),
    (".cu", "// ", "__global__ void k() {}\n"),
    (".rs", "// ", "fn main() {}\n"),
    (".go", "// ", "package main\n"),
    (".java", ("/*", " * ", " */"), "class A {}\n"),
    (".kt", "// ", "fun main() {}\n"),
    (".scala", "// ", "object A\n"),
    (".js", "// ", "export const a = 1;\n"),
    (".ts", "// ", "export const a: number = 1;\n"),
    (".R", "# ", "x <- 1\n"),
    (".jl", "# ", "x = 1\n"),
    (".lua", "-- ", "local x = 1\n"),
    (".sql", "-- ", "SELECT 1;\n"),
    (".yaml", "# ", "lr: 0.001\n"),
    (".toml", "# ", "[tool]\nx = 1\n"),
    (".cmake", "# ", "set(X 1)\n"),
    (".html", ("<!--", "", "-->"), "<p>hello</p>\n"),
    (".xml", ("<!--", "", "-->"), "<a/>\n"),
    (".md", ("<!--", "", "-->"), "# Title\n\nText.\n"),
    (".css", ("/*", " * ", " */"), "body { margin: 0; }\n"),
    (".proto", "// ", 'syntax = "proto3";\n'),
    (".j2", ("{#", "", "#}"), "Hello {{ name }}\n"),
]
NAMED = [("Dockerfile", "# ", "FROM python:3.12\n"), ("Makefile", "# ", "all:\n\ttrue\n")]
UNCOMMENTABLE = [".safetensors", ".png", ".bin", ".pt", ".npy"]

REUSE_TOML = """version = 1

[[annotations]]
path = "data/**"
SPDX-FileCopyrightText = "2026 Jane Doe"
SPDX-License-Identifier = "MIT"

[[annotations]]
path = "vendor/**"
precedence = "override"
SPDX-FileCopyrightText = "2020 Vendor Inc"
SPDX-License-Identifier = "MIT"

[[annotations]]
path = "partial/**"
SPDX-License-Identifier = "MIT"
"""


def _header(style: str | tuple[str, str, str], lines: list[str]) -> str:
    if isinstance(style, str):
        return "".join(f"{style}{line}\n" for line in lines)
    opener, prefix, closer = style
    return opener + "\n" + "".join(f"{prefix}{line}\n" for line in lines) + closer + "\n"


def make_tree(root: Path, count: int, seed: int = 13) -> list[str]:
    """Write `count` covered files (plus LICENSES/, REUSE.toml, sidecars); their paths."""
    rng = random.Random(seed)
    (root / "LICENSES").mkdir(parents=True, exist_ok=True)
    (root / "LICENSES" / "MIT.txt").write_text("MIT License\n\n(the text)\n")
    (root / "REUSE.toml").write_text(REUSE_TOML)
    paths: list[str] = []
    for i in range(count):
        pick = rng.random()
        directory = rng.choice(["src", "src/models", "lib", "scripts", "configs", "data",
                                "vendor", "partial", "web"])
        if pick < 0.15:  # a file that cannot hold a comment
            ext = rng.choice(UNCOMMENTABLE)
            name = f"{directory}/blob_{i}{ext}"
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x00\x01\x02\x03" + rng.randbytes(64))
            if rng.random() < 0.5:
                (root / f"{name}.license").write_text(f"{COPYRIGHT}\n{LICENSE}\n")
            paths.append(name)
            continue
        if pick < 0.17:
            base, style, code = rng.choice(NAMED)
            name = f"{directory}/d{i}/{base}"
        elif pick < 0.19:  # a notebook, its header in the first cell
            name = f"{directory}/nb_{i}.ipynb"
            first = [f"# {COPYRIGHT}\n", f"# {LICENSE}\n"] if rng.random() < 0.6 else []
            cells = [{"cell_type": "code", "execution_count": None, "metadata": {},
                      "outputs": [], "source": [*first, "import torch"]}]
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                        "nbformat_minor": 5}, indent=1) + "\n")
            paths.append(name)
            continue
        else:
            ext, style, code = rng.choice(LANGS)
            name = f"{directory}/file_{i}{ext}"
        case = rng.random()
        if case < 0.6:
            lines = [COPYRIGHT, LICENSE]
        elif case < 0.75:
            lines = []
        elif case < 0.87:
            lines = [COPYRIGHT]
        else:
            lines = [LICENSE]
        text = _header(style, lines) + ("\n" if lines else "") + code
        if name.endswith(".sh") and rng.random() < 0.5:
            text = "#!/bin/sh\n" + text
        if name.endswith(".py") and rng.random() < 0.3:
            text = "#!/usr/bin/env python3\n" + text
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        if rng.random() < 0.1:
            data = data.replace(b"\n", b"\r\n")
        if rng.random() < 0.05:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        paths.append(name)
    return paths
