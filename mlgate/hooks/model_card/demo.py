"""The demo's planted problem: a model card that leaves out what a release must say."""

from __future__ import annotations

import random
from pathlib import Path

from mlgate.demo import write_files


def plant(root: Path, rng: random.Random) -> set[str]:
    write_files(root, {
        "MODEL_CARD.md": (
            "---\nlicense: apache-2.0\nlanguage: [en]\nlibrary_name: transformers\n"
            "pipeline_tag: text-generation\n---\n\n"
            "# Model Card for demo-llm\n\n"
            "demo-llm is a small causal language model fine-tuned for customer-support "
            "answers.\n\n"
            "## Intended Use\n\nDrafting replies to customer-support tickets in English, "
            "reviewed by a human agent before they are sent.\n\n"
            "## Training Data\n\nTickets from our own help desk (2022-2024), with names and "
            "contact details removed; see data/README.md.\n\n"
            "## Evaluation\n\n[More Information Needed]\n"
        ),
    })
    # no Out-of-Scope Use, no Bias/Risks/Limitations, and an Evaluation still a placeholder
    return {"model-card/missing-section", "model-card/unfilled-section"}
