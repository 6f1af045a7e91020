"""The demo's planted personal data: random, valid in form (mlgate.fakes)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from mlgate import fakes
from mlgate.demo import write_files
from mlgate.hooks.pii.config import DEFAULT_ENTITIES


def plant(root: Path, rng: random.Random) -> set[str]:
    write_files(root, {"data/sample.csv": _csv(rng), "data/prompts.jsonl": _jsonl(rng)})
    return {f"pii/{e}" for e in DEFAULT_ENTITIES}


def _csv(rng: random.Random) -> str:
    rows = ["user_id,email,phone,card,loss,checkpoint"]
    for i in range(20):
        rows.append(f"{1000 + i},{fakes.fake_email(rng)},{fakes.fake_phone(rng)},"
                    f"{fakes.fake_card(rng)},{rng.uniform(0.1, 2):.4f},"
                    + "".join(rng.choice("0123456789abcdef") for _ in range(12)))
    return "\n".join(rows) + "\n"


def _jsonl(rng: random.Random) -> str:
    lines = []
    for _ in range(10):
        record = {
            "instruction": "Summarise the customer's request.",
            "input": f"Hi, my SSN is {fakes.fake_ssn(rng)} and please refund to IBAN "
                     f"{fakes.fake_iban(rng)}. I logged in from {fakes.fake_ip(rng)}.",
            "output": "The customer asks for a refund.",
        }
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"
