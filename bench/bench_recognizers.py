"""mlgate's own recognizers (mlgate/hooks/pii/recognizers.py) against Presidio's, one by one.

Both run on the same generated text (default 1 MB: 70 % ML-style lines — metrics, logs with
versions, floats, timestamps, hashes, prose — and 30 % lines with Faker PII of many locales),
analysed in chunks of whole lines (`--chunk` characters, default 4096: the size of a few
table cells or a notebook output). Each recognizer's `analyze` is timed alone, Presidio's as
`rec.analyze(chunk, [entity], None)`, ours as `rec.analyze(chunk)`, best of `--runs`; every
chunk's results are compared too (they must be equal). Prints a Markdown table.

    python bench/bench_recognizers.py [--mb 1] [--chunk 4096] [--runs 1] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from typing import Any

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "en_IN", "pt_BR", "nl_NL", "it_IT", "es_ES"]


def make_lines(rng: random.Random, mb: float) -> list[str]:
    from faker import Faker

    Faker.seed(rng.randrange(2**32))
    fk = Faker(LOCALES)
    us = fk["en_US"]

    def clean() -> str:
        k = rng.randrange(6)
        if k == 0:
            return ",".join([str(rng.randrange(10**6)), f"{rng.random():.6f}",
                             f"{rng.random() * 100:.3f}", f"{rng.randrange(1, 512)}",
                             f"{rng.randrange(1990, 2030)}-{rng.randrange(1, 13):02d}-"
                             f"{rng.randrange(1, 29):02d}"])
        if k == 1:
            return (f"step={rng.randrange(10**6)} loss={rng.random():.4f} "
                    f"lr={rng.random() / 1000:.2e} torch=={rng.randrange(3)}."
                    f"{rng.randrange(10)}.{rng.randrange(10)} "
                    f"sha={rng.getrandbits(160):040x}")
        if k == 2:
            return us.paragraph(nb_sentences=rng.randrange(1, 4))
        if k == 3:
            return str([round(rng.gauss(0, 1), 4) for _ in range(rng.randrange(3, 12))])
        if k == 4:
            return (f"[{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}]"
                    f" pid {rng.randrange(99999)} loaded model-{rng.randrange(10**4)}.bin "
                    f"({rng.randrange(10**9)} bytes) from https://example.org/m/"
                    f"{rng.randrange(10**8)}")
        return "\t".join(str(rng.randrange(10 ** rng.randrange(1, 14))) for _ in range(5))

    def pii() -> str:
        f = fk[rng.choice(LOCALES)]
        values = [f.name(), f.email(), f.phone_number(), us.credit_card_number(), us.ssn(),
                  f.iban(), us.ipv4(), us.ipv6(), f.address().replace("\n", ", ")]
        rng.shuffle(values)
        return rng.choice([", ", " | ", " "]).join(values[:rng.randrange(2, 6)])

    lines: list[str] = []
    size = 0
    while size < mb * 1_000_000:
        line = pii() if rng.random() < 0.3 else clean()
        lines.append(line)
        size += len(line) + 1
    return lines


def chunks(lines: list[str], size: int) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    n = 0
    for line in lines:
        if cur and n + len(line) > size:
            out.append("\n".join(cur))
            cur, n = [], 0
        cur.append(line)
        n += len(line) + 1
    if cur:
        out.append("\n".join(cur))
    return out


def presidio_recognizers() -> dict[str, Any]:
    import tldextract
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

    class OfflineEmail(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return bool(extractor(pattern_text).fqdn != "")

    return {"EMAIL_ADDRESS": OfflineEmail(), "PHONE_NUMBER": PhoneRecognizer(),
            "CREDIT_CARD": CreditCardRecognizer(), "US_SSN": UsSsnRecognizer(),
            "IBAN_CODE": IbanRecognizer(), "IP_ADDRESS": IpRecognizer()}


def presidio_runner(rec: Any, entity: str) -> Callable[[str], list[Any]]:
    def run(text: str) -> list[Any]:
        return [(r.start, r.end, float(r.score)) for r in rec.analyze(text, [entity], None)]
    return run


def timed(fn: Callable[[str], list[Any]], texts: list[str], runs: int
          ) -> tuple[float, list[list[Any]]]:
    best = float("inf")
    results: list[list[Any]] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        results = [fn(t) for t in texts]
        best = min(best, time.perf_counter() - t0)
    return best, results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=1.0, help="corpus size in MB (default 1)")
    ap.add_argument("--chunk", type=int, default=4096, help="characters per analyze call")
    ap.add_argument("--runs", type=int, default=1, help="best of N runs (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--entities", default="", help="comma-separated subset")
    args = ap.parse_args()

    t0 = time.perf_counter()
    texts = chunks(make_lines(random.Random(args.seed), args.mb), args.chunk)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    gen = time.perf_counter() - t0

    t0 = time.perf_counter()
    from mlgate.hooks.pii import recognizers

    mine = {e: cls() for e, cls in recognizers.RECOGNIZERS.items()}
    setup_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = presidio_recognizers()
    setup_presidio = time.perf_counter() - t0

    entities = [e for e in mine if not args.entities or e in args.entities.split(",")]
    print(f"{mb:.2f} MB in {len(texts)} chunks of ≤ {args.chunk} characters (generated in "
          f"{gen:.1f} s); best of {args.runs}; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"import + construction: mlgate {setup_ours * 1000:.0f} ms, Presidio "
          f"{setup_presidio * 1000:.0f} ms (in this process, after mlgate's)\n")
    print("| recognizer | results | Presidio MB/s | mlgate MB/s | speed-up | chunks differing |")
    print("|---|---:|---:|---:|---:|---:|")
    total_p = total_m = 0.0
    differ_total = 0
    for e in entities:
        tp, res_p = timed(presidio_runner(theirs[e], e), texts, args.runs)
        tm, res_m = timed(mine[e].analyze, texts, args.runs)
        differ = sum(a != b for a, b in zip(res_p, res_m, strict=True))
        differ_total += differ
        total_p += tp
        total_m += tm
        print(f"| {e} | {sum(map(len, res_p))} | {mb / tp:.2f} | {mb / tm:.2f} | "
              f"{tp / tm:.1f}× | {differ} |")
    print(f"| all of them, one after another | | {mb / total_p:.2f} | {mb / total_m:.2f} | "
          f"{total_p / total_m:.1f}× | {differ_total} |")
    return 1 if differ_total else 0


if __name__ == "__main__":
    sys.exit(main())
