"""The demo's planted credentials: valid in form, random, granting nothing (mlgate.fakes)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from mlgate import fakes
from mlgate.demo import write_files


def plant(root: Path, rng: random.Random) -> set[str]:
    by_rule = {f.rule: f for f in fakes.FAKES}
    hf = by_rule["huggingface-token"].make(rng)
    openai = by_rule["openai-api-key"].make(rng)
    wandb = by_rule["wandb-api-key"].make(rng)
    write_files(root, {
        "train.py": (
            "import os\n\nfrom transformers import AutoModelForCausalLM\n\n"
            'REVISION = "' + "".join(rng.choice("0123456789abcdef") for _ in range(40)) + '"\n'
            'model = AutoModelForCausalLM.from_pretrained(\n'
            f'    "demo-org/demo-llm", revision=REVISION, token="{hf}"\n)\n'
            'wandb_key = os.environ["WANDB_API_KEY"]  # the right way: not flagged\n'
        ),
        ".env": f"OPENAI_API_KEY={openai}\nWANDB_API_KEY={wandb}\nHF_TOKEN=${{HF_TOKEN}}\n",
        "configs/train.yaml": "model: demo-org/demo-llm\nhf_token: ${HF_TOKEN}\n"
                              "learning_rate: 2.0e-5\n",
        "notebooks/eval.ipynb": _notebook(by_rule["anthropic-api-key"].make(rng)),
    })
    return {"secrets/huggingface-token", "secrets/openai-api-key", "secrets/wandb-api-key",
            "secrets/anthropic-api-key"}


def _notebook(token: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "source": ["!env | grep ANTHROPIC"],
         "outputs": [{"name": "stdout", "output_type": "stream",
                      "text": [f"ANTHROPIC_API_KEY={token}\n"]}]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1) + "\n"
