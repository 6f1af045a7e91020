"""Helpers of the model-card hook's tests: write files, run the hook in-process or as the CLI,
and realistic cards in the shapes found on the Hub (written here, at test time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mlgate.policy import Policy, load
from mlgate.result import Result
from mlgate.run import run_checks


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")


def check(root: Path, files: dict[str, str | bytes], policy: str | None = None,
          paths: list[str] | None = None) -> Result:
    """Write `files` (and `mlgate.toml` from `policy`) under `root` and run the hook on
    `paths` (default: every file written) from `root`."""
    write(root, files)
    if policy is not None:
        (root / "mlgate.toml").write_text(policy, encoding="utf-8")
    here = Path.cwd()
    os.chdir(root)
    try:
        pol = load(root / "mlgate.toml") if policy is not None else Policy(root=root)
        return run_checks(["model-card"], paths if paths is not None else list(files), pol)
    finally:
        os.chdir(here)


def found(result: Result) -> list[tuple[str, int | None, str | None]]:
    """(rule without `model-card/`, line, key) of every finding, in report order."""
    return [(f.rule.removeprefix("model-card/"), f.line, f.key) for f in result.findings]


def rules(result: Result) -> list[str]:
    return [f.rule.removeprefix("model-card/") for f in result.findings]


def keys(result: Result, rule: str) -> set[str | None]:
    return {f.key for f in result.findings if f.rule == f"model-card/{rule}"}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlgate.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def cli_json(*args: str, cwd: Path) -> dict:
    out = cli("model-card", "--format", "json", *args, cwd=cwd)
    assert out.returncode in (0, 1, 2), out.stderr
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout)


# ----------------------------------------------------------------------------- the cards

TODO = "[More Information Needed]"


def hf_template(filled: bool = True, license: str = "apache-2.0") -> str:
    """huggingface_hub's modelcard_template.md as `ModelCard.from_template` renders it (its
    headings, `[optional]` markers and guidance comments); `filled=False` keeps every
    `[More Information Needed]`."""
    def text(words: str) -> str:
        return words if filled else TODO

    return f"""---
library_name: transformers
license: {license}
language:
- en
datasets:
- stanfordnlp/imdb
base_model: distilbert/distilbert-base-uncased
---

# Model Card for distilbert-imdb

<!-- Provide a quick summary of what the model is/does. -->

{text("A DistilBERT model fine-tuned to classify the sentiment of English movie reviews.")}

## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

- **Developed by:** {text("The Example Lab")}
- **Model type:** {text("Text classification (encoder)")}
- **Language(s) (NLP):** {text("English")}
- **License:** {text("Apache-2.0")}
- **Finetuned from model [optional]:** {text("distilbert-base-uncased")}

### Model Sources [optional]

- **Repository:** {TODO}
- **Paper [optional]:** {TODO}

## Uses

<!-- Address questions around how the model is intended to be used. -->

### Direct Use

<!-- This section is for the model use without fine-tuning or plugging into a larger
ecosystem/app. -->

{text("Classifying English movie reviews as positive or negative for research.")}

### Downstream Use [optional]

{TODO}

### Out-of-Scope Use

<!-- This section addresses misuse, malicious use, and uses that the model will not work
well for. -->

{text("Not for moderation decisions about people, nor for text other than reviews.")}

## Bias, Risks, and Limitations

<!-- This section is meant to convey both technical and sociotechnical limitations. -->

{text("Reviews in dialects under-represented in IMDB are misclassified more often.")}

### Recommendations

{text("Evaluate on your own data before use.")}

## How to Get Started with the Model

Use the code below to get started with the model.

```python
from transformers import pipeline
# ## not a heading: inside a code block
classifier = pipeline("text-classification", model="example/distilbert-imdb")
```

## Training Details

### Training Data

<!-- This should link to a Dataset Card. -->

{text("The 25,000 training reviews of stanfordnlp/imdb, lowercased.")}

### Training Procedure

#### Training Hyperparameters

- **Training regime:** {text("fp16 mixed precision, 3 epochs, learning rate 2e-5")}

## Evaluation

<!-- This section describes the evaluation protocols and provides the results. -->

### Testing Data, Factors & Metrics

#### Testing Data

{text("The 25,000 test reviews of stanfordnlp/imdb.")}

#### Metrics

{text("Accuracy and F1.")}

### Results

{text("Accuracy 0.93, F1 0.93.")}

## Environmental Impact

- **Hardware Type:** {TODO}

## Citation [optional]

**BibTeX:**

{TODO}

## Model Card Contact

{TODO}
"""


MITCHELL = """# Model Card: Smile Detector

## Model Details

- **Person or organization developing model:** Example Research, 2019
- **Model type:** convolutional neural network
- **License:** MIT

## Intended Use

- **Primary intended uses:** detecting whether a face in a photo is smiling, for photo
  curation on a consumer device.
- **Primary intended users:** application developers.
- **Out-of-scope use cases:** emotion recognition, judging people's mood or character,
  surveillance.

## Factors

Groups by age, gender and skin type (Fitzpatrick), and lighting.

## Metrics

False positive and false negative rates, with 95% confidence intervals.

## Evaluation Data

The CelebA test split, 19,962 images.

## Training Data

The CelebA training split, 162,770 images.

## Quantitative Analyses

False positive rate 0.08 overall; 0.11 for the oldest age group.

## Ethical Considerations

Faces are personal data; the model must not be used to identify people.

## Caveats and Recommendations

Not evaluated on people under 18 or on video.
"""


TRAINER = """---
license: apache-2.0
base_model: google-bert/bert-base-cased
tags:
- generated_from_trainer
datasets:
- glue
metrics:
- accuracy
model-index:
- name: bert-base-cased-mrpc
  results:
  - task:
      name: Text Classification
      type: text-classification
    dataset:
      name: GLUE MRPC
      type: glue
      config: mrpc
      split: validation
      args: mrpc
    metrics:
    - name: Accuracy
      type: accuracy
      value: 0.8602941176470589
---

<!-- This model card has been generated automatically according to the information the Trainer \
had access to. You
should probably proofread and complete it, then remove this comment. -->

# bert-base-cased-mrpc

This model is a fine-tuned version of \
[google-bert/bert-base-cased](https://huggingface.co/google-bert/bert-base-cased) \
on the GLUE MRPC dataset.
It achieves the following results on the evaluation set:
- Loss: 0.4207
- Accuracy: 0.8603

## Model description

More information needed

## Intended uses & limitations

More information needed

## Training and evaluation data

More information needed

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 2e-05
- train_batch_size: 8
- num_epochs: 3.0

### Training results

| Training Loss | Epoch | Step | Validation Loss | Accuracy |
|:-------------:|:-----:|:----:|:---------------:|:--------:|
| No log        | 1.0   | 459  | 0.3905          | 0.8407   |

### Framework versions

- Transformers 4.44.0
- Pytorch 2.4.0
"""


DATASET = """---
license: cc-by-4.0
task_categories:
- text-classification
language:
- en
size_categories:
- 10K<n<100K
configs:
- config_name: default
  data_files: data/train-*.parquet
---

# Dataset Card for support-tickets

## Dataset Details

### Dataset Description

Customer-support tickets in English with a topic label.

## Uses

### Direct Use

Training topic classifiers.

## Dataset Structure

Fields `text` and `label`; one split, `train`.

## Dataset Creation

### Source Data

Tickets from our help desk, 2022-2024.

#### Personal and Sensitive Information

Names, e-mail addresses and phone numbers were replaced with placeholders by a reviewed
script; no other personal data remains.

## Bias, Risks, and Limitations

Only English tickets of one company.
"""


SOFTWARE_README = """# fastloader

[![CI](https://example.com/badge.svg)](https://example.com)

A fast data loader for PyTorch.

## Installation

    pip install fastloader

## Usage

```python
import fastloader
```

## Performance

Twice as fast as the default loader.

## Limitations

Linux only.

## License

MIT
"""
