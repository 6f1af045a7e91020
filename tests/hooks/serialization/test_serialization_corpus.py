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


def test_mutated_corpus_files_give_findings_or_errors_never_a_traceback(
        tmp_path: Path) -> None:
    import random

    from serialization_corpus import build

    from mlgate.findings import FileError, Finding

    rng = random.Random(15)
    cases = build(tmp_path / "corpus")
    out = tmp_path / "mutated"
    out.mkdir()
    paths = []
    for case in cases:
        data = (tmp_path / "corpus" / case.name).read_bytes()
        if len(data) > 1 << 20:
            continue
        for i in range(12):
            b = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(b))
                b[at] = rng.randrange(256)
            if i % 4 == 3:
                b = b[:rng.randrange(len(b))]
            p = out / f"{i}-{case.name}"
            p.write_bytes(bytes(b))
            paths.append(p)
    found = run(paths)
    assert all(isinstance(f, (Finding, FileError)) for f in found)
