"""Bad input, caps and the command line: binary, symlinks, FIFOs, non-UTF-8, huge cards,
policy errors, suppressions, the starter card, the demo, start-up and no network."""

from __future__ import annotations

import os
import random
import sys
import time

import pytest
from card_helpers import check, cli, cli_json, found, hf_template, keys, rules

from mlgate.errors import MlgateError
from mlgate.hooks.model_card import demo, starter
from mlgate.hooks.model_card.markdown import MAX_HEADINGS
from mlgate.policy import Policy, load

DEFAULT_SECTIONS = {"intended-use", "out-of-scope-use", "bias-risks-limitations",
                    "training-data", "evaluation"}


def test_binary_card_is_not_scanned_but_a_binary_readme_is_no_card(tmp_path):
    blob = b"\x00\x01\x02" * 100
    result = check(tmp_path, {"MODEL_CARD.md": blob, "README.md": blob})
    assert found(result) == [("not-scanned", None, None)]
    assert result.findings[0].path == "MODEL_CARD.md"


def test_lfs_pointer(tmp_path):
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + \
        b"\nsize 12\n"
    result = check(tmp_path, {"MODEL_CARD.md": pointer})
    assert rules(result) == ["not-scanned"]
    assert "LFS" in result.findings[0].message


def test_non_utf8_bytes_are_replaced_not_fatal(tmp_path):
    data = hf_template().encode() + b"\n\xff\xfe\xc3(\n"
    result = check(tmp_path, {"README.md": data})
    assert result.findings == [] and result.errors == []


def test_symlinked_card_is_a_note(tmp_path):
    (tmp_path / "real.md").write_text(hf_template(), encoding="utf-8")
    os.symlink(tmp_path / "real.md", tmp_path / "README.md")
    result = check(tmp_path, {}, paths=["README.md"])
    assert found(result) == [("not-scanned", None, None)]
    assert result.findings[0].severity.value == "note"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_like_a_card_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "README.md")
    start = time.monotonic()
    result = check(tmp_path, {}, paths=["README.md"])
    assert time.monotonic() - start < 5
    assert [e.path for e in result.errors] == ["README.md"]
    assert "FIFO" in result.errors[0].message


def test_directory_and_missing_file(tmp_path):
    (tmp_path / "x" / "README.md").mkdir(parents=True)
    result = check(tmp_path, {}, paths=["x/README.md", "gone/MODEL_CARD.md"])
    assert sorted(e.path for e in result.errors) == ["gone/MODEL_CARD.md", "x/README.md"]
    assert result.exit_code == 2


def test_a_card_over_max_bytes_is_truncated_and_fails_closed(tmp_path):
    text = "---\nlicense: mit\n---\n# m\n" + "filler words here\n" * 2000 + \
        "## Intended Use\nResearch.\n"
    result = check(tmp_path, {"README.md": text}, "[model-card]\nmax-bytes = 10000\n")
    assert "file-truncated" in rules(result)
    assert "intended-use" in keys(result, "missing-section")  # not seen: not passed


def test_a_huge_line_is_read_in_pieces(tmp_path):
    text = hf_template() + "x" * 3_000_000 + "\n## Extra\n"
    start = time.monotonic()
    result = check(tmp_path, {"README.md": text})
    assert time.monotonic() - start < 10
    assert result.findings == []


def test_ten_thousand_headings_stay_fast(tmp_path):
    text = hf_template() + "".join(f"## Section {i}\nWords {i}.\n" for i in range(10_000))
    start = time.monotonic()
    result = check(tmp_path, {"README.md": text})
    assert time.monotonic() - start < 10
    assert result.findings == []


def test_more_headings_than_the_cap(tmp_path):
    text = "---\nlicense: mit\n---\n" + "### h\n" * (MAX_HEADINGS + 10)
    result = check(tmp_path, {"README.md": text})
    assert "file-truncated" in rules(result)


def test_many_placeholders_and_comments(tmp_path):
    text = hf_template() + "<!--\n" + "## Hidden\n" * 5000 + "-->\n" + \
        "[More Information Needed]\n" * 5000
    result = check(tmp_path, {"README.md": text})
    assert result.findings == []  # at the end of Model Card Contact, an optional section


def test_front_matter_too_large(tmp_path, monkeypatch):
    from mlgate.hooks.model_card import markdown

    monkeypatch.setattr(markdown, "FRONT_MATTER_CAP", 100)
    text = "---\nlicense: mit\n" + "tags: [a]\n" * 50 + "---\n# m\n"
    result = check(tmp_path, {"README.md": text})
    assert rules(result)[0] == "front-matter-invalid"
    assert "too large" in result.findings[0].message


def test_random_bytes_never_crash(tmp_path):
    rng = random.Random(14)
    pieces = ["---\n", "license: mit\n", "# h\n", "## Intended Use\n", "```\n", "<!--", "-->",
              "===\n", "---\n", "- **Label:** x\n", "\r\n", "\t", "[More Information Needed]",
              "\ufeff", "\x00", "&a [*a]\n", "model-index: [", "{", "}", ":"]
    for i in range(60):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        result = check(tmp_path / str(i), {"README.md": text.encode("utf-8", "surrogatepass")})
        assert all(f.rule.startswith("model-card/") for f in result.findings)


# ----------------------------------------------------------------------------- policy

@pytest.mark.parametrize(("toml", "words"), [
    ('required-sections = ["nonsense"]', "unknown sections"),
    ('dataset-required-sections = ["x"]', "unknown sections"),
    ('readme = "sometimes"', "must be one of"),
    ('placeholders = ["(unclosed"]', "regular expression"),
    ('min-section-words = 0', "at least 1"),
    ('sections = [{name = "x"}]', "needs 'headings'"),
    ('sections = [{name = "x", headings = ["X"], colour = "red"}]', "unknown keys"),
    ('sections = [{headings = ["X"]}]', "non-empty string 'name'"),
    ('sections = [{name = "x", headings = [""]}]', "non-empty strings"),
    ('required-metadata = [""]', "non-empty key names"),
    ('cards = [""]', "non-empty glob"),
    ('colour = 1', "unknown key"),
])
def test_policy_errors_surface_at_load(tmp_path, toml, words):
    (tmp_path / "mlgate.toml").write_text(f"[model-card]\n{toml}\n", encoding="utf-8")
    with pytest.raises(MlgateError) as e:
        load(tmp_path / "mlgate.toml")
    assert words in str(e.value) and "mlgate.toml" in str(e.value)


def test_custom_sections_and_synonyms(tmp_path):
    policy = """[model-card]
required-sections = ["intended-use", "safety-evaluation"]
[[model-card.sections]]
name = "safety-evaluation"
title = "Safety Evaluation"
headings = ["Red teaming", "Safety"]
hint = "how the model was red-teamed and what was found"
[[model-card.sections]]
name = "intended-use"
headings = ["What it is for"]
"""
    text = "---\nlicense: mit\n---\n# m\n## What it is for\nChat.\n"
    result = check(tmp_path, {"README.md": text}, policy)
    assert found(result) == [("missing-section", 6, "safety-evaluation")]
    assert "Safety Evaluation" in result.findings[0].message
    assert "red-teamed" in result.findings[0].message
    text += "## 🔴 Red Teaming\nJailbreak prompts from our suite; 3% succeeded.\n"
    assert check(tmp_path / "b", {"README.md": text}, policy).findings == []


def test_minimum_lengths(tmp_path):
    policy = "[model-card]\nmin-section-words = 25\nmin-words = 5000\n"
    result = check(tmp_path, {"README.md": hf_template()}, policy)
    assert "too-short" in rules(result)
    short = [f for f in result.findings if f.rule == "model-card/unfilled-section"]
    assert short and all("at least 25" in f.message for f in short)


def test_custom_placeholders(tmp_path):
    policy = '[model-card]\nplaceholders = ["(?i)\\\\bTBD\\\\b"]\n'
    text = hf_template().replace("Accuracy and F1.", "tbd")
    assert keys(check(tmp_path, {"README.md": text}, policy), "unfilled-section") == \
        {"evaluation"}


def test_severity_override_and_inline_pragma(tmp_path):
    text = hf_template(filled=False).replace(
        "## Evaluation\n", "## Evaluation <!-- mlgate: allow model-card/unfilled-section -- "
        "results come with v2 -->\n")
    result = check(tmp_path, {"README.md": text},
                   '[severity]\n"model-card/unfilled-section" = "warning"\n')
    assert result.exit_code == 0  # the others are warnings now
    assert "evaluation" not in keys(result, "unfilled-section")  # the pragma drops it
    assert keys(result, "unfilled-section") == DEFAULT_SECTIONS - {"evaluation"}
    assert {f.severity.value for f in result.findings} == {"warning"}


def test_exclude_applies(tmp_path):
    result = check(tmp_path, {"vendor/x/README.md": "---\nlicense: mit\n---\n# m\n"},
                   'exclude = ["vendor/"]\n')
    assert result.findings == []


# ----------------------------------------------------------------------------- starter, demo

def test_the_starter_card_fails_until_filled_then_passes(tmp_path):
    template = starter.FILES["MODEL_CARD.md"]
    result = check(tmp_path, {"MODEL_CARD.md": template})
    assert keys(result, "unfilled-section") == DEFAULT_SECTIONS
    assert keys(result, "missing-metadata") == {"license"}
    filled = template.replace('"[More Information Needed]"', "apache-2.0").replace(
        "[More Information Needed]", "Written by the team.")
    result = check(tmp_path / "filled", {"MODEL_CARD.md": filled})
    assert result.findings == [] and result.errors == []


def test_the_demo_planting_is_found(tmp_path):
    expected = demo.plant(tmp_path, random.Random(1))
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        from mlgate.run import run_checks

        files = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
        result = run_checks(["model-card"], files, Policy(root=tmp_path))
    finally:
        os.chdir(here)
    assert expected <= {f.rule for f in result.findings}
    assert keys(result, "missing-section") == {"out-of-scope-use", "bias-risks-limitations"}


# ----------------------------------------------------------------------------- command line

def test_cli_exit_codes_and_json(tmp_path):
    (tmp_path / "README.md").write_text(hf_template(filled=False), encoding="utf-8")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "README.md").write_text(hf_template(), encoding="utf-8")
    assert cli("model-card", "ok/README.md", cwd=tmp_path).returncode == 0
    out = cli("model-card", "README.md", cwd=tmp_path)
    assert out.returncode == 1
    assert "README.md:" in out.stdout and "model-card/unfilled-section" in out.stdout
    doc = cli_json("README.md", cwd=tmp_path)
    assert {f["key"] for f in doc["findings"]} == DEFAULT_SECTIONS
    assert cli("model-card", cwd=tmp_path).returncode == 0  # no paths: nothing to check
    (tmp_path / "mlgate.toml").write_text('[model-card]\nreadme = "x"\n', encoding="utf-8")
    bad = cli("model-card", "README.md", cwd=tmp_path)
    assert bad.returncode == 2 and "readme" in bad.stderr and "Traceback" not in bad.stderr


def test_one_card_imports_no_hub_client_and_starts_fast(tmp_path):
    (tmp_path / "README.md").write_text(hf_template(), encoding="utf-8")
    code = ("import sys, time\nt = time.perf_counter()\nfrom mlgate.cli import main\n"
            "try:\n    main(['model-card', 'README.md'])\nexcept SystemExit as e:\n"
            "    code = e.code\n"
            "print('MODULES', ' '.join(sys.modules))\n")
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    modules = {m.split(".")[0] for m in line.split()[1:]}
    assert not modules & {"huggingface_hub", "requests", "urllib3", "presidio_analyzer",
                          "spacy", "httpx"}


def test_control_characters_in_a_heading_are_escaped_in_messages(tmp_path):
    text = hf_template().replace("## Evaluation\n", "## Evaluation \x1b\x07\n")
    text = text.replace("Accuracy 0.93, F1 0.93.", "[More Information Needed]")
    result = check(tmp_path, {"README.md": text})
    assert rules(result) == ["unfilled-section"]
    message = result.findings[0].message
    assert "\x1b" not in message and "\\x1b\\x07" in message
