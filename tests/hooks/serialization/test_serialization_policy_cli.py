"""The `[serialization]` policy table (allowlist extensions with reasons, forbid-pickle,
caps), the command line, bad input (symlinks, FIFOs) and the demo's planted pickle."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from serialization_helpers import PROTO4, evil, rules, run, stack_global, write

from mlgate.errors import MlgateError
from mlgate.hooks.serialization.demo import malicious_pickle
from mlgate.policy import Policy


def test_the_policy_extends_the_allowlist_with_a_reason(tmp_path: Path) -> None:
    data = PROTO4 + stack_global("my_project.models", "Tiny") + b")R."
    path = write(tmp_path, "a.pkl", data)
    assert rules(path) == {"serialization/import-not-allowed"}
    allow = [{"global": "my_project.*", "reason": "our own model classes"}]
    assert run(path, {"serialization": {"allow": allow}}) == []
    exact = [{"global": "my_project.models.Tiny", "reason": "the one class"}]
    assert run(path, {"serialization": {"allow": exact}}) == []
    other = [{"global": "my_project.models.Other", "reason": "another"}]
    assert rules(path, {"serialization": {"allow": other}}) == \
        {"serialization/import-not-allowed"}


def test_a_glob_never_allows_an_attribute_walk(tmp_path: Path) -> None:
    data = PROTO4 + stack_global("my_project", "models.os.system") + b"."
    path = write(tmp_path, "a.pkl", data)
    allow = [{"global": "my_project.*", "reason": "ours"}]
    assert rules(path, {"serialization": {"allow": allow}}) == \
        {"serialization/import-not-allowed"}


@pytest.mark.parametrize("entry", [
    {"global": "my_project.*"},
    {"global": "my_project.*", "reason": "  "},
    {"global": "my_project.*", "reason": "x", "formats": ["torch"]},
    {"global": "*", "reason": "everything"},
    {"global": "*.*", "reason": "everything"},
    {"global": "nodot", "reason": "x"},
])
def test_allow_entries_need_a_global_and_a_reason(entry: dict) -> None:
    with pytest.raises(MlgateError, match="serialization.allow"):
        Policy({"serialization": {"allow": [entry]}})


def test_bad_policy_values_are_errors_at_load() -> None:
    for table in ({"auto-map-severity": "fatal"}, {"max-opcodes": 0},
                  {"config-files": ["dir/config.json"]}, {"forbid-pickle": "yes"}):
        with pytest.raises(MlgateError, match="serialization"):
            Policy({"serialization": table})


def test_forbid_pickle_reports_every_pickle_based_file(tmp_path: Path) -> None:
    import numpy as np

    write(tmp_path, "ok.pkl", pickle.dumps({"a": 1}))
    np.save(tmp_path / "plain.npy", np.arange(3))
    write(tmp_path, "m.safetensors", b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    policy = {"serialization": {"forbid-pickle": True}}
    assert rules(tmp_path / "ok.pkl", policy) == {"serialization/pickle-forbidden"}
    assert run([tmp_path / "plain.npy", tmp_path / "m.safetensors"], policy) == []


def test_caps_are_findings_not_passes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.pkl", pickle.dumps(list(range(200_000)), protocol=4))
    assert rules(path, {"serialization": {"max-opcodes": 1000}}) == \
        {"serialization/cap-reached"}
    assert rules(path, {"serialization": {"max-bytes": 1000}}) == \
        {"serialization/cap-reached"}
    assert rules(path, {"serialization": {"max-seconds": 0.01}}) <= \
        {"serialization/cap-reached"}


def test_a_symlink_is_a_note_and_a_fifo_an_error(tmp_path: Path) -> None:
    target = write(tmp_path, "real.pkl", evil())
    link = tmp_path / "link.pkl"
    link.symlink_to(target)
    found = run(link)
    assert [(f.rule, f.severity.value) for f in found] == [("serialization/not-scanned",
                                                            "note")]
    fifo = tmp_path / "pipe.pkl"
    os.mkfifo(fifo)
    (error,) = run(fifo)
    assert "FIFO" in error.message


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlgate.cli", "serialization", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_command_exit_codes_and_json(tmp_path: Path) -> None:
    write(tmp_path, "good.pkl", pickle.dumps([1, 2]))
    write(tmp_path, "models/evil.pt", malicious_pickle())
    out = _cli(tmp_path, "good.pkl")
    assert out.returncode == 0, out.stderr
    out = _cli(tmp_path, "--format", "json", "good.pkl", "models/evil.pt")
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    assert [(f["path"], f["rule"]) for f in doc["findings"]] == [
        ("models/evil.pt", "serialization/import-not-allowed")]
    write(tmp_path, "mlgate.toml", b'[serialization]\nallow = [{global = "x.y"}]\n')
    out = _cli(tmp_path, "good.pkl")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1


def test_the_demo_pickle_is_found_and_never_loaded(tmp_path: Path) -> None:
    import random

    from mlgate.hooks.serialization.demo import plant

    expected = plant(tmp_path, random.Random(1))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {f.rule for f in run(files)} == expected
