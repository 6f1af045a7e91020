"""provenance-notes on hostile and broken input: YAML bombs, recursive aliases, huge and
special files, wrong types everywhere, symlinks, odd names. Never a traceback, a hang or a
silent pass."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from provenance_helpers import CHATS, DATASET, OASST, Repo, by_rule, cli, rules, sha


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path)


def _bomb(levels: int = 9) -> str:
    lines = ["x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"x-a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\ndatasets:\n  - id: bomb\n    preprocessing: *a{levels}\n"


def test_a_billion_laughs_ledger_is_refused_fast(repo: Repo) -> None:
    repo.write("data/a.csv", "x\n1\n")
    repo.write("PROVENANCE.yaml", _bomb())
    start = time.perf_counter()
    result = repo.check("data/a.csv", "PROVENANCE.yaml")
    assert time.perf_counter() - start < 3
    (bomb,) = by_rule(result, "invalid-ledger")
    assert "expands to more than 200000 YAML nodes" in bomb.message
    assert by_rule(result, "no-record")  # nothing was covered by the refused file


def test_a_bomb_in_a_sidecar_leaves_the_other_files_working(repo: Repo) -> None:
    repo.write("data/a.csv", "x\n1\n")
    repo.write("data/a.csv.provenance.yaml", "datasets:\n" + OASST)
    repo.write("data/b.csv", "x\n1\n")
    repo.write("data/b.csv.provenance.yaml", _bomb())
    result = repo.check("data/a.csv", "data/b.csv", "data/b.csv.provenance.yaml")
    assert sorted((f.rule, f.path) for f in result.findings) == [
        ("provenance/invalid-ledger", "data/b.csv.provenance.yaml"),
        ("provenance/no-record", "data/b.csv")]


@pytest.mark.parametrize(("content", "needle"), [
    (b"datasets:\n  - &r {id: a, derived-from: [*r]}\n", "recursive alias"),
    (b"datasets: [\n", "not valid YAML"),
    (b"datasets:\n  - id: a\n  name: misaligned\n", "not valid YAML"),
    (b"datasets: !!python/object/new:os.system [echo]\n", "not valid YAML"),
    (b"--- {datasets: []}\n--- {runs: []}\n", "not valid YAML"),
    (b"datasets: []\n\xff\xfe\n", "not UTF-8"),
    (b"\x00\x01\x02 binary", "binary"),
    (b"x: " + b"[" * 200 + b"]" * 200 + b"\n", "nest"),
])
def test_malformed_ledgers_are_findings_on_the_file(repo: Repo, content: bytes,
                                                    needle: str) -> None:
    repo.write("PROVENANCE.yaml", content)
    result = repo.check("PROVENANCE.yaml")
    (finding,) = result.findings
    assert finding.rule == "provenance/invalid-ledger" and needle in finding.message
    assert finding.path == "PROVENANCE.yaml" and result.exit_code == 1


def test_a_huge_ledger_is_refused_without_reading_it(repo: Repo) -> None:
    with open(repo.root / "PROVENANCE.yaml", "wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB of NULs that are never read
    (finding,) = repo.check("PROVENANCE.yaml").findings
    assert "too large" in finding.message


def test_a_fifo_ledger_never_hangs(repo: Repo) -> None:
    repo.write("data/a.csv", "x\n1\n")
    os.mkfifo(repo.root / "PROVENANCE.yaml")
    start = time.perf_counter()
    result = repo.check("data/a.csv")
    assert time.perf_counter() - start < 5
    assert "FIFO" in by_rule(result, "invalid-ledger")[0].message


def test_symlinked_ledger_files_are_not_followed(repo: Repo, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "ledger.yaml"
    outside.write_text("datasets:\n" + OASST.replace("id: oasst1", "id: outside") +
                       '    paths: ["data/**"]\n')
    repo.write("data/a.csv", "x\n1\n")
    os.symlink(outside, repo.root / "PROVENANCE.yaml")
    os.symlink(outside, repo.root / "data" / "a.csv.provenance.yaml")
    result = repo.check("data/a.csv", "PROVENANCE.yaml", "data/a.csv.provenance.yaml")
    assert sorted((f.rule, f.path) for f in result.findings) == [
        ("provenance/invalid-ledger", "PROVENANCE.yaml"),
        ("provenance/invalid-ledger", "data/a.csv.provenance.yaml"),
        ("provenance/no-record", "data/a.csv")]
    assert all("symbolic link" in f.message for f in by_rule(result, "invalid-ledger"))


def test_a_symlinked_data_file_is_judged_by_its_path(repo: Repo) -> None:
    repo.write("elsewhere.csv", "x\n1\n")
    (repo.root / "data").mkdir()
    os.symlink(repo.root / "elsewhere.csv", repo.root / "data" / "a.csv")
    assert rules(repo.check("data/a.csv")) == ["provenance/no-record"]


@pytest.mark.parametrize("text", [
    "datasets: {id: a}\n",
    "datasets: [just, strings]\n",
    "datasets:\n  - id: [not, a, string]\n",
    "datasets:\n  - id: a\n    consent: yes\n",
    "datasets:\n  - id: a\n    personal-data: [yes]\n",
    "datasets:\n  - id: a\n    license: [MIT]\n",
    "datasets:\n  - id: a\n    checksums: {path: x}\n",
    "datasets:\n  - id: a\n    checksums: [{path: 7, sha256: 12}]\n",
    "datasets:\n  - id: a\n    paths: data/\n",
    "datasets:\n  - id: a\n    derived-from: {a: b}\n",
    "runs:\n  - id: r\n    datasets: oasst1\n",
    "runs:\n  - id: r\n    datasets: [[nested]]\n",
    "runs:\n  - id: r\n    hyperparameters: 3\n",
    "runs:\n  - id: r\n    artifacts: [model.bin]\n",
    "runs:\n  - id: r\n    evaluation: {a: 1}\n",
    "runs: 12\n",
    "ledger: one\n",
    "42\n",
    "null\n",
    "? [complex, key]\n: value\n",
    "datasets:\n  - id: a\n    version: .nan\n    name: .inf\n",
])
def test_wrong_types_are_schema_findings_never_tracebacks(repo: Repo, text: str) -> None:
    repo.write("data/a.csv", "x\n1\n")
    repo.write("PROVENANCE.yaml", text)
    result = repo.check("PROVENANCE.yaml", "data/a.csv")
    assert result.errors == []
    assert all(f.path in ("PROVENANCE.yaml", "data/a.csv") for f in result.findings)
    if text != "null\n":
        assert by_rule(result, "schema") or by_rule(result, "invalid-ledger"), text


def test_many_records_stay_fast(repo: Repo) -> None:
    records = "".join(OASST.replace("id: oasst1", f"id: set-{i}").replace(
        "    name:", f'    paths: ["data/set-{i}/**"]\n    name:') for i in range(1000))
    repo.write("PROVENANCE.yaml", "datasets:\n" + records)
    repo.write("data/set-999/rows.csv", "x\n1\n")
    start = time.perf_counter()
    result = repo.check("data/set-999/rows.csv")
    elapsed = time.perf_counter() - start
    assert result.findings == [] and elapsed < 10, elapsed


def test_a_pinned_data_file_over_the_default_cap_is_not_verified(repo: Repo) -> None:
    big = repo.root / "data" / "support" / "train.jsonl"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as fh:
        fh.truncate(3_000_000)  # sparse
    record = DATASET + f"    checksums:\n      - path: data/support/train.jsonl\n" \
                       f"        sha256: {sha(CHATS)}\n"
    repo.write("PROVENANCE.yaml", "datasets:\n" + record)
    result = repo.check("data/support/train.jsonl",
                        policy={"provenance": {"max-verify-bytes": 1_000_000}})
    (finding,) = result.findings
    assert finding.rule == "provenance/not-scanned"
    assert "3,000,000 bytes; the limit is 1,000,000 bytes" in finding.message


def test_odd_file_names_are_escaped(repo: Repo) -> None:
    name = "data/evil\x1b[31m\nname.csv"
    repo.write(name, "x\n1\n")
    out = cli("provenance", name, cwd=repo.root)
    assert out.returncode == 1 and "\x1b" not in out.stdout
    assert "evil\\x1b[31m\\nname.csv" in out.stdout


def test_a_ledger_under_a_git_repository_with_many_untracked_files(repo: Repo) -> None:
    for i in range(300):
        repo.write(f"data/shards/{i:04d}.jsonl", "{}\n")
    repo.write("data/shards.provenance.yaml", "datasets:\n" + OASST)
    result = repo.check(*[f"data/shards/{i:04d}.jsonl" for i in range(300)])
    assert result.findings == []


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                     st.sampled_from(["yes", "no", "unknown", "<x>", "MIT", "data/**"]))
_KEYS = st.sampled_from(["id", "name", "paths", "license", "consent", "given",
                         "personal-data", "present", "datasets", "artifacts", "path",
                         "sha256", "checksums", "derived-from", "source", "x-y", "runs"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=25)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["datasets", "runs", "ledger", "x-a"]),
                       st.one_of(st.lists(st.dictionaries(_KEYS, _VALUES, max_size=6),
                                          max_size=3), _VALUES), max_size=3))
def test_any_structure_gives_findings_not_tracebacks(repo: Repo, doc: dict) -> None:
    import json

    repo.write("data/a.csv", "x\n1\n")
    repo.write("PROVENANCE.yaml", json.dumps(doc))  # JSON is YAML
    result = repo.check("PROVENANCE.yaml", "data/a.csv")
    assert result.errors == []
