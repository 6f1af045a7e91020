"""Hugging Face configs whose `auto_map` names repository modules: loading the model with
`trust_remote_code=True` imports and runs those Python files from the release."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_REFS = 1000


@dataclass(frozen=True)
class Ref:
    auto_class: str  # AutoModel, AutoTokenizer, ...
    reference: str  # as written: "modeling_foo.FooModel" or "org/repo--modeling_foo.Foo"
    repo: str  # "" for this repository
    module: str  # "modeling_foo"

    @property
    def file(self) -> str:
        """The module's file, relative to the config's directory."""
        return self.module.replace(".", "/") + ".py"


def refs(config: Any) -> Iterator[Ref | str]:
    """Every module reference of the config's auto_map, or a problem (a string)."""
    if not isinstance(config, dict) or "auto_map" not in config:
        return
    amap = config["auto_map"]
    if not isinstance(amap, dict):
        yield "auto_map is not an object"
        return
    count = 0
    for auto_class, value in amap.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None:
                continue
            count += 1
            if count > MAX_REFS:
                yield f"more than {MAX_REFS} auto_map entries"
                return
            if not isinstance(v, str) or "." not in v:
                yield f"auto_map {str(auto_class)[:40]!r}: not a 'module.Class' reference"
                continue
            repo, sep, rest = v.rpartition("--")
            module = rest.rpartition(".")[0]
            bad = not module or any(not p.isidentifier() for p in module.split("."))
            if bad:
                yield f"auto_map {str(auto_class)[:40]!r}: {v[:80]!r} names no module"
                continue
            yield Ref(str(auto_class), v, repo if sep else "", module)
