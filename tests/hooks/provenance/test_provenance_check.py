"""provenance-notes on real repositories: coverage, fields, consent, licenses, runs, denied
datasets, checksums, and what pre-commit passes (changed data files, changed ledgers)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from provenance_helpers import (
    CHATS,
    DATASET,
    OASST,
    RUN,
    WEIGHTS,
    Repo,
    by_rule,
    cli,
    rules,
    sha,
)

from mlgate import ledger


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path)


def _ledger(repo: Repo, datasets: str = DATASET + OASST, runs: str | None = None) -> None:
    runs = RUN.replace("{model_sha}", sha(WEIGHTS)) if runs is None else runs
    repo.write("PROVENANCE.yaml", "ledger: 1\ndatasets:\n" + datasets +
               ("runs:\n" + runs if runs else ""))


# --------------------------------------------------------------------------- clean


def test_a_complete_release_passes(repo: Repo) -> None:
    repo.standard()
    result = repo.check(*repo.all_files())
    assert result.findings == [] and result.errors == []
    assert result.exit_code == 0


def test_a_commit_without_data_never_reads_the_ledger(repo: Repo,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    repo.standard()
    repo.write("PROVENANCE.yaml", "datasets: [")  # broken, but not read

    def boom(*_args: object) -> None:
        raise AssertionError("the ledger was read")

    monkeypatch.setattr(ledger, "load", boom)
    result = repo.check("train.py", "configs/train.yaml", "data/support/README.md")
    assert result.findings == []


# --------------------------------------------------------------------------- coverage


def test_data_files_and_artifacts_without_a_record(repo: Repo) -> None:
    repo.standard()
    repo.write("data/web/part-0.csv", "id,text\n1,hello\n")
    repo.write("datasets/extra/rows.parquet", b"PAR1\x00\x00PAR1")
    repo.write("tests/fixtures/sample.jsonl", '{"a": 1}\n')
    repo.write("checkpoints/step-100/model.safetensors", WEIGHTS)
    repo.write("pytorch_model.bin", b"\x80\x02}q\x00.")
    repo.write("data/download.py", "import urllib\n")  # code under data/: no record needed
    repo.write("data/web/part-0.csv.license", "SPDX-License-Identifier: CC0-1.0\n")
    repo.write("src/app/data/loader.py", "x = 1\n")  # a package named data is no data folder
    result = repo.check(*repo.all_files())
    missing = {f.path: f.message for f in by_rule(result, "no-record")}
    assert set(missing) == {"data/web/part-0.csv", "datasets/extra/rows.parquet",
                            "tests/fixtures/sample.jsonl",
                            "checkpoints/step-100/model.safetensors", "pytorch_model.bin"}
    assert "sidecar data/web/part-0.csv.provenance.yaml" in missing["data/web/part-0.csv"]
    assert missing["pytorch_model.bin"].startswith("artifact has no provenance record")
    assert rules(result) == ["provenance/no-record"] * 5
    assert result.exit_code == 1


def test_sidecars_of_a_file_and_of_a_folder(repo: Repo) -> None:
    repo.write("data/raw/2024/01/shard-0.jsonl", CHATS)
    repo.write("data/raw/2024/02/shard-0.jsonl", CHATS)
    repo.write("data/eval.csv", "q,a\n")
    repo.write("data/eval2.csv", "q,a\n")
    folder = DATASET.replace('    paths: ["data/support/**"]\n', "").replace(
        "support-chats-2024", "raw")
    repo.write("data/raw.provenance.yaml", "datasets:\n" + folder)
    repo.write("data/eval.csv.provenance.yaml",
               "datasets:\n" + OASST.replace("oasst1", "eval"))
    result = repo.check(*repo.all_files())
    assert [f.path for f in by_rule(result, "no-record")] == ["data/eval2.csv"]
    assert rules(result) == ["provenance/no-record"]


def test_an_untracked_sidecar_counts_and_an_ignored_one_only_when_passed(repo: Repo) -> None:
    repo.write("data/a.csv", "x\n1\n")
    repo.write(".gitignore", "data/*.provenance.yaml\n")
    repo.write("data/a.csv.provenance.yaml", "datasets:\n" + OASST)
    assert [f.path for f in by_rule(repo.check("data/a.csv"), "no-record")] == ["data/a.csv"]
    result = repo.check("data/a.csv", "data/a.csv.provenance.yaml")
    assert result.findings == []


def test_a_run_covers_its_artifacts(repo: Repo) -> None:
    repo.standard()
    result = repo.check("models/support-bot-v3/model.safetensors")
    assert result.findings == []


def test_paths_passed_from_a_subdirectory(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.standard()
    repo.write("data/web/part-0.csv", "id\n1\n")
    monkeypatch.chdir(repo.root / "data")
    from mlgate.policy import discover
    from mlgate.run import run_checks

    result = run_checks(["provenance"], ["web/part-0.csv", "support/train.jsonl"], discover())
    assert [(f.rule, f.path) for f in result.findings] == [("provenance/no-record",
                                                            "web/part-0.csv")]


def test_a_passed_data_file_that_does_not_exist_is_an_error(repo: Repo) -> None:
    repo.standard()
    result = repo.check("data/gone.csv")
    assert [(e.path, e.message) for e in result.errors] == [("data/gone.csv", "no such file")]
    assert result.exit_code == 2


def test_configured_data_and_artifact_paths(repo: Repo) -> None:
    repo.standard()
    repo.write("corpus/books.txt", "Call me Ishmael.\n")
    repo.write("data/web/part-0.csv", "id\n1\n")
    repo.write("weights/final.bin", b"\0" * 8)
    policy = {"provenance": {"data-paths": ["/corpus/"], "artifact-paths": ["/weights/"]}}
    result = repo.check(*repo.all_files(), policy=policy)
    assert sorted(f.path for f in by_rule(result, "no-record")) == ["corpus/books.txt",
                                                                     "weights/final.bin"]


# --------------------------------------------------------------------------- fields


def test_missing_placeholder_and_unknown_fields(repo: Repo) -> None:
    record = (DATASET.replace("    version: 2024.06.1\n", "")
              .replace("source-type: user-submitted", "source-type: unknown")
              .replace("license: LicenseRef-Internal-Use", "license: <SPDX expression>")
              .replace("terms-url: https://intranet.example.com/legal/data-terms",
                       "terms-url: '[More Information Needed]'")
              .replace("    collection-period: {start: 2024-01-01, end: 2024-06-30}\n",
                       "    collection-period: {start: unknown, end: unknown}\n"))
    repo.write("data/support/train.jsonl", CHATS)
    _ledger(repo, record, runs="")
    result = repo.check("PROVENANCE.yaml")
    found = {(f.rule, f.message.split(": ", 1)[1], f.line) for f in result.findings}
    assert found == {
        ("provenance/missing-field", "required field `version` is missing", 3),
        ("provenance/missing-field", "required field `license` still holds a placeholder", 9),
        ("provenance/unknown-field", "required field `source-type` says unknown: find out, "
                                     "or accept the warning", 8),
        ("provenance/unknown-field", "required field `collection-period` says unknown: find "
                                     "out, or accept the warning", 13),
        ("provenance/placeholder", "`terms-url` still holds a template placeholder: fill it "
                                   "in or remove it", 10),
    }
    assert {f.severity.value for f in by_rule(result, "unknown-field")} == {"warning"}


def test_unknown_alone_does_not_block(repo: Repo) -> None:
    _ledger(repo, DATASET.replace("revocable: yes", "revocable: unknown").replace(
        "source-type: user-submitted", "source-type: unknown"), runs="")
    result = repo.check("PROVENANCE.yaml")
    assert rules(result) == ["provenance/unknown-field"] and result.exit_code == 0
    strict = repo.check("PROVENANCE.yaml",
                        policy={"severity": {"provenance/unknown-field": "error"}})
    assert strict.exit_code == 1


def test_required_fields_are_configurable(repo: Repo) -> None:
    _ledger(repo, OASST, runs="")
    policy = {"provenance": {"required-fields": ["license", "terms-url", "known-bias",
                                                 "consent.revocable"]}}
    result = repo.check("PROVENANCE.yaml", policy=policy)
    assert sorted(f.message.split("`")[1] for f in by_rule(result, "missing-field")) == [
        "consent.revocable", "known-bias", "terms-url"]


def test_run_fields(repo: Repo) -> None:
    repo.standard()
    run = (RUN.replace("{model_sha}", sha(WEIGHTS)).replace("    code-revision: 3f1e9c2d5b7a\n",
                                                            "    code-revision: TODO\n"))
    _ledger(repo, runs=run.replace("configs/train.yaml", "configs/missing.yaml")
            .replace("eval/support-bot-v3.json", "eval/gone.json"))
    result = repo.check("PROVENANCE.yaml")
    assert [f.message for f in by_rule(result, "missing-field")] == [
        "run 'support-bot-v3': required field `code-revision` still holds a placeholder"]
    assert sorted(f.message for f in by_rule(result, "missing-file")) == [
        "run 'support-bot-v3': evaluation results file 'eval/gone.json' does not exist",
        "run 'support-bot-v3': hyperparameters file 'configs/missing.yaml' does not exist"]


def test_inline_hyperparameters(repo: Repo) -> None:
    repo.standard()
    run = RUN.replace("{model_sha}", sha(WEIGHTS)).replace(
        "hyperparameters: configs/train.yaml",
        "hyperparameters: {learning-rate: 2.0e-5, epochs: 3, lora: {r: 16, alpha: 32}}")
    _ledger(repo, runs=run)
    assert repo.check("PROVENANCE.yaml").findings == []


# --------------------------------------------------------------------------- personal data


@pytest.mark.parametrize(("consent", "anonymisation", "expected"), [
    ("yes", True, []),
    ("not-applicable", True, []),
    ("no", True, ["personal-data-consent"]),
    ("unknown", True, ["personal-data-consent", "unknown-field"]),
    (None, True, ["missing-field", "personal-data-consent"]),
    ("yes", False, ["personal-data-anonymisation"]),
    ("no", False, ["personal-data-anonymisation", "personal-data-consent"]),
])
def test_personal_data_needs_consent_and_anonymisation(repo: Repo, consent: str | None,
                                                       anonymisation: bool,
                                                       expected: list[str]) -> None:
    record = DATASET
    if consent is None:
        record = record.replace("      given: yes\n", "")
    else:
        record = record.replace("given: yes", f"given: {consent}")
    if not anonymisation:
        record = record.replace(
            "    anonymisation: names replaced by placeholders with mlgate pii scrub\n", "")
    _ledger(repo, record, runs="")
    result = repo.check("PROVENANCE.yaml")
    assert rules(result) == [f"provenance/{r}" for r in expected]


def test_no_personal_data_needs_neither(repo: Repo) -> None:
    record = (DATASET.replace("present: yes", "present: no").replace("given: yes", "given: no")
              .replace("    anonymisation: names replaced by placeholders with mlgate pii "
                       "scrub\n", ""))
    _ledger(repo, record, runs="")
    assert repo.check("PROVENANCE.yaml").findings == []


# --------------------------------------------------------------------------- licenses


@pytest.mark.parametrize(("license_", "policy", "expected"), [
    ("Apache-2.0", {}, []),
    ("MIT OR Apache-2.0", {}, []),
    ("apache-2.0", {}, []),
    ("LicenseRef-Internal-Use", {}, []),
    ("Apache2", {}, ["license-invalid"]),
    ("'MIT AND OR X'", {}, ["license-invalid"]),
    ("GPL-3.0", {}, ["license-deprecated"]),
    ("CC-BY-NC-4.0", {"licenses": {"deny": ["CC-BY-NC-*"]}}, ["license-denied"]),
    ("MIT OR CC-BY-NC-4.0", {"licenses": {"deny": ["CC-BY-NC-*"]}}, []),
    ("MIT AND CC-BY-NC-4.0", {"licenses": {"deny": ["CC-BY-NC-*"]}}, ["license-denied"]),
    ("CC-BY-SA-4.0", {"licenses": {"allow": ["Apache-2.0", "MIT", "CC-BY-4.0"]}},
     ["license-denied"]),
    ("unknown", {}, ["unknown-field"]),
])
def test_licenses(repo: Repo, license_: str, policy: dict, expected: list[str]) -> None:
    _ledger(repo, OASST.replace("license: Apache-2.0", f"license: {license_}"), runs="")
    result = repo.check("PROVENANCE.yaml", policy=policy)
    assert rules(result) == [f"provenance/{r}" for r in expected]
    for f in result.findings:
        assert f.line == 8  # the license line


def test_license_messages_say_why(repo: Repo) -> None:
    _ledger(repo, OASST.replace("license: Apache-2.0", "license: CC-BY-NC-4.0"), runs="")
    (finding,) = repo.check("PROVENANCE.yaml",
                            policy={"licenses": {"deny": ["CC-BY-NC-*"]}}).findings
    assert "CC-BY-NC-4.0 is denied by the policy's [licenses]" in finding.message


# --------------------------------------------------------------------------- runs


def test_a_run_names_only_recorded_datasets(repo: Repo) -> None:
    repo.standard()
    run = RUN.replace("{model_sha}", sha(WEIGHTS)).replace(
        "datasets: [support-chats-2024, oasst1]",
        "datasets: [support-chats-2024, oasst2, support-bot-v3]")
    _ledger(repo, runs=run)
    result = repo.check("PROVENANCE.yaml")
    assert [f.message for f in by_rule(result, "unknown-dataset")] == [
        "run 'support-bot-v3': names dataset 'oasst2', which has no record: datasets are "
        "named by the id of their dataset record",
        "run 'support-bot-v3': names dataset 'support-bot-v3', which has a run: datasets are "
        "named by the id of their dataset record"]
    assert [f.line for f in by_rule(result, "unknown-dataset")] == [40, 40]


def test_a_run_may_name_a_dataset_recorded_in_a_sidecar(repo: Repo) -> None:
    repo.standard()
    repo.write("data/extra.csv", "a\n1\n")
    repo.write("data/extra.csv.provenance.yaml", "datasets:\n" + OASST.replace("oasst1",
                                                                                "extra"))
    run = RUN.replace("{model_sha}", sha(WEIGHTS)).replace("oasst1]", "oasst1, extra]")
    _ledger(repo, runs=run)
    assert repo.check("PROVENANCE.yaml").findings == []


# --------------------------------------------------------------------------- denied


DENY = {"datasets": {"deny": ["laion/*", "*books3*"]}}


def test_a_record_whose_source_or_origin_is_denied(repo: Repo) -> None:
    mix = OASST.replace(
        "source: OpenAssistant/oasst1",
        "source: https://huggingface.co/datasets/laion/laion400m\n"
        "    derived-from: [OpenAssistant/oasst1, the-pile-books3]").replace("id: oasst1",
                                                                       "id: web-mix")
    _ledger(repo, DATASET + mix, runs="")
    result = repo.check("PROVENANCE.yaml", policy=DENY)
    assert [f.message for f in by_rule(result, "denied-dataset")] == [
        "dataset 'web-mix': `source` 'https://huggingface.co/datasets/laion/laion400m' matches "
        "the policy's [datasets] deny entry 'laion/*'",
        "dataset 'web-mix': `derived-from[1]` 'the-pile-books3' matches the policy's "
        "[datasets] deny entry '*books3*'"]
    assert result.exit_code == 1


def test_a_run_that_uses_a_denied_dataset(repo: Repo) -> None:
    repo.standard()
    mix = OASST.replace("source: OpenAssistant/oasst1", "source: hf://datasets/LAION/laion2B-en"
                        ).replace("id: oasst1", "id: web-mix")
    run = RUN.replace("{model_sha}", sha(WEIGHTS)).replace("oasst1]", "oasst1, web-mix, "
                                                           "laion/laion5b]")
    _ledger(repo, DATASET + OASST + mix, runs=run)
    result = repo.check("PROVENANCE.yaml", policy=DENY)
    messages = [f.message for f in by_rule(result, "denied-dataset")]
    assert messages == [
        "dataset 'web-mix': `source` 'hf://datasets/LAION/laion2B-en' matches the policy's "
        "[datasets] deny entry 'laion/*'",
        "run 'support-bot-v3': uses dataset 'web-mix', which the policy's [datasets] denies "
        "(its `source` matches 'laion/*')",
        "run 'support-bot-v3': uses dataset 'laion/laion5b', which the policy's [datasets] "
        "denies ('laion/*')"]
    assert len(by_rule(result, "unknown-dataset")) == 1


def test_a_changed_artifact_reports_the_run_that_uses_a_denied_dataset(repo: Repo) -> None:
    repo.standard()
    mix = OASST.replace("source: OpenAssistant/oasst1", "source: books3").replace(
        "id: oasst1", "id: books")
    run = RUN.replace("{model_sha}", sha(WEIGHTS)).replace("oasst1]", "oasst1, books]")
    _ledger(repo, DATASET + OASST + mix, runs=run)
    result = repo.check("models/support-bot-v3/model.safetensors", policy=DENY)
    assert [f.path for f in by_rule(result, "denied-dataset")] == ["PROVENANCE.yaml"]


# --------------------------------------------------------------------------- checksums


def _pinned(repo: Repo, digest: str, path: str = "data/support/train.jsonl") -> None:
    record = DATASET + f"    checksums:\n      - path: {path}\n        sha256: {digest}\n"
    _ledger(repo, record + OASST, runs="")


def test_a_changed_data_file_is_a_stale_record(repo: Repo) -> None:
    repo.write("data/support/train.jsonl", CHATS)
    _pinned(repo, "sha256:" + sha(CHATS).upper())
    assert repo.check("data/support/train.jsonl", "PROVENANCE.yaml").findings == []
    repo.write("data/support/train.jsonl", CHATS + '{"turns": ["new"]}\n')
    result = repo.check("data/support/train.jsonl")
    (stale,) = result.findings
    assert stale.rule == "provenance/stale-checksum" and stale.path == "data/support/train.jsonl"
    assert stale.message == ("changed since dataset 'support-chats-2024' in PROVENANCE.yaml "
                             "recorded its SHA-256 (`checksums[0]`, line 28): update the "
                             "record, or restore the file")


def test_a_stale_artifact(repo: Repo) -> None:
    repo.standard()
    repo.write("models/support-bot-v3/model.safetensors", WEIGHTS + b"\1")
    result = repo.check("models/support-bot-v3/model.safetensors")
    assert [(f.rule, f.path) for f in result.findings] == [
        ("provenance/stale-checksum", "models/support-bot-v3/model.safetensors")]
    assert "run 'support-bot-v3'" in result.findings[0].message


def test_a_pinned_file_that_is_gone(repo: Repo) -> None:
    repo.write("data/support/train.jsonl", CHATS)
    _pinned(repo, sha(CHATS), "data/support/old.jsonl")
    (gone,) = repo.check("PROVENANCE.yaml").findings
    assert gone.rule == "provenance/missing-file" and gone.path == "PROVENANCE.yaml"
    assert "'data/support/old.jsonl', which does not exist" in gone.message


def test_checksums_can_be_switched_off(repo: Repo) -> None:
    repo.write("data/support/train.jsonl", CHATS)
    _pinned(repo, sha("something else"))
    policy = {"provenance": {"verify-checksums": False}}
    assert repo.check("data/support/train.jsonl", policy=policy).findings == []


def test_a_pinned_file_over_the_cap_or_a_symlink_is_not_verified(repo: Repo) -> None:
    repo.write("data/support/train.jsonl", CHATS)
    _pinned(repo, sha(CHATS))
    result = repo.check("data/support/train.jsonl",
                        policy={"provenance": {"max-verify-bytes": 10}})
    (note,) = result.findings
    assert note.rule == "provenance/not-scanned" and note.severity.value == "error"
    assert "max-verify-bytes" in note.message
    os.rename(repo.root / "data/support/train.jsonl", repo.root / "chats.jsonl")
    os.symlink(repo.root / "chats.jsonl", repo.root / "data/support/train.jsonl")
    (note,) = repo.check("data/support/train.jsonl").findings
    assert note.rule == "provenance/not-scanned" and "symbolic link" in note.message


def test_a_sidecar_pins_files_relative_to_itself(repo: Repo) -> None:
    repo.write("data/raw/shard-0.jsonl", CHATS)
    record = OASST.replace("oasst1", "raw") + \
        f"    checksums:\n      - path: raw/shard-0.jsonl\n        sha256: {sha(CHATS)}\n"
    repo.write("data/raw.provenance.yaml", "datasets:\n" + record)
    assert repo.check("data/raw/shard-0.jsonl", "data/raw.provenance.yaml").findings == []
    repo.write("data/raw/shard-0.jsonl", "changed\n")
    assert rules(repo.check("data/raw/shard-0.jsonl")) == ["provenance/stale-checksum"]


# --------------------------------------------------------------------------- ledger files


def test_a_changed_ledger_with_schema_problems(repo: Repo) -> None:
    repo.standard()
    text = (repo.root / "PROVENANCE.yaml").read_text()
    repo.write("PROVENANCE.yaml", text.replace("anonymisation:", "anonymization:").replace(
        "given: yes", "given: maybe"))
    result = repo.check("PROVENANCE.yaml")
    schema = [(f.line, f.message) for f in by_rule(result, "schema")]
    assert schema == [
        (3, "schema: datasets[0]: unknown key 'anonymization' (did you mean 'anonymisation'?) "
            "(keys starting with 'x-' are free)"),
        (16, "schema: datasets[0].consent.given: must be one of yes, no, not-applicable, "
             "unknown"),
        (35, "schema: datasets[1].consent.given: must be one of yes, no, not-applicable, "
             "unknown")]
    # the misspelt key also leaves the record without an anonymisation entry
    assert "provenance/personal-data-anonymisation" in rules(result)


def test_a_broken_root_ledger_is_reported_with_the_data_it_leaves_uncovered(
        repo: Repo) -> None:
    repo.standard()
    repo.write("PROVENANCE.yaml", "datasets:\n  - id: a\n    name: [unclosed\n")
    result = repo.check("data/support/train.jsonl")
    assert sorted((f.rule, f.path, f.line) for f in result.findings) == [
        ("provenance/invalid-ledger", "PROVENANCE.yaml", 4),
        ("provenance/no-record", "data/support/train.jsonl", None)]


def test_a_sidecar_without_its_subject(repo: Repo) -> None:
    repo.write("data/old.csv.provenance.yaml", "datasets:\n" + OASST)
    (finding,) = repo.check("data/old.csv.provenance.yaml").findings
    assert finding.rule == "provenance/missing-file"
    assert finding.message.startswith("sidecar of 'data/old.csv', which does not exist")


def test_duplicate_ids(repo: Repo) -> None:
    repo.standard()
    repo.write("data/support.provenance.yaml", "datasets:\n" + OASST)
    result = repo.check("data/support.provenance.yaml")
    (dup,) = by_rule(result, "duplicate-id")
    assert dup.path == "data/support.provenance.yaml" and dup.line == 2
    assert "also used in PROVENANCE.yaml (datasets[1])" in dup.message


def test_an_inline_pragma_in_the_ledger_suppresses(repo: Repo) -> None:
    record = OASST.replace(
        "    license: Apache-2.0\n",
        "    # mlgate: allow provenance/unknown-field -- legal review pending (#12)\n"
        "    license: unknown\n")
    _ledger(repo, record, runs="")
    result = repo.check("PROVENANCE.yaml")
    assert result.findings == [] and result.exit_code == 0
    _ledger(repo, record.replace("# mlgate: allow", "# a note:"), runs="")
    assert rules(repo.check("PROVENANCE.yaml")) == ["provenance/unknown-field"]


def test_a_configured_ledger_name(repo: Repo) -> None:
    repo.standard()
    os.rename(repo.root / "PROVENANCE.yaml", repo.root / "DATA-LEDGER.yml")
    policy = {"provenance": {"ledger": "DATA-LEDGER.yml"}}
    assert repo.check(*repo.all_files(), policy=policy).findings == []
    assert by_rule(repo.check("data/support/train.jsonl"), "no-record")


def test_fingerprints_are_stable_when_lines_move(repo: Repo) -> None:
    _ledger(repo, OASST.replace("license: Apache-2.0", "license: Apache2"), runs="")
    first = repo.check("PROVENANCE.yaml").findings[0]
    _ledger(repo, "  - id: zzz\n    name: first\n" + OASST.replace("license: Apache-2.0",
                                                                   "license: Apache2"),
            runs="")
    moved = by_rule(repo.check("PROVENANCE.yaml"), "license-invalid")[0]
    assert moved.line != first.line and moved.fingerprint == first.fingerprint


# --------------------------------------------------------------------------- the command


def test_the_command_exit_codes_and_json(repo: Repo) -> None:
    repo.standard()
    clean = cli("provenance", *repo.all_files(), cwd=repo.root)
    assert clean.returncode == 0, clean.stderr
    repo.write("data/web/part-0.csv", "id\n1\n")
    out = cli("provenance", "--format", "json", "data/web/part-0.csv", cwd=repo.root)
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert [(f["check"], f["rule"], f["path"]) for f in doc["findings"]] == [
        ("provenance", "provenance/no-record", "data/web/part-0.csv")]
    sarif = cli("provenance", "--format", "sarif", "data/web/part-0.csv", cwd=repo.root)
    assert json.loads(sarif.stdout)["runs"][0]["results"][0]["ruleId"] == \
        "provenance/no-record"


@pytest.mark.parametrize(("toml", "needle"), [
    ('[provenance]\nrequired-fields = ["licence"]\n', "provenance.required-fields"),
    ('[provenance]\nrequired-run-fields = ["dataset"]\n', "provenance.required-run-fields"),
    ('[provenance]\nledger = "../elsewhere.yaml"\n', "provenance.ledger"),
    ('[provenance]\ndata-paths = ["../up/"]\n', "provenance.data-paths"),
    ('[provenance]\nmax-verify-bytes = 0\n', "provenance.max-verify-bytes"),
    ('[datasets]\ndeny = [""]\n', "datasets.deny"),
    ('[datasets]\nallow = ["x"]\n', "datasets.allow"),
])
def test_policy_errors_exit_2_naming_the_key(repo: Repo, toml: str, needle: str) -> None:
    repo.write("mlgate.toml", toml)
    out = cli("provenance", "x.csv", cwd=repo.root)
    assert out.returncode == 2 and needle in out.stderr and "Traceback" not in out.stderr


def test_one_data_file_needs_no_jsonschema_and_a_ledger_does(repo: Repo) -> None:
    repo.standard()
    code = ("import sys\nfrom mlgate.cli import main\nsys.argv = ['mlgate', 'provenance', "
            "*sys.argv[1:]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('jsonschema' in sys.modules, 'yaml' in sys.modules, 'spdx_tools' in sys.modules,"
            " file=sys.stderr)\n")
    import subprocess
    import sys

    def modules(*paths: str) -> str:
        out = subprocess.run([sys.executable, "-c", code, *paths], cwd=repo.root,
                             capture_output=True, text=True, check=True)
        return out.stderr.strip().splitlines()[-1]

    assert modules("train.py") == "False False False"
    assert modules("data/support/train.jsonl") == "False True False"
    assert modules("PROVENANCE.yaml") == "True True True"


def test_a_record_read_for_a_data_file_has_its_license_judged_with_its_ledger(
        repo: Repo) -> None:
    repo.standard()
    text = (repo.root / "PROVENANCE.yaml").read_text()
    repo.write("PROVENANCE.yaml", text.replace("license: LicenseRef-Internal-Use",
                                               "license: Apache2"))
    assert repo.check("data/support/train.jsonl").findings == []
    assert rules(repo.check("data/support/train.jsonl", "PROVENANCE.yaml")) == [
        "provenance/license-invalid"]
