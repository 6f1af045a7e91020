"""Fake credentials in each provider's real format, made at run time.

The demo, the tests and the benchmarks plant these; none is ever committed as a literal, so
mlgate's own repository passes its own hooks and code hosts' push protection stays quiet.
Values are random: they are shaped like real keys and grant nothing.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "_-"


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


@dataclass(frozen=True)
class Fake:
    rule: str  # the mlgate rule that must report it
    env: str  # a variable name such a credential is usually stored under
    make: Callable[[random.Random], str]


def _openai(rng: random.Random) -> str:
    kind = rng.choice(["proj", "svcacct", "admin", "legacy"])
    marker = "T3Blbk" + "FJ"
    if kind == "legacy":
        return "sk-" + _s(rng, ALNUM, 20) + marker + _s(rng, ALNUM, 20)
    return f"sk-{kind}-" + _s(rng, URLSAFE, 74) + marker + _s(rng, URLSAFE, 74)


def _neptune(rng: random.Random) -> str:
    doc = {"api_address": "https://app.neptune.ai", "api_url": "https://app.neptune.ai",
           "api_key": str(uuid.UUID(int=rng.getrandbits(128)))}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def pem_private_key(rng: random.Random, kind: str = "RSA ") -> str:
    body = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(600))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    dashes = "-" * 5
    return "\n".join([f"{dashes}BEGIN {kind}PRIVATE KEY{dashes}", *lines,
                      f"{dashes}END {kind}PRIVATE KEY{dashes}"])


def gcp_service_account(rng: random.Random) -> str:
    """A service-account JSON file as the console writes it (the key is random bytes)."""
    doc = {
        "type": "service_account", "project_id": "demo-project-" + _s(rng, HEX, 6),
        "private_key_id": _s(rng, HEX, 40),
        "private_key": pem_private_key(rng, "") + "\n",
        "client_email": "trainer@demo-project.iam.gserviceaccount.com",
        "client_id": _s(rng, string.digits, 21),
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(doc, indent=2)


FAKES: tuple[Fake, ...] = (
    Fake("huggingface-token", "HF_TOKEN", lambda r: "hf_" + _s(r, LETTERS, 34)),
    Fake("huggingface-org-token", "HF_ORG_TOKEN", lambda r: "api_org_" + _s(r, LETTERS, 34)),
    Fake("openai-api-key", "OPENAI_API_KEY", _openai),
    Fake("anthropic-api-key", "ANTHROPIC_API_KEY",
         lambda r: "sk-ant-api03-" + _s(r, URLSAFE, 93) + "AA"),
    Fake("wandb-api-key", "WANDB_API_KEY", lambda r: "wandb_v1_" + _s(r, ALNUM + "_", 77)),
    Fake("wandb-api-key-legacy", "WANDB_API_KEY", lambda r: _s(r, HEX, 40)),
    Fake("replicate-api-token", "REPLICATE_API_TOKEN", lambda r: "r8_" + _s(r, ALNUM, 37)),
    Fake("cohere-api-key", "COHERE_API_KEY", lambda r: _s(r, ALNUM, 40)),
    Fake("kaggle-api-token", "KAGGLE_API_TOKEN", lambda r: "KGAT_" + _s(r, HEX, 32)),
    Fake("kaggle-api-key", "KAGGLE_KEY", lambda r: _s(r, HEX, 32)),
    Fake("comet-api-key", "COMET_API_KEY", lambda r: _s(r, ALNUM, 25)),
    Fake("neptune-api-token", "NEPTUNE_API_TOKEN", _neptune),
    Fake("google-api-key", "GOOGLE_API_KEY", lambda r: "AI" + "za" + _s(r, URLSAFE, 35)),
    Fake("databricks-token", "DATABRICKS_TOKEN", lambda r: "dapi" + _s(r, HEX, 32)),
    Fake("groq-api-key", "GROQ_API_KEY", lambda r: "gsk_" + _s(r, ALNUM, 52)),
    Fake("perplexity-api-key", "PPLX_API_KEY", lambda r: "pplx-" + _s(r, ALNUM, 48)),
    Fake("langsmith-api-key", "LANGSMITH_API_KEY",
         lambda r: "lsv2_pt_" + _s(r, HEX, 32) + "_" + _s(r, HEX, 10)),
    Fake("pinecone-api-key", "PINECONE_API_KEY",
         lambda r: "pcsk_" + _s(r, ALNUM, 5) + "_" + _s(r, ALNUM, 63)),
    Fake("openrouter-api-key", "OPENROUTER_API_KEY", lambda r: "sk-or-v1-" + _s(r, HEX, 64)),
    Fake("xai-api-key", "XAI_API_KEY", lambda r: "xai-" + _s(r, ALNUM, 80)),
    Fake("deepseek-api-key", "DEEPSEEK_API_KEY",
         lambda r: "sk-" + _s(r, string.ascii_lowercase + string.digits, 32)),
    Fake("azure-ad-client-secret", "AZURE_CLIENT_SECRET",
         lambda r: _s(r, ALNUM, 3) + r.choice(string.digits) + "Q~" + _s(r, ALNUM + "_~.-", 34)),
    Fake("aws-access-key", "AWS_ACCESS_KEY_ID",
         lambda r: "AK" + "IA" + _s(r, string.ascii_uppercase + "234567", 16)),
    Fake("github-token", "GITHUB_TOKEN",
         lambda r: r.choice(["ghp", "gho", "ghu", "ghs", "ghr"]) + "_" + _s(r, ALNUM, 36)),
    Fake("github-token", "GH_PAT",
         lambda r: "github_" + "pat_" + _s(r, ALNUM, 22) + "_" + _s(r, ALNUM, 59)),
    Fake("pypi-token", "TWINE_PASSWORD",
         lambda r: "pypi-" + "AgEIcHlwaS5vcmc" + _s(r, URLSAFE, 140)),
    Fake("slack-token", "SLACK_BOT_TOKEN",
         lambda r: "xo" + "xb-" + _s(r, string.digits, 12) + "-" + _s(r, string.digits, 13)
         + "-" + _s(r, ALNUM, 24)),
    Fake("stripe-key", "STRIPE_API_KEY", lambda r: "sk_" + "live_" + _s(r, ALNUM, 24)),
    Fake("generic-api-key", "MISTRAL_API_KEY", lambda r: _s(r, ALNUM, 32)),
    Fake("generic-api-key", "TOGETHER_API_KEY", lambda r: _s(r, HEX, 64)),
    Fake("generic-api-key", "FIREWORKS_API_KEY", lambda r: "fw_" + _s(r, ALNUM, 24)),
    Fake("generic-api-key", "AZURE_OPENAI_API_KEY", lambda r: _s(r, HEX, 32)),
)


def url_with_password(rng: random.Random) -> str:
    return f"postgresql://trainer:{_s(rng, ALNUM, 20)}@db.internal:5432/runs"


# Personal data, fake but valid in form (Luhn, IBAN check digits, SSN ranges), and outside
# the reserved test values that the PII hook allowlists by default.
_FIRST = ("ada", "grace", "alan", "edsger", "barbara", "donald", "frances", "ken", "radia")
_LAST = ("lovelace", "hopper", "turing", "dijkstra", "liskov", "knuth", "allen", "thompson")


def fake_email(rng: random.Random) -> str:
    host = rng.choice(("mailhost", "inbox", "postbox", "webmail"))
    return (f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}{rng.randint(1, 99)}"
            f"@{host}{rng.randint(1, 9)}.net")


def fake_phone(rng: random.Random) -> str:
    area = rng.choice((212, 312, 415, 617, 646, 702, 808, 917))
    return f"({area}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"


def luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def fake_card(rng: random.Random) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16)))
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    number = luhn_complete(body)
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def fake_ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def fake_iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randint(0, 9)) for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # "DE00" moved to the end, D=13 E=14
    return f"DE{check:02d}{bban}"


def fake_ip(rng: random.Random) -> str:
    return f"{rng.choice((81, 85, 91, 104, 145, 176))}.{rng.randint(1, 254)}." \
           f"{rng.randint(1, 254)}.{rng.randint(1, 254)}"
