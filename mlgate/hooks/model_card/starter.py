"""The model card `mlgate init` writes: the Hugging Face template's sections, each holding
`[More Information Needed]` until it is written; once every placeholder is replaced, the
card passes the hook's default requirements (a test keeps it so)."""

from __future__ import annotations

_TODO = "[More Information Needed]"

MODEL_CARD = f"""\
---
# Hugging Face card metadata: https://huggingface.co/docs/hub/model-cards
license: "{_TODO}"  # a Hub license id (apache-2.0, mit, llama3.1) or an SPDX expression
language:
- en
datasets: []  # Hub ids of the training datasets; each needs a provenance record
base_model: null  # the Hub id of the model this one was fine-tuned from, if any
---

# Model Card for <model name>

<!-- One paragraph: what the model is and what it does. -->
{_TODO}

## Model Details

- **Developed by:** {_TODO}
- **Model type:** {_TODO}
- **Language(s):** {_TODO}
- **License:** {_TODO}
- **Finetuned from model:** {_TODO}

## Uses

### Intended Use

<!-- The tasks, users and settings the model was built for. -->
{_TODO}

### Out-of-Scope Use

<!-- What the model must not be used for: misuse, high-stakes decisions, domains and
     languages it was not built for. -->
{_TODO}

## Bias, Risks, and Limitations

<!-- Known biases, failure modes and risks, and what users should do about them. -->
{_TODO}

## How to Get Started with the Model

{_TODO}

## Training Details

### Training Data

<!-- The datasets (with links and their provenance records) and how they were filtered. -->
{_TODO}

### Training Procedure

<!-- Preprocessing, hyperparameters, compute. -->
{_TODO}

## Evaluation

<!-- The evaluation data, the metrics, and the results (also in `model-index`). -->
{_TODO}

## Environmental Impact

{_TODO}

## Citation

{_TODO}

## Model Card Contact

{_TODO}
"""

FILES: dict[str, str] = {"MODEL_CARD.md": MODEL_CARD}
