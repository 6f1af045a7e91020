"""The benchmark's labelled corpus (serialization_corpus.py): every malicious file blocks,
every benign file passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from serialization_helpers import run

pytest.importorskip("torch")
pytest.importorskip("joblib")
pytest.importorskip("safetensors")


def test_every_malicious_file_blocks_and_every_benign_one_passes(tmp_path: Path) -> None:
    from serialization_corpus import build

    cases = build(tmp_path / "corpus")
    assert sum(c.malicious for c in cases) >= 30
    for case in cases:
        found = run(tmp_path / "corpus" / case.name)
        blocking = [f for f in found if getattr(f, "severity", None) is None
                    or f.severity.value == "error"]
        assert bool(blocking) is case.malicious, (case, found)
