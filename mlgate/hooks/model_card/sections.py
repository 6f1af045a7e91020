"""The card sections mlgate knows: name, the headings that stand for it, and a one-line hint.

Pure data (no imports): config.py's validate reads the names. Headings are matched after
normalisation (markdown.heading_key): case, numbering, emoji, punctuation, `&`/`and` and
hyphens do not matter. The order is the Hugging Face template's (with Mitchell et al.'s
sections where they sit): a missing section is reported where it belongs in that order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    name: str
    title: str  # what the finding calls it and the starter card writes
    headings: tuple[str, ...]
    hint: str
    order: int = 1000


_TABLE: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("model-details", "Model Details",
     ("model details", "model description", "model summary", "overview", "about the model",
      "model information", "description"),
     "who made the model, its type, languages, license and base model"),
    ("dataset-description", "Dataset Description",
     ("dataset description", "dataset summary", "dataset details", "description",
      "about the dataset", "overview"),
     "what the dataset holds, who made it and for what"),
    ("intended-use", "Intended Use",
     ("intended use", "intended uses", "uses", "use", "direct use", "direct uses",
      "downstream use", "intended uses and limitations", "intended use and limitations",
      "use cases", "primary intended uses",
      "intended purpose", "applications", "intended uses and out of scope uses",
      "model use", "evaluated use"),
     "what the model is for: tasks, users and settings it was built for"),
    ("out-of-scope-use", "Out-of-Scope Use",
     ("out of scope use", "out of scope uses", "out of scope", "misuse and out of scope use",
      "misuse malicious use and out of scope use", "prohibited uses", "prohibited use",
      "unintended uses", "unintended use", "out of scope use cases", "not intended uses",
      "limitations of use", "uses to avoid", "misuse", "intended uses and out of scope uses"),
     "what the model must not be used for: misuse, domains and users it is not suited to"),
    ("bias-risks-limitations", "Bias, Risks, and Limitations",
     ("bias risks and limitations", "bias risks limitations", "risks and limitations",
      "limitations", "limitations and bias", "limitations and biases", "bias and limitations",
      "biases and limitations", "bias", "biases", "risks", "known limitations",
      "ethical considerations", "ethical considerations and limitations",
      "considerations and limitations", "performance and limitations",
      "caveats and recommendations", "limitations and risks", "bias and fairness",
      "limitations and ethical considerations", "risks limitations and biases",
      "intended uses and limitations", "intended use and limitations", "safety",
      "considerations for using the data", "discussion of biases", "other known limitations",
      "responsibility and safety"),
     "known biases, risks and failure modes, and what users should do about them"),
    ("how-to-get-started", "How to Get Started with the Model",
     ("how to get started with the model", "how to get started", "getting started",
      "quickstart", "quick start", "example usage", "code example", "how to use", "usage"),
     "a short code example that loads and runs the model"),
    ("training-data", "Training Data",
     ("training data", "training dataset", "training datasets", "training and evaluation data",
      "data", "datasets", "dataset", "pretraining data", "training corpus", "source data",
      "data sources", "fine tuning data", "finetuning data"),
     "the datasets the model was trained on, with links and how they were processed"),
    ("training-procedure", "Training Procedure",
     ("training procedure", "training", "training details", "training setup",
      "training hyperparameters", "fine tuning", "finetuning"),
     "how the model was trained: preprocessing, hyperparameters, compute"),
    ("evaluation", "Evaluation",
     ("evaluation", "evaluations", "evaluation results", "eval results", "results",
      "evaluation data", "testing data factors and metrics", "quantitative analyses",
      "quantitative analysis", "benchmarks", "benchmark results", "performance", "metrics",
      "training and evaluation data", "evaluation and results", "testing data",
      "evaluation metrics", "model performance", "benchmark", "benchmark scores",
      "evaluation scores", "scores"),
     "how the model was evaluated: data, metrics and results"),
    ("environmental-impact", "Environmental Impact",
     ("environmental impact", "carbon emissions", "carbon footprint", "compute"),
     "hardware, hours and estimated carbon emissions of training"),
    ("dataset-structure", "Dataset Structure",
     ("dataset structure", "data fields", "data instances", "data splits", "structure"),
     "the fields, splits and an example instance"),
    ("dataset-creation", "Dataset Creation",
     ("dataset creation", "curation rationale", "collection process", "data collection",
      "data collection and processing", "annotations", "annotation process"),
     "why and how the data was collected and annotated"),
    ("personal-and-sensitive-information", "Personal and Sensitive Information",
     ("personal and sensitive information", "personal information", "sensitive information",
      "personal data", "personal and sensitive data", "privacy", "pii",
      "personally identifiable information", "privacy and personal information"),
     "whether the data holds personal or sensitive data, which kinds, and how it was "
     "anonymised (or that it holds none)"),
    ("citation", "Citation",
     ("citation", "citations", "cite", "how to cite", "bibtex", "citation information",
      "reference", "references"),
     "a BibTeX entry for the model or its paper"),
    ("model-card-contact", "Model Card Contact",
     ("model card contact", "contact", "contact information", "contacts", "maintainers",
      "model card authors", "point of contact"),
     "who to contact about the model card"),
)

BUILTIN: dict[str, SectionSpec] = {
    name: SectionSpec(name, title, headings, hint, order)
    for order, (name, title, headings, hint) in enumerate(_TABLE)
}

MODEL_DEFAULT = ("intended-use", "out-of-scope-use", "bias-risks-limitations",
                 "training-data", "evaluation")
DATASET_DEFAULT = ("personal-and-sensitive-information",)

# `readme = "auto"`: a README without front matter is a card when its title says so or when
# two of its headings are ones only cards use (not "Usage", "Results" or "Limitations", which
# software READMEs have too)
CARD_TITLES = ("model card", "dataset card")
CARD_SIGNS = frozenset({
    "model details", "model description", "intended use", "intended uses", "direct use",
    "downstream use", "out of scope use", "out of scope uses", "bias risks and limitations",
    "intended uses and limitations", "training data", "training and evaluation data",
    "training procedure", "training hyperparameters", "evaluation data", "evaluation results",
    "testing data factors and metrics", "quantitative analyses", "ethical considerations",
    "caveats and recommendations", "environmental impact", "model card authors",
    "model card contact", "personal and sensitive information", "dataset structure",
    "dataset creation", "curation rationale", "considerations for using the data",
})
