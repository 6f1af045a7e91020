"""`mlgate dependency-licenses` end to end: real requirements files and pyproject.toml, real
`.dist-info` directories on an environment directory the policy names, the [licenses] lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dl_helpers import APACHE_TEXT, BSD3_TEXT, MIT_TEXT, by_rule, make_dist, project, run_check

from mlgate.errors import MlgateError

DENY_GPL = '[licenses]\ndeny = ["GPL-*", "AGPL-*"]\n'


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    make_dist(site, "good", "2.0", expression="MIT")
    make_dist(site, "copyleft", "1.1", expression="GPL-3.0-only")
    make_dist(site, "dual", "1.0", expression="MIT OR GPL-3.0-only")
    make_dist(site, "both", "1.0", expression="MIT AND GPL-3.0-or-later")
    make_dist(site, "freetext", "0.3", license="Apache 2.0")
    make_dist(site, "vague", "0.1", license="BSD", classifiers=(
        "License :: OSI Approved :: BSD License",))
    return site


def test_denied_license_is_reported_at_the_declaring_line(tmp_path: Path, site: Path,
                                                          cli) -> None:
    project(tmp_path, policy=DENY_GPL,
            requirements="# runtime\ngood>=2\n\ncopyleft==1.1\ndual\nboth\nfreetext\n")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1
    found = by_rule(report)
    assert sorted(found) == ["denied"]
    assert [(f["path"], f["line"], f["key"]) for f in found["denied"]] == [
        ("requirements.txt", 4, "copyleft"), ("requirements.txt", 6, "both")]
    assert "GPL-3.0-only" in found["denied"][0]["message"]
    assert "License-Expression" in found["denied"][0]["message"]


def test_nothing_denied_without_lists_and_free_text_is_normalised(tmp_path: Path, site: Path,
                                                                  cli) -> None:
    project(tmp_path, policy='[licenses]\nallow = ["MIT", "Apache-2.0"]\n',
            requirements="good\nfreetext\ndual\n")
    code, report, _ = run_check(cli, tmp_path)
    assert (code, report["findings"]) == (0, [])


def test_allow_list_blocks_what_it_does_not_name(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, policy='[licenses]\nallow = ["MIT"]\n', requirements="freetext\n")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1 and by_rule(report)["denied"][0]["key"] == "freetext"


def test_unknown_license_says_what_the_metadata_said_briefly(tmp_path: Path, site: Path,
                                                             cli) -> None:
    make_dist(site, "wordy", license="Proprietary, see the file that came with it. " * 20)
    project(tmp_path, requirements="vague\nwordy\n")
    code, report, _ = run_check(cli, tmp_path)
    unknown = by_rule(report)["unknown-license"]
    assert code == 1 and [f["key"] for f in unknown] == ["vague", "wordy"]
    assert "License: BSD" in unknown[0]["excerpt"]
    assert "BSD License" in unknown[0]["excerpt"]
    assert all(len(f["excerpt"]) <= 60 for f in unknown)


def test_block_unknown_false_makes_it_a_warning(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, policy="[dependency-licenses]\nblock-unknown = false\n",
            requirements="vague\n")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 0 and report["findings"][0]["severity"] == "warning"


def test_not_installed_and_markers_that_do_not_apply(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, requirements='good\nmissing-pkg>=1\nwinonly; sys_platform == "nonesuch"\n'
                                   'old; python_version < "3.0"\n')
    code, report, _ = run_check(cli, tmp_path)
    found = by_rule(report)
    assert code == 1 and sorted(found) == ["not-installed"]
    assert [(f["key"], f["line"]) for f in found["not-installed"]] == [("missing-pkg", 2)]


def test_transitive_dependencies_are_checked_and_named_by_their_chain(
        tmp_path: Path, site: Path, cli) -> None:
    make_dist(site, "framework", "3.0", expression="Apache-2.0",
              requires=("helper>=1", 'copyleft; extra == "gpl"', 'winonly; sys_platform == "x"'))
    make_dist(site, "helper", "1.2", expression="BSD-3-Clause", requires=("copyleft",))
    project(tmp_path, policy=DENY_GPL, requirements="framework\n")
    code, report, _ = run_check(cli, tmp_path)
    denied = by_rule(report)["denied"]
    assert code == 1 and [(f["key"], f["line"]) for f in denied] == [("copyleft", 1)]
    assert "via framework -> helper" in denied[0]["message"]


def test_extras_pull_their_requirements(tmp_path: Path, site: Path, cli) -> None:
    make_dist(site, "framework", "3.0", expression="Apache-2.0",
              requires=('copyleft; extra == "gpl"',))
    project(tmp_path, policy=DENY_GPL, requirements="framework\n")
    assert run_check(cli, tmp_path)[0] == 0
    (tmp_path / "requirements.txt").write_text("framework[gpl]\n", encoding="utf-8")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1 and by_rule(report)["denied"][0]["key"] == "copyleft"


def test_transitive_false_checks_only_what_is_declared(tmp_path: Path, site: Path,
                                                       cli) -> None:
    make_dist(site, "framework", "3.0", expression="Apache-2.0", requires=("copyleft",))
    project(tmp_path, policy=DENY_GPL + "[dependency-licenses]\ntransitive = false\n",
            requirements="framework\n")
    assert run_check(cli, tmp_path)[0] == 0


def test_version_mismatch_is_a_warning_and_constraints_count(tmp_path: Path, site: Path,
                                                             cli) -> None:
    (tmp_path / "constraints.txt").write_text("good<2\n", encoding="utf-8")
    project(tmp_path, requirements="-c constraints.txt\ngood\nfreetext>=1\n")
    code, report, _ = run_check(cli, tmp_path)
    found = by_rule(report)
    assert code == 0 and [f["key"] for f in found["version-mismatch"]] == ["good", "freetext"]
    assert "<2" in found["version-mismatch"][0]["message"]
    assert "good" not in {f["key"] for f in found.get("not-installed", [])}


def test_override_records_a_license_with_its_reason(tmp_path: Path, site: Path, cli) -> None:
    policy = ('[[dependency-licenses.overrides]]\npackage = "Vague"\nlicense = "BSD-3-Clause"\n'
              'reason = "LICENSE in the sdist is BSD-3-Clause (checked 2026-11)"\n'
              '[[dependency-licenses.overrides]]\npackage = "unused"\nlicense = "MIT"\n'
              'reason = "kept for later"\n')
    project(tmp_path, policy=policy, requirements="vague\n")
    code, report, _ = run_check(cli, tmp_path)
    found = by_rule(report)
    assert code == 0 and sorted(found) == ["unused-override"]
    assert found["unused-override"][0]["path"] == "mlgate.toml"


@pytest.mark.parametrize(("entry", "message"), [
    ('package = "x"\nlicense = "MIT"\n', "'reason' is missing"),
    ('package = "x"\nlicense = "MIT"\nreason = "  "\n', "'reason' must be a non-empty"),
    ('package = "x"\nlicense = "MIT AND"\nreason = "r"\n', "not a valid SPDX"),
    ('package = "x"\nlicense = "MIT"\nreason = "r"\nnote = "n"\n', "unknown keys ['note']"),
])
def test_bad_override_is_an_error_at_load(tmp_path: Path, cli, entry: str,
                                          message: str) -> None:
    project(tmp_path, policy=f"[[dependency-licenses.overrides]]\n{entry}",
            requirements="x\n")
    code, _, err = run_check(cli, tmp_path)
    assert code == 2 and message in err and "mlgate.toml" in err


def test_ignore_skips_a_package(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, policy=DENY_GPL + '[dependency-licenses]\nignore = ["COPYLEFT"]\n',
            requirements="copyleft\n")
    assert run_check(cli, tmp_path)[0] == 0


def test_license_files_and_classifiers_when_the_fields_say_nothing(tmp_path: Path, site: Path,
                                                                   cli) -> None:
    make_dist(site, "texts", license_files={"LICENSE": MIT_TEXT, "vendor/LICENSE": BSD3_TEXT})
    make_dist(site, "apache", license="UNKNOWN", license_files={"LICENSE.txt": APACHE_TEXT})
    make_dist(site, "classified", classifiers=("License :: OSI Approved :: MIT License",
                                               "Programming Language :: Python"))
    project(tmp_path, policy='[licenses]\ndeny = ["BSD-3-Clause"]\n',
            requirements="texts\napache\nclassified\n")
    code, report, _ = run_check(cli, tmp_path)
    denied = by_rule(report)["denied"]
    assert code == 1 and [f["key"] for f in denied] == ["texts"]
    assert "MIT AND BSD-3-Clause" in denied[0]["message"]


# --- no metadata, broken environments ----------------------------------------------------


def test_a_distribution_without_metadata_is_a_finding_not_a_traceback(tmp_path: Path,
                                                                      site: Path, cli) -> None:
    (site / "nometa-1.0.dist-info").mkdir()
    (site / "emptymeta-1.0.dist-info").mkdir()
    (site / "emptymeta-1.0.dist-info" / "METADATA").write_bytes(b"")
    (site / "fifo-1.0.dist-info").mkdir()
    os.mkfifo(site / "fifo-1.0.dist-info" / "METADATA")
    (site / "binary-1.0.dist-info").mkdir()
    (site / "binary-1.0.dist-info" / "METADATA").write_bytes(b"\x00\xff\xfe" * 100)
    (site / "afile-1.0.dist-info").write_text("Name: afile\n", encoding="utf-8")
    project(tmp_path, requirements="nometa\nemptymeta\nfifo\nbinary\nafile\n")
    code, report, _ = run_check(cli, tmp_path)
    found = by_rule(report)["no-metadata"]
    assert code == 1 and [f["key"] for f in found] == ["nometa", "emptymeta", "fifo", "binary",
                                                       "afile"]
    messages = [f["message"] for f in found]
    assert "no such file" in messages[0] and "empty" in messages[1]
    assert "FIFO" in messages[2] or "not a regular file" in messages[2]
    assert "not a directory" in messages[4]


def test_an_override_vouches_for_a_distribution_without_metadata(tmp_path: Path, site: Path,
                                                                 cli) -> None:
    (site / "nometa-1.0.dist-info").mkdir()
    project(tmp_path, policy='[[dependency-licenses.overrides]]\npackage = "nometa"\n'
                             'license = "MIT"\nreason = "metadata stripped by our build"\n',
            requirements="nometa\n")
    assert run_check(cli, tmp_path)[0] == 0


def test_an_environment_that_does_not_exist_is_an_error(tmp_path: Path, cli) -> None:
    project(tmp_path, requirements="good\n")
    code, report, _ = run_check(cli, tmp_path, "--env", str(tmp_path / "nowhere"))
    assert code == 2 and "no such environment" in report["errors"][0]["message"]


def test_a_virtual_environment_directory_is_read_through_its_site_packages(
        tmp_path: Path, cli) -> None:
    venv = tmp_path / "venv"
    (venv / "lib" / "python3.99" / "site-packages").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    make_dist(venv / "lib" / "python3.99" / "site-packages", "copyleft",
              expression="GPL-2.0-only")
    project(tmp_path, policy=DENY_GPL, requirements="copyleft\n")
    code, report, _ = run_check(cli, tmp_path, "--env", str(venv))
    assert code == 1 and by_rule(report)["denied"][0]["key"] == "copyleft"


def test_the_first_distribution_on_the_path_wins(tmp_path: Path, cli) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    make_dist(first, "pkg", "2.0", expression="MIT")
    make_dist(second, "pkg", "1.0", expression="GPL-3.0-only")
    project(tmp_path, policy=DENY_GPL, requirements="pkg\n")
    assert run_check(cli, tmp_path, "--env", str(first), "--env", str(second))[0] == 0
    assert run_check(cli, tmp_path, "--env", str(second), "--env", str(first))[0] == 1


# --- the command -------------------------------------------------------------------------


def test_no_declaration_files_is_a_usage_error(tmp_path: Path, cli) -> None:
    project(tmp_path)
    code, _, err = run_check(cli, tmp_path)
    assert code == 2 and "no pyproject.toml and no requirements files" in err


def test_requirement_option_reads_a_file_of_any_name(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, policy=DENY_GPL)
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "prod.lock").write_text("copyleft\n", encoding="utf-8")
    code, report, _ = run_check(cli, tmp_path, "-r", "deps/prod.lock")
    assert code == 1 and by_rule(report)["denied"][0]["path"] == "deps/prod.lock"


def test_project_option_reads_another_directory(tmp_path: Path, site: Path, cli) -> None:
    project(tmp_path, policy=DENY_GPL)
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    (sub / "requirements-prod.txt").write_text("copyleft\n", encoding="utf-8")
    code, report, _ = run_check(cli, tmp_path, "--project", "services/api")
    assert code == 1
    assert by_rule(report)["denied"][0]["path"] == "services/api/requirements-prod.txt"


def test_inline_allow_and_baseline_work_on_requirements_files(tmp_path: Path, site: Path,
                                                              cli) -> None:
    project(tmp_path, policy=DENY_GPL,
            requirements="# mlgate: allow dependency-licenses/denied -- legal approved 2026-10\n"
                         "copyleft\nboth\n")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1 and [f["key"] for f in by_rule(report)["denied"]] == ["both"]
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert cli("baseline", "--check", "dependency-licenses", "--reason", "accepted",
                   "requirements.txt")[0] == 0
    finally:
        os.chdir(here)
    assert run_check(cli, tmp_path)[0] == 0


def test_sarif_points_at_the_commands_page(tmp_path: Path, site: Path, cli) -> None:
    import json

    project(tmp_path, policy=DENY_GPL, requirements="copyleft\n")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = cli("dependency-licenses", "--format", "sarif")
    finally:
        os.chdir(here)
    run = json.loads(out)["runs"][0]
    assert code == 1 and run["results"][0]["ruleId"] == "dependency-licenses/denied"
    uris = {r["helpUri"] for r in run["tool"]["driver"]["rules"]}
    assert any("docs/dependency-licenses.md#denied" in u for u in uris)


def test_a_group_the_pyproject_does_not_define_is_a_finding(tmp_path: Path, site: Path,
                                                     cli) -> None:
    project(tmp_path, policy='[dependency-licenses]\ngroups = ["gpu"]\n',
            pyproject='[project]\nname = "p"\ndependencies = ["good"]\n')
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1
    assert "'gpu' is neither" in by_rule(report)["not-scanned"][0]["message"]


def test_explicit_policy_validation_runs_before_anything_is_read(tmp_path: Path) -> None:
    from mlgate.policy import Policy

    with pytest.raises(MlgateError, match="dependency-licenses.transitive"):
        Policy({"dependency-licenses": {"transitive": "yes"}})


def test_the_demo_plants_a_dependency_that_is_not_installed(tmp_path: Path) -> None:
    from mlgate.catalog import BY_CHECK
    from mlgate.policy import Policy
    from mlgate.run import run_checks

    expected = BY_CHECK["dependency-licenses"].plant(tmp_path, __import__("random").Random(1))
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = run_checks(["dependency-licenses"], ["requirements.txt", "README.md"],
                            Policy(root=tmp_path))
    finally:
        os.chdir(here)
    assert {f.rule for f in result.findings} == expected


def test_markers_are_evaluated_for_the_python_of_the_venv_checked(tmp_path: Path,
                                                                 cli) -> None:
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.99" / "site-packages"
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.99.1\n", encoding="utf-8")
    make_dist(site, "good", expression="MIT")
    project(tmp_path, requirements='good\nfuture-only; python_version >= "3.50"\n'
                                   'past-only; python_full_version < "3.99.0"\n')
    code, report, _ = run_check(cli, tmp_path, "--env", str(venv))
    assert code == 1
    assert [f["key"] for f in by_rule(report)["not-installed"]] == ["future-only"]


def test_license_files_under_licenses_without_license_file_entries(tmp_path: Path,
                                                                  cli) -> None:
    site = tmp_path / "site"
    info = make_dist(site, "quiet")
    (info / "licenses").mkdir()
    (info / "licenses" / "LICENSE.md").write_text(APACHE_TEXT, encoding="utf-8")
    project(tmp_path, policy='[licenses]\nallow = ["MIT"]\n', requirements="quiet\n")
    code, report, _ = run_check(cli, tmp_path)
    assert code == 1 and "Apache-2.0 (license files)" in by_rule(report)["denied"][0]["message"]


def test_list_prints_every_dependency_with_its_license_and_verdict(tmp_path: Path, site: Path,
                                                                   cli) -> None:
    import json

    make_dist(site, "framework", "3.0", expression="Apache-2.0", requires=("copyleft",))
    project(tmp_path, policy=DENY_GPL, requirements="framework\nvague\nmissing-pkg\n")
    code, report, _ = run_check(cli, tmp_path, "--list")
    assert code == 0
    rows = {e["package"]: e for e in report["dependencies"]}
    assert rows["framework"] | {"via": None} == {
        "package": "framework", "version": "3.0", "license": "Apache-2.0",
        "source": "License-Expression", "status": "allowed", "declared": "requirements.txt:1",
        "via": None}
    assert (rows["copyleft"]["status"], rows["copyleft"]["via"]) == ("denied", ["framework"])
    assert rows["vague"]["status"] == "unknown" and rows["vague"]["license"] is None
    assert rows["missing-pkg"]["status"] == "not-installed"
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = cli("dependency-licenses", "--list")
        assert code == 0 and out.splitlines()[0].split() == [
            "package", "version", "license", "source", "status", "declared"]
        assert "requirements.txt:1 via framework" in out
        code, _, err = cli("dependency-licenses", "--list", "--format", "sarif")
        assert code == 2 and "not sarif" in err
    finally:
        os.chdir(here)
    assert json.loads(json.dumps(report))  # plain JSON
