"""The provenance ledger (mlgate/ledger.py): reading, the JSON Schema, lookups, [datasets] deny,
hostile YAML. The hook's rules are tested in tests/hooks/provenance/."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlgate import ledger, manifest_format
from mlgate.errors import MlgateError
from mlgate.policy import Policy


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ROOT_LEDGER = """\
ledger: 1
datasets:
  - id: reviews-2024
    paths: ["data/reviews/**"]
    name: Product reviews
    version: 2
    source: https://huggingface.co/datasets/acme/reviews
    source-type: web-crawl
    license: CC-BY-4.0
    consent: {given: no, revocable: unknown}
    personal-data: {present: no}
    collection-period: {start: 2024-01-01, end: 2024-06-30}
runs:
  - id: finetune-v1
    datasets: [reviews-2024]
    artifacts:
      - path: models/model.safetensors
"""


def test_root_ledger_records_paths_and_lookups(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml", ROOT_LEDGER)
    led = ledger.load(tmp_path)
    assert led.problems == []
    assert [r.id for r in led.datasets] == ["reviews-2024"]
    assert [r.id for r in led.runs] == ["finetune-v1"]
    reviews = led.record("reviews-2024")
    assert reviews is not None and reviews.valid and reviews.line == 3
    assert [r.id for r in led.covering("data/reviews/2024/train.csv")] == ["reviews-2024"]
    assert [r.id for r in led.covering("models/model.safetensors")] == ["finetune-v1"]
    assert led.covering("data/other.csv") == []
    # YAML 1.1 would read `no` as False and the dates as date objects: the ledger keeps words
    assert reviews.get("consent.given") == "no"
    assert reviews.get("collection-period.start") == "2024-01-01"
    assert reviews.state("consent.given") == "filled"
    assert reviews.state("consent.revocable") == "unknown"
    assert reviews.state("anonymisation") == "absent"
    assert reviews.line_of("consent.given") == 10
    assert led.record("nope") is None


def test_lowercase_root_ledger_and_a_configured_name(tmp_path: Path) -> None:
    write(tmp_path / "provenance.yaml", ROOT_LEDGER)
    assert ledger.load(tmp_path).record("reviews-2024") is not None
    write(tmp_path / "meta" / "data-ledger.yml", ROOT_LEDGER)
    led = ledger.load(tmp_path, "meta/data-ledger.yml")
    assert led.files == ["meta/data-ledger.yml"]
    # paths are relative to the ledger's own directory
    assert led.covering("meta/data/reviews/a.csv") and not led.covering("data/reviews/a.csv")
    policy = Policy(root=tmp_path)
    assert ledger.load_for(policy).files == ["provenance.yaml"]


SIDECAR = """\
datasets:
  - id: raw-crawl
    name: Raw crawl
    checksums:
      - path: raw/shard-0.jsonl  # relative to the sidecar's directory
        sha256: {digest}
"""


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_sidecars_cover_their_subject_file_or_folder(tmp_path: Path, git: bool) -> None:
    shard = write(tmp_path / "data" / "raw" / "shard-0.jsonl", '{"text": "hello"}\n')
    digest = hashlib.sha256(shard.read_bytes()).hexdigest()
    write(tmp_path / "data" / "raw.provenance.yaml", SIDECAR.format(digest=digest))
    write(tmp_path / "data" / "eval.csv", "q,a\n")
    write(tmp_path / "data" / "eval.csv.provenance.yaml",
          "datasets:\n  - id: eval\n    name: Eval set\n")
    write(tmp_path / ".venv" / "x.provenance.yaml", "not: [valid")  # never searched
    if git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        write(tmp_path / ".gitignore", ".venv/\n")
    led = ledger.load(tmp_path)
    assert led.problems == []
    assert sorted(led.files) == ["data/eval.csv.provenance.yaml", "data/raw.provenance.yaml"]
    assert [r.id for r in led.covering("data/raw/shard-0.jsonl")] == ["raw-crawl"]
    assert [r.id for r in led.covering("data/eval.csv")] == ["eval"]
    assert led.covering("data/eval.csv.bak") == []
    raw = led.record("raw-crawl")
    assert raw is not None
    assert raw.digests() == [("data/raw/shard-0.jsonl", digest, ("datasets", 0, "checksums", 0))]
    assert manifest_format.hash_file(shard)[1] == digest


def test_duplicate_ids_across_files_are_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml", ROOT_LEDGER)
    write(tmp_path / "data" / "x.csv.provenance.yaml",
          "datasets:\n  - id: reviews-2024\n    name: again\n")
    led = ledger.load(tmp_path)
    (problem,) = led.problems
    assert problem.kind == "duplicate-id" and problem.file == "data/x.csv.provenance.yaml"
    assert "PROVENANCE.yaml" in problem.message and problem.line == 2


@pytest.mark.parametrize(("text", "where", "needle"), [
    ("datasets:\n  - id: a\n    anonymization: k-anonymity\n", "datasets[0]",
     "did you mean 'anonymisation'"),
    ("datasets:\n  - id: a\n    consent: {given: true}\n", "datasets[0].consent.given",
     "quoted words"),
    ("datasets:\n  - id: a\n    creators: someone@example.org\n", "datasets[0].creators",
     "must be a list, not a string"),
    ("runs:\n  - id: r\n    datasets: []\n", "runs[0].datasets", "at least 1 items"),
    ("runs:\n  - id: r\n    artifacts: [{path: /etc/passwd}]\n", "runs[0].artifacts[0].path",
     "relative path"),
    ("runs:\n  - id: r\n    artifacts: [{path: ../../x.bin}]\n", "runs[0].artifacts[0].path",
     "relative path"),
    ("runs:\n  - id: r\n    artifacts: [{path: m.bin, sha256: 1234}]\n",
     "runs[0].artifacts[0].sha256", "quote it"),
    ("datasets:\n  - name: no id\n", "datasets[0]", "'id' is a required property"),
    ("ledger: 2\n", "ledger", "must be 1"),
    ("- just\n- a list\n", "", "must be a mapping"),
    ("datasets:\n  - id: a\n    1: one\n", "datasets[0]", "not a string"),
])
def test_schema_problems_name_the_place_and_never_the_value(tmp_path: Path, text: str,
                                                            where: str, needle: str) -> None:
    write(tmp_path / "PROVENANCE.yaml", text)
    led = ledger.load(tmp_path)
    assert led.problems, text
    assert any(p.where == where and needle in p.message for p in led.problems), led.problems
    assert all(p.kind == "schema" and p.file == "PROVENANCE.yaml" for p in led.problems)
    assert not any("someone@example.org" in str(p) for p in led.problems)


def test_a_record_with_schema_problems_still_covers_its_paths(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml",
          "datasets:\n  - id: a\n    paths: [data/]\n    consent: {given: maybe}\n")
    led = ledger.load(tmp_path)
    (record,) = led.covering("data/x.csv")
    assert not record.valid and led.problems[0].record == "a"


@pytest.mark.parametrize(("raw", "needle"), [
    (b"datasets: [\n", "not valid YAML"),
    (b"datasets:\n  - id: a\n\tname: tab\n", "not valid YAML"),
    (b"a: 1\n---\nb: 2\n", "not valid YAML"),
    (b"x: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"datasets: []\x00\x00", "binary"),
    (b"a: &x [*x]\n", "recursive alias"),
    (b"[" * 5000 + b"]" * 5000, "nest"),
    (b"[" * 100 + b"]" * 100, "nested deeper than"),
])
def test_malformed_and_hostile_yaml_is_a_problem_naming_the_file(tmp_path: Path, raw: bytes,
                                                                 needle: str) -> None:
    write(tmp_path / "PROVENANCE.yaml", raw)
    led = ledger.load(tmp_path)
    (problem,) = led.problems
    assert problem.file == "PROVENANCE.yaml" and needle in problem.message, problem
    assert led.records == []


def test_a_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    write(tmp_path / "PROVENANCE.yaml", "\n".join(lines) + "\ndatasets: *a9\n")
    start = time.perf_counter()
    led = ledger.load(tmp_path)
    assert time.perf_counter() - start < 2
    (problem,) = led.problems
    assert "expands to more than" in problem.message and problem.kind == "yaml"


def test_shared_aliases_within_the_cap_are_fine(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml", """\
x-consent: &consent {given: yes, mechanism: opt-in form, revocable: yes}
datasets:
  - {id: a, consent: *consent}
  - {id: b, consent: *consent}
""")
    led = ledger.load(tmp_path)
    assert led.problems == [] and led.record("b").get("consent.given") == "yes"  # type: ignore[union-attr]


def test_unreadable_ledgers(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(ROOT_LEDGER)
    os.symlink(tmp_path / "elsewhere.yaml", tmp_path / "PROVENANCE.yaml")
    (problem,) = ledger.load(tmp_path).problems
    assert "symbolic link" in problem.message and problem.kind == "unreadable"
    os.unlink(tmp_path / "PROVENANCE.yaml")
    os.mkfifo(tmp_path / "PROVENANCE.yaml")
    (problem,) = ledger.load(tmp_path).problems
    assert "FIFO" in problem.message
    os.unlink(tmp_path / "PROVENANCE.yaml")
    with open(tmp_path / "PROVENANCE.yaml", "wb") as fh:
        fh.truncate(ledger.LEDGER_CAP + 1)
    (problem,) = ledger.load(tmp_path).problems
    assert "too large" in problem.message


def test_an_empty_ledger_is_no_problem(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml", "# nothing yet\n")
    led = ledger.load(tmp_path)
    assert led.problems == [] and led.records == [] and led.files == ["PROVENANCE.yaml"]


@pytest.mark.parametrize(("value", "state"), [
    ("", "placeholder"), ("  ", "placeholder"), ("<describe the source>", "placeholder"),
    ("[More Information Needed]", "placeholder"), ("TODO: ask legal", "placeholder"),
    ("TBD", "placeholder"), ("...", "placeholder"), ("Fill in the license", "placeholder"),
    ("unknown", "unknown"), ("Unknown", "unknown"), ("NOASSERTION", "unknown"),
    ("todo-app interaction logs", "filled"), ("MIT", "filled"), ("no", "filled"),
])
def test_field_states(tmp_path: Path, value: str, state: str) -> None:
    write(tmp_path / "PROVENANCE.yaml",
          f"datasets:\n  - id: a\n    source: {value!r}\n    preprocessing: [{value!r}]\n")
    record = ledger.load(tmp_path).record("a")
    assert record is not None
    assert record.state("source") == state
    assert record.state("preprocessing") == state


@pytest.mark.parametrize(("deny", "value", "hit"), [
    (["books3"], "Books3", "books3"),
    (["*books3*"], "https://the-eye.example/public/Books/books3.tar.gz", "*books3*"),
    (["laion/*"], "https://huggingface.co/datasets/laion/laion400m", "laion/*"),
    (["laion/laion400m"], "hf://datasets/LAION/laion400m", "laion/laion400m"),
    (["https://huggingface.co/datasets/acme/reviews"], "acme/reviews",
     "https://huggingface.co/datasets/acme/reviews"),
    (["https://example.org/crawl/*"], "http://www.example.org/crawl/2024/",
     "https://example.org/crawl/*"),
    (["laion/*"], "acme/reviews", None),
    (["books3"], "books30k", None),
    ([], "anything", None),
])
def test_denied(deny: list[str], value: str, hit: str | None) -> None:
    policy = Policy({"datasets": {"deny": deny}})
    assert ledger.denied(value, policy) == hit


def test_denied_fields_of_a_record(tmp_path: Path) -> None:
    write(tmp_path / "PROVENANCE.yaml", """\
datasets:
  - id: mix
    name: Our mix
    source: internal
    derived-from: [acme/reviews, https://huggingface.co/datasets/laion/laion400m]
""")
    record = ledger.load(tmp_path).record("mix")
    assert record is not None
    policy = Policy({"datasets": {"deny": ["laion/*"]}})
    assert ledger.denied_fields(record, policy) == [
        ("derived-from[1]", "https://huggingface.co/datasets/laion/laion400m", "laion/*")]


@pytest.mark.parametrize("deny", [[""], ["a\nb"]])
def test_bad_deny_entries_are_policy_errors(deny: list[str]) -> None:
    with pytest.raises(MlgateError, match="datasets.deny"):
        Policy({"datasets": {"deny": deny}})


def test_checksum_of_a_file_over_the_cap_and_of_a_symlink(tmp_path: Path) -> None:
    big = write(tmp_path / "big.bin", b"x" * 5000)
    with pytest.raises(ledger.fileio.FileTooLarge):
        manifest_format.hash_file(big, max_bytes=4096)
    os.symlink(big, tmp_path / "link.bin")
    with pytest.raises(ledger.fileio.UnsafeFile, match="symbolic"):
        manifest_format.hash_file(tmp_path / "link.bin")


def test_importing_the_ledger_imports_neither_yaml_nor_jsonschema() -> None:
    code = ("import sys; import mlgate.ledger, mlgate.policy; mlgate.policy.Policy(); "
            "print(sorted(m for m in ('yaml', 'jsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(ledger.LEDGER_SCHEMA)


@pytest.mark.parametrize(("reference", "found"), [
    ("reviews-2024", "reviews-2024"),
    ("acme/reviews", "reviews-2024"),
    ("ACME/Reviews", "reviews-2024"),
    ("hf://datasets/acme/reviews", "reviews-2024"),
    ("https://huggingface.co/datasets/acme/reviews", "reviews-2024"),
    ("Product reviews", "reviews-2024"),
    ("finetune-v1", None),  # a run, not a dataset
    ("acme/other", None),
    ("", None),
])
def test_dataset_for_a_reference(tmp_path: Path, reference: str, found: str | None) -> None:
    write(tmp_path / "PROVENANCE.yaml", ROOT_LEDGER)
    record = ledger.load(tmp_path).dataset_for(reference)
    assert (record.id if record else None) == found
