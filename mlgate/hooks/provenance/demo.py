"""The demo's provenance problems: a data folder without a record, an incomplete record of
personal data whose file changed since it was pinned, and a run that uses a denied dataset."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from mlgate.demo import write_files

DENIED = "shadow-library/books-*"


def plant(root: Path, rng: random.Random) -> set[str]:
    tickets = [f'{{"ticket": {rng.randrange(10_000, 99_999)}, "text": "The export button '
               f'does nothing on page {rng.randrange(2, 40)}."}}' for _ in range(3)]
    chats = "\n".join(tickets) + "\n"
    pinned = hashlib.sha256(chats.encode() + b"(an earlier version)").hexdigest()
    write_files(root, {
        "datasets/support-chats/chats-2024-05.jsonl": chats,
        # a sidecar describing the folder: personal data, consent not settled, no license,
        # no anonymisation entry, and a checksum from before the file was edited
        "datasets/support-chats.provenance.yaml": (
            "datasets:\n"
            "  - id: support-chats\n"
            "    name: Support chats, May 2024\n"
            "    version: '2024.05'\n"
            "    source: exported from the helpdesk\n"
            "    source-type: user-submitted\n"
            "    creators: [support-team]\n"
            "    collection-period: {start: 2024-05-01, end: 2024-05-31}\n"
            "    consent: {given: unknown}\n"
            "    personal-data: {present: yes, categories: [names, ticket text]}\n"
            "    preprocessing: [dropped attachments]\n"
            "    checksums:\n"
            "      - path: support-chats/chats-2024-05.jsonl\n"
            f"        sha256: {pinned}\n"),
        # no record at all
        "datasets/web-snippets/part-0.csv": "id,snippet\n1,how to reset a router\n"
                                            "2,best pizza dough hydration\n",
        "PROVENANCE.yaml": (
            "ledger: 1\n"
            "datasets:\n"
            "  - id: books-mix\n"
            "    name: Books mix\n"
            "    version: '1'\n"
            "    source: https://huggingface.co/datasets/shadow-library/books-3\n"
            "    source-type: web-crawl\n"
            "    license: unknown\n"
            "    creators: [unknown]\n"
            "    collection-period: unknown\n"
            "    consent: {given: no}\n"
            "    personal-data: {present: unknown}\n"
            "    preprocessing: [none]\n"
            "runs:\n"
            "  - id: demo-llm-v1\n"
            "    datasets: [books-mix, support-chats]\n"
            "    hyperparameters: {learning-rate: 2.0e-5, epochs: 3}\n"
            "    code-revision: 4c1d2e9\n"
            "    artifacts: []\n"),
    })
    policy = root / "mlgate.toml"
    text = policy.read_text(encoding="utf-8") if policy.exists() else ""
    if "[datasets]" not in text:
        policy.write_text(text + f'\n[datasets]\ndeny = ["{DENIED}"]\n', encoding="utf-8")
    return {"provenance/no-record", "provenance/missing-field",
            "provenance/personal-data-consent", "provenance/personal-data-anonymisation",
            "provenance/denied-dataset", "provenance/stale-checksum"}
