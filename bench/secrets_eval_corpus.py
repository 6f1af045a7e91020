"""A labelled evaluation repository for secret scanners (issue 12, "How it is judged").

`write_eval_repo(root, seed)` writes a realistic ML repository of about 100 files — training
and evaluation code, configs, CI workflows, a Dockerfile, `.env` files, an `~/.aws/credentials`
copy, notebooks with outputs, W&B run metadata and logs, release manifests, lockfiles, genomics
data samples, docs — and returns its labels:

- `Planted(path, line, kind, rule)`: a credential of every rule mlgate has (generated with
  `mlgate.fakes`, valid in form, random, granting nothing), in the contexts it is found in;
  `line` is the line a scanner should report (for a token split across notebook list items,
  the line of its first piece).
- `Decoy(path, line, cls)`: a line of one of the false-positive classes that real ML
  repositories are full of: placeholders (zero/X webhooks and key ids, `hf_xxxx…`, `<YOUR_KEY>`,
  `${VAR}`, AWS's documentation keys), git SHAs under commit/sha/revision keys and in git
  contexts (often next to `wandb`), DNA sequences, base64 media in notebook outputs (video and
  audio in HTML and MIME bundles; AWS-key-shaped runs are inserted into some blobs, as happens
  by chance in megabytes of real media), `print((token, …))` tuples, checkpoint digests,
  UUIDs, W&B run ids, Hugging Face revision SHAs, lockfile hashes.

Everything is generated at run time from the seed; nothing here is a literal secret.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from dataclasses import dataclass
from pathlib import Path

from mlgate.fakes import FAKES, Fake, gcp_service_account, pem_private_key, url_with_password

HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits
BASE32 = string.ascii_uppercase + "234567"
B64 = ALNUM + "+/"


@dataclass(frozen=True)
class Planted:
    path: str
    line: int
    kind: str  # what was planted (a rule, or a finer kind such as aws-secret-access-key)
    rule: str  # the mlgate rule expected (without `secrets/`)


@dataclass(frozen=True)
class Decoy:
    path: str
    line: int
    cls: str  # the false-positive class


class _Repo:
    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.planted: list[Planted] = []
        self.decoys: list[Decoy] = []
        self.files = 0

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def hexs(self, n: int) -> str:
        return self.s(HEX, n)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128)))

    def write(self, path: str, text: str, plants: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
              decoys: list[tuple[str, str]] = ()) -> None:  # type: ignore[assignment]
        """Write `text`; each (needle, kind, rule) / (needle, cls) is labelled at the line
        where the needle (a unique generated value, or its first piece) stands."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.files += 1
        for needle, kind, rule in plants:
            self.planted.append(Planted(path, _line_of(text, needle), kind, rule))
        for needle, cls in decoys:
            self.decoys.append(Decoy(path, _line_of(text, needle), cls))


def _line_of(text: str, needle: str) -> int:
    at = text.index(needle)
    return text.count("\n", 0, at) + 1


def _env_lower(fake: Fake) -> str:
    return fake.env.lower()


# Contexts that name the service on the line (keyword-anchored rules need it).
_CONTEXTS = (
    ("py", '{env} = "{t}"  # TODO: move to the vault'),
    ("env", "{env}={t}"),
    ("yaml", "  {env_lower}: {t}"),
    ("json", '  "{env_lower}": "{t}",'),
    ("sh", 'export {env}="{t}"'),
    ("yml", "      {env}: {t}"),
    ("Dockerfile", "ENV {env}={t}"),
    ("py", 'os.environ["{env}"] = "{t}"'),
    ("py", '    client = make_client(api_key="{t}")  # {env}'),
)


def write_eval_repo(root: Path, seed: int = 0) -> tuple[list[Planted], list[Decoy]]:
    rng = random.Random(seed)
    r = _Repo(root, rng)
    _plant_by_context(r)
    _special_credentials(r)
    _notebooks(r)
    _git_and_wandb(r)
    _genomics(r)
    _placeholders(r)
    _ml_noise(r)
    _code_files(r)
    return r.planted, r.decoys


# -- planted credentials -----------------------------------------------------------------------
def _plant_by_context(r: _Repo) -> None:
    """Every fake in three contexts, spread over per-kind files of the repository."""
    buckets: dict[str, list[tuple[str, tuple[str, str, str]]]] = {}
    for fake in FAKES:
        for suffix, template in r.rng.sample(_CONTEXTS, 3):
            if "make_client" in template and fake.rule in (
                    "cohere-api-key", "comet-api-key", "kaggle-api-key", "deepseek-api-key",
                    "wandb-api-key-legacy"):
                suffix, template = _CONTEXTS[0]  # these need the service's name first
            token = fake.make(r.rng)
            line = template.format(env=fake.env, env_lower=_env_lower(fake), t=token)
            buckets.setdefault(suffix, []).append((line, (token, fake.rule, fake.rule)))
    names = {"py": "src/{i}/settings.py", "env": "deploy/{i}/.env", "yaml": "configs/{i}.yaml",
             "json": "configs/{i}.json", "sh": "scripts/launch_{i}.sh",
             "yml": ".github/workflows/train_{i}.yml", "Dockerfile": "docker/{i}/Dockerfile"}
    for suffix, items in buckets.items():
        for i in range(0, len(items), 6):
            chunk = items[i:i + 6]
            head = {"py": ["import os", "", "BATCH_SIZE = 32"], "env": ["# local settings"],
                    "yaml": ["service:"], "json": ["{"], "sh": ["#!/bin/sh", "set -eu"],
                    "yml": ["jobs:", "  train:", "    env:"],
                    "Dockerfile": ["FROM python:3.11-slim"]}[suffix]
            body = []
            for line, _ in chunk:
                body += [line, _filler_line(r, suffix)]
            tail = ['  "seed": 1', "}"] if suffix == "json" else []
            text = "\n".join([*head, *body, *tail]) + "\n"
            r.write(names[suffix].format(i=i // 6), text, [p for _, p in chunk])


def _filler_line(r: _Repo, suffix: str) -> str:
    lr = r.rng.choice(("1e-4", "3e-4", "2e-5"))
    return {"py": f"LEARNING_RATE = {lr}", "env": f"NUM_WORKERS={r.rng.randint(2, 16)}",
            "yaml": f"  learning_rate: {lr}", "json": f'  "learning_rate": {lr},',
            "sh": f"echo step {r.rng.randint(1, 99)}", "yml": "      PYTHONUNBUFFERED: 1",
            "Dockerfile": "RUN pip install --no-cache-dir -r requirements.txt"}[suffix]


def _aws_secret(r: _Repo) -> str:
    """40 characters of the base64 alphabet with a `/`; half of them without a `+` (the
    shape a keyword rule that takes `/` for a path misses)."""
    plus = r.rng.random() < 0.5
    while True:
        value = r.s(B64 if plus else ALNUM + "/", 40)
        if "/" in value and ("+" in value) == plus:
            return value


def _aws_id(r: _Repo) -> str:
    return "AK" + "IA" + r.s(BASE32, 16)


def _special_credentials(r: _Repo) -> None:
    kid, key = _aws_id(r), _aws_secret(r)
    kid2, key2 = _aws_id(r), _aws_secret(r)
    r.write("deploy/aws/credentials",
            f"[default]\naws_access_key_id = {kid}\naws_secret_access_key = {key}\n"
            f"region = us-east-1\n\n[training]\naws_access_key_id={kid2}\n"
            f"aws_secret_access_key={key2}\n",
            [(kid, "aws-access-key", "aws-access-key"),
             (key, "aws-secret-access-key", "aws-access-key"),
             (kid2, "aws-access-key", "aws-access-key"),
             (key2, "aws-secret-access-key", "aws-access-key")])
    keys = [_aws_secret(r) for _ in range(3)]
    r.write("deploy/s3/.env", f"S3_BUCKET=ml-artifacts\nAWS_SECRET_ACCESS_KEY={keys[0]}\n",
            [(keys[0], "aws-secret-access-key", "aws-access-key")])
    r.write("configs/storage.yaml", f"s3:\n  bucket: ml-artifacts\n"
            f"  aws_secret_access_key: {keys[1]}\n",
            [(keys[1], "aws-secret-access-key", "aws-access-key")])
    session_id = "AS" + "IA" + r.s(BASE32, 16)
    r.write("configs/sts_session.json", json.dumps({"Credentials": {
        "AccessKeyId": session_id, "SecretAccessKey": keys[2],
        "Expiration": "2026-12-01T00:00:00Z"}}, indent=2) + "\n",
        [(session_id, "aws-access-key", "aws-access-key"),
         (keys[2], "aws-secret-access-key", "aws-access-key")])
    hooks = [f"https://hooks.slack.com/services/T{r.s(string.ascii_uppercase + string.digits, 8)}"
             f"/B{r.s(string.ascii_uppercase + string.digits, 10)}/{r.s(ALNUM, 24)}"
             for _ in range(2)]
    r.write("scripts/notify.py", "import requests\n\n"
            f'WEBHOOK = "{hooks[0]}"\n\n\ndef notify(msg):\n'
            "    requests.post(WEBHOOK, json={'text': msg}, timeout=5)\n",
            [(hooks[0], "slack-webhook", "slack-token")])
    r.write("configs/alerts.yaml", f"alerts:\n  slack: {hooks[1]}\n",
            [(hooks[1], "slack-webhook", "slack-token")])
    pem = pem_private_key(r.rng)
    r.write("deploy/keys/deploy_key.pem", pem + "\n",
            [(pem.splitlines()[0], "private-key", "private-key")])
    sa = gcp_service_account(r.rng)
    r.write("deploy/gcp/service_account.json", sa + "\n",
            [('"private_key":', "gcp-service-account-key", "gcp-service-account-key")])
    url = url_with_password(r.rng)
    r.write("configs/db.yaml", f"tracking:\n  uri: {url}\n",
            [(url, "url-credentials", "url-credentials")])
    kaggle = r.hexs(32)
    r.write("kaggle.json", json.dumps({"username": "trainer", "key": kaggle}) + "\n",
            [(kaggle, "kaggle-api-key", "kaggle-api-key")])


# -- notebooks ---------------------------------------------------------------------------------
def _nb(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def _code(source: list[str], outputs: list[dict] | None = None) -> dict:
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source,
            "outputs": outputs or []}


def _stream(text: list[str]) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": text}


def _media(r: _Repo, size: int, shaped: bool) -> str:
    blob = base64.b64encode(bytes(r.rng.randrange(256) for _ in range(size))).decode()
    if shaped:  # AWS-key-shaped runs, as megabytes of real media hold by chance
        for prefix in ("AKIA", "ASIA", "ACCA"):
            at = r.rng.randrange(100, len(blob) - 100)
            blob = blob[:at] + prefix + r.s(BASE32, 16) + blob[at + 20:]
    return blob


def _notebooks(r: _Repo) -> None:
    by_rule = {f.rule: f for f in FAKES}
    # credentials in sources and outputs, some split across list items
    for i, rule in enumerate(("huggingface-token", "openai-api-key", "anthropic-api-key",
                              "github-token", "groq-api-key")):
        fake = by_rule[rule]
        a, b = fake.make(r.rng), fake.make(r.rng)
        cut = r.rng.randrange(8, len(b) - 8)
        cells = [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tuning run\n"]},
            _code(["import os\n", f'os.environ["{fake.env}"] = "{a}"\n']),
            _code(["!env | grep KEY\n"], [_stream(["HOME=/root\n", f"{fake.env}={b[:cut]}",
                                                    f"{b[cut:]}\n", "PATH=/usr/bin\n"])]),
            _code(["trainer.train()\n"], [_stream([f"step {k}: loss {r.rng.random():.4f}\n"
                                                    for k in range(5)])]),
        ]
        text = _nb(cells)
        r.write(f"notebooks/finetune_{i}.ipynb", text,
                [(a, rule, rule), (b[:cut], rule + " (split across output items)", rule)])
    # media, print tuples, revision SHAs
    for i in range(6):
        video = _media(r, 6000, shaped=i % 2 == 0)
        audio = _media(r, 4000, shaped=i % 2 == 1)
        png = _media(r, 3000, shaped=True)
        rev = r.hexs(40)
        cells = [
            _code(["from IPython.display import HTML\n", "HTML(video_html)\n"],
                  [{"output_type": "display_data", "metadata": {}, "data": {
                      "text/html": [f'<video controls src="data:video/mp4;base64,{video}">'],
                      "text/plain": ["<IPython.core.display.HTML object>"]}}]),
            _code(["Audio(wav)\n"], [{"output_type": "display_data", "metadata": {}, "data": {
                "audio/wav": audio, "text/plain": ["<IPython.lib.display.Audio object>"]}}]),
            _code(["plt.plot(losses)\n"], [{"output_type": "display_data", "metadata": {},
                                            "data": {"image/png": png}}]),
            _code(["for token, pred in zip(tokens, preds):\n",
                   "    print((token, model.config.id2label[pred]))\n"],
                  [_stream(["('the', 'O')\n", "('Paris', 'B-LOC')\n"])]),
            _code([f'model = AutoModel.from_pretrained("org/model", revision="{rev}")\n']),
        ]
        text = _nb(cells)
        r.write(f"notebooks/inspect_{i}.ipynb", text, [], [
            ("data:video/mp4;base64,", "media-base64"), ('"audio/wav"', "media-base64"),
            ("print((token, model.config.id2label", "print-tuple"), (rev, "hf-revision")])


# -- git SHAs, W&B --------------------------------------------------------------------------
def _git_and_wandb(r: _Repo) -> None:
    for i in range(6):
        sha, run_id = r.hexs(40), r.s(string.ascii_lowercase + string.digits, 8)
        meta = {"os": "Linux-5.15", "python": "3.11.7", "program": "train.py",
                "git": {"remote": "https://github.com/org/llm.git", "commit": sha},
                "email": None, "root": "/workspace", "host": f"gpu-node-{i}",
                "username": "trainer", "executable": "/usr/bin/python3", "cpu_count": 32,
                "gpu": "NVIDIA A100-SXM4-80GB", "gpu_count": 8}
        text = json.dumps(meta, indent=4) + "\n"
        r.write(f"wandb/run-2026110{i}_1200{i}-{run_id}/files/wandb-metadata.json", text, [],
                [(sha, "git-sha")])
    sha1, sha2, sha3, run_id = r.hexs(40), r.hexs(40), r.hexs(40), r.s(HEX, 8)
    r.write("src/tracking.py",
            "import subprocess\n\nimport wandb\n\n\ndef start(cfg):\n"
            "    commit = subprocess.check_output(['git', 'rev-parse', 'HEAD']).decode().strip()\n"
            f'    wandb.init(project="llm", id="{run_id}", config=cfg)\n'
            f'    wandb.config.update({{"git_commit": "{sha1}"}})\n'
            f'    wandb.config.update({{"base_sha": "{sha2}"}})  # pinned base model code\n'
            "    return commit\n",
            [], [(run_id, "wandb-run-id"), (sha1, "git-sha"), (sha2, "git-sha")])
    log = [f"wandb: Tracking run with wandb version 0.17.{r.rng.randint(0, 9)}",
           f"wandb: Run data is saved locally in wandb/run-20261101-{run_id}",
           f"wandb: Syncing run {r.s(string.ascii_lowercase, 6)}-{r.rng.randint(1, 99)}",
           f"wandb: View run at https://wandb.ai/org/llm/runs/{run_id}",
           f"wandb: git commit {sha3}",
           f"INFO  step=100 loss=2.31 lr=3e-4 ckpt_sha256={r.hexs(64)}"]
    r.write("logs/train_run_1.log", "\n".join(log) + "\n", [],
            [(run_id, "wandb-run-id"), (sha3, "git-sha"), ("ckpt_sha256=", "checkpoint-hash")])
    sha4 = r.hexs(40)
    r.write("docs/reproduce.md", "# Reproducing the results\n\n```sh\n"
            f"git clone https://github.com/org/llm && cd llm\ngit checkout {sha4}\n"
            "wandb login  # paste the key when asked\n```\n", [], [(sha4, "git-sha")])
    sha5 = r.hexs(40)
    r.write("requirements-dev.txt",
            f"wandb==0.17.4\ngit+https://github.com/wandb/wandb-addons@{sha5}#egg=addons\n",
            [], [(sha5, "git-sha")])


# -- genomics --------------------------------------------------------------------------------
def _genomics(r: _Repo) -> None:
    reads = ["ACCA" + r.s("ACGT", r.rng.randint(16, 60)) for _ in range(12)]
    fasta = "".join(f">read_{i} len={len(q)}\n{q}\n" for i, q in enumerate(reads))
    r.write("data/samples/reads.fasta", fasta, [], [(q, "dna") for q in reads])
    rows = ["ACCA" + r.s("ACGT", 16) for _ in range(10)]
    csv = "id,sequence,label\n" + "".join(f"{i},{q},{i % 2}\n" for i, q in enumerate(rows))
    r.write("data/samples/promoters.csv", csv, [], [(q, "dna") for q in rows])


# -- placeholders ----------------------------------------------------------------------------
def _placeholders(r: _Repo) -> None:
    zero_hook = "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24
    zero_hook2 = "https://hooks.slack.com/services/T00000000/B00000000/" + "x" * 24
    doc_id, doc_key = "AKIAIOSFODNN7" + "EXAMPLE", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
    lines = [
        ("# Copy to .env and fill in", None),
        ("HF_TOKEN=hf_" + "x" * 34, "placeholder"),
        ("OPENAI_API_KEY=sk-proj-" + "X" * 48, "placeholder"),
        ("ANTHROPIC_API_KEY=<YOUR_ANTHROPIC_KEY>", "placeholder"),
        ("WANDB_API_KEY=${WANDB_API_KEY}", "placeholder"),
        (f"SLACK_WEBHOOK_URL={zero_hook}", "placeholder"),
        ("AWS_ACCESS_KEY_ID=AKIA" + "X" * 16, "placeholder"),
        ("AWS_SECRET_ACCESS_KEY=" + "X" * 40, "placeholder"),
    ]
    text = "\n".join(line for line, _ in lines) + "\n"
    r.write(".env.example", text, [], [(line, c) for line, c in lines if c])
    r.write("docs/deploy.md", "# Deploying\n\nSet the webhook in `configs/alerts.yaml`:\n\n"
            f"```yaml\nalerts:\n  slack: {zero_hook2}\n```\n\nAWS credentials look like\n\n"
            f"```ini\n[default]\naws_access_key_id = {doc_id}\n"
            f"aws_secret_access_key = {doc_key}\n```\n\n"
            "and the token is read with `os.environ[\"HF_TOKEN\"]`.\n", [],
            [(zero_hook2, "placeholder"), (doc_id, "placeholder"), (doc_key, "placeholder")])
    r.write(".github/workflows/release.yml",
            "jobs:\n  release:\n    env:\n      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n"
            "      SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}\n    steps:\n"
            "      - run: python -m release --push\n", [],
            [("${{ secrets.HF_TOKEN }}", "placeholder")])


# -- ordinary ML noise -------------------------------------------------------------------------
def _ml_noise(r: _Repo) -> None:
    for i in range(5):
        files = {f"model-{k:05d}-of-00004.safetensors": {
            "sha256": r.hexs(64), "size": r.rng.randint(10**9, 5 * 10**9)} for k in range(4)}
        doc = {"release": f"v1.{i}", "revision": r.hexs(40), "files": files}
        text = json.dumps(doc, indent=2) + "\n"
        r.write(f"release/manifest_v1.{i}.json", text, [],
                [(doc["revision"], "hf-revision"),
                 *((v["sha256"], "checkpoint-hash") for v in files.values())])
    ids = [r.uuid() for _ in range(8)]
    r.write("configs/experiments.yaml", "experiments:\n" + "".join(
        f"  - run_id: {u}\n    experiment_id: {r.uuid()}\n    lr: 3e-4\n" for u in ids), [],
        [(u, "uuid") for u in ids])
    commit = r.hexs(40)
    cfg = {"architectures": ["LlamaForCausalLM"], "_commit_hash": commit,
           "hidden_size": 4096, "torch_dtype": "bfloat16", "transformers_version": "4.44.0"}
    r.write("checkpoints/config.json", json.dumps(cfg, indent=2) + "\n", [],
            [(commit, "hf-revision")])
    hashes = [r.hexs(64) for _ in range(8)]
    pkgs = ("torch", "transformers", "datasets", "accelerate", "wandb", "numpy", "tqdm",
            "safetensors")
    pins = (f"{p}==1.{k}.0 \\\n    --hash=sha256:{h}\n"
            for k, (p, h) in enumerate(zip(pkgs, hashes, strict=True)))
    r.write("requirements.lock", "".join(pins),
        [], [(h, "lockfile-hash") for h in hashes])
    revs = [r.hexs(40) for _ in range(4)]
    r.write("src/load.py", "from transformers import AutoModel, AutoTokenizer\n\n" + "".join(
        f'm{k} = AutoModel.from_pretrained("org/m{k}", revision="{v}")\n'
        for k, v in enumerate(revs)) +
        f'URL = "https://huggingface.co/org/m0/resolve/{revs[0]}/config.json"\n', [],
        [(f'revision="{v}"', "hf-revision") for v in revs])
    run_ids = [r.s(string.ascii_lowercase + string.digits, 8) for _ in range(5)]
    r.write("src/resume.py", "import wandb\n\n" + "".join(
        f'run_{k} = wandb.init(project="llm", id="{v}", resume="allow")\n'
        for k, v in enumerate(run_ids)), [], [(v, "wandb-run-id") for v in run_ids])
    r.write("src/decode.py", "def show(tokens, preds, model):\n"
            "    for token, pred in zip(tokens, preds):\n"
            "        print((token, model.config.id2label[pred]))\n"
            "    secret = vault.lookup(name)\n"
            "    pairs = [(token, tokenizer.convert_ids_to_tokens(i)) for i in ids]\n", [],
            [("print((token", "print-tuple"), ("(token, tokenizer", "print-tuple")])


def _code_files(r: _Repo) -> None:
    """Ordinary modules, tests and docs, up to about 100 files."""
    names = ("attention", "mlp", "rope", "norm", "moe", "lora", "quant", "sampler", "collate",
             "metrics", "scheduler", "optim", "tokenize", "eval_harness", "export", "callbacks")
    for name in names:
        r.write(f"src/llm/{name}.py", f'"""{name}."""\n\nimport torch\n\n\n'
                f"def {name}_forward(x, max_tokens=2048, num_tokens=0):\n"
                "    token_ids = x.argmax(-1)\n"
                f"    key = torch.randn({r.rng.randint(8, 64)}, {r.rng.randint(8, 64)})\n"
                "    return token_ids, key\n")
        r.write(f"tests/test_{name}.py", f"from llm.{name} import {name}_forward\n\n\n"
                f"def test_{name}():\n    assert {name}_forward is not None\n")
    for name in ("index", "training", "evaluation", "data", "faq"):
        r.write(f"docs/{name}.md", f"# {name.title()}\n\nSet `HF_TOKEN` in your environment; "
                "never commit it. Keys are read with `os.environ`.\n")
    r.write("README.md", "# llm\n\nA small language model.\n")
    r.write("Dockerfile", "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -e /app\n")
