"""Through real pre-commit: `pre-commit try-repo` installs this checkout as a hook repository
(into its own virtualenv, as users get it) and runs the hooks on a real git repository."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate import fakes, manifest_format

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pre-commit home of the tests' own, so the user's cache stays out of it (try-repo
    builds each hook environment afresh, in a temporary store)."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Both hooks of this checkout through `pre-commit try-repo`, which builds the hook
    environment afresh each time (in a store of its own)."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", **env}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT),
                           "--all-files", "--verbose"], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=1200)


def test_hooks_through_pre_commit(tmp_path: Path, home: Path) -> None:
    rng = random.Random(5)
    token = next(f for f in fakes.FAKES if f.rule == "huggingface-token").make(rng)
    email, card = fakes.fake_email(rng), fakes.fake_card(rng)
    repo = tmp_path / "release"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "train.py").write_text(
        f'model = AutoModel.from_pretrained("org/m", token="{token}")\n')
    (repo / "data").mkdir()
    (repo / "data" / "sample.csv").write_text(f"id,email,card\n1,{email},{card}\n")
    (repo / "image.bin").write_bytes(bytes(range(256)))
    # REUSE metadata for spdx-license-headers: one annotation covers every file, and one
    # file's own (deprecated) identifier wins over it
    (repo / "REUSE.toml").write_text('version = 1\n[[annotations]]\npath = "**"\n'
                                     'SPDX-FileCopyrightText = "2026 T"\n'
                                     'SPDX-License-Identifier = "MIT"\n')
    (repo / "LICENSES").mkdir()
    (repo / "LICENSES" / "MIT.txt").write_text("MIT License\n")
    (repo / "kernel.c").write_text("// SPDX-License-Identifier: GPL-3.0\nint x;\n")
    # artifact-manifest: the .bin is an artifact, listed in an up-to-date manifest
    (repo / "mlgate-manifest.json").write_bytes(manifest_format.dumps([manifest_format.Entry(
        "image.bin", 256, hashlib.sha256(bytes(range(256))).hexdigest())]))
    git(repo, "add", "-A")

    # built as users get it: pip install of the repository, plain Python, no extras
    out = try_repo(repo, home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "train.py:1:" in out.stdout and "secrets/huggingface-token" in out.stdout
    assert token not in out.stdout and token not in out.stderr
    assert "image.bin" not in out.stdout  # types: [text] (and pii's file pattern) skip binaries
    assert "pii/EMAIL_ADDRESS" in out.stdout and "pii/CREDIT_CARD" in out.stdout
    assert email not in out.stdout and card not in out.stdout
    assert "kernel.c:1:4: license-headers/deprecated-license" in out.stdout
    assert "data/sample.csv: provenance/no-record" in out.stdout

    (repo / "train.py").write_text(
        'model = AutoModel.from_pretrained("org/m", token=os.environ["HF_TOKEN"])\n')
    (repo / "data" / "sample.csv").write_text("id,email\n1,someone@example.com\n")
    (repo / "kernel.c").write_text("// SPDX-License-Identifier: MIT\nint x;\n")
    (repo / "data" / "sample.csv.provenance.yaml").write_text(
        "datasets:\n  - id: sample\n    name: Sample\n    version: '1'\n"
        "    source: written for the test\n    source-type: synthetic\n    license: CC0-1.0\n"
        "    creators: [tests]\n    collection-period: {start: 2026-01-01, end: 2026-01-01}\n"
        "    consent: {given: not-applicable}\n    personal-data: {present: no}\n"
        "    preprocessing: [none]\n")
    git(repo, "add", "-A")
    out = try_repo(repo, home)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Detect ML secrets" in out.stdout and "PII in data samples" in out.stdout
    assert "SPDX license headers" in out.stdout
