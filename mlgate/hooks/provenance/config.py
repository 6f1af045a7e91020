"""The `[provenance]` policy table."""

from __future__ import annotations

from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key, nonempty

# Fields of a record a note may require (dotted for the parts of a mapping)
DATASET_FIELDS = (
    "name", "version", "description", "source", "source-type", "derived-from", "license",
    "terms-url", "license-verified-by", "creators", "contact", "collection-period",
    "collection-period.start", "collection-period.end", "collection-method", "consent",
    "consent.given", "consent.mechanism", "consent.revocable", "personal-data",
    "personal-data.present", "personal-data.categories", "personal-data.sensitive",
    "anonymisation", "preprocessing", "annotation", "ethical-review", "ethical-review.status",
    "retention", "access", "confidentiality", "known-bias", "limitations", "checksums",
)
RUN_FIELDS = ("name", "description", "datasets", "preprocessing", "hyperparameters",
              "code-revision", "base-model", "started", "finished", "artifacts", "evaluation")

DATA_SAMPLES = ["*.csv", "*.tsv", "*.jsonl", "*.ndjson", "*.parquet", "*.arrow", "*.feather",
                "*.avro", "*.orc", "*.tfrecord", "*.tfrecords"]
WEIGHTS = ["*.safetensors", "*.gguf", "*.ggml", "*.pt", "*.pth", "*.ckpt", "*.onnx", "*.h5",
           "*.keras", "*.tflite", "*.mlmodel", "*.joblib", "pytorch_model*.bin",
           "tf_model*.h5", "flax_model*.msgpack"]


def _fields(known: tuple[str, ...]) -> Any:
    def problem(value: list[str]) -> str | None:
        bad = [v for v in value if v not in known]
        return f"field names of a record ({', '.join(known)}), not {bad}" if bad else None
    return problem


SCHEMA: dict[str, Key] = {
    "ledger": Key("str", "PROVENANCE.yaml", "The root ledger, relative to the policy's root "
                  "(with the default name, `provenance.yaml` is read too).", check=nonempty),
    "data-paths": Key("list[str]", ["/data/", "/datasets/", *DATA_SAMPLES], "Globs of "
                      "data files that need a dataset record (a directory covers what is "
                      "under it; a leading `/` anchors at the root; a pattern without `/` "
                      "matches a name at any depth)."),
    "artifact-paths": Key("list[str]", WEIGHTS, "Globs of released artifacts (weights) that "
                          "need a record: a run record listing them, or a dataset record."),
    "not-data": Key("list[str]", ["README*", "*.md", "LICENSE*", "*.license", ".git*",
                                  "*.provenance.yaml", "*.py", "*.sh", "*.ipynb"],
                    "Globs of files under the data paths that need no record (docs, license "
                    "sidecars, `.gitkeep`, the scripts that fetch or prepare the data)."),
    "required-fields": Key("list[str]", ["name", "version", "source", "source-type",
                                         "license", "creators", "collection-period",
                                         "consent.given", "personal-data.present",
                                         "preprocessing"],
                           "Fields every dataset record must fill (dotted for parts: "
                           "`consent.given`).", check=_fields(DATASET_FIELDS)),
    "required-run-fields": Key("list[str]", ["datasets", "code-revision", "hyperparameters",
                                             "artifacts"],
                               "Fields every training-run record must fill.",
                               check=_fields(RUN_FIELDS)),
    "verify-checksums": Key("bool", True, "Verify the SHA-256 a record gives for a file "
                            "(dataset `checksums`, run `artifacts`)."),
    "max-verify-bytes": Key("int", 20_000_000_000, "The largest file whose checksum is "
                            "verified (streamed); a larger pinned file is reported as not "
                            "verified.", minimum=1),
}


def validate(values: dict[str, Any], source: str) -> None:
    for key in ("data-paths", "artifact-paths", "not-data"):
        bad = [g for g in values[key] if not g.strip() or ".." in g.split("/")]
        if bad:
            raise MlgateError(f"{source}: 'provenance.{key}' must hold globs relative to the "
                              f"policy's root, not {bad[:3]}")
    name = values["ledger"]
    if name.startswith("/") or ".." in name.split("/") or name.endswith("/"):
        raise MlgateError(f"{source}: 'provenance.ledger' must be a file path relative to the "
                          f"policy's root, not {name!r}")
