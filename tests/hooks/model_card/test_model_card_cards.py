"""Realistic cards: the Hub's template (filled and not), Mitchell et al.'s layout, terse
READMEs, Trainer-generated cards, dataset cards, software READMEs."""

from __future__ import annotations

from card_helpers import (
    DATASET,
    MITCHELL,
    SOFTWARE_README,
    TODO,
    TRAINER,
    check,
    found,
    hf_template,
    keys,
    rules,
)

DEFAULT_SECTIONS = {"intended-use", "out-of-scope-use", "bias-risks-limitations",
                    "training-data", "evaluation"}


def test_a_filled_hub_template_card_passes(tmp_path):
    result = check(tmp_path, {"README.md": hf_template()})
    assert found(result) == []
    assert result.exit_code == 0


def test_optional_template_sections_may_keep_their_placeholders(tmp_path):
    # Downstream Use, Model Sources, Citation and Contact still say [More Information Needed]
    card = hf_template()
    assert card.count(TODO) >= 5
    assert check(tmp_path, {"MODEL_CARD.md": card}).findings == []


def test_an_unfilled_hub_template_reports_each_required_section_at_its_heading(tmp_path):
    card = hf_template(filled=False)
    result = check(tmp_path, {"README.md": card})
    lines = card.split("\n")
    got = {(r, key): line for r, line, key in found(result)}
    assert set(got) == {("unfilled-section", k) for k in DEFAULT_SECTIONS}
    # each at the outermost heading of its section
    assert lines[got[("unfilled-section", "intended-use")] - 1] == "## Uses"
    assert lines[got[("unfilled-section", "out-of-scope-use")] - 1] == "### Out-of-Scope Use"
    assert lines[got[("unfilled-section", "training-data")] - 1] == "### Training Data"
    assert lines[got[("unfilled-section", "evaluation")] - 1] == "## Evaluation"
    assert all("placeholder" in f.message for f in result.findings)
    assert result.exit_code == 1


def test_a_mitchell_style_card_with_bold_labels_passes(tmp_path):
    # no front matter, but a "Model Card" title: a card; license is then required
    result = check(tmp_path, {"README.md": MITCHELL})
    assert found(result) == [("missing-metadata", 1, "license")]
    assert "no YAML front matter" in result.findings[0].message
    policy = '[model-card]\nrequired-metadata = []\n'
    assert check(tmp_path / "p", {"README.md": MITCHELL}, policy).findings == []


def test_mitchell_without_the_out_of_scope_label_misses_it(tmp_path):
    card = MITCHELL.replace("- **Out-of-scope use cases:** emotion recognition, judging "
                            "people's mood or character,\n  surveillance.\n", "")
    result = check(tmp_path, {"MODEL_CARD.md": card},
                   '[model-card]\nrequired-metadata = []\n')
    assert found(result) == [("missing-section", 15, "out-of-scope-use")]
    # it belongs right after Intended Use
    assert card.split("\n")[14] == "## Factors"


def test_a_terse_readme_with_front_matter_misses_every_section(tmp_path):
    card = "---\nlicense: mit\n---\n# my-model\n\nA BERT fine-tuned on IMDB.\n"
    result = check(tmp_path, {"README.md": card})
    assert keys(result, "missing-section") == DEFAULT_SECTIONS
    assert set(rules(result)) == {"missing-section"}
    assert all(f.line == 6 for f in result.findings)  # after the last line: where to add them
    assert all("`## " in f.message for f in result.findings)  # a one-line hint each


def test_a_trainer_generated_card(tmp_path):
    result = check(tmp_path, {"README.md": TRAINER})
    got = found(result)
    lines = TRAINER.split("\n")
    by_key = {key: (rule, line) for rule, line, key in got}
    assert set(by_key) == DEFAULT_SECTIONS
    assert by_key["out-of-scope-use"][0] == "missing-section"
    for key in ("intended-use", "bias-risks-limitations", "training-data", "evaluation"):
        rule, line = by_key[key]
        assert rule == "unfilled-section"
        assert lines[line - 1] in ("## Intended uses & limitations",
                                   "## Training and evaluation data")
    # its model-index is well formed: no invalid-model-index
    assert "invalid-model-index" not in rules(result)


def test_a_dataset_card_needs_personal_information_not_model_sections(tmp_path):
    result = check(tmp_path, {"data/README.md": DATASET})
    assert found(result) == []
    card = DATASET.replace("#### Personal and Sensitive Information\n\nNames, e-mail "
                           "addresses and phone numbers were replaced with placeholders by "
                           "a reviewed\nscript; no other personal data remains.\n", "")
    result = check(tmp_path / "b", {"data/README.md": card})
    assert found(result)[0][0] == "missing-section"
    assert keys(result, "missing-section") == {"personal-and-sensitive-information"}


def test_a_dataset_card_by_file_name_and_by_policy_glob(tmp_path):
    body = "---\nlicense: mit\n---\n# Support tickets\n\nTickets.\n"
    result = check(tmp_path, {"DATASET_CARD.md": body})
    assert keys(result, "missing-section") == {"personal-and-sensitive-information"}
    result = check(tmp_path / "g", {"corpora/tickets/README.md": body},
                   '[model-card]\ndataset-cards = ["corpora/**/README.md"]\n')
    assert keys(result, "missing-section") == {"personal-and-sensitive-information"}


def test_a_software_readme_is_not_a_card(tmp_path):
    assert check(tmp_path, {"README.md": SOFTWARE_README}).findings == []
    # unless the policy says every README is a card
    result = check(tmp_path / "c", {"README.md": SOFTWARE_README},
                   '[model-card]\nreadme = "card"\n')
    assert "license" in keys(result, "missing-metadata")
    assert keys(result, "missing-section") >= {"training-data", "out-of-scope-use"}


def test_a_readme_without_front_matter_but_with_card_headings_is_a_card(tmp_path):
    card = "# tiny-gpt\n\n## Intended Use\n\nToy experiments.\n\n## Training Data\n\nShakespeare.\n"
    result = check(tmp_path, {"README.md": card})
    assert keys(result, "missing-section") == {"out-of-scope-use", "bias-risks-limitations",
                                               "evaluation"}
    # one card heading alone does not make a card
    one = "# tiny\n\n## Training Data\n\nShakespeare.\n"
    assert check(tmp_path / "one", {"README.md": one}).findings == []


def test_readme_ignore_leaves_readmes_alone_but_not_model_card_md(tmp_path):
    terse = "---\nlicense: mit\n---\n# x\n"
    result = check(tmp_path, {"README.md": terse, "MODEL_CARD.md": terse},
                   '[model-card]\nreadme = "ignore"\n')
    assert {f.path for f in result.findings} == {"MODEL_CARD.md"}


def test_files_that_are_no_cards_are_skipped(tmp_path):
    result = check(tmp_path, {"docs/guide.md": "---\nlicense: mit\n---\n# Guide\n",
                              "train.py": "print(1)\n", "notes.txt": "TODO\n"})
    assert result.findings == [] and result.errors == []


def test_more_cards_by_policy_glob(tmp_path):
    result = check(tmp_path, {"cards/model.md": "---\nlicense: mit\n---\n# m\n"},
                   '[model-card]\ncards = ["cards/*.md"]\n')
    assert keys(result, "missing-section") == DEFAULT_SECTIONS


def test_headings_in_code_blocks_and_comments_do_not_count(tmp_path):
    card = """---
license: mit
---
# m

```markdown
## Intended Use
Research.
```

~~~
## Out-of-Scope Use
~~~

<!--
## Bias, Risks, and Limitations
Hidden.
-->

    ## Training Data (indented code)

<!-- ## Evaluation --> text
"""
    result = check(tmp_path, {"README.md": card})
    assert keys(result, "missing-section") == DEFAULT_SECTIONS


def test_comment_only_section_is_empty(tmp_path):
    card = hf_template().replace(
        "Not for moderation decisions about people, nor for text other than reviews.", "")
    result = check(tmp_path, {"README.md": card})
    assert found(result)[0][0] == "unfilled-section"
    assert "is empty" in result.findings[0].message


def test_setext_numbered_emoji_and_deep_headings_count(tmp_path):
    card = """---
license: mit
---
My model
========

Intended Use
------------
Research on summarisation.

## 2. 🚫 Out-of-scope uses
Medical advice.

#### 3.1 ⚠️ Bias, Risks & Limitations ####
English only.

###### **Training data**
CNN/DailyMail.

## IV. Evaluation results on CNN/DM
ROUGE-L 0.41.
"""
    assert check(tmp_path, {"README.md": card}).findings == []


def test_a_list_item_followed_by_dashes_is_no_heading(tmp_path):
    card = "---\nlicense: mit\n---\n# m\n\n- Intended Use\n---\n\n> Training Data\n---\n"
    result = check(tmp_path, {"README.md": card})
    assert keys(result, "missing-section") == DEFAULT_SECTIONS


def test_todo_and_fill_in_placeholders(tmp_path):
    card = hf_template().replace("Accuracy and F1.", "TODO: add the metrics")
    result = check(tmp_path, {"README.md": card})
    assert found(result) == [("unfilled-section", card.split("\n").index("## Evaluation") + 1,
                              "evaluation")]
    card = hf_template().replace("The 25,000 training reviews of stanfordnlp/imdb, "
                                 "lowercased.", "Fill in the training data here.")
    assert keys(check(tmp_path / "f", {"README.md": card}), "unfilled-section") == \
        {"training-data"}
    # "todo" in prose and "fill in" mid-sentence are no placeholders
    card = hf_template().replace("Accuracy and F1.",
                                 "Accuracy on the todo-list split; the model can fill in masks.")
    assert check(tmp_path / "p", {"README.md": card}).findings == []


def test_subsections_fill_their_parent(tmp_path):
    card = ("---\nlicense: mit\n---\n# m\n## Intended Use\n### Primary uses\nResearch.\n"
            "## Out-of-Scope Use\nMedicine.\n## Limitations\nEnglish only.\n"
            "## Training Data\n### Sources\nWikipedia.\n## Evaluation\n### Results\n0.9 F1.\n")
    assert check(tmp_path, {"README.md": card}).findings == []


def test_crlf_bom_and_leading_blank_lines(tmp_path):
    card = "\ufeff\n\n" + hf_template().replace("\n", "\r\n")
    result = check(tmp_path, {"README.md": card})
    assert result.findings == [] and result.errors == []
    bad = "\ufeff\r\n" + hf_template(filled=False).replace("\n", "\r\n")
    result = check(tmp_path / "bad", {"README.md": bad})
    lines = bad.split("\n")
    evaluation = next(f for f in result.findings if f.key == "evaluation")
    assert lines[evaluation.line - 1].rstrip("\r") == "## Evaluation"


def test_utf16_card_with_bom(tmp_path):
    data = hf_template().encode("utf-16")
    result = check(tmp_path, {"README.md": data})
    assert result.findings == [] and result.errors == []


def test_a_static_site_readme_with_front_matter_is_not_a_card(tmp_path):
    page = "---\nlayout: default\ntitle: Home\npermalink: /\n---\n# fastloader\n\nDocs.\n"
    assert check(tmp_path, {"README.md": page}).findings == []
    # but a broken front matter in a README is reported: it may be a card gone wrong
    broken = "---\nlicense: [mit\n---\n# m\n"
    assert "front-matter-invalid" in rules(check(tmp_path / "b", {"README.md": broken}))


LLAMA_STYLE = """---
language: [en, de, fr]
license: llama3.1
base_model: meta-llama/Llama-3.1-8B
pipeline_tag: text-generation
extra_gated_prompt: "You agree to the Llama 3.1 Community License."
---

## Model Information

The collection of multilingual large language models is pretrained and instruction tuned.

**Model developer:** Example AI

## Intended Use

**Intended Use Cases** Commercial and research use in multiple languages; assistant-like chat.

**Out-of-scope** Use in any manner that violates applicable laws or the Acceptable Use Policy.

## Hardware and Software

**Training Factors** Custom training libraries on a production cluster.

## Training Data

**Overview:** Pretrained on ~15 trillion tokens of data from publicly available sources.

## Benchmark scores

| Category | Benchmark | Score |
|---|---|---|
| General | MMLU (5-shot) | 66.7 |

## Responsibility & Safety

### Critical and other risks

Cybersecurity, child safety, chemical and biological weapons.

## Ethical Considerations and Limitations

The model may produce inaccurate, biased or objectionable responses.
"""


SENTENCE_TRANSFORMERS = """---
tags:
- sentence-transformers
- sentence-similarity
pipeline_tag: sentence-similarity
library_name: sentence-transformers
base_model: sentence-transformers/all-MiniLM-L6-v2
datasets: [sentence-transformers/all-nli]
---

# SentenceTransformer based on sentence-transformers/all-MiniLM-L6-v2

This is a [sentence-transformers](https://www.SBERT.net) model finetuned from all-MiniLM-L6-v2.

## Model Details

### Model Description
- **Model Type:** Sentence Transformer
- **Maximum Sequence Length:** 256 tokens

## Usage

### Direct Usage (Sentence Transformers)

```python
from sentence_transformers import SentenceTransformer
model = SentenceTransformer("example/minilm-nli")
```

## Evaluation

### Metrics

| Metric | Value |
|:--|:--|
| pearson_cosine | 0.8512 |

## Training Details

### Training Dataset

#### all-nli

* Size: 100,000 training samples
"""


GGUF_QUANT = """---
base_model: example/chat-7b
base_model_relation: quantized
license: apache-2.0
tags: [gguf]
---

# chat-7b-GGUF

Quantized with llama.cpp b3600. See the [original model card](https://huggingface.co/example/chat-7b)
for intended use, limitations, training data and evaluation.

| Quant | Size |
|---|---|
| Q4_K_M | 4.4 GB |
"""


HTML_HEAVY = """---
license: mit
---
<h1 align="center">Vision Model</h1>
<p align="center"><img src="logo.png" width="200"></p>

<details>
<summary>Table of contents</summary>

- Intended use
- Limitations
</details>

## 🎯 Intended Use
Image tagging for photo libraries.

## ⛔ Out-of-Scope Use
Identifying people.

## ⚠️ Limitations
Trained on photos from Europe and North America only.

## 📚 Training Data
<!-- TODO: link the dataset card -->
OpenImages v7, 1.7M images.

## 📊 Evaluation
mAP 0.61 on the OpenImages validation split.
"""


def test_a_llama_style_card_with_bold_labels(tmp_path):
    # Out-of-scope as a bold label, limitations as "Ethical Considerations and Limitations",
    # evaluation as "Benchmark scores"
    result = check(tmp_path, {"README.md": LLAMA_STYLE})
    assert found(result) == []


def test_a_sentence_transformers_card(tmp_path):
    result = check(tmp_path, {"README.md": SENTENCE_TRANSFORMERS})
    # "Usage" is how to get started, not intended use; nothing on limits or misuse
    assert keys(result, "missing-section") == {"intended-use", "out-of-scope-use",
                                               "bias-risks-limitations"}
    assert keys(result, "missing-metadata") == {"license"}


def test_a_quantized_card_pointing_at_its_base_model_misses_the_sections(tmp_path):
    result = check(tmp_path, {"README.md": GGUF_QUANT})
    assert keys(result, "missing-section") == DEFAULT_SECTIONS
    # a policy for quantized repositories may ask for less
    policy = '[model-card]\nrequired-sections = []\nrequired-metadata = ["license", "base_model"]\n'
    assert check(tmp_path / "q", {"README.md": GGUF_QUANT}, policy).findings == []


def test_an_html_heavy_card_with_emoji_headings(tmp_path):
    # a TODO inside an HTML comment is guidance, not a placeholder left in the text
    assert check(tmp_path, {"README.md": HTML_HEAVY}).findings == []


def test_a_card_in_another_language_with_synonyms_from_the_policy(tmp_path):
    card = ("---\nlicense: mit\n---\n# 模型卡\n## 用途\n用于研究。\n## 不适用范围\n医疗诊断。\n"
            "## 局限性\n仅中文。\n## 训练数据\n维基百科。\n## 评估\n准确率 0.9。\n")
    result = check(tmp_path, {"README.md": card})
    assert keys(result, "missing-section") == DEFAULT_SECTIONS
    policy = """[model-card]
sections = [
  { name = "intended-use", headings = ["用途"] },
  { name = "out-of-scope-use", headings = ["不适用范围"] },
  { name = "bias-risks-limitations", headings = ["局限性"] },
  { name = "training-data", headings = ["训练数据"] },
  { name = "evaluation", headings = ["评估"] },
]
"""
    assert check(tmp_path / "zh", {"README.md": card}, policy).findings == []


def test_an_unfilled_template_subsection_keeps_its_section_from_counting(tmp_path):
    card = hf_template().replace("#### Metrics\n", "#### Factors\n\n[More Information Needed]\n\n"
                                 "#### Metrics\n")
    result = check(tmp_path, {"README.md": card})
    assert found(result) == [("unfilled-section", card.split("\n").index("## Evaluation") + 1,
                              "evaluation")]
    line = card.split("\n").index("#### Factors") + 3
    assert f"(line {line})" in result.findings[0].message
    optional = card.replace("#### Factors\n", "#### Factors [optional]\n")
    assert check(tmp_path / "o", {"README.md": optional}).findings == []
