"""The `[serialization]` policy table."""

from __future__ import annotations

import re
from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key

_GLOBAL = re.compile(r"[A-Za-z_*?\[][\w.*?\[\]-]*\.[\w*?\[\]-]+")


def _allow(value: list[dict[str, Any]]) -> str | None:
    for entry in value:
        if set(entry) != {"global", "reason"}:
            return ("tables with exactly the keys `global` and `reason`, not "
                    f"{sorted(entry)}")
        pattern, reason = entry["global"], entry["reason"]
        if not isinstance(pattern, str) or not _GLOBAL.fullmatch(pattern):
            return f"a `global` of the form 'module.name' (globs allowed), not {pattern!r}"
        if pattern.replace("*", "").replace(".", "") == "":
            return f"a `global` that names a module, not {pattern!r}"
        if not isinstance(reason, str) or not reason.strip():
            return f"a non-empty `reason` for {pattern!r}"
    return None


SCHEMA: dict[str, Key] = {
    "allow": Key("list[table]", [], "Imports a pickle may make beyond the built-in "
                 "allowlists: tables `{global = \"module.name\", reason = \"...\"}` "
                 "(globs allowed; the reason is required).", check=_allow),
    "forbid-pickle": Key("bool", False, "Report every pickle-based file (plain pickles, "
                         "torch, joblib, NumPy object arrays): a release in safetensors "
                         "only."),
    "max-bytes": Key("int", 4_000_000_000, "Bytes of one pickle stream (decompressed) that "
                     "are judged; beyond, a cap-reached finding.", minimum=1),
    "max-opcodes": Key("int", 50_000_000, "Opcodes judged per file; beyond, a cap-reached "
                       "finding.", minimum=1),
    "max-seconds": Key("float", 30.0, "Seconds spent per file; beyond, a cap-reached "
                       "finding.", minimum=0.01),
    "auto-map-severity": Key("str", "warning", "The severity of remote-code findings "
                             "(a config whose auto_map names repository modules).",
                             choices=("error", "warning", "note")),
    "config-files": Key("list[str]", ["config.json", "tokenizer_config.json",
                                      "processor_config.json", "preprocessor_config.json",
                                      "feature_extractor_config.json",
                                      "image_processor_config.json"],
                        "File names of Hugging Face configs whose auto_map is checked."),
    "require-manifest": Key("bool", True, "Require every module an auto_map names to be "
                            "covered by the artifact manifest ([manifest])."),
}


def validate(values: dict[str, Any], source: str) -> None:
    names = values["config-files"]
    bad = [n for n in names if not n or "/" in n]
    if bad:
        raise MlgateError(f"{source}: 'serialization.config-files' must be file names "
                          f"without a directory, not {bad}")
