"""artifact-manifest on real files and real git repositories: `mlgate manifest create`, the
hook `mlgate manifest verify` on a commit (only the passed artifacts hashed) and on the whole
release, tampering, deletions, unlisted artifacts, symlinks, FIFOs, huge sparse files,
invalid manifests and policy errors."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlgate import manifest_format
from mlgate.findings import FileError, Finding
from mlgate.hooks.manifest.check import check
from mlgate.policy import Policy, discover

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

Cli = Callable[..., tuple[int, str, str]]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real git repository with two weight files, a tokenizer model and some code."""
    root = tmp_path / "release"
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    (root / "model-00001-of-00002.safetensors").write_bytes(os.urandom(300_000))
    (root / "model-00002-of-00002.safetensors").write_bytes(os.urandom(200_000))
    (root / "tok").mkdir()
    (root / "tok" / "tokenizer.model").write_bytes(b"sentencepiece" * 100)
    (root / "README.md").write_text("# a model\n")
    (root / "modeling_demo.py").write_text("class Demo: pass\n")
    git(root, "add", "-A")
    return root


def rules(items: list[Finding | FileError]) -> list[tuple[str, str]]:
    return sorted((i.rule, i.path) if isinstance(i, Finding) else ("error", i.path)
                  for i in items)


def run(paths: list[str], policy: Policy | None = None) -> list[Finding | FileError]:
    return list(check(paths, policy or discover()))


def create(cli: Cli, *args: str) -> tuple[int, str, str]:
    return cli("manifest", "create", *args)


def test_create_writes_the_canonical_manifest_and_a_second_run_changes_nothing(
        release: Path, cli: Cli) -> None:
    code, out, err = create(cli)
    assert code == 0, err
    assert "wrote 3 entries" in out
    raw = (release / "mlgate-manifest.json").read_bytes()
    m = manifest_format.parse(raw)
    assert [e.path for e in m] == ["model-00001-of-00002.safetensors",
                                   "model-00002-of-00002.safetensors", "tok/tokenizer.model"]
    data = (release / "model-00002-of-00002.safetensors").read_bytes()
    assert m.get("model-00002-of-00002.safetensors") == manifest_format.Entry(
        "model-00002-of-00002.safetensors", len(data), hashlib.sha256(data).hexdigest())
    assert raw == manifest_format.dumps(m.entries)
    mtime = (release / "mlgate-manifest.json").stat().st_mtime_ns
    code, out, _ = create(cli)
    assert code == 0 and "is up to date (3 entries)" in out
    assert (release / "mlgate-manifest.json").stat().st_mtime_ns == mtime
    assert create(cli, "--check")[0] == 0
    code, out, err = cli("manifest", "verify", "--all")
    assert (code, out, err) == (0, "", "")


def test_create_check_reports_a_stale_or_missing_manifest(release: Path, cli: Cli) -> None:
    code, _, err = create(cli, "--check")
    assert code == 1 and "is missing" in err
    assert not (release / "mlgate-manifest.json").exists()
    create(cli)
    (release / "new.gguf").write_bytes(b"GGUF")
    code, _, err = create(cli, "--check")
    assert code == 1 and "not up to date (4 entries in the tree)" in err


def test_a_tampered_artifact_is_reported_with_exit_1(release: Path, cli: Cli) -> None:
    create(cli)
    shard = release / "model-00001-of-00002.safetensors"
    data = bytearray(shard.read_bytes())
    data[1000] ^= 1  # one flipped bit, same size
    shard.write_bytes(bytes(data))
    code, out, _ = cli("manifest", "verify", "model-00001-of-00002.safetensors")
    assert code == 1
    assert out.startswith("model-00001-of-00002.safetensors: manifest/changed changed since "
                          "the manifest: SHA-256 differs (same size)")
    code, out, _ = cli("manifest", "verify", "--format", "json",
                       "model-00001-of-00002.safetensors")
    finding = json.loads(out)["findings"][0]
    assert finding["rule"] == "manifest/changed" and finding["line"] is None
    shard.write_bytes(bytes(data[:-1]))
    code, out, _ = cli("manifest", "verify", "model-00001-of-00002.safetensors")
    assert code == 1 and "size 299,999 bytes, the manifest says 300,000" in out


def test_on_a_commit_only_the_passed_artifacts_are_hashed(
        release: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    create(cli)
    hashed: list[str] = []
    real = manifest_format.hash_file

    def spy(path: Any, **kw: Any) -> tuple[int, str]:
        hashed.append(Path(path).name)
        return real(path, **kw)

    monkeypatch.setattr(manifest_format, "hash_file", spy)
    (release / "model-00002-of-00002.safetensors").write_bytes(os.urandom(200_000))
    assert run(["model-00001-of-00002.safetensors", "README.md"]) == []
    assert hashed == ["model-00001-of-00002.safetensors"]
    hashed.clear()
    assert run(["README.md", "modeling_demo.py"]) == []  # no artifact passed: nothing to do
    assert hashed == []
    # the manifest passed: the whole release, every entry hashed
    found = run(["mlgate-manifest.json"])
    assert rules(found) == [("manifest/changed", "model-00002-of-00002.safetensors")]
    assert sorted(hashed) == ["model-00001-of-00002.safetensors",
                              "model-00002-of-00002.safetensors", "tokenizer.model"]


def test_a_deleted_artifact_is_reported_on_any_commit_that_passes_an_artifact(
        release: Path, cli: Cli) -> None:
    create(cli)
    (release / "tok" / "tokenizer.model").unlink()
    found = run(["model-00001-of-00002.safetensors"])
    assert rules(found) == [("manifest/missing-file", "tok/tokenizer.model")]
    assert "listed in the manifest but missing" in found[0].message  # type: ignore[union-attr]
    assert rules(run(["mlgate-manifest.json"])) == [
        ("manifest/missing-file", "tok/tokenizer.model")]


def test_unlisted_artifacts_on_a_commit_and_in_the_whole_release(release: Path,
                                                                 cli: Cli) -> None:
    create(cli)
    (release / "adapter.bin").write_bytes(b"\x00" * 10)
    (release / ".gitignore").write_text("scratch/\n")
    (release / "scratch").mkdir()
    (release / "scratch" / "ignored.pt").write_bytes(b"x")  # ignored by git: not the release
    (release / "notes.txt").write_text("not an artifact\n")
    assert rules(run(["adapter.bin", "notes.txt"])) == [("manifest/not-listed", "adapter.bin")]
    assert rules(run(["mlgate-manifest.json"])) == [("manifest/not-listed", "adapter.bin")]
    code, out, _ = cli("manifest", "verify", "--all")
    assert code == 1 and "adapter.bin: manifest/not-listed" in out
    create(cli)
    assert run(["mlgate-manifest.json", "adapter.bin"]) == []


def test_without_a_manifest(release: Path, cli: Cli) -> None:
    assert run(["README.md"]) == []
    found = run(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
    assert rules(found) == [("manifest/no-manifest", "mlgate-manifest.json")]
    assert "2 artifacts (first: model-00001-of-00002.safetensors) but no manifest" in \
        found[0].message  # type: ignore[union-attr]
    code, out, _ = cli("manifest", "verify", "--all")
    assert code == 1 and "manifest/no-manifest" in out
    assert cli("manifest", "verify")[0] == 0  # no paths: nothing to check


def test_an_invalid_manifest_is_a_blocking_finding(release: Path, cli: Cli) -> None:
    (release / "mlgate-manifest.json").write_text('{"version": 1, "entries": [{"path": 1}]}')
    found = run(["model-00001-of-00002.safetensors"])
    assert rules(found) == [("manifest/invalid", "mlgate-manifest.json")]
    assert "entry 1" in found[0].message  # type: ignore[union-attr]
    assert run(["README.md"]) == []
    code, out, _ = cli("manifest", "verify", "mlgate-manifest.json")
    assert code == 1 and "manifest/invalid not a valid manifest" in out
    (release / "mlgate-manifest.json").unlink()
    os.mkfifo(release / "mlgate-manifest.json")
    code, out, _ = cli("manifest", "verify", "model-00001-of-00002.safetensors")
    assert code == 1 and "cannot read the manifest: not a regular file (a FIFO)" in out
    code, _, err = create(cli)
    assert code == 2 and "FIFO" in err


def test_a_manifest_not_in_canonical_form_is_a_warning(release: Path, cli: Cli) -> None:
    create(cli)
    m = manifest_format.load(release / "mlgate-manifest.json")
    (release / "mlgate-manifest.json").write_text(json.dumps(
        {"entries": [e.__dict__ for e in reversed(m.entries)], "version": 1}, indent=1))
    code, out, _ = cli("manifest", "verify", "mlgate-manifest.json")
    assert code == 0 and "manifest/not-canonical" in out and "[warning]" in out
    create(cli)
    assert cli("manifest", "verify", "mlgate-manifest.json") == (0, "", "")


def test_symlinked_artifacts_are_not_followed_unless_the_policy_says_so(
        release: Path, cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"secret weights")
    (release / "linked.bin").symlink_to(outside)
    code, _, err = create(cli)
    assert code == 2
    assert "linked.bin: error: symbolic link, not followed; set [manifest] follow-symlinks" in err
    assert "was not written" in err and not (release / "mlgate-manifest.json").exists()
    (release / "mlgate.toml").write_text("[manifest]\nfollow-symlinks = true\n")
    assert create(cli)[0] == 0
    m = manifest_format.load(release / "mlgate-manifest.json")
    assert m.get("linked.bin") == manifest_format.Entry(
        "linked.bin", 14, hashlib.sha256(b"secret weights").hexdigest())
    assert run(["linked.bin"]) == []
    (release / "mlgate.toml").unlink()
    found = run(["linked.bin"])
    assert rules(found) == [("manifest/not-scanned", "linked.bin")]
    assert "symbolic link" in found[0].message  # type: ignore[union-attr]


def test_fifos_never_hang_and_are_never_a_pass(release: Path, cli: Cli,
                                              monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    create(cli)
    os.mkfifo(release / "pipe.bin")
    assert create(cli)[0] == 0  # git cannot hold a FIFO: not part of the release
    m = manifest_format.load(release / "mlgate-manifest.json")
    assert "pipe.bin" not in m
    manifest_format.write(release / "mlgate-manifest.json",
                          [*m.entries, manifest_format.Entry("pipe.bin", 0, "0" * 64)])
    found = run(["pipe.bin"])
    assert rules(found) == [("manifest/not-scanned", "pipe.bin")]
    code, out, _ = cli("manifest", "verify", "--all")
    assert code == 1 and "pipe.bin: manifest/not-scanned" in out
    plain = tmp_path / "plain"  # without git, every file of the tree counts
    (plain / ".git").mkdir(parents=True)
    os.mkfifo(plain / "pipe.bin")
    monkeypatch.chdir(plain)
    code, _, err = create(cli)
    assert code == 2 and "pipe.bin: error: not a regular file (a FIFO)" in err


def test_a_huge_sparse_artifact_is_refused_from_its_size(release: Path, cli: Cli) -> None:
    (release / "mlgate.toml").write_text("[manifest]\nmax-file-bytes = 1000000\n")
    with open(release / "huge.gguf", "wb") as fh:
        fh.truncate(1 << 41)  # 2 TiB of holes
    code, _, err = create(cli)
    assert code == 2 and "huge.gguf: error: too large to hash" in err
    (release / "huge.gguf").unlink()
    create(cli)
    with open(release / "model-00001-of-00002.safetensors", "r+b") as fh:
        fh.truncate(1 << 41)
    found = run(["model-00001-of-00002.safetensors"])
    # another size proves the change without reading the file
    assert rules(found) == [("manifest/changed", "model-00001-of-00002.safetensors")]
    m = manifest_format.load(release / "mlgate-manifest.json")
    manifest_format.write(release / "mlgate-manifest.json", [
        manifest_format.Entry(e.path, 1 << 41, e.sha256) if e.path.startswith("model-00001")
        else e for e in m.entries])
    found = run(["model-00001-of-00002.safetensors"])
    assert rules(found) == [("manifest/not-scanned", "model-00001-of-00002.safetensors")]
    assert "too large to hash" in found[0].message  # type: ignore[union-attr]


def test_exclude_and_custom_artifact_globs(release: Path, cli: Cli) -> None:
    (release / "tests" / "fixtures").mkdir(parents=True)
    (release / "tests" / "fixtures" / "tiny.pt").write_bytes(b"x")
    (release / "mlgate.toml").write_text(
        '[manifest]\nartifacts = ["*.safetensors", "modeling_*.py"]\n'
        'exclude = ["tests/fixtures/**"]\n')
    create(cli)
    m = manifest_format.load(release / "mlgate-manifest.json")
    assert [e.path for e in m] == ["model-00001-of-00002.safetensors",
                                   "model-00002-of-00002.safetensors", "modeling_demo.py"]
    assert run(["tests/fixtures/tiny.pt", "tok/tokenizer.model"]) == []
    (release / "modeling_demo.py").write_text("import os; os.system('x')\n")
    assert rules(run(["modeling_demo.py"])) == [("manifest/changed", "modeling_demo.py")]


def test_a_manifest_in_a_subdirectory_covers_that_directory_only(release: Path,
                                                                 cli: Cli) -> None:
    (release / "mlgate.toml").write_text('[manifest]\nfile = "tok/MANIFEST.json"\n')
    assert create(cli)[0] == 0
    m = manifest_format.load(release / "tok" / "MANIFEST.json")
    assert [e.path for e in m] == ["tokenizer.model"]
    assert run(["model-00001-of-00002.safetensors"]) == []  # outside the manifest's directory
    (release / "tok" / "tokenizer.model").write_bytes(b"changed")
    assert rules(run(["tok/MANIFEST.json"])) == [("manifest/changed", "tok/tokenizer.model")]


def test_without_git_every_file_but_dot_git_is_the_tree(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       cli: Cli) -> None:
    (tmp_path / ".git").mkdir()  # not a repository: discovery stops here, git refuses it
    (tmp_path / ".git" / "objects.pack").write_bytes(b"x")
    (tmp_path / "w.npy").write_bytes(b"\x93NUMPY")
    monkeypatch.chdir(tmp_path)
    assert create(cli)[0] == 0
    assert [e.path for e in manifest_format.load(tmp_path / "mlgate-manifest.json")] == ["w.npy"]


def test_a_file_name_that_is_not_utf8_cannot_be_listed(release: Path, cli: Cli) -> None:
    name = os.fsdecode(b"bad-\xff.bin")
    try:
        (release / name).write_bytes(b"x")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses non-UTF-8 names")
    code, _, err = create(cli)
    assert code == 2 and "bad-\\udcff.bin: error: cannot be listed: a path that is not valid " \
        "UTF-8" in err


def test_a_passed_path_that_does_not_exist_is_an_error(release: Path, cli: Cli) -> None:
    create(cli)
    found = run(["nothing.bin"])
    assert rules(found) == [("error", "nothing.bin")]
    assert cli("manifest", "verify", "nothing.bin")[0] == 2


@pytest.mark.parametrize(("table", "message"), [
    ('file = "../elsewhere.json"', "without '..'"),
    ('file = ""', "a non-empty path"),
    ('artifacts = ["*.bin", " "]', "must not hold an empty pattern"),
    ('sign-ignore = ["/abs"]', "'manifest.sign-ignore' must hold"),
    ("max-file-bytes = 0", "at least 1"),
    ("follow-symlink = true", "did you mean 'follow-symlinks'"),
    ('public-key = "  "', "'manifest.public-key' must be a path"),
])
def test_policy_errors_exit_2_naming_the_key(release: Path, cli: Cli, table: str,
                                             message: str) -> None:
    (release / "mlgate.toml").write_text(f"[manifest]\n{table}\n")
    code, _, err = cli("manifest", "verify", "model-00001-of-00002.safetensors")
    assert code == 2 and message in err and "mlgate.toml" in err
    assert create(cli)[0] == 2


def test_the_demo_plants_one_stale_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from mlgate.hooks.manifest.demo import plant

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    assert plant(tmp_path, random.Random(1)) == {"manifest/changed"}
    found = run(["mlgate-manifest.json"], Policy(root=tmp_path))
    assert rules(found) == [("manifest/changed", "weights/adapter.safetensors")]


def test_the_hook_and_the_signing_help_do_not_import_model_signing(release: Path,
                                                                   cli: Cli) -> None:
    import sys

    create(cli)
    code = ("import sys\nfrom mlgate.cli import main\n"
            "for args in (['manifest', 'verify', 'model-00001-of-00002.safetensors'],"
            " ['sign', '--help'], ['verify-signature', '--help']):\n"
            "    try:\n        main(args)\n    except SystemExit as e:\n"
            "        assert e.code == 0, (args, e.code)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('model_signing', 'sigstore', 'OpenSSL')))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=release, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_mlgate_demo_reports_the_stale_entry_and_shows_no_hook_another_hooks_binary(
        tmp_path: Path, cli: Cli) -> None:
    code, out, err = cli("demo", str(tmp_path / "demo"))
    assert code == 0, out + err
    assert "weights/adapter.safetensors: manifest/changed" in out
    # the demo passes each hook what pre-commit would (its files/exclude): pii never sees
    # the weight file
    assert "weights/adapter.safetensors: error" not in out


def lfs_pointer_of(data: bytes) -> bytes:
    return (b"version https://git-lfs.github.com/spec/v1\n"
            b"oid sha256:" + hashlib.sha256(data).hexdigest().encode() + b"\n"
            b"size " + str(len(data)).encode() + b"\n")


def test_git_lfs_pointers_are_judged_by_the_content_they_name(release: Path,
                                                              cli: Cli) -> None:
    shard = release / "model-00001-of-00002.safetensors"
    content = shard.read_bytes()
    create(cli)
    shard.write_bytes(lfs_pointer_of(content))  # a checkout without the LFS objects
    found = run(["model-00001-of-00002.safetensors"])
    assert rules(found) == [("manifest/not-scanned", "model-00001-of-00002.safetensors")]
    assert found[0].severity.value == "note"  # type: ignore[union-attr]
    assert "Git LFS pointer to the listed content" in found[0].message  # type: ignore[union-attr]
    code, out, _ = cli("manifest", "verify", "--all")
    assert code == 0 and "[note]" in out
    # the same manifest from the pointers: the oid is the content's SHA-256
    code, _, err = create(cli, "--check")
    assert code == 0 and "1 Git LFS pointer listed by the oid" in err
    shard.write_bytes(lfs_pointer_of(content[:-1]))  # a pointer to other content
    found = run(["model-00001-of-00002.safetensors"])
    assert rules(found) == [("manifest/changed", "model-00001-of-00002.safetensors")]
    assert "a Git LFS pointer to other content (oid differs" in \
        found[0].message  # type: ignore[union-attr]
    shard.write_bytes(lfs_pointer_of(content)[:-1])  # not quite a pointer: a small file
    assert rules(run(["model-00001-of-00002.safetensors"])) == [
        ("manifest/changed", "model-00001-of-00002.safetensors")]
