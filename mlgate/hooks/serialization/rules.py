"""The hook's rule table: stable ids, messages, default severities and doc anchors."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

CHECK = "serialization"

_W = Severity.WARNING


def _r(name: str, message: str, anchor: str, severity: Severity = Severity.ERROR) -> RuleInfo:
    return RuleInfo(f"{CHECK}/{name}", message, severity, anchor)


RULES: tuple[RuleInfo, ...] = (
    _r("import-not-allowed", "a pickle imports something outside the format's allowlist",
       "pickle-imports"),
    _r("unresolved-import", "a pickle import that cannot be resolved without running it",
       "pickle-imports"),
    _r("computed-call", "a pickle calls a value that is not an import", "pickle-imports"),
    _r("persistent-id", "a persistent id in a format whose loader does not expect one",
       "pickle-imports"),
    _r("malformed-pickle", "the pickle does not parse (a loader may run what came before)",
       "fail-closed"),
    _r("memo-error", "a memo index read before it was written", "fail-closed"),
    _r("frame-mismatch", "FRAME lengths the C and Python unpicklers disagree on",
       "fail-closed"),
    _r("second-pickle", "more than one pickle in a stream loaded as one", "fail-closed"),
    _r("trailing-data", "bytes after the pickle's STOP", "fail-closed"),
    _r("cap-reached", "a byte, opcode, time or size cap was reached before a verdict",
       "fail-closed"),
    _r("pickle-forbidden", "a pickle-based format where the policy allows none",
       "forbid-pickle"),
    _r("zip-inconsistent", "zip readers would disagree about this archive", "containers"),
    _r("numpy-object-array", "a NumPy object array (its data is a pickle)", "numpy"),
    _r("npy-malformed", "a .npy header or size that numpy would not accept as written",
       "numpy"),
    _r("joblib-layout", "a joblib inline array whose layout is not what joblib writes",
       "joblib"),
    _r("keras-lambda", "a Keras Lambda layer or serialized lambda (Python bytecode)", "keras"),
    _r("keras-tfsmlayer", "a Keras TFSMLayer (loads a TensorFlow SavedModel)", "keras"),
    _r("keras-foreign-module", "a Keras object from outside the keras namespace", "keras"),
    _r("keras-malformed", "a Keras file whose configuration cannot be read", "keras"),
    _r("h5-not-inspected", "a Keras .h5 file not inspected (h5py is not installed)", "keras"),
    _r("safetensors-invalid", "a safetensors header the strict rules reject", "safetensors"),
    _r("safetensors-missing-shard", "a shard index names a file that does not exist",
       "safetensors"),
    _r("remote-code", "auto_map: trust_remote_code runs Python files of the release",
       "remote-code", _W),
    _r("remote-code-missing", "auto_map names a module that is not in the release",
       "remote-code"),
    _r("remote-code-external", "auto_map names code from another repository",
       "remote-code"),
    _r("remote-code-unmanifested", "auto_map names a module the manifest does not cover",
       "remote-code"),
    _r("lfs-pointer", "a Git LFS pointer: the model's content is not present", "lfs-pointers"),
    _r("unknown-format", "a file named as a model whose content is no known format",
       "routing"),
    *file_rules(CHECK, anchor="fail-closed"),
)

BY_NAME = {r.id.split("/", 1)[1]: r for r in RULES}
