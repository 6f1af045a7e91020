"""The mypyc-compiled modules (setup.py) report exactly what their Python source reports.

Editable installs, as the test suite runs, keep mlgate/hooks/pii/ and mlgate/sources/ as
Python; `pip install .` (and pre-commit's install) compile them. This test compiles a copy of
the package in place, as such a build does, and runs `mlgate pii` both ways on the same
generated data samples, one file of each format the readers know (Parquet aside).
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hooks" / "pii"))  # also when run on its own

from test_hostile import hostile_cases, run_hostile_case  # noqa: E402
from test_pii_parity import make_text  # noqa: E402

CLI = "import sys; from mlgate.cli import main; sys.argv[0] = 'mlgate'; main()"
WHICH = ("import mlgate.hooks.pii.engine as p, mlgate.sources.jsontext as s; "
         "print(p.__file__, s.__file__)")


def write_samples(where: Path) -> list[str]:
    """CSV (with key columns), JSONL, Markdown, JSON, TSV and a notebook, all of generated text
    with Faker PII, digits, punctuation and ML noise (the parity tests' generator)."""
    rng = random.Random(11)
    texts = [make_text(rng) for _ in range(1500)]
    with open(where / "people.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["phone", "notes", "card_number", "client_ip"])
        for i in range(0, 600, 4):
            out.writerow(texts[i:i + 4])
    with open(where / "chat.jsonl", "w", encoding="utf-8") as f:
        for text in texts[600:1100]:
            f.write(json.dumps({"role": "user", "content": text}) + "\n")
    (where / "notes.md").write_text("\n".join(texts[1100:1300]) + "\n", encoding="utf-8")
    (where / "records.json").write_text(json.dumps(
        [{"id": i, "text": t, "score": 0.5} for i, t in enumerate(texts[1300:1400])], indent=1),
        encoding="utf-8")
    with open(where / "people.tsv", "w", encoding="utf-8") as f:
        f.writelines(f"{i}\t{t}\n" for i, t in enumerate(texts[1400:1450]))
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": [t + "\n"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [t + "\n"]}]}
        for t in texts[1450:]]}
    (where / "eval.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return ["people.csv", "chat.jsonl", "notes.md", "records.json", "people.tsv", "eval.ipynb"]


def mlgate_pii(package_root: Path, data: Path, files: list[str]) -> tuple[str, str]:
    """`mlgate pii --format json FILES` with the mlgate package found under `package_root`,
    and the files its pii and sources modules were loaded from."""
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    where = subprocess.run([sys.executable, "-c", WHICH],
                           cwd=data, env=env, capture_output=True, text=True, check=True)
    run = subprocess.run([sys.executable, "-c", CLI, "pii", "--format", "json", *files],
                         cwd=data, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr[-2000:]  # findings, and no crash
    return run.stdout, where.stdout.strip()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with its compiled modules built in place (MLGATE_COMPILE=1)."""
    pytest.importorskip("mypyc", reason="mypy (with mypyc) is not installed")
    pytest.importorskip("setuptools")
    if not (shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")):
        pytest.skip("no C compiler")
    build = tmp_path_factory.mktemp("compiled") / "build"
    shutil.copytree(ROOT / "mlgate", build / "mlgate",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, build / name)
    made = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                          cwd=build, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "MLGATE_COMPILE": "1"})
    assert made.returncode == 0, made.stderr[-3000:]
    return build


def test_compiled_modules_report_what_the_source_reports(build: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    files = write_samples(data)

    compiled, compiled_from = mlgate_pii(build, data, files)
    source, source_from = mlgate_pii(ROOT, data, files)

    assert all(f.endswith(".so") and f.startswith(str(build))
               for f in compiled_from.split()), compiled_from
    assert all(f.endswith(".py") for f in source_from.split()), source_from
    found = json.loads(compiled)["findings"]
    assert {f["rule"] for f in found} >= {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER",
                                           "pii/CREDIT_CARD", "pii/IP_ADDRESS"}
    assert {f["path"] for f in found} == set(files)
    assert compiled == source


HOSTILE_PII = [c for c in hostile_cases()
               if any(w in c.id for w in ("csv", "notebook", "parquet", "json", "scrub", "pii"))]


@pytest.mark.parametrize("case", HOSTILE_PII, ids=[c.id for c in HOSTILE_PII])
def test_hostile_inputs_through_the_compiled_modules(build: Path, tmp_path: Path,
                                                     case: Any) -> None:
    """Issue 11: the hostile cases that reach the readers and the pii hook, run with the
    compiled modules (a CSV that ends in an open quote crashed only there)."""
    env = {**os.environ, "PYTHONPATH": str(build)}
    where = subprocess.run([sys.executable, "-c", WHICH], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert all(f.endswith(".so") for f in where), where
    run_hostile_case(case, tmp_path / "repo", env=env)
