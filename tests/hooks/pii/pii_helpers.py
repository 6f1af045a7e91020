"""Helpers shared by the pii hook's tests (the fixtures `det` and `fake` are in conftest.py)."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from mlgate.findings import FileError, Finding
from mlgate.hooks.pii import check as pii_check
from mlgate.hooks.pii.cards import luhn_ok
from mlgate.policy import Policy

DEFAULT = Policy()


def ents(spans: Any) -> set[str]:
    return {s.entity for s in spans}


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A card number with this prefix and length whose last digit makes Luhn pass."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def pol(**pii_keys: Any) -> Policy:
    return Policy({"pii": pii_keys})


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(paths: list[Path], policy: Policy = DEFAULT) -> tuple[list[Finding], list[FileError]]:
    out = list(pii_check.check([str(p) for p in paths], policy))
    return ([f for f in out if isinstance(f, Finding)],
            [e for e in out if isinstance(e, FileError)])
