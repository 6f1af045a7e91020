"""Keras: the `config.json` of a v3 `.keras` archive (and the `model_config` of a `.h5`
file), walked recursively without TensorFlow or Keras: `Lambda` layers (Python bytecode),
`TFSMLayer` (a TensorFlow SavedModel), serialized lambdas, and any object whose module is
outside the `keras` namespace (custom code that Keras imports on load)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_NODES = 1_000_000
SAFE_MODULES = ("keras",)


def _is_keras(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in SAFE_MODULES)


def walk(config: Any) -> Iterator[tuple[str, str, str]]:
    """(rule name, where, message) for every code-bearing part of a Keras config."""
    todo: list[tuple[Any, str]] = [(config, "config")]
    nodes = 0
    while todo:
        node, where = todo.pop()
        nodes += 1
        if nodes > MAX_NODES:
            yield ("cap-reached", where, f"more than {MAX_NODES:,} values in the config")
            return
        if isinstance(node, list):
            todo.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(node))))
            continue
        if not isinstance(node, dict):
            continue
        cls = node.get("class_name")
        cfg = node.get("config")
        name = node.get("name")
        if not isinstance(name, str) and isinstance(cfg, dict):
            name = cfg.get("name")
        label = f"{where} ({str(name)[:60]})" if isinstance(name, str) else where
        if cls == "Lambda":
            yield ("keras-lambda", label, "a Lambda layer: Keras runs its Python bytecode "
                   "on load")
        elif cls == "__lambda__":
            yield ("keras-lambda", label, "a serialized Python lambda: Keras runs its "
                   "bytecode on load")
        elif cls == "TFSMLayer":
            yield ("keras-tfsmlayer", label, "a TFSMLayer: Keras loads a TensorFlow "
                   "SavedModel (its own graph and functions) on load")
        for key in ("function_type", "output_shape_type"):
            if node.get(key) == "lambda":
                yield ("keras-lambda", label, f"{key} = 'lambda': Python bytecode that "
                       "Keras runs on load")
        module = node.get("module")
        if isinstance(module, str) and module and not _is_keras(module):
            yield ("keras-foreign-module", label, f"an object of module {module[:80]!r}, "
                   "outside the keras namespace: Keras imports it on load")
        elif module is not None and not isinstance(module, str):
            yield ("keras-foreign-module", label, "a module that is not a string")
        registered = node.get("registered_name")
        if isinstance(registered, str) and ">" in registered and module is None:
            yield ("keras-foreign-module", label, f"a custom object {registered[:80]!r} "
                   "registered outside Keras")
        for k, v in reversed(list(node.items())):
            if isinstance(v, (dict, list)):
                todo.append((v, f"{where}.{k}"))
