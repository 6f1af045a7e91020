"""The check on real projects: sidecars, REUSE.toml precedence, dep5, SPDX expressions,
the policy's [licenses], files REUSE does not cover, bad input, the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lh_helpers import HEADER, cli, cli_json, project, results, rules_of

BIN = b"\x00\x01\x02\x03weights\xff" * 8
BOTH = {"missing-identifier", "missing-copyright"}


# ---------------------------------------------------------------------- sidecars


def test_a_file_that_cannot_hold_a_comment_needs_a_sidecar(tmp_path: Path) -> None:
    project(tmp_path, {"w.safetensors": BIN, "img.png": BIN, "d.csv": "a,b\n1,2\n"})
    for name in ("w.safetensors", "img.png", "d.csv"):
        assert rules_of(tmp_path, name) == BOTH
    findings, _ = results(tmp_path, ["w.safetensors"])
    assert all("add w.safetensors.license" in f.message for f in findings)
    project(tmp_path, {"w.safetensors.license": HEADER.replace("# ", "")})
    assert rules_of(tmp_path, "w.safetensors") == set()


def test_the_sidecar_takes_precedence_over_the_file(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": HEADER, "a.py.license": "SPDX-License-Identifier: MIT\n"})
    # the file's own copyright line is not read once a sidecar exists
    assert rules_of(tmp_path, "a.py") == {"missing-copyright"}


def test_a_binary_file_with_a_source_extension_is_treated_as_uncommentable(
        tmp_path: Path) -> None:
    project(tmp_path, {"model.py": BIN})
    findings, _ = results(tmp_path, ["model.py"])
    assert {f.rule.split("/")[1] for f in findings} == BOTH
    assert "binary content" in findings[0].message


def test_sidecars_license_files_and_reuse_metadata_are_not_checked(tmp_path: Path) -> None:
    project(tmp_path, {"LICENSE": "x\n", "LICENSE.md": "x\n", "COPYING": "x\n",
                       "a.py.license": "x\n", "REUSE.toml": "version = 1\n",
                       ".reuse/templates/x.jinja2": "x\n", "empty.py": ""})
    findings, errors = results(tmp_path, ["LICENSE", "LICENSE.md", "COPYING", "a.py.license",
                                          "REUSE.toml", "LICENSES/MIT.txt",
                                          ".reuse/templates/x.jinja2", "empty.py"])
    assert (findings, errors) == ([], [])


# ---------------------------------------------------------------------- REUSE.toml


def _toml(*annotations: str) -> str:
    return "version = 1\n" + "".join(f"\n[[annotations]]\n{a}\n" for a in annotations)


def test_reuse_toml_globs_cover_files(tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = ["weights/*.bin", "data/**"]\n'
                            'SPDX-FileCopyrightText = "2026 Jane"\n'
                            'SPDX-License-Identifier = "MIT"'),
        "weights/a.bin": BIN, "weights/sub/b.bin": BIN, "data/x/y/z.csv": "a\n",
        "other.bin": BIN,
    })
    assert rules_of(tmp_path, "weights/a.bin") == set()
    assert rules_of(tmp_path, "weights/sub/b.bin") == BOTH  # `*` stays in its directory
    assert rules_of(tmp_path, "data/x/y/z.csv") == set()
    assert rules_of(tmp_path, "other.bin") == BOTH


def test_reuse_toml_literal_asterisk_and_double_star_slash(tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = ["odd\\\\*.bin", "**/w.bin"]\n'
                            'SPDX-FileCopyrightText = "2026 Jane"\n'
                            'SPDX-License-Identifier = "MIT"'),
        "odd*.bin": BIN, "oddx.bin": BIN, "w.bin": BIN, "deep/er/w.bin": BIN,
    })
    assert rules_of(tmp_path, "odd*.bin") == set()
    assert rules_of(tmp_path, "oddx.bin") == BOTH
    assert rules_of(tmp_path, "w.bin") == set()
    assert rules_of(tmp_path, "deep/er/w.bin") == set()


def test_the_last_matching_annotation_wins(tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = "**"\nSPDX-FileCopyrightText = "Jane"\n'
                            'SPDX-License-Identifier = "MIT"',
                            'path = "x/**"\nSPDX-FileCopyrightText = "Jane"\n'
                            'SPDX-License-Identifier = "GPL-3.0"'),
        "x/a.bin": BIN, "y/a.bin": BIN,
    }, texts=("MIT", "GPL-3.0-only"))
    assert rules_of(tmp_path, "x/a.bin") == {"deprecated-license"}
    assert rules_of(tmp_path, "y/a.bin") == set()


def test_closest_the_file_wins_kind_by_kind(tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = "**"\nSPDX-FileCopyrightText = "Jane"\n'
                            'SPDX-License-Identifier = "Foo-Unknown"'),
        "full.py": HEADER, "only_copyright.py": "# Copyright 2026 Jane\n",
        "nothing.py": "x = 1\n",
    })
    assert rules_of(tmp_path, "full.py") == set()  # the annotation's id is never used
    assert rules_of(tmp_path, "only_copyright.py") == {"unknown-license"}
    assert rules_of(tmp_path, "nothing.py") == {"unknown-license"}


def test_aggregate_adds_and_override_replaces(tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = "agg/**"\nprecedence = "aggregate"\n'
                            'SPDX-License-Identifier = "GPL-3.0"',
                            'path = "ovr/**"\nprecedence = "override"\n'
                            'SPDX-FileCopyrightText = "Jane"\n'
                            'SPDX-License-Identifier = "MIT"'),
        "agg/a.py": HEADER, "ovr/a.py": "# SPDX-License-Identifier: Foo-Unknown\n",
        "ovr/b.bin": BIN,
    }, texts=("MIT", "GPL-3.0-only"))
    assert rules_of(tmp_path, "agg/a.py") == {"deprecated-license"}  # both expressions count
    assert rules_of(tmp_path, "ovr/a.py") == set()  # the file is not even read
    assert rules_of(tmp_path, "ovr/b.bin") == set()


def test_nested_reuse_toml_closest_is_the_deepest_and_override_stops_the_descent(
        tmp_path: Path) -> None:
    project(tmp_path, {
        "REUSE.toml": _toml('path = "**"\nSPDX-FileCopyrightText = "Top"\n'
                            'SPDX-License-Identifier = "MIT"',
                            'path = "locked/**"\nprecedence = "override"\n'
                            'SPDX-FileCopyrightText = "Top"\n'
                            'SPDX-License-Identifier = "MIT"'),
        "sub/REUSE.toml": _toml('path = "*.bin"\nSPDX-License-Identifier = "Bar-Unknown"'),
        "locked/REUSE.toml": _toml('path = "*.bin"\nSPDX-License-Identifier = "Baz-Unknown"'),
        "sub/a.bin": BIN, "sub/a.txt": "plain\n", "locked/a.bin": BIN,
    })
    # the deepest license, the top's copyright (the nested one has none)
    assert rules_of(tmp_path, "sub/a.bin") == {"unknown-license"}
    assert rules_of(tmp_path, "sub/a.txt") == set()
    assert rules_of(tmp_path, "locked/a.bin") == set()


@pytest.mark.parametrize(("text", "problem"), [
    ("version = 1\n[[annotations]\n", "not valid TOML"),
    ("[[annotations]]\npath = 'x'\n", "no 'version'"),
    ("version = 2\n", "unsupported version 2"),
    ("version = 1\nannotations = 3\n", "'annotations' must be an array of tables"),
    ("version = 1\n[[annotations]]\nSPDX-License-Identifier = 'MIT'\n", "has no 'path'"),
    ("version = 1\n[[annotations]]\npath = 'x'\nprecedence = 'nearest'\n", "'precedence'"),
    ("version = 1\n[[annotations]]\npath = 3\n", "'path' must be a string or a list"),
    ("version = 1\n[[annotations]]\npath = 'x'\nSPDX-License-Identifier = [1]\n",
     "'SPDX-License-Identifier' must be a string or a list"),
    (b"version = 1\n# \xff\xfe\n", "not UTF-8"),
])
def test_a_malformed_reuse_toml_is_an_error_naming_it_exit_2(tmp_path: Path,
                                                             text: str | bytes,
                                                             problem: str) -> None:
    project(tmp_path, {"REUSE.toml": text, "a.py": HEADER})
    out = cli("a.py", cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "REUSE.toml" in out.stderr and problem in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_a_reuse_toml_that_is_a_fifo_or_directory_is_an_error(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": HEADER})
    os.mkfifo(tmp_path / "REUSE.toml")
    out = cli("a.py", cwd=tmp_path)
    assert out.returncode == 2 and "REUSE.toml" in out.stderr and "FIFO" in out.stderr


# ---------------------------------------------------------------------- dep5

DEP5 = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: demo

Files: weights/*
Copyright: 2026 Jane Doe
 2027 John Doe
License: MIT

Files: weights/special.bin
Copyright: 2026 Jane Doe
License: GPL-2.0+
"""


def test_dep5_covers_files_and_the_last_paragraph_wins(tmp_path: Path) -> None:
    project(tmp_path, {".reuse/dep5": DEP5, "weights/a/b.bin": BIN,
                       "weights/special.bin": BIN, "x.bin": BIN},
            texts=("MIT", "GPL-2.0-or-later"))
    assert rules_of(tmp_path, "weights/a/b.bin") == set()  # dep5's `*` crosses directories
    assert rules_of(tmp_path, "weights/special.bin") == {"deprecated-license"}
    assert rules_of(tmp_path, "x.bin") == BOTH


def test_dep5_and_reuse_toml_cannot_be_combined(tmp_path: Path) -> None:
    project(tmp_path, {".reuse/dep5": DEP5, "REUSE.toml": "version = 1\n", "a.py": HEADER})
    out = cli("a.py", cwd=tmp_path)
    assert out.returncode == 2 and "cannot be combined" in out.stderr


def test_a_malformed_dep5_is_an_error(tmp_path: Path) -> None:
    project(tmp_path, {".reuse/dep5": "Files: *\nLicense: MIT\n", "a.py": HEADER})
    out = cli("a.py", cwd=tmp_path)
    assert out.returncode == 2 and "dep5" in out.stderr and "Format" in out.stderr


# ---------------------------------------------------------------------- expressions


@pytest.mark.parametrize(("expression", "expected"), [
    ("MIT", set()),
    ("mit", set()),
    ("MIT OR Apache-2.0", {"missing-license-text"}),
    ("GPL-2.0-only WITH Classpath-exception-2.0", {"missing-license-text"}),
    ("GPL-3.0", {"deprecated-license", "missing-license-text"}),
    ("GPL-2.0+", {"deprecated-license", "missing-license-text"}),
    ("Foo-License", {"unknown-license"}),
    ("MIT WITH Foo-exception", {"unknown-license"}),
    ("MIT AND", {"malformed-expression"}),
    ("MIT AND OR Apache-2.0", {"malformed-expression"}),
    ("(MIT", {"malformed-expression"}),
    ("()", {"malformed-expression"}),
    ("MIT )(", {"malformed-expression"}),
    ("", {"malformed-expression"}),
    ("LicenseRef-Ours", {"missing-license-ref-text"}),
    ("LicenseRef-Mine", set()),
])
def test_expression_checks_on_the_raw_text(tmp_path: Path, expression: str,
                                           expected: set[str]) -> None:
    project(tmp_path, {"a.py": f"# Copyright 2026 Jane\n# SPDX-License-Identifier: "
                               f"{expression}\n",
                       "LICENSES/LicenseRef-Mine.txt": "ours\n"})
    assert rules_of(tmp_path, "a.py") == expected


def test_missing_text_is_a_warning_and_does_not_block(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": "# Copyright 2026 Jane\n# SPDX-License-Identifier: "
                               "Apache-2.0\n"})
    code, doc = cli_json("a.py", cwd=tmp_path)
    assert code == 0
    assert [(f["rule"], f["severity"], f["line"], f["column"]) for f in doc["findings"]] == [
        ("license-headers/missing-license-text", "warning", 2, 3)]


@pytest.mark.parametrize(("expression", "allowed"), [
    ("MIT OR GPL-3.0-only", True),
    ("MIT AND GPL-3.0-only", False),
    ("GPL-3.0-only", False),
    ("(GPL-3.0-only OR Apache-2.0) AND MIT", True),
])
def test_policy_deny_is_expression_aware(tmp_path: Path, expression: str,
                                         allowed: bool) -> None:
    project(tmp_path, {"a.py": f"# Copyright 2026 Jane\n# SPDX-License-Identifier: "
                               f"{expression}\n"},
            texts=("MIT", "GPL-3.0-only", "Apache-2.0"))
    found = rules_of(tmp_path, "a.py", {"licenses": {"deny": ["GPL-*"]}})
    assert ("license-denied" not in found) is allowed


def test_policy_allow_list(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": "# Copyright 2026 Jane\n# SPDX-License-Identifier: BSD-3-"
                               "Clause\n"}, texts=("BSD-3-Clause",))
    findings, _ = results(tmp_path, ["a.py"], {"licenses": {"allow": ["MIT", "Apache-*"]}})
    denied = [f for f in findings if f.rule.endswith("license-denied")]
    assert denied and "BSD-3-Clause is not allowed" in denied[0].message


def test_an_annotation_expression_is_checked_and_named(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project(tmp_path, {"REUSE.toml": _toml('path = "*.bin"\nSPDX-FileCopyrightText = "J"\n'
                                           'SPDX-License-Identifier = "GPL-3.0+"'),
                       "a.bin": BIN}, texts=("GPL-3.0-or-later",))
    findings, _ = results(tmp_path, ["a.bin"])
    assert [f.rule for f in findings] == ["license-headers/deprecated-license"]
    assert "(from REUSE.toml)" in findings[0].message and findings[0].line is None


# ---------------------------------------------------------------------- bad input


def test_bad_input_gives_findings_or_errors_never_a_traceback(tmp_path: Path) -> None:
    project(tmp_path, {
        "huge.py": "x" * 3_000_000,  # one huge line
        "bad.py": b"# Copyright 2026 J\n# SPDX-License-Identifier: MIT\nx = '\xff\xfe'\n",
        "latin.py": "# Copyright 2026 J\xe9r\xf4me\n# SPDX-License-Identifier: MIT\n"
                    .encode("latin-1"),
        "utf16.py": "# Copyright 2026 J\n# SPDX-License-Identifier: MIT\n".encode("utf-16"),
        "nul.c": b"// Copyright 2026 J\n\x00// SPDX-License-Identifier: MIT\n",
        "target.py": HEADER,
    })
    os.symlink("target.py", tmp_path / "link.py")
    os.symlink("missing.py", tmp_path / "dangling.py")
    os.mkfifo(tmp_path / "fifo.py")
    os.mkfifo(tmp_path / "fifo.bin")
    (tmp_path / "dir.safetensors").mkdir()
    (tmp_path / "empty.safetensors").write_bytes(b"")
    names = ["huge.py", "bad.py", "latin.py", "utf16.py", "nul.c", "link.py", "dangling.py",
             "fifo.py", "nope.py", "nope.bin", "fifo.bin", "dir.safetensors",
             "empty.safetensors"]
    code, doc = cli_json(*names, cwd=tmp_path)
    by_path: dict[str, set[str]] = {}
    for f in doc["findings"]:
        by_path.setdefault(f["path"], set()).add(f["rule"].split("/")[1])
    assert by_path["huge.py"] == BOTH
    assert "bad.py" not in by_path and "latin.py" not in by_path and "utf16.py" not in by_path
    assert by_path["nul.c"] == BOTH  # binary content: cannot hold a comment
    assert by_path["link.py"] == {"not-scanned"}
    assert by_path["dangling.py"] == {"not-scanned"}
    errors = {e["path"]: e["message"] for e in doc["errors"]}
    assert "FIFO" in errors["fifo.py"] and "no such file" in errors["nope.py"]
    # a file whose content is never read must still be a regular file
    assert "FIFO" in errors["fifo.bin"] and "no such file" in errors["nope.bin"]
    assert "directory" in errors["dir.safetensors"]
    assert "empty.safetensors" not in by_path and "empty.safetensors" not in errors
    assert code == 2


def test_a_huge_reuse_toml_or_sidecar_is_refused_by_the_cap(tmp_path: Path) -> None:
    project(tmp_path, {"a.bin": BIN, "a.bin.license": "SPDX-License-Identifier: MIT\n" * 10})
    findings, errors = results(tmp_path, ["a.bin"], {"license-headers": {"max-bytes": 50}})
    assert errors and "too large" in errors[0].message and errors[0].path.endswith(".license")


# ---------------------------------------------------------------------- command line


def test_command_line_exit_codes_and_text_output(tmp_path: Path) -> None:
    project(tmp_path, {"good.py": HEADER, "bad.py": "x = 1\n"})
    assert cli("good.py", cwd=tmp_path).returncode == 0
    out = cli("good.py", "bad.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "bad.py: license-headers/missing-identifier" in out.stdout
    assert cli(cwd=tmp_path).returncode == 0  # nothing passed: nothing checked


def test_severity_from_the_policy(tmp_path: Path) -> None:
    project(tmp_path, {"a.py": "# SPDX-License-Identifier: MIT\n",
                       "mlgate.toml": '[severity]\n"license-headers/missing-copyright" = '
                                      '"warning"\n'})
    code, doc = cli_json("a.py", cwd=tmp_path)
    assert code == 0 and doc["findings"][0]["severity"] == "warning"


def test_the_demo_plants_what_the_hook_reports(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from mlgate.hooks.license_headers.demo import plant
    from mlgate.policy import Policy
    from mlgate.run import run_checks

    expected = plant(tmp_path, random.Random(3))
    monkeypatch.chdir(tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                   if p.is_file())
    result = run_checks(["license-headers"], files, Policy(root=tmp_path))
    found = {f.rule for f in result.findings}
    assert expected <= found and not result.errors
    by_path = {f.path for f in result.findings}
    # done right: a header, a sidecar, a REUSE.toml annotation
    assert not {"src/model.py", "weights/tokenizer.model", "weights/README.md"} & by_path


def test_many_annotations_the_last_match_still_wins(tmp_path: Path) -> None:
    tables = ['path = "**"\nSPDX-FileCopyrightText = "J"\nSPDX-License-Identifier = "MIT"']
    tables += [f'path = "f{i}.bin"\nSPDX-FileCopyrightText = "J"\n'
               f'SPDX-License-Identifier = "Unknown-{i}"' for i in range(900)]
    tables.append('path = "f5.bin"\nSPDX-FileCopyrightText = "J"\n'
                  'SPDX-License-Identifier = "GPL-3.0"')
    project(tmp_path, {"REUSE.toml": _toml(*tables), "f5.bin": BIN, "f700.bin": BIN,
                       "other.bin": BIN}, texts=("MIT", "GPL-3.0-only"))
    assert rules_of(tmp_path, "f5.bin") == {"deprecated-license"}
    findings, _ = results(tmp_path, ["f700.bin"])
    assert [f.message for f in findings] and "Unknown-700" in findings[0].message
    assert rules_of(tmp_path, "other.bin") == set()


@pytest.mark.parametrize(("table", "problem"), [
    ({"year": "2026"}, "copyright-holder"),
    ({"year": "last year", "copyright-holder": "J"}, "license-headers.year"),
    ({"styles": {".inc": "cobol"}}, "license-headers.styles"),
    ({"styles": {"a/b.inc": "c"}}, "license-headers.styles"),
    ({"header-lines": 0}, "license-headers.header-lines"),
    ({"default-license": "MIT; rm -rf"}, "license-headers.default-license"),
    ({"bogus": 1}, "unknown key 'license-headers.bogus'"),
])
def test_policy_errors_surface_at_load(table: dict[str, object], problem: str) -> None:
    from mlgate.errors import MlgateError
    from mlgate.policy import Policy

    with pytest.raises(MlgateError, match=problem.replace(".", r"\.")):
        Policy({"license-headers": table})


def test_a_project_reached_through_a_symlinked_directory(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real").mkdir()
    real = project(tmp_path / "real", {
        "REUSE.toml": 'version = 1\n[[annotations]]\npath = "*.bin"\n'
                      'SPDX-FileCopyrightText = "J"\nSPDX-License-Identifier = "MIT"\n',
        "a.bin": BIN})
    os.symlink(real, tmp_path / "link")
    monkeypatch.chdir(tmp_path / "link")
    from mlgate.hooks.license_headers.check import check
    from mlgate.policy import Policy

    assert list(check(["a.bin"], Policy(root=real))) == []
