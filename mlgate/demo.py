"""`mlgate demo`: write a small model-release repository with planted problems and check it.

The planted credentials and personal data are made here at run time (mlgate.fakes): they are
valid in form, random, and grant nothing. The demo exits 0 when mlgate found every planted
problem, so it doubles as a smoke test of an installation.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from mlgate import fakes
from mlgate.catalog import HOOKS
from mlgate.policy import Policy
from mlgate.report import render
from mlgate.run import run_checks


def write_demo(root: Path, seed: int | None = None) -> dict[str, set[str]]:
    """Write the demo repository; returns, per check, the rules that must be reported."""
    rng = random.Random(seed)
    by_rule = {f.rule: f for f in fakes.FAKES}
    hf = by_rule["huggingface-token"].make(rng)
    openai = by_rule["openai-api-key"].make(rng)
    wandb = by_rule["wandb-api-key"].make(rng)
    files = {
        "README.md": "# demo-llm\n\nA small model release. Run `mlgate demo` to recreate.\n",
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
        "data/sample.csv": _csv(rng),
        "data/prompts.jsonl": _jsonl(rng),
        "mlgate.toml": "# mlgate policy: docs/policy.md lists every key\nfail-on = \"error\"\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=False, capture_output=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=False, capture_output=True)
    return {
        "secrets": {"secrets/huggingface-token", "secrets/openai-api-key",
                    "secrets/wandb-api-key", "secrets/anthropic-api-key"},
        "pii": {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER", "pii/CREDIT_CARD", "pii/US_SSN",
                "pii/IBAN_CODE", "pii/IP_ADDRESS"},
    }


def _notebook(token: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "source": ["!env | grep ANTHROPIC"],
         "outputs": [{"name": "stdout", "output_type": "stream",
                      "text": [f"ANTHROPIC_API_KEY={token}\n"]}]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1) + "\n"


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


def run_demo(directory: Path | None) -> int:
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="mlgate-demo-"))
    elif directory.exists() and any(directory.iterdir()):
        click.echo(f"mlgate demo: {directory} is not empty; give a new directory", err=True)
        return 2
    directory.mkdir(parents=True, exist_ok=True)
    expected = write_demo(directory)
    click.echo(f"Wrote a demo model release with planted problems to {directory}\n")
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                   if p.is_file() and ".git" not in p.parts)
    policy = Policy(root=directory)
    missing: list[str] = []
    here = Path.cwd()
    os.chdir(directory)  # report paths relative to the demo repository, as pre-commit would
    try:
        for hook in HOOKS:
            if hook.check not in expected:
                continue
            click.secho(f"$ mlgate {hook.command}  ({hook.id})", bold=True)
            result = run_checks([hook.check], files, policy)
            click.echo(render(result, "text") or "(nothing found)")
            click.echo()
            found = {f.rule for f in result.findings}
            missing += sorted(expected[hook.check] - found)
    finally:
        os.chdir(here)
    if missing:
        click.echo(f"mlgate demo: these planted problems were NOT found: {', '.join(missing)}",
                   err=True)
        return 1
    click.echo("mlgate found every planted problem; no value was printed in full.\n"
               f"Try it with pre-commit:  cd {directory} && pre-commit try-repo "
               "<path-to-mlgate> --all-files\n"
               "Add the hooks to your own repository: see README.md, 'Use it'.")
    return 0
