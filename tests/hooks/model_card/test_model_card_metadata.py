"""Front matter: broken YAML, lists, required keys, shapes, model-index, licenses."""

from __future__ import annotations

import pytest
from card_helpers import check, found, hf_template, keys, rules

from mlgate.hooks.model_card import hf_licenses
from mlgate.licensing import parse


def card(front: str, body: str | None = None) -> str:
    """A card with this front matter and every default section filled."""
    text = hf_template()
    rest = text.split("---\n", 2)[2]
    return f"---\n{front}---\n{rest if body is None else body}"


@pytest.mark.parametrize(("front", "line", "what"), [
    ("license: mit\n  bad: [indent\n", 3, "not valid YAML"),
    ("license: 'unclosed\n", 1, "not valid YAML"),
    ("license:\tmit\n\tfoo: bar\n", 3, "not valid YAML"),
    ("- license\n- mit\n", 1, "a list, not a mapping"),
    ("just a string\n", 1, "a str, not a mapping"),
    ("date: 2024-13-45\nlicense: mit\n", 1, "not valid YAML"),
    ("? [a, b]\n: unhashable\n", 1, "not valid YAML"),
    ("a: &x [1]\nb: *y\n", 3, "not valid YAML"),
])
def test_broken_front_matter_is_one_finding_naming_the_line(tmp_path, front, line, what):
    result = check(tmp_path, {"README.md": card(front)})
    assert rules(result) == ["front-matter-invalid"], found(result)
    f = result.findings[0]
    assert what in f.message
    assert f.line is not None and f.line >= 1
    if line != 1:
        assert f.line == line


def test_front_matter_never_closed(tmp_path):
    text = "---\nlicense: mit\n\n# Model\n\n## Intended Use\nResearch.\n"
    result = check(tmp_path, {"README.md": text})
    assert ("front-matter-invalid", 1, "front-matter") in found(result)
    # the lines were read as the body after all: Intended Use was seen
    assert "intended-use" not in keys(result, "missing-section")


def test_empty_front_matter_misses_the_license(tmp_path):
    result = check(tmp_path, {"README.md": card("")})
    assert found(result) == [("missing-metadata", 2, "license")]


def test_a_placeholder_license_is_missing(tmp_path):
    result = check(tmp_path, {"README.md": card('license: "[More Information Needed]"\n')})
    assert found(result) == [("missing-metadata", 2, "license")]
    assert "placeholder" in result.findings[0].message


def test_optional_requirements_from_the_policy(tmp_path):
    policy = ('[model-card]\nrequired-metadata = ["license", "datasets", "base_model", '
              '"language", "model-index", "pipeline_tag"]\n')
    result = check(tmp_path, {"README.md": card("license: mit\ndatasets: []\n")}, policy)
    assert keys(result, "missing-metadata") == {"datasets", "base_model", "language",
                                                "model-index", "pipeline_tag"}
    # the empty list stands on its own line; the missing keys belong at the closing ---
    lines = {f.key: f.line for f in result.findings}
    assert lines["datasets"] == 3 and lines["base_model"] == 4


@pytest.mark.parametrize(("front", "key"), [
    ("datasets: [imdb, 'not a valid id!']\n", "datasets"),
    ("datasets: 42\n", "datasets"),
    ("base_model: [org/a, {x: 1}]\n", "base_model"),
    ("base_model_relation: distilled\n", "base_model_relation"),
    ("language: [en, English]\n", "language"),
    ("language: 7\n", "language"),
    ("license_link: [a]\n", "license_link"),
    ("pipeline_tag: {a: b}\n", "pipeline_tag"),
])
def test_known_keys_are_checked_by_shape(tmp_path, front, key):
    result = check(tmp_path, {"README.md": card("license: mit\n" + front)})
    assert found(result) == [("invalid-metadata", 3, key)]


def test_valid_shapes_pass(tmp_path):
    front = ("license: mit\ndatasets:\n- stanfordnlp/imdb\n- glue\nbase_model: org/base-1.5\n"
             "base_model_relation: finetune\nlanguage: [en, zh-Hans, fr]\n"
             "pipeline_tag: text-classification\n")
    assert check(tmp_path, {"README.md": card(front)}).findings == []


@pytest.mark.parametrize(("index", "where"), [
    ("model-index: {name: x}\n", "must be a non-empty list"),
    ("model-index:\n- results: []\n", "needs `name`"),
    ("model-index:\n- name: m\n  results:\n  - dataset: {type: glue, name: GLUE}\n"
     "    metrics: [{type: accuracy, value: 0.9}]\n", "results[0].task"),
    ("model-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
     "    dataset: {type: glue}\n    metrics: [{type: accuracy, value: 0.9}]\n",
     "needs `name`"),
    ("model-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: {type: g, name: G}\n"
     "    metrics: [{type: accuracy}]\n", "needs `value`"),
    ("model-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: {type: g, name: G}\n"
     "    metrics: [{type: accuracy, value: .nan}]\n", "must be a number"),
    ("model-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: {type: g, name: G}\n"
     "    metrics: []\n", "metrics: must be a non-empty list"),
])
def test_model_index_is_validated_structurally(tmp_path, index, where):
    result = check(tmp_path, {"README.md": card("license: mit\n" + index)})
    assert set(rules(result)) == {"invalid-model-index"}
    assert any(where in f.message for f in result.findings), [f.message for f in
                                                              result.findings]
    assert all(f.line == 3 for f in result.findings)


def test_a_hostile_model_index_is_capped(tmp_path):
    # aliases that fan out: a billion laughs in five lines stays a few findings, fast
    index = ("model-index:\n- &a {name: m, results: [&b {task: {type: t}, dataset: "
             "{type: g, name: G}, metrics: [{type: x}]}]}\n")
    index += "".join(f"- &a{i} [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" for i in range(1))
    result = check(tmp_path, {"README.md": card("license: mit\n" + index)})
    assert 1 <= len(result.findings) <= 20
    assert set(rules(result)) == {"invalid-model-index"}


def test_yaml_aliases_fanning_out_do_not_hang(tmp_path):
    lines = ["license: mit", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i-1}'] * 10)}]" for i in range(1, 9)]
    lines += ["datasets: *a8", "language: *a8", "model-index: *a8"]
    result = check(tmp_path, {"README.md": card("\n".join(lines) + "\n")})
    assert {"invalid-metadata", "invalid-model-index"} >= set(rules(result))


def test_deeply_nested_front_matter(tmp_path):
    front = "license: mit\nx: " + "[" * 5000 + "]" * 5000 + "\n"
    result = check(tmp_path, {"README.md": card(front)})
    assert rules(result) in (["front-matter-invalid"], [])


# ----------------------------------------------------------------------------- licenses

@pytest.mark.parametrize("value", ["apache-2.0", "Apache-2.0", "MIT OR Apache-2.0", "llama3.1",
                                   "gemma", "openrail", "cc-by-nc-4.0", "gpl-3.0",
                                   "LicenseRef-Acme-1.0", "[mit, cc-by-4.0]"])
def test_valid_licenses(tmp_path, value):
    assert check(tmp_path, {"README.md": card(f"license: {value}\n")}).findings == []


@pytest.mark.parametrize(("value", "rule"), [
    ("apache", "invalid-license"),
    ("MIT AND OR Apache-2.0", "invalid-license"),
    ("unknown", "invalid-license"),
    ("bsd", "ambiguous-license"),
    ("cc", "ambiguous-license"),
    ("lgpl", "ambiguous-license"),
    ("42", "invalid-metadata"),
])
def test_invalid_and_ambiguous_licenses(tmp_path, value, rule):
    result = check(tmp_path, {"README.md": card(f"license: {value}\n")})
    assert found(result) == [(rule, 2, "license")]


def test_license_not_a_string(tmp_path):
    result = check(tmp_path, {"README.md": card("license: {a: b}\n")})
    assert found(result) == [("invalid-metadata", 2, "license")]


def test_license_other_needs_name_and_link(tmp_path):
    result = check(tmp_path, {"README.md": card("license: other\n")})
    assert keys(result, "missing-metadata") == {"license_name", "license_link"}
    ok = card("license: other\nlicense_name: acme-model-license\nlicense_link: LICENSE.md\n")
    result = check(tmp_path / "b", {"README.md": ok})
    assert found(result) == [("invalid-metadata", 4, "license_link")]  # no such file
    result = check(tmp_path / "c", {"README.md": ok, "LICENSE.md": "ACME terms\n"})
    assert result.findings == []
    url = card("license: other\nlicense_name: acme\nlicense_link: https://acme.example/l\n")
    assert check(tmp_path / "d", {"README.md": url}).findings == []


def test_denied_licenses_use_the_shared_licenses_table(tmp_path):
    policy = '[licenses]\ndeny = ["CC-BY-NC-*", "LicenseRef-Llama-*"]\n'
    for value in ("cc-by-nc-4.0", "llama2", "CC-BY-NC-SA-4.0 AND MIT"):
        result = check(tmp_path / value, {"README.md": card(f"license: {value}\n")}, policy)
        assert found(result) == [("license-not-allowed", 2, "license")], value
        assert "denied" in result.findings[0].message
    # an OR alternative that is not denied is fine
    result = check(tmp_path / "or", {"README.md": card("license: CC-BY-NC-4.0 OR MIT\n")},
                   policy)
    assert result.findings == []
    result = check(tmp_path / "allow", {"README.md": card("license: gpl-3.0\n")},
                   '[licenses]\nallow = ["MIT", "Apache-2.0"]\n')
    assert found(result) == [("license-not-allowed", 2, "license")]
    assert "not allowed" in result.findings[0].message


def test_license_other_is_judged_as_its_license_ref(tmp_path):
    text = card("license: other\nlicense_name: acme research\nlicense_link: https://a.example\n")
    result = check(tmp_path, {"README.md": text},
                   '[licenses]\ndeny = ["LicenseRef-acme-*"]\n')
    assert found(result) == [("license-not-allowed", 2, "license")]
    assert "LicenseRef-acme-research" in result.findings[0].message


APACHE = ("\n                                 Apache License\n                           "
          "Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n")
MIT = ("MIT License\n\nCopyright (c) 2024 Example\n\nPermission is hereby granted, free of "
       "charge, to any person obtaining a copy\n")


def test_license_agrees_with_the_license_file(tmp_path):
    result = check(tmp_path, {"README.md": card("license: apache-2.0\n"), "LICENSE": APACHE})
    assert result.findings == []


def test_license_mismatch_is_a_warning(tmp_path):
    result = check(tmp_path, {"README.md": card("license: apache-2.0\n"), "LICENSE": MIT})
    assert found(result) == [("license-mismatch", 2, "license")]
    f = result.findings[0]
    assert f.severity.value == "warning" and result.exit_code == 0
    assert "LICENSE (MIT)" in f.message and "Apache-2.0" in f.message


def test_license_file_in_a_parent_directory_and_spdx_line(tmp_path):
    files = {"models/small/README.md": card("license: mit\n"),
             "LICENSE.txt": "SPDX-License-Identifier: Apache-2.0\n\nTerms...\n"}
    result = check(tmp_path, files, "")  # a policy at the root anchors the search
    assert found(result) == [("license-mismatch", 2, "license")]
    assert "LICENSE.txt" in result.findings[0].message


def test_reuse_licenses_directory(tmp_path):
    files = {"README.md": card("license: mit\n"), "LICENSES/Apache-2.0.txt": APACHE,
             "LICENSES/CC-BY-4.0.txt": "Creative Commons\n"}
    result = check(tmp_path, files)
    assert rules(result) == ["license-mismatch"]
    files["LICENSES/MIT.txt"] = MIT
    assert check(tmp_path / "b", files).findings == []


def test_gpl_family_compares_without_only_or_later(tmp_path):
    gpl = "GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007\n"
    result = check(tmp_path, {"README.md": card("license: gpl-3.0\n"), "COPYING": gpl})
    assert result.findings == []
    result = check(tmp_path / "b", {"README.md": card("license: GPL-3.0-or-later\n"),
                                    "COPYING": gpl})
    assert result.findings == []


def test_an_unknown_license_text_is_not_compared(tmp_path):
    result = check(tmp_path, {"README.md": card("license: mit\n"), "LICENSE": "Our terms.\n"})
    assert result.findings == []


def test_license_check_can_be_switched_off(tmp_path):
    result = check(tmp_path, {"README.md": card("license: apache-2.0\n"), "LICENSE": MIT},
                   "[model-card]\nlicense-check = false\n")
    assert result.findings == []


@pytest.mark.parametrize("text", [
    "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International Public License",
    "LLAMA 2 COMMUNITY LICENSE AGREEMENT", "Gemma Terms of Use", "Mozilla Public License "
    "Version 2.0", "BSD 3-Clause License\nRedistribution and use in source and binary forms, "
    "with or without modification... Neither the name of the copyright holder",
])
def test_known_license_texts_are_identified(text):
    from mlgate.hooks.model_card.licenses import identify

    assert identify(text) != ()


def test_the_hub_table_maps_to_valid_spdx():
    for hub in hf_licenses.HUB.values():
        if hub.kind in (hf_licenses.SPDX, hf_licenses.REF):
            expr = parse(hub.spdx)
            assert expr.valid and expr.problems == (), (hub.id, expr.problems)
            assert expr.licenses == (hub.spdx,)
    assert hf_licenses.lookup("Apache-2.0").spdx == "Apache-2.0"
    assert hf_licenses.lookup("gpl-3.0").lossy
    assert hf_licenses.lookup("bsd").kind == hf_licenses.AMBIGUOUS
    assert hf_licenses.family("GPL-3.0-or-later") == hf_licenses.family("GPL-3.0-only")


def test_each_model_index_problem_is_its_own_finding(tmp_path):
    index = ("model-index:\n- name: m\n  results:\n  - task: {type: t}\n"
             "    dataset: {type: g}\n    metrics: [{type: accuracy}, {value: 1}]\n")
    result = check(tmp_path, {"README.md": card("license: mit\n" + index)})
    assert sorted(f.key for f in result.findings) == [
        "model-index[0].results[0].dataset", "model-index[0].results[0].metrics[0]",
        "model-index[0].results[0].metrics[1]"]


def test_norwegian_no_is_a_boolean_to_yaml(tmp_path):
    result = check(tmp_path, {"README.md": card("license: mit\nlanguage: [en, no]\n")})
    assert found(result) == [("invalid-metadata", 3, "language")]
    assert "Norwegian" in result.findings[0].message
    quoted = card('license: mit\nlanguage: [en, "no"]\n')
    assert check(tmp_path / "q", {"README.md": quoted}).findings == []
