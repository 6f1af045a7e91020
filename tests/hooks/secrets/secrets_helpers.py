"""Helpers shared by the secrets hook's tests: run the CLI, scan one file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlgate.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def scan(tmp_path: Path, name: str, content: str | bytes, *extra: str) -> dict:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    out = run("secrets", "--format", "json", *extra, name, cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout)


def rules(doc: dict) -> list[str]:
    return [f["rule"] for f in doc["findings"]]
