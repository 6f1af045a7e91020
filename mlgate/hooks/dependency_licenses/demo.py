"""The demo's planted problem: a declared dependency that is not installed, so its license
cannot be vouched for."""

from __future__ import annotations

import random
from pathlib import Path

from mlgate.demo import write_files
from mlgate.hooks.dependency_licenses.rules import NOT_INSTALLED


def plant(root: Path, rng: random.Random) -> set[str]:
    write_files(root, {
        "requirements.txt": (
            "# what the release needs at run time\n"
            "click>=8.1\n"
            "demo-internal-tokenizer==0.3.1  # from the team's own index: never installed here\n"
        ),
    })
    return {NOT_INSTALLED}
