"""The installed distributions: what mlgate reads agrees with importlib.metadata; licenses
are normalised to SPDX from every kind of metadata; a real virtual environment with wheels
installed by pip is read as it is."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dl_helpers import APACHE_TEXT, BSD3_TEXT, MIT_TEXT, make_dist, project

from mlgate.hooks.dependency_licenses.installed import Distribution, Environment
from mlgate.hooks.dependency_licenses.normalize import from_name, resolve


def _egg_info(site: Path) -> None:
    info = site / "legacy_pkg-0.9-py3.11.egg-info"
    info.mkdir(parents=True)
    (info / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: legacy-pkg\nVersion: 0.9\n"
                                   "License: MIT License\n", encoding="utf-8")
    (info / "requires.txt").write_text("six\n\n[test]\npytest\n\n[:python_version < \"4\"]\n"
                                       "attrs\n", encoding="utf-8")


def test_what_is_read_agrees_with_importlib_metadata(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_dist(site, "alpha", "1.0", expression="MIT", requires=("beta>=2", 'gamma; extra == "x"'))
    make_dist(site, "Beta.Pkg", "2.5", license="BSD-3-Clause",
              classifiers=("License :: OSI Approved :: BSD License",))
    _egg_info(site)
    env = Environment([site])
    ours = {(d.name, d.version, tuple(d.requires))
            for d in (env.get(n) for n in env.names()) if d is not None}
    theirs = {(d.metadata["Name"], d.version, tuple(d.requires or ()))
              for d in importlib.metadata.distributions(path=[str(site)])}
    assert ours == theirs
    legacy = env.get("legacy-pkg")
    assert legacy is not None
    assert legacy.requires == ["six", 'pytest; extra == "test"', 'attrs; python_version < "4"']


def _dist(**headers: str | list[str]) -> Distribution:
    d = Distribution("x", "x", "1", "here")
    d.headers = {k.lower().replace("_", "-"): v if isinstance(v, list) else [v]
                 for k, v in headers.items()}
    return d


@pytest.mark.parametrize(("headers", "texts", "expected", "source"), [
    ({"License_Expression": "mit OR Apache-2.0"}, {}, "MIT OR Apache-2.0", "License-Expression"),
    ({"License_Expression": "GPL-3.0"}, {}, "GPL-3.0-only", "License-Expression"),
    ({"License": "MIT License"}, {}, "MIT", "License"),
    ({"License": "Apache Software License"}, {}, "Apache-2.0", "License"),
    ({"License": "Apache 2.0"}, {}, "Apache-2.0", "License"),
    ({"License": "GPLv3"}, {}, "GPL-3.0-only", "License"),
    ({"License": "GPLv3+"}, {}, "GPL-3.0-or-later", "License"),
    ({"License": "new BSD"}, {}, "BSD-3-Clause", "License"),
    ({"License": "MIT/Apache 2.0"}, {}, "MIT OR Apache-2.0", "License"),
    ({"License": "BSD-3-Clause"}, {}, "BSD-3-Clause", "License"),
    ({"License": "PSF"}, {}, "PSF-2.0", "License"),
    ({"License": "UNKNOWN", "Classifier": ["License :: OSI Approved :: MIT License"]}, {},
     "MIT", "classifiers"),
    ({"Classifier": ["License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
                     "License :: OSI Approved :: MIT License"]}, {},
     "GPL-2.0-only AND MIT", "classifiers"),
    ({"License": "BSD", "Classifier": ["License :: OSI Approved :: BSD License"]},
     {"LICENSE": BSD3_TEXT}, "BSD-3-Clause", "license files"),
    ({}, {"LICENSE": APACHE_TEXT, "AUTHORS": "Jane and Joe\n"}, "Apache-2.0", "license files"),
    ({"License": "Copyright (c) 2020 Someone\n\n" + MIT_TEXT}, {}, "MIT", "License text"),
])
def test_licenses_are_normalised(headers: dict[str, str | list[str]], texts: dict[str, str],
                                 expected: str, source: str) -> None:
    d = _dist(**headers)
    d.license_texts = list(texts.items())
    resolved = resolve(d)
    assert (resolved.expression, resolved.source) == (expected, source)


@pytest.mark.parametrize(("headers", "said"), [
    ({"License": "BSD"}, "License: BSD"),
    ({"License": "GPL"}, "License: GPL"),
    ({"Classifier": ["License :: Other/Proprietary License"]},
     "classifier: Other/Proprietary License"),
    ({"License_Expression": "MIT AND"}, "License-Expression: MIT AND"),
    ({}, "no license in the metadata"),
])
def test_what_cannot_be_normalised_is_unknown_with_what_it_said(
        headers: dict[str, str | list[str]], said: str) -> None:
    resolved = resolve(_dist(**headers))
    assert resolved.expression is None and said in resolved.said


def test_free_text_names_map_only_when_unambiguous() -> None:
    assert from_name("The MIT License") == "MIT"
    assert from_name("Apache License, Version 2.0") == "Apache-2.0"
    assert from_name("BSD License") is None
    assert from_name("Public Domain") is None


# --- a real virtual environment, wheels installed by pip ---------------------------------


def _wheel(out: Path, name: str, version: str, metadata: str,
           license_text: str | None = None) -> Path:
    """A minimal valid wheel (a module, METADATA, WHEEL, RECORD) built here."""
    dist = f"{name}-{version}"
    files = {f"{name}/__init__.py": "VALUE = 1\n",
             f"{dist}.dist-info/METADATA": metadata,
             f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\n"
                                        "Root-Is-Purelib: true\nTag: py3-none-any\n"}
    if license_text is not None:
        files[f"{dist}.dist-info/licenses/LICENSE"] = license_text
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = "\n".join(record) + "\n"
    target = out / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return target


def test_a_real_venv_with_pip_installed_wheels(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    built = [
        _wheel(wheels, "permissive_lib", "1.0", "Metadata-Version: 2.4\nName: permissive-lib\n"
               "Version: 1.0\nLicense-Expression: MIT\nRequires-Dist: copyleft-lib\n"),
        _wheel(wheels, "copyleft_lib", "2.0", "Metadata-Version: 2.4\nName: copyleft-lib\n"
               "Version: 2.0\nLicense-File: LICENSE\n",
               license_text="GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n"),
    ]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=60)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-index", "--no-deps", *map(str, built)], check=True, timeout=120,
                   capture_output=True)
    project(tmp_path, policy='[licenses]\ndeny = ["AGPL-*"]\n', requirements="permissive-lib\n")
    out = subprocess.run([sys.executable, "-m", "mlgate.cli", "dependency-licenses", "--format",
                          "json", "--env", str(venv)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)["findings"]
    assert [(f["rule"], f["key"], f["path"], f["line"]) for f in findings] == [
        ("dependency-licenses/denied", "copyleft-lib", "requirements.txt", 1)]
    assert "AGPL-3.0-only (license files)" in findings[0]["message"]
    assert "via permissive-lib" in findings[0]["message"]
