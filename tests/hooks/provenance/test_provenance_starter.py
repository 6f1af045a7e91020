"""The starter ledger (`mlgate init` writes it) and the demo's plantings."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import pytest
import yaml
from provenance_helpers import WEIGHTS, Repo, rules

from mlgate.demo import write_files
from mlgate.hooks.provenance import demo, starter
from mlgate.policy import load


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path)


def _release(repo: Repo) -> dict[str, bytes]:
    files = {"data/support/train.jsonl": b'{"text": "Where is my order?"}\n',
             "models/model.safetensors": WEIGHTS,
             "configs/train.yaml": b"learning_rate: 2.0e-5\n",
             "eval/results.json": b'{"accuracy": 0.8}\n'}
    for name, data in files.items():
        repo.write(name, data)
    return files


def _fill(template: str, files: dict[str, bytes]) -> str:
    """What a team writes in place of each placeholder."""
    digest = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    answers = {
        "<dataset-id>": "support-chats", "<folder>": "support", "<file>": "train.jsonl",
        "<dataset name>": "Support chats", "<version, e.g. 1.0.0>": "1.0.0",
        "<what the data is, in one or two sentences>": "Helpdesk conversations.",
        "<URL, Hugging Face dataset id (org/name), or where it was collected>":
            "exported from the helpdesk",
        "<one of the source types above>": "user-submitted",
        "<SPDX expression, e.g. CC-BY-4.0>": "LicenseRef-Internal",
        "<URL of the license or terms of use>": "https://intranet.example.com/terms",
        "<person or team>": "Support analytics", "<contact address of the team>": "data-team",
        "<YYYY-MM-DD>": "2024-01-01",
        "<yes | no | not-applicable | unknown>": "yes",
        "<how consent was obtained, or the legal basis>": "opt-in in the helpdesk terms",
        "<yes | no | unknown>": "yes",
        "<method, e.g. names replaced with placeholders; or none>": "names replaced",
        "<each step, e.g. deduplicated by exact match>": "deduplicated",
        "<a known bias or limitation>": "English only",
        "<sha256 of the file, as `sha256sum` prints it>": digest["data/support/train.jsonl"],
        "<run-id>": "finetune-1",
        "<steps applied at training time, e.g. tokenised with the base model's tokenizer>":
            "chat template",
        "<path of the training config, e.g. configs/train.yaml>": "configs/train.yaml",
        "<git commit of the training code>": "3f1e9c2",
        "<models/model.safetensors>": "models/model.safetensors",
        "<sha256 of the artifact>": digest["models/model.safetensors"],
        "<path of the evaluation results, e.g. eval/results.json>": "eval/results.json",
    }
    text = template
    for placeholder, answer in answers.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, answer)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not re.search(r"<[^>\n]+>", body), re.findall(r"<[^>\n]+>", body)
    return text


def test_the_starter_is_valid_yaml_with_one_dataset_and_one_run() -> None:
    doc = yaml.safe_load(starter.FILES["PROVENANCE.yaml"])
    assert len(doc["datasets"]) == 1 and len(doc["runs"]) == 1


def test_the_starter_fails_until_filled(repo: Repo) -> None:
    _release(repo)
    repo.write("PROVENANCE.yaml", starter.FILES["PROVENANCE.yaml"])
    result = repo.check(*repo.all_files())
    found = set(rules(result))
    assert {"provenance/missing-field", "provenance/placeholder",
            "provenance/schema"} <= found
    assert result.exit_code == 1


def test_the_starter_passes_once_filled(repo: Repo) -> None:
    files = _release(repo)
    repo.write("PROVENANCE.yaml", _fill(starter.FILES["PROVENANCE.yaml"], files))
    result = repo.check(*repo.all_files())
    assert result.findings == [] and result.errors == []


def test_the_demo_plants_what_it_promises(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"mlgate.toml": 'fail-on = "error"\n'})
    expected = demo.plant(tmp_path, random.Random(7))
    monkeypatch.chdir(tmp_path)
    repo = Repo(tmp_path)
    from mlgate.run import run_checks

    result = run_checks(["provenance"], repo.all_files(), load(tmp_path / "mlgate.toml"))
    assert expected <= set(rules(result)), set(rules(result))
    assert result.errors == []
