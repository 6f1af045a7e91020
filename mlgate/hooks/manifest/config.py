"""The `[manifest]` policy table."""

from __future__ import annotations

from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key

# weights, checkpoints and serialized models of the common frameworks, and tokenizer models
DEFAULT_ARTIFACTS = [
    "*.safetensors", "*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl", "*.pickle", "*.joblib",
    "*.npy", "*.npz", "*.h5", "*.hdf5", "*.keras", "*.onnx", "*.gguf", "*.ggml", "*.tflite",
    "*.pb", "*.msgpack", "*.mlmodel", "*.pte", "*.model",
]

_TIB = 1 << 40


def _relative(value: str) -> str | None:
    if not value.strip():
        return "a non-empty path"
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        return f"a path relative to the policy's directory, without '..', not {value!r}"
    return None


SCHEMA: dict[str, Key] = {
    "artifacts": Key("list[str]", DEFAULT_ARTIFACTS, "Glob patterns (`**` allowed; a "
                     "pattern without `/` matches a name at any depth) of the files the "
                     "manifest lists: `mlgate manifest create` writes them, and the hook "
                     "reports one that is not listed."),
    "exclude": Key("list[str]", [], "Glob patterns of paths that are never artifacts "
                   "(`tests/fixtures/**`)."),
    "file": Key("str", "mlgate-manifest.json", "The manifest, relative to the policy's "
                "directory; entry paths are relative to the directory that holds it.",
                check=_relative),
    "follow-symlinks": Key("bool", False, "Hash what a symbolic link points to. Off: a "
                           "symlinked artifact is reported, never followed."),
    "max-file-bytes": Key("int", _TIB, "An artifact larger than this is not hashed and is "
                          "reported (the gate fails closed).", minimum=1),
    "signature": Key("str", "model.sig", "The signature bundle `mlgate sign` writes and "
                     "`mlgate verify-signature` reads, relative to the policy's directory "
                     "(model-signing's default name).", check=_relative),
    "public-key": Key("str", "", "The PEM public key `mlgate verify-signature` uses when "
                      "`--public-key` is not given, relative to the policy's directory."),
    "sign-ignore": Key("list[str]", [], "Paths (files or directories, relative to the "
                       "manifest's directory) left out of the signature; they are recorded "
                       "in it, so model-signing's verifier leaves them out too."),
}


def validate(values: dict[str, Any], source: str) -> None:
    for key in ("artifacts", "exclude"):
        for pattern in values[key]:
            if not pattern.strip():
                raise MlgateError(f"{source}: 'manifest.{key}' must not hold an empty pattern")
    for path in values["sign-ignore"]:
        problem = _relative(path)
        if problem:
            raise MlgateError(f"{source}: 'manifest.sign-ignore' must hold {problem}")
    if values["public-key"] and not values["public-key"].strip():
        raise MlgateError(f"{source}: 'manifest.public-key' must be a path or \"\"")
