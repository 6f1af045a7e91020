"""Cross-checks with the provenance ledger: datasets the card names, and model-index results
against the evaluation results file of the run that made the model."""

from __future__ import annotations

import json

from card_helpers import TRAINER, check, found, hf_template, rules

from mlgate.hooks.model_card.provenance import metric_name

LEDGER = """ledger: 1
datasets:
  - id: imdb-reviews
    name: IMDB movie reviews
    source: https://huggingface.co/datasets/stanfordnlp/imdb
    license: other
  - id: glue
    name: glue
    source: https://gluebenchmark.com
runs:
  - id: ft-v1
    datasets: [imdb-reviews]
    artifacts:
      - path: models/bert/model.safetensors
    evaluation: [eval/results.json]
"""


def card(front: str) -> str:
    rest = hf_template().split("---\n", 2)[2]
    return f"---\nlicense: mit\n{front}---\n{rest}"


def test_datasets_with_records_pass(tmp_path):
    files = {"README.md": card("datasets:\n- stanfordnlp/imdb\n- glue\n"),
             "PROVENANCE.yaml": LEDGER}
    assert check(tmp_path, files).findings == []


def test_a_dataset_without_a_record(tmp_path):
    files = {"README.md": card("datasets:\n- stanfordnlp/imdb\n- squad\n"),
             "PROVENANCE.yaml": LEDGER}
    result = check(tmp_path, files)
    assert found(result) == [("dataset-without-provenance", 3, "datasets:squad")]
    assert "'squad'" in result.findings[0].message


def test_sidecar_records_count_too(tmp_path):
    sidecar = "ledger: 1\ndatasets:\n  - id: squad-v2\n    source: rajpurkar/squad_v2\n"
    files = {"README.md": card("datasets: [rajpurkar/squad_v2]\n"),
             "data/squad.provenance.yaml": sidecar, "data/squad": "x\n"}
    assert check(tmp_path, files, paths=["README.md"]).findings == []


def test_without_any_ledger_only_denied_datasets_are_checked(tmp_path):
    files = {"README.md": card("datasets:\n- squad\n- laion/laion-5b\n")}
    result = check(tmp_path, files, '[datasets]\ndeny = ["laion/*"]\n')
    assert found(result) == [("denied-dataset", 3, "datasets:laion/laion-5b")]
    assert "laion/*" in result.findings[0].message


def test_denied_dataset_by_url_form(tmp_path):
    files = {"README.md": card("datasets: [stanfordnlp/imdb]\n"), "PROVENANCE.yaml": LEDGER}
    result = check(tmp_path, files,
                   '[datasets]\ndeny = ["https://huggingface.co/datasets/stanfordnlp/imdb"]\n')
    assert rules(result) == ["denied-dataset"]


def test_provenance_check_off(tmp_path):
    files = {"README.md": card("datasets: [squad]\n"), "PROVENANCE.yaml": LEDGER}
    result = check(tmp_path, files, "[model-card]\nprovenance-check = false\n")
    assert result.findings == []


def trainer_repo(value: float, results: object, name: str = "eval/results.json") -> dict:
    card_text = TRAINER.replace("value: 0.8602941176470589", f"value: {value}")
    card_text = card_text.replace("datasets:\n- glue\n", "datasets:\n- glue\n")
    return {"models/bert/README.md": card_text, "PROVENANCE.yaml": LEDGER.replace(
        "eval/results.json", name),
        name: results if isinstance(results, str) else json.dumps(results)}


POLICY = '[model-card]\nrequired-sections = []\n'


def test_model_index_agrees_with_the_results_file(tmp_path):
    files = trainer_repo(0.8602941176470589, {"eval_accuracy": 0.8602941176470589,
                                              "eval_loss": 0.42, "epoch": 3.0})
    assert check(tmp_path, files, POLICY, paths=["models/bert/README.md"]).findings == []


def test_percent_and_fraction_agree(tmp_path):
    files = trainer_repo(86.03, {"eval_accuracy": 0.8603})
    result = check(tmp_path, files, POLICY + "results-tolerance = 0.0001\n",
                   paths=["models/bert/README.md"])
    assert result.findings == []


def test_model_index_differs_from_the_results_file(tmp_path):
    files = trainer_repo(0.95, {"eval_accuracy": 0.8603, "eval_loss": 0.42})
    result = check(tmp_path, files, POLICY, paths=["models/bert/README.md"])
    assert rules(result) == ["results-mismatch"]
    f = result.findings[0]
    assert f.line == 10  # the model-index key
    assert "accuracy = 0.95" in f.message and "0.8603" in f.message
    assert "eval/results.json (run ft-v1)" in f.message


def test_lm_eval_harness_and_yaml_results(tmp_path):
    harness = {"results": {"glue": {"acc,none": 0.70, "acc_stderr,none": 0.01}}}
    files = trainer_repo(0.8603, harness)
    result = check(tmp_path, files, POLICY, paths=["models/bert/README.md"])
    assert rules(result) == ["results-mismatch"]
    files = trainer_repo(0.8603, "accuracy: 0.8603\nf1: 0.9\n", name="eval/results.yaml")
    assert check(tmp_path / "y", files, POLICY, paths=["models/bert/README.md"]).findings == []


def test_metrics_the_file_does_not_hold_are_not_compared(tmp_path):
    files = trainer_repo(0.5, {"eval_f1": 0.9})
    assert check(tmp_path, files, POLICY, paths=["models/bert/README.md"]).findings == []


def test_a_run_of_another_model_is_not_compared(tmp_path):
    files = trainer_repo(0.5, {"eval_accuracy": 0.86})
    files["models/other/README.md"] = files.pop("models/bert/README.md")
    assert check(tmp_path, files, POLICY, paths=["models/other/README.md"]).findings == []


def test_broken_or_missing_results_files_are_not_compared(tmp_path):
    files = trainer_repo(0.5, "{not json")
    assert check(tmp_path, files, POLICY, paths=["models/bert/README.md"]).findings == []
    files = trainer_repo(0.5, {"a": 1})
    del files["eval/results.json"]
    assert check(tmp_path / "m", files, POLICY,
                 paths=["models/bert/README.md"]).findings == []
    deep = "[" * 100_000 + "]" * 100_000
    files = trainer_repo(0.5, deep)
    assert check(tmp_path / "d", files, POLICY, paths=["models/bert/README.md"]).findings == []


def test_a_broken_ledger_is_no_crash(tmp_path):
    files = {"README.md": card("datasets: [squad]\n"), "PROVENANCE.yaml": "ledger: [\n"}
    result = check(tmp_path, files)
    assert set(rules(result)) <= {"dataset-without-provenance"}
    assert result.errors == []


def test_metric_names():
    assert metric_name("eval_accuracy") == metric_name("Accuracy") == metric_name("acc,none")
    assert metric_name("test_f1") == "f1"



def test_a_dataset_derived_from_a_denied_one_is_denied(tmp_path):
    ledger_text = LEDGER.replace("    source: https://gluebenchmark.com\n",
                                 "    source: https://gluebenchmark.com\n"
                                 "    derived-from: [bookcorpus/bookcorpus]\n")
    files = {"README.md": card("datasets: [glue]\n"), "PROVENANCE.yaml": ledger_text}
    result = check(tmp_path, files, '[datasets]\ndeny = ["bookcorpus/*"]\n')
    assert found(result) == [("denied-dataset", 3, "datasets:glue")]
    assert "derived-from[0]" in result.findings[0].message
