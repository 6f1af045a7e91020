"""The demo's stale manifest: a weight file retrained after its manifest entry was written."""

from __future__ import annotations

import hashlib
import json
import random
import struct
from pathlib import Path

from mlgate.manifest_format import Entry, dumps


def _safetensors(values: list[float]) -> bytes:
    """A small, valid safetensors file (one F32 tensor)."""
    data = struct.pack(f"<{len(values)}f", *values)
    header = json.dumps({"adapter.weight": {"dtype": "F32", "shape": [len(values)],
                                            "data_offsets": [0, len(data)]}},
                        separators=(",", ":")).encode("ascii")
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def plant(root: Path, rng: random.Random) -> set[str]:
    released = _safetensors([rng.uniform(-1, 1) for _ in range(16)])
    retrained = _safetensors([rng.uniform(-1, 1) for _ in range(16)])  # same size, new values
    path = root / "weights" / "adapter.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(retrained)
    entry = Entry("weights/adapter.safetensors", len(released),
                  hashlib.sha256(released).hexdigest())
    (root / "mlgate-manifest.json").write_bytes(dumps([entry]))
    return {"manifest/changed"}
