"""Helpers of the provenance hook's tests: a real repository on disk, and runs of the hook."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mlgate.policy import Policy
from mlgate.result import Result
from mlgate.run import run_checks

# A complete dataset record and a complete run, as a team would write them
DATASET = """\
  - id: support-chats-2024
    paths: ["data/support/**"]
    name: Support chats 2024
    version: 2024.06.1
    description: Customer support conversations from the helpdesk, English only.
    source: exported from the helpdesk, project SUP
    source-type: user-submitted
    license: LicenseRef-Internal-Use
    terms-url: https://intranet.example.com/legal/data-terms
    creators:
      - {name: Support analytics team, contact: data-team}
    collection-period: {start: 2024-01-01, end: 2024-06-30}
    consent:
      given: yes
      mechanism: opt-in checkbox in the helpdesk terms (v3)
      revocable: yes
    personal-data:
      present: yes
      categories: [names, order numbers]
    anonymisation: names replaced by placeholders with mlgate pii scrub
    preprocessing:
      - dropped attachments
      - deduplicated by exact match
    known-bias: [English-speaking customers only]
"""

OASST = """\
  - id: oasst1
    name: OpenAssistant Conversations
    version: "1"
    source: OpenAssistant/oasst1
    source-type: crowdsourced
    license: Apache-2.0
    creators: [OpenAssistant contributors]
    collection-period: {start: 2023-02-01, end: 2023-04-12}
    consent: {given: yes, mechanism: contributor terms of open-assistant.io}
    personal-data: {present: no}
    preprocessing: [kept English conversations]
"""

RUN = """\
  - id: support-bot-v3
    datasets: [support-chats-2024, oasst1]
    preprocessing: [chat template of the base model]
    hyperparameters: configs/train.yaml
    code-revision: 3f1e9c2d5b7a
    artifacts:
      - path: models/support-bot-v3/model.safetensors
        sha256: {model_sha}
    evaluation: [eval/support-bot-v3.json]
"""

CHATS = '{"turns": ["Where is my order?", "It ships tomorrow."]}\n' * 3
WEIGHTS = b"\x08\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}" + b"\0" * 64


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class Repo:
    """A git work tree at `root` (the test's working directory)."""

    def __init__(self, root: Path, git: bool = True) -> None:
        self.root = root
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def standard(self) -> None:
        """A complete release: data, a model, a config, evaluation results and the ledger."""
        self.write("data/support/train.jsonl", CHATS)
        self.write("data/support/README.md", "# Support chats\n")
        self.write("models/support-bot-v3/model.safetensors", WEIGHTS)
        self.write("configs/train.yaml", "learning_rate: 2.0e-5\nepochs: 3\n")
        self.write("eval/support-bot-v3.json", json.dumps({"accuracy": 0.81}))
        self.write("train.py", "print('training')\n")
        self.write("PROVENANCE.yaml", "ledger: 1\ndatasets:\n" + DATASET + OASST + "runs:\n" +
                   RUN.replace("{model_sha}", sha(WEIGHTS)))

    def check(self, *paths: str, policy: dict[str, Any] | None = None) -> Result:
        assert Path.cwd() == self.root
        return run_checks(["provenance"], list(paths), Policy(policy or {}, root=self.root))

    def all_files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file() and ".git" not in p.relative_to(self.root).parts)


def rules(result: Result) -> list[str]:
    return sorted(f.rule for f in result.findings)


def by_rule(result: Result, rule: str) -> list[Any]:
    return [f for f in result.findings if f.rule == f"provenance/{rule}"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "mlgate.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)
