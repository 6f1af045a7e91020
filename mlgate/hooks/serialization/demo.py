"""The demo's planted model file: a pickle that would run a shell command when loaded,
written here as opcode bytes (it is never loaded, and never committed as a file)."""

from __future__ import annotations

import random
from pathlib import Path


def _unicode(s: str) -> bytes:
    data = s.encode()
    return b"\x8c" + bytes([len(data)]) + data


def malicious_pickle() -> bytes:
    """`os.system("echo pwned")` on load, as protocol-4 opcodes: PROTO, two strings,
    STACK_GLOBAL, the argument tuple, REDUCE, STOP."""
    return (b"\x80\x04" + _unicode("os") + _unicode("system") + b"\x93"
            + _unicode("echo pwned") + b"\x85R.")


def plant(root: Path, rng: random.Random) -> set[str]:
    path = root / "checkpoints" / "model.pkl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(malicious_pickle())
    return {"serialization/import-not-allowed"}
