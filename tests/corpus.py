"""A generated ML repository: code, configs, CI files, lockfiles, manifests and notebooks full
of hashes, UUIDs, revision ids and placeholders, with fake credentials planted in realistic
contexts. Used by the recall/false-positive tests and by bench/ (scaled up).

Everything is generated at run time from a seed; nothing here is a literal secret.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from mlgate.fakes import FAKES, Fake, gcp_service_account, pem_private_key, url_with_password

HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Planted:
    path: str
    line: int
    rule: str


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _service(fake: Fake) -> str:
    return fake.env.split("_")[0].lower()


# Contexts a credential is found in: (file suffix, template). {env} {svc} {t}
CONTEXTS = {
    "py-kwarg": ("py", '    client = {svc}.Client(api_key="{t}", timeout=30)'),
    "py-assign": ("py", '{env} = "{t}"  # TODO move to a vault'),
    "py-hub": ("py", '    model = AutoModel.from_pretrained("org/model", token="{t}")'),
    "env": ("env", "{env}={t}"),
    "yaml": ("yaml", "  {env_lower}: {t}"),
    "json": ("json", '  "{env_lower}": "{t}",'),
    "shell": ("sh", 'export {env}="{t}"'),
    "dockerfile": ("Dockerfile", "ENV {env}={t}"),
    "workflow": ("yml", "      {env}: {t}"),
}


def noise_python(rng: random.Random) -> list[str]:
    """Lines of a training script that a naive scanner flags: hashes, ids, placeholders."""
    return [
        "import os",
        "import torch",
        "from transformers import AutoModel, AutoTokenizer",
        f'REVISION = "{_hex(rng, 40)}"  # pinned model revision',
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased", revision=REVISION)',
        'token = os.environ["HF_TOKEN"]',
        'api_key = os.getenv("OPENAI_API_KEY", "<YOUR_KEY>")',
        "HF_TOKEN = 'hf_" + "x" * 34 + "'  # placeholder",
        f'run_id = "{_uuid(rng)}"',
        f'cache_key = "{_hex(rng, 64)}"',
        "key = jax.random.PRNGKey(0)",
        "max_tokens = 512",
        f'wandb.init(project="llm", id="{_hex(rng, 8)}")',
        f'checkpoint_sha256 = "{_hex(rng, 64)}"',
        'secret_name = "prod/hf-token"',
        "password = getpass.getpass()",
        'aws_access_key_id = "AKIA' + "IOSFODNN7" + 'EXAMPLE"',
        f"for step, batch in enumerate(loader):  # {rng.random():.4f}",
        f"    loss = model(**batch).loss * {rng.uniform(0.1, 2):.6f}",
        "    loss.backward()",
        "    optimizer.step()",
        f"    if step % {rng.randint(10, 500)} == 0:",
        '        print(f"step {step} loss {loss.item():.4f}")',
    ]


def noise_config(rng: random.Random) -> list[str]:
    return [
        "model:",
        "  name: meta-llama/Llama-3.1-8B",
        f"  revision: {_hex(rng, 40)}",
        f"  sha256: {_hex(rng, 64)}",
        "training:",
        f"  learning_rate: {rng.uniform(1e-5, 1e-3):.2e}",
        f"  seed: {rng.randint(0, 99999)}",
        "  hf_token: ${HF_TOKEN}",
        "  wandb_api_key: ${{ secrets.WANDB_API_KEY }}",
        "  api_key: <your-api-key>",
        f"  run_id: {_uuid(rng)}",
        f"  dataset_commit: {_hex(rng, 40)}",
    ]


def noise_lockfile(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        out.append(f"package{i}=={rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)} \\")
        out.append(f"    --hash=sha256:{_hex(rng, 64)} \\")
        out.append(f"    --hash=sha256:{_hex(rng, 64)}")
    return out


def _png_b64(rng: random.Random, size: int) -> str:
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)).decode()


def notebook(rng: random.Random, planted: list[tuple[str, str]], image_bytes: int = 6000) -> str:
    """An nbformat-4 notebook as Jupyter writes it (indent=1), with outputs and an image.
    `planted` is a list of (env name, token): one in a source cell, one in an output."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tuning\n", "Notes.\n"]}]
    for i, (env, token) in enumerate(planted):
        if i % 2 == 0:
            source = ["import os\n", f'os.environ["{env}"] = "{token}"\n', "train()"]
            outputs: list[dict] = []
        else:
            source = ["!env | grep API"]
            outputs = [{"name": "stdout", "output_type": "stream", "text": [f"{env}={token}\n"]}]
        cells.append({"cell_type": "code", "execution_count": i + 1, "metadata": {},
                      "outputs": outputs, "source": source})
    cells.append({"cell_type": "code", "execution_count": 99, "metadata": {}, "source": ["plot()"],
                  "outputs": [{"data": {"image/png": _png_b64(rng, image_bytes),
                                        "text/plain": ["<Figure size 640x480>"]},
                               "metadata": {}, "output_type": "display_data"}]})
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1) + "\n"


def _render(template: str, fake: Fake, token: str) -> str:
    return template.format(env=fake.env, env_lower=fake.env.lower(), svc=_service(fake), t=token)


def write_repo(root: Path, seed: int = 0, scale: int = 1, plant: bool = True) -> list[Planted]:
    """Write the corpus under `root`; return where each planted credential stands.

    `scale` multiplies the clean filler (scale 1 ≈ 0.19 MB; bench uses 265 for ~50 MB).
    """
    rng = random.Random(seed)
    planted: list[Planted] = []
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}

    for i in range(12 * scale):
        lines = []
        for _ in range(8):
            lines.extend(noise_python(rng))
        files[f"src/train_{i}.py"] = lines
    for i in range(6 * scale):
        files[f"configs/run_{i}.yaml"] = noise_config(rng) * 4
    for i in range(2 * scale):
        files[f"requirements_{i}.lock"] = noise_lockfile(rng, 120)
    for i in range(scale):
        manifest = {"files": [{"path": f"model-{k:05d}.safetensors", "sha256": _hex(rng, 64),
                               "size": rng.randint(1, 10**10)} for k in range(150)]}
        files[f"release/manifest_{i}.json"] = json.dumps(manifest, indent=2).splitlines()

    if plant:
        for ctx, (suffix, template) in CONTEXTS.items():
            path = f"planted/{ctx}/secrets.{suffix}" if suffix != "Dockerfile" \
                else f"planted/{ctx}/Dockerfile"
            lines = noise_python(rng)[:6] if suffix == "py" else ["# settings"]
            for fake in FAKES:
                token = fake.make(rng)
                lines.append(_render(template, fake, token))
                planted.append(Planted(path, len(lines), fake.rule))
                lines.append("")
            files[path] = lines
        # notebooks: half the providers in sources, half in outputs
        pairs = [(f.env, f.make(rng)) for f in FAKES]
        text = notebook(rng, pairs)
        path = "planted/notebook/analysis.ipynb"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        nb_lines = text.splitlines()
        for fake, (_, token) in zip(FAKES, pairs, strict=True):
            line = next(n for n, t in enumerate(nb_lines, 1) if token in t)
            planted.append(Planted(path, line, fake.rule))
        extra = {
            "planted/keys/id_rsa": (pem_private_key(rng), "private-key"),
            "planted/keys/service-account.json": (gcp_service_account(rng),
                                                  "gcp-service-account-key"),
            "planted/db.env": ("DATABASE_URL=" + url_with_password(rng), "url-credentials"),
            "planted/kaggle.json": (json.dumps({"username": "trainer",
                                                "key": _hex(rng, 32)}), "kaggle-api-key"),
        }
        for path, (content, rule) in extra.items():
            files[path] = content.splitlines()
            line = 1 if rule != "gcp-service-account-key" else next(
                n for n, t in enumerate(content.splitlines(), 1) if "private_key\"" in t)
            planted.append(Planted(path, line, rule))

    for i in range(max(1, scale // 2)):
        files[f"notebooks/eda_{i}.ipynb"] = notebook(rng, [], image_bytes=20000).splitlines()

    for path, lines in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted
