"""The hook's page lists every known section with exactly the headings the code matches."""

from __future__ import annotations

import re
from pathlib import Path

from mlgate.hooks.model_card.sections import BUILTIN

PAGE = Path(__file__).resolve().parents[3] / "docs" / "hooks" / "model-card-fields.md"


def test_the_sections_table_is_the_code_s():
    text = PAGE.read_text(encoding="utf-8")
    for name, spec in BUILTIN.items():
        m = re.search(rf"^\| `{re.escape(name)}` \| (.*?) \| (.*?) \|$", text, re.M)
        assert m, f"{name} is not in the table of {PAGE.name}"
        assert m.group(1) == spec.title
        assert [h.strip() for h in m.group(2).split(",")] == list(spec.headings), name
