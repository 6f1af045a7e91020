"""The starter ledger `mlgate init` writes: one dataset record and one training-run record.

Every `<…>` is a placeholder: provenance-notes reports each one until it is filled (a required
field as `provenance/missing-field`, an optional one as `provenance/placeholder`, a tri-state
or digest as `provenance/schema`). Filled in, the ledger passes the hook
(tests/hooks/provenance/test_starter.py fills it and checks).
"""

from __future__ import annotations

LEDGER = """\
# Provenance ledger: where the data came from, and which run made which artifact.
# Format, fields and rules: docs/hooks/provenance-notes.md (checked by `mlgate provenance`).
# Every path is relative to this file's directory. Replace each <...>; a field you cannot
# answer yet may say `unknown` (a warning), never a guess.
ledger: 1

datasets:
  - id: <dataset-id>                    # how runs name this dataset, e.g. support-chats-2024
    paths: ["data/<folder>/**"]         # the files this record covers (globs)
    name: <dataset name>
    version: <version, e.g. 1.0.0>
    description: <what the data is, in one or two sentences>
    source: <URL, Hugging Face dataset id (org/name), or where it was collected>
    # source-type: web-crawl, public-dataset, licensed, human-generated, crowdsourced,
    # user-submitted, synthetic, model-generated, internal, sensor, derived, other, unknown
    source-type: <one of the source types above>
    derived-from: []                    # ids, names or URLs of the datasets it was made from
    license: <SPDX expression, e.g. CC-BY-4.0>
    terms-url: <URL of the license or terms of use>
    creators:
      - name: <person or team>
        contact: <contact address of the team>
    collection-period: {start: <YYYY-MM-DD>, end: <YYYY-MM-DD>}
    consent:
      given: <yes | no | not-applicable | unknown>
      mechanism: <how consent was obtained, or the legal basis>
      revocable: <yes | no | unknown>
    personal-data:
      present: <yes | no | unknown>
      categories: []                    # e.g. [names, e-mail addresses]; empty when none
    anonymisation: <method, e.g. names replaced with placeholders; or none>
    preprocessing:
      - <each step, e.g. deduplicated by exact match>
    known-bias:
      - <a known bias or limitation>
    checksums:                          # optional: pin files; a changed file is reported
      - path: data/<folder>/<file>
        sha256: <sha256 of the file, as `sha256sum` prints it>

runs:
  - id: <run-id>                        # e.g. finetune-2024-06
    datasets: [<dataset-id>]            # ids of dataset records
    preprocessing:
      - <steps applied at training time, e.g. tokenised with the base model's tokenizer>
    hyperparameters: <path of the training config, e.g. configs/train.yaml>
    code-revision: <git commit of the training code>
    artifacts:
      - path: <models/model.safetensors>
        sha256: <sha256 of the artifact>
    evaluation:
      - <path of the evaluation results, e.g. eval/results.json>
"""

FILES: dict[str, str] = {"PROVENANCE.yaml": LEDGER}
