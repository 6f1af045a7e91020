"""The demo's planted header defects: a file without a header, a deprecated id, a weights
file without a sidecar, and files done right (a header, a sidecar, a REUSE.toml annotation)."""

from __future__ import annotations

import random
from pathlib import Path

from mlgate.demo import write_files


def plant(root: Path, rng: random.Random) -> set[str]:
    year = 2020 + rng.randrange(7)
    write_files(root, {
        "LICENSES/Apache-2.0.txt": "Apache License\nVersion 2.0, January 2004\n"
                                   "(the full text goes here)\n",
        "src/model.py": (
            "#!/usr/bin/env python3\n"
            f"# SPDX-FileCopyrightText: {year} Demo Org <oss@demo.example>\n"
            "# SPDX-License-Identifier: Apache-2.0\n"
            '"""The demo model (a header done right)."""\n'
        ),
        "src/layers.py": '"""No header at all."""\n\nLAYERS = 12\n',
        "src/kernels.cu": (
            f"// Copyright {year} Demo Org\n"
            "// SPDX-License-Identifier: GPL-3.0\n"
            "__global__ void noop() {}\n"
        ),
        "weights/README.md": "<!-- SPDX-FileCopyrightText: Demo Org -->\n"
                             "<!-- SPDX-License-Identifier: Apache-2.0 -->\n# Weights\n",
        "weights/tokenizer.model.license": f"SPDX-FileCopyrightText: {year} Demo Org\n"
                                           "SPDX-License-Identifier: Apache-2.0\n",
        "REUSE.toml": (
            "version = 1\n\n[[annotations]]\npath = \"data/**\"\n"
            f"SPDX-FileCopyrightText = \"{year} Demo Org\"\n"
            "SPDX-License-Identifier = \"CC-BY-4.0\"\n"
        ),
    })
    (root / "weights" / "model.safetensors").write_bytes(
        b"\x08\x00\x00\x00\x00\x00\x00\x00{}      " + rng.randbytes(64))
    (root / "weights" / "tokenizer.model").write_bytes(rng.randbytes(64))
    return {"license-headers/missing-identifier", "license-headers/missing-copyright",
            "license-headers/deprecated-license", "license-headers/missing-license-text"}
