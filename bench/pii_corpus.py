"""A generated ~20 MB mixed corpus of data samples for bench_pii.py.

About 70 % of the bytes are clean ML data (metrics CSVs with ids, steps, losses, learning rates,
timestamps, token counts, hashes, versions; evaluation JSONL with prose prompts/completions;
training logs and Markdown notes with versions, timings and digests) and about 30 % are
PII-dense samples made with Faker (user tables, support-chat JSONL, access logs) with e-mail
addresses, phone numbers, payment card numbers, US SSNs, IBANs and IPv4/IPv6 addresses.

Every planted value is returned with the file, the 1-based line where it stands and its
Presidio entity name, so recall can be measured per entity. Generated at run time from a seed;
nothing here is a literal personal value.
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

HEX = "0123456789abcdef"
ROWS_PER_PII_FILE = 500  # < MAX_LINES (1000) so every planted line is listed in a finding

_WORDS = ("model training loss gradient batch epoch layer attention transformer tokenizer "
         "embedding dataset evaluation benchmark accuracy checkpoint optimizer warmup schedule "
         "inference latency throughput quantization distillation fine-tuning adapter prompt "
         "completion reward policy baseline ablation validation split shard sequence context "
         "window vocabulary corpus sample mixture curriculum regularization dropout weight decay "
         "the a of and to in with for on by from we our this that model's is was are were be "
         "improves reduces shows compares outperforms converges diverges after before "
         "during")
WORDS = _WORDS.split()


@dataclass(frozen=True)
class Planted:
    path: str
    line: int
    entity: str
    valid: bool = True  # phones: parses as a valid number for its region (phonenumbers)
    shape: str = ""  # what kind of value, for miss diagnostics (never the value itself)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _sentence(rng: random.Random, lo: int = 8, hi: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.5:  # numbers that are not personal data
        words.insert(rng.randrange(len(words)),
                     rng.choice([f"{rng.uniform(0, 100):.2f}%", f"{rng.randint(1, 512)}",
                                 f"{rng.uniform(0, 5):.4f}", f"v{rng.randint(0, 9)}."
                                 f"{rng.randint(0, 40)}.{rng.randint(0, 9)}",
                                 f"{rng.randint(1, 70)}B", f"{rng.randint(10**8, 10**12)}"]))
    return " ".join(words).capitalize() + "."


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 4)}.{rng.randint(0, 60)}.{rng.randint(0, 12)}"


def _timestamp(rng: random.Random) -> str:
    return (f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}Z")


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


# ------------------------------------------------------------------------------- clean files

def clean_metrics(rng: random.Random, n: int) -> str:
    header = ["run_id", "step", "epoch", "loss", "eval_loss", "learning_rate", "grad_norm",
              "tokens_seen", "timestamp", "wall_time_s", "checkpoint_sha256", "git_commit",
              "transformers_version", "gpu_mem_bytes"]
    run = _uuid(rng)
    rows = []
    for step in range(n):
        rows.append([run, step * 50, step // 200, f"{rng.uniform(0.5, 4):.6f}",
                     f"{rng.uniform(0.5, 4):.6f}", f"{rng.uniform(1e-6, 3e-4):.3e}",
                     f"{rng.uniform(0.1, 10):.4f}", rng.randint(10**6, 10**11),
                     _timestamp(rng), f"{rng.uniform(0, 1e5):.3f}", _hex(rng, 64),
                     _hex(rng, 40), _version(rng), rng.randint(10**9, 8 * 10**10)])
    return _csv_text(header, rows)


def clean_eval_jsonl(rng: random.Random, n: int) -> str:
    out = []
    for i in range(n):
        out.append(json.dumps({
            "id": i, "uuid": _uuid(rng), "prompt": " ".join(_sentence(rng) for _ in range(2)),
            "completion": " ".join(_sentence(rng) for _ in range(3)),
            "model": "org/model-7b", "revision": _hex(rng, 40),
            "score": round(rng.random(), 4), "latency_ms": rng.randint(20, 4000),
            "created": _timestamp(rng)}))
    return "\n".join(out) + "\n"


def clean_log(rng: random.Random, n: int) -> str:
    lines = []
    for _ in range(n):
        kind = rng.random()
        ts = _timestamp(rng)
        if kind < 0.6:
            lines.append(f"{ts} INFO trainer step={rng.randint(0, 10**6)} loss="
                         f"{rng.uniform(0.5, 4):.4f} lr={rng.uniform(1e-6, 3e-4):.2e} "
                         f"tokens/s={rng.randint(1000, 90000)} "
                         f"mem={rng.randint(10**9, 8 * 10**10)}")
        elif kind < 0.8:
            lines.append(f"{ts} INFO saved checkpoint-{rng.randint(1, 99999)} sha256="
                         f"{_hex(rng, 64)} ({rng.randint(10**8, 10**10)} bytes)")
        elif kind < 0.9:
            lines.append(f"{ts} DEBUG torch=={_version(rng)} cuda {rng.randint(11, 12)}."
                         f"{rng.randint(0, 8)} driver {rng.randint(450, 560)}.{rng.randint(10, 99)}"
                         f".{rng.randint(1, 9)} nccl {_version(rng)}")
        else:
            lines.append(f"{ts} WARN {_sentence(rng)}")
    return "\n".join(lines) + "\n"


def clean_markdown(rng: random.Random, n: int) -> str:
    lines = ["# Evaluation notes", ""]
    for _ in range(n):
        r = rng.random()
        if r < 0.7:
            lines.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))))
        elif r < 0.85:
            lines.append(f"| {rng.choice(WORDS)} | {rng.uniform(0, 100):.2f} | "
                         f"{rng.uniform(0, 100):.2f} | {_hex(rng, 7)} |")
        else:
            lines.append(f"- `pip install torch=={_version(rng)} transformers=={_version(rng)}`")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------- PII files

class PiiFaker:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.us = Faker("en_US")
        self.eu = Faker(["en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES"])
        self.us.seed_instance(seed)
        self.eu.seed_instance(seed + 1)
        self.rng = random.Random(seed)

    def email(self) -> str:
        return self.us.free_email() if self.rng.random() < 0.6 else self.us.company_email()

    def phone(self) -> tuple[str, bool]:
        import phonenumbers

        if self.rng.random() < 0.75:
            number, region = self.us.phone_number(), "US"
        else:
            fake = self.eu.random_element(self.eu.locales)
            number = self.eu[fake].phone_number()
            region = fake.split("_")[1]
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(number, region))
        except phonenumbers.NumberParseException:
            valid = False
        return number, valid

    def card(self) -> str:
        return self.us.credit_card_number()

    def ssn(self) -> str:
        return self.us.ssn()

    def iban(self) -> str:
        return self.eu.iban()

    def ip(self) -> str:
        return self.us.ipv4_public() if self.rng.random() < 0.8 else self.us.ipv6()

    def name(self) -> str:
        return self.us.name()


def shape(entity: str, value: str, valid: bool) -> str:
    """A coarse description of a value (brand/length/format), safe to print and commit."""
    digits = "".join(c for c in value if c.isdigit())
    if entity == "CREDIT_CARD":
        return f"{len(digits)} digits, starts {digits[:1]}"
    if entity == "IP_ADDRESS":
        return "IPv6" if ":" in value else "IPv4"
    if entity == "PHONE_NUMBER":
        ext = "x" in value
        intl = value.startswith(("+", "00"))
        return (f"{'valid' if valid else 'not valid'}, {len(digits)} digits"
                f"{', +intl' if intl else ''}{', ext' if ext else ''}")
    if entity == "IBAN_CODE":
        return value[:2]
    if entity == "EMAIL_ADDRESS":
        return "free mail" if value.endswith(("gmail.com", "yahoo.com", "hotmail.com")) \
            else "company"
    return ""


def pii_users_csv(f: PiiFaker, path: str, n: int) -> tuple[str, list[Planted]]:
    header = ["user_id", "name", "email", "phone", "card_number", "ssn", "iban", "last_ip",
              "signup_ts", "plan"]
    rows, planted = [], []
    for i in range(n):
        line = i + 2
        phone, valid = f.phone()
        row = [100000 + i, f.name(), f.email(), phone, f.card(), f.ssn(), f.iban(), f.ip(),
               _timestamp(f.rng), f.rng.choice(["free", "pro", "team"])]
        rows.append(row)
        for entity, value in zip(("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN",
                                  "IBAN_CODE", "IP_ADDRESS"), row[2:8], strict=True):
            planted.append(Planted(path, line, entity,
                                   valid if entity == "PHONE_NUMBER" else True,
                                   shape(entity, str(value), valid)))
    return _csv_text(header, rows), planted


_CHAT = [
    ("EMAIL_ADDRESS", "Hi, please send the invoice to {v}, thanks."),
    ("PHONE_NUMBER", "You can call me back at {v} after 5pm."),
    ("CREDIT_CARD", "My card {v} was charged twice for the same order."),
    ("US_SSN", "The form asks for my SSN, it is {v}."),
    ("IBAN_CODE", "Please refund to my account IBAN {v}."),
    ("IP_ADDRESS", "The login came from {v}, that was not me."),
]


def pii_chat_jsonl(f: PiiFaker, path: str, n: int) -> tuple[str, list[Planted]]:
    lines, planted = [], []
    makers = {"EMAIL_ADDRESS": f.email, "CREDIT_CARD": f.card, "US_SSN": f.ssn,
              "IBAN_CODE": f.iban, "IP_ADDRESS": f.ip}
    for i in range(n):
        entity, template = _CHAT[i % len(_CHAT)]
        valid = True
        if entity == "PHONE_NUMBER":
            value, valid = f.phone()
        else:
            value = makers[entity]()
        lines.append(json.dumps({
            "id": f"conv-{i:06d}",
            "messages": [{"role": "system", "content": "You are a helpful support assistant."},
                         {"role": "user", "content": template.format(v=value)},
                         {"role": "assistant", "content": _sentence(f.rng)}],
            "created": _timestamp(f.rng)}))
        planted.append(Planted(path, i + 1, entity, valid, shape(entity, value, valid)))
    return "\n".join(lines) + "\n", planted


def pii_access_log(f: PiiFaker, path: str, n: int) -> tuple[str, list[Planted]]:
    lines, planted = [], []
    for i in range(n):
        ip, email = f.ip(), f.email()
        lines.append(f"{_timestamp(f.rng)} POST /api/v1/login 200 client={ip} user={email} "
                     f"latency_ms={f.rng.randint(3, 900)} req={_uuid(f.rng)}")
        planted += [Planted(path, i + 1, "IP_ADDRESS", True, shape("IP_ADDRESS", ip, True)),
                    Planted(path, i + 1, "EMAIL_ADDRESS", True, shape("EMAIL_ADDRESS", email,
                                                                       True))]
    return "\n".join(lines) + "\n", planted


def write_corpus(root: Path, total_mb: float = 20.0, pii_share: float = 0.30,
                 seed: int = 0) -> list[Planted]:
    """Write the corpus under `root`; return every planted PII value's place."""
    rng = random.Random(seed)
    fk = PiiFaker(seed)
    root.mkdir(parents=True, exist_ok=True)
    planted: list[Planted] = []
    target_pii = total_mb * 1e6 * pii_share
    target_clean = total_mb * 1e6 - target_pii

    def write(path: str, text: str) -> int:
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return len(text.encode("utf-8"))

    pii_bytes, i = 0, 0
    makers = (("users", "csv", pii_users_csv), ("chat", "jsonl", pii_chat_jsonl),
              ("access", "txt", pii_access_log))
    while pii_bytes < target_pii:
        kind, ext, make = makers[i % len(makers)]
        path = f"pii/{kind}_{i // len(makers):03d}.{ext}"
        text, where = make(fk, path, ROWS_PER_PII_FILE)
        pii_bytes += write(path, text)
        planted += where
        i += 1

    clean_bytes, i = 0, 0
    clean_makers = (("metrics", "csv", clean_metrics, 2000), ("eval", "jsonl", clean_eval_jsonl,
                                                              800),
                    ("train", "txt", clean_log, 3000), ("notes", "md", clean_markdown, 1500))
    while clean_bytes < target_clean:
        kind, ext, make, n = clean_makers[i % len(clean_makers)]
        clean_bytes += write(f"clean/{kind}_{i // len(clean_makers):03d}.{ext}", make(rng, n))
        i += 1
    return planted


def planted_to_json(planted: list[Planted]) -> list[dict]:
    return [asdict(p) for p in planted]
