"""Precision rules (issue 12): each false-positive class is quiet, and the positives next to it
are still found. Every value is generated at run time (mlgate.fakes, random)."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from mlgate.fakes import FAKES
from mlgate.hooks.secrets import precision
from mlgate.hooks.secrets.placeholders import looks_placeholder
from mlgate.hooks.secrets.scanner import Scanner
from mlgate.policy import Policy

RNG = random.Random(20261202)
BY_RULE = {f.rule: f for f in FAKES}
SCANNER = Scanner(Policy())
UPPER_ALNUM = string.ascii_uppercase + string.digits
B64 = string.ascii_letters + string.digits + "+/"


def found(text: str, path: str = "f.py") -> list[tuple[int, str]]:
    return [(h.line, h.rule.removeprefix("secrets/")) for h in SCANNER.scan_text(text, path)]


def s(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def hexsha() -> str:
    return s("0123456789abcdef", 40)


def aws_secret(plus: bool = True) -> str:
    while True:
        value = s(B64 if plus else B64.replace("+", ""), 40)
        if "/" in value and ("+" in value) == plus:
            return value


def test_every_precision_rule_is_documented():
    from pathlib import Path
    doc = (Path(__file__).parents[3] / "docs" / "hooks" / "detect-ml-secrets.md").read_text()
    for name in precision.NAMES:
        assert f"`{name}`" in doc, name


# -- placeholder-runs --------------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/"
    "XXXXXXXXXXXXXXXXXXXXXXXX",
    'webhook_url: "https://hooks.slack.com/services/T00000000/B00000000/'
    'xxxxxxxxxxxxxxxxxxxxxxxx"',
    "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
    "aws_access_key_id = AKIA0000000000000000",
])
def test_placeholder_runs_in_structured_tokens_are_quiet(line):
    assert found(line + "\n") == []


def test_real_slack_webhooks_and_aws_ids_are_still_found():
    hook = (f"https://hooks.slack.com/services/T{s(UPPER_ALNUM, 8)}/B{s(UPPER_ALNUM, 10)}/"
            f"{s(string.ascii_letters + string.digits, 24)}")
    aws = BY_RULE["aws-access-key"].make(RNG)
    text = f"SLACK_WEBHOOK={hook}\naws_access_key_id = {aws}\n"
    assert found(text) == [(1, "slack-token"), (2, "aws-access-key")]


# -- git-sha -----------------------------------------------------------------------------------
@pytest.mark.parametrize("template", [
    'wandb.config.update({{"git_commit": "{sha}"}})',
    'wandb.init(config={{"sha": "{sha}", "lr": 3e-4}})',
    "wandb: logging run for revision={sha}",
    'wandb_meta = {{"git": {{"remote": "https://github.com/o/r", "commit": "{sha}"}}}}',
    "# wandb sweep: git checkout {sha}",
    "pip install git+https://github.com/wandb/wandb@{sha}",
    "wandb source: https://github.com/org/repo/commit/{sha}",
])
def test_commit_shas_near_wandb_are_not_wandb_keys(template):
    assert found(template.format(sha=hexsha()) + "\n") == []


@pytest.mark.parametrize("template", [
    "WANDB_API_KEY={key}",
    'wandb.login(key="{key}")',
    "wandb login {key}",
    '{{"wandb_api_key": "{key}"}}',
    'previous_wandb_key = "{key}"',  # `rev` inside a word is not a revision
    'wandb_header_key = "{key}"',
])
def test_legacy_wandb_keys_are_still_found(template):
    assert found(template.format(key=hexsha()) + "\n") == [(1, "wandb-api-key-legacy")]


# -- AWS secret access keys in INI / .env / YAML / JSON ---------------------------------------
@pytest.mark.parametrize("name,template", [
    ("credentials", "[default]\naws_access_key_id = {kid}\naws_secret_access_key = {key}\n"),
    (".env", "AWS_ACCESS_KEY_ID={kid}\nAWS_SECRET_ACCESS_KEY={key}\n"),
    ("config.yaml", "aws:\n  access_key_id: {kid}\n  aws_secret_access_key: {key}\n"),
    ("creds.json", '{{"AccessKeyId": "{kid}",\n "SecretAccessKey": "{key}"}}\n'),
    ("boto.py", 'boto3.client("s3", aws_access_key_id="{kid}",\n'
                '             aws_secret_access_key="{key}")\n'),
])
@pytest.mark.parametrize("plus", [True, False])
def test_aws_secret_access_keys_with_slash_and_plus_are_found(name, template, plus):
    kid, key = BY_RULE["aws-access-key"].make(RNG), aws_secret(plus)
    hits = SCANNER.scan_text(template.format(kid=kid, key=key), name)
    assert key in [h.value for h in hits]
    assert all(h.rule == "secrets/aws-access-key" for h in hits)


def test_aws_documentation_secret_key_is_quiet():
    doc_key = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY"
    assert found(f"aws_secret_access_key = {doc_key}\n", "credentials") == []


# -- dna-sequence -----------------------------------------------------------------------------
def test_dna_sequences_are_not_aws_key_ids():
    seqs = ["ACCA" + s("ACGT", 16 + RNG.randrange(40)) for _ in range(20)]
    text = "\n".join(f">read_{i}\n{q}" for i, q in enumerate(seqs)) + "\n"
    assert found(text, "reads.fasta") == []
    csv = "id,sequence\n" + "".join(f"{i},{q}\n" for i, q in enumerate(seqs))
    assert found(csv, "samples.csv") == []


def test_aws_key_ids_are_still_found_among_dna():
    aws = BY_RULE["aws-access-key"].make(RNG)
    text = f"ACCA{s('ACGT', 16)}\nAWS_ACCESS_KEY_ID={aws}\n"
    assert found(text) == [(2, "aws-access-key")]


# -- embedded-base64 --------------------------------------------------------------------------
def media_b64(inner: str) -> str:
    raw = bytes(RNG.randrange(256) for _ in range(3000))
    b64 = base64.b64encode(raw).decode()
    return b64[:1500] + inner + b64[1500:]


def test_base64_video_in_a_notebook_html_output_is_quiet():
    blob = media_b64("AKIA" + s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
    outputs = [{"output_type": "display_data", "metadata": {}, "data": {
        "text/html": [f'<video controls src="data:video/mp4;base64,{blob}">'],
        "text/plain": ["<IPython.core.display.HTML object>"]}},
        {"output_type": "display_data", "metadata": {}, "data": {
            "video/mp4": media_b64("ASIA" + s(UPPER_ALNUM, 16)),
            "audio/wav": media_b64("AKIA" + s(UPPER_ALNUM, 16))}}]
    nb = json.dumps({"cells": [{"cell_type": "code", "source": ["show()"], "metadata": {},
                                "execution_count": 1, "outputs": outputs}],
                     "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    assert found(nb, "demo.ipynb") == []


def test_keys_in_notebook_outputs_are_still_found():
    aws = BY_RULE["aws-access-key"].make(RNG)
    outputs = [{"output_type": "stream", "name": "stdout",
                "text": [f"AWS_ACCESS_KEY_ID={aws}\n"]}]
    nb = json.dumps({"cells": [{"cell_type": "code", "source": ["!env"], "metadata": {},
                                "execution_count": 1, "outputs": outputs}],
                     "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    assert [r for _, r in found(nb, "env.ipynb")] == ["aws-access-key"]


# -- code-reference ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "print((token, model.config.id2label[pred]))",
    "for token, score in zip(tokens, model.config.id2label2):",
    "pairs.append((token, tokenizer.convert_ids_to_tokens(ids)))",
    "secret = self.vault.lookup2(name)",
])
def test_code_expressions_are_not_assigned_secrets(line):
    assert found(line + "\n") == []


@pytest.mark.parametrize("template", [
    'api_token = "{v}"',
    "MISTRAL_API_KEY={v}",
    "token,{v}",
    'client(token="{v}")',
    "API_TOKEN={v}.{v}",  # an unquoted dotted value after `=` is a value
    "  api_token: {v}.{v}",
])
def test_generic_secrets_are_still_found(template):
    v = BY_RULE["generic-api-key"].make(RNG)
    while looks_placeholder(v):  # `0000`, `abcd`, `test` by chance: an older, other rule
        v = BY_RULE["generic-api-key"].make(RNG)
    assert found(template.format(v=v) + "\n") == [(1, "generic-api-key")]


def test_precision_rules_are_switchable_in_the_policy():
    """`[secrets] precision-off`: a switched-off rule's matches are reported again; an unknown
    rule name is a policy error."""
    line = "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX\n"
    assert found(line) == []
    off = Scanner(Policy({"secrets": {"precision-off": ["placeholder-runs"]}}))
    assert [h.rule for h in off.scan_text(line, "f.py")] == ["secrets/aws-access-key"]
    from mlgate.errors import MlgateError

    with pytest.raises(MlgateError, match="precision-off"):
        Policy({"secrets": {"precision-off": ["no-such-rule"]}})
