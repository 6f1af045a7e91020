"""The docs page publishes the ledger's JSON Schema: it must be the one the hook validates
with, and its examples must be real ledgers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from mlgate import ledger

PAGE = Path(__file__).resolve().parents[3] / "docs" / "hooks" / "provenance-notes.md"


def test_the_published_schema_is_the_one_in_use() -> None:
    text = PAGE.read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    assert json.loads(block) == ledger.LEDGER_SCHEMA, \
        "regenerate the schema block of docs/hooks/provenance-notes.md"


def test_the_sidecar_example_is_a_valid_ledger(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
              if "provenance.yaml" in b.splitlines()[0]]
    assert blocks
    for block in blocks:
        (tmp_path / "x.provenance.yaml").write_text(block, encoding="utf-8")
        doc = ledger.read_document(tmp_path / "x.provenance.yaml", "x.provenance.yaml")
        assert doc.problems == (), doc.problems
        assert yaml.safe_load(block)["datasets"]
