"""`mlgate sign` / `mlgate verify-signature` against OpenSSF model-signing's own CLI, both ways,
with EC P-256 keys made here: tampered, extra and missing files and a wrong key fail (exit 1)
with a clear message; without the `signing` extra the commands exit 2 naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("model_signing")
pytest.importorskip("OpenSSL")

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

Cli = Callable[..., tuple[int, str, str]]


def keypair(directory: Path, name: str, password: bytes | None = None) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = serialization.BestAvailableEncryption(password) if password else \
        serialization.NoEncryption()
    private = directory / f"{name}.pem"
    public = directory / f"{name}.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8, encryption))
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def model_signing(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """model-signing's own command line, as a consumer runs it."""
    return subprocess.run([sys.executable, "-m", "model_signing", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "keys"
    d.mkdir()
    private, public = keypair(d, "release")
    _, other = keypair(d, "other")
    return {"private": private, "public": public, "other": other}


@pytest.fixture
def release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> Path:
    """A release with weights, a config and an up-to-date manifest (no git: every file)."""
    root = tmp_path / "release"
    root.mkdir()
    (root / ".git").mkdir()  # policy discovery stops here; model-signing leaves .git out
    (root / "model.safetensors").write_bytes(os.urandom(100_000))
    (root / "config.json").write_text('{"architectures": ["Demo"]}\n')
    (root / "sub").mkdir()
    (root / "sub" / "tokenizer.model").write_bytes(b"spm" * 50)
    monkeypatch.chdir(root)
    assert cli("manifest", "create")[0] == 0
    return root


def test_mlgate_sign_verifies_with_model_signing_and_with_mlgate(
        release: Path, keys: dict[str, Path], cli: Cli) -> None:
    code, out, err = cli("sign", "--private-key", str(keys["private"]))
    assert code == 0, err
    assert "wrote model.sig" in out and (release / "model.sig").is_file()
    proc = model_signing("verify", "key", ".", "--signature", "model.sig", "--public_key",
                         str(keys["public"]), cwd=release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Verification succeeded" in proc.stdout
    code, out, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 0, err
    assert "verified: every file of . matches model.sig" in out
    # the bundle lists every file, the manifest included
    assert code == 0

    # tampering fails both tools
    with open(release / "model.safetensors", "r+b") as fh:
        fh.seek(500)
        byte = fh.read(1)
        fh.seek(500)
        fh.write(bytes([byte[0] ^ 1]))
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 1
    assert "verification FAILED" in err and "Hash mismatch for 'model.safetensors'" in err
    proc = model_signing("verify", "key", ".", "--signature", "model.sig", "--public_key",
                         str(keys["public"]), cwd=release)
    assert proc.returncode == 1


def test_model_signing_sign_verifies_with_mlgate(release: Path, keys: dict[str, Path],
                                                 cli: Cli) -> None:
    proc = model_signing("sign", "key", ".", "--signature", "model.sig", "--private_key",
                         str(keys["private"]), cwd=release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    code, out, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 0, err
    code, _, err = cli("verify-signature", "--public-key", str(keys["other"]))
    assert code == 1 and "Key mismatch" in err
    (release / "sub" / "tokenizer.model").unlink()
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 1 and "Missing files" in err and "sub/tokenizer.model" in err


def test_an_extra_file_a_wrong_key_and_no_bundle_fail_clearly(
        release: Path, keys: dict[str, Path], cli: Cli) -> None:
    assert cli("sign", "--private-key", str(keys["private"]))[0] == 0
    code, _, err = cli("verify-signature", "--public-key", str(keys["other"]))
    assert code == 1
    assert err.startswith("verification FAILED: . against model.sig: Key mismatch")
    (release / "backdoor.py").write_text("import os\n")
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 1 and "Extra files found" in err and "backdoor.py" in err
    (release / "backdoor.py").unlink()
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]), "--signature",
                       "nothing.sig")
    assert code == 1 and "nothing.sig: no such file (no signature to verify)" in err
    (release / "model.sig").write_text("{not a bundle")
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 1 and "verification FAILED" in err


def test_sign_refuses_a_stale_or_missing_manifest(release: Path, keys: dict[str, Path],
                                                  cli: Cli) -> None:
    (release / "model.safetensors").write_bytes(os.urandom(100_000))
    code, _, err = cli("sign", "--private-key", str(keys["private"]))
    assert code == 2
    assert "model.safetensors: manifest/changed" in err and "not signed" in err
    assert not (release / "model.sig").exists()
    (release / "mlgate-manifest.json").unlink()
    code, _, err = cli("sign", "--private-key", str(keys["private"]))
    assert code == 2 and "no manifest; run `mlgate manifest create` first" in err
    code, _, err = cli("sign", "--private-key", str(keys["private"]), "--no-manifest-check")
    assert code == 0, err
    assert cli("verify-signature", "--public-key", str(keys["public"]))[0] == 0


def test_policy_keys_sign_ignore_and_a_password_protected_key(
        release: Path, keys: dict[str, Path], cli: Cli, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = keypair(tmp_path, "protected", password=b"correct horse")
    (release / "logs").mkdir()
    (release / "logs" / "train.log").write_text("step 1\n")
    (release / "mlgate.toml").write_text(
        f'[manifest]\nsign-ignore = ["logs"]\npublic-key = "{public}"\n'
        'signature = "signatures/release.sig"\n')
    (release / "signatures").mkdir()
    code, _, err = cli("sign", "--private-key", str(private))
    assert code == 2 and "cannot sign" in err  # no password given
    monkeypatch.setenv("MLGATE_TEST_KEY_PASSWORD", "correct horse")
    code, out, err = cli("sign", "--private-key", str(private), "--password-env",
                         "MLGATE_TEST_KEY_PASSWORD")
    assert code == 0, err
    assert "wrote signatures/release.sig" in out
    (release / "logs" / "train.log").write_text("step 2\n")  # left out of the signature
    assert cli("verify-signature")[0] == 0  # the policy's key and bundle
    # model-signing honours the ignored paths recorded in the bundle
    proc = model_signing("verify", "key", ".", "--signature", "signatures/release.sig",
                         "--public_key", str(public), cwd=release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    code, _, err = cli("sign", "--private-key", str(private), "--password-env", "UNSET_VAR_X")
    assert code == 2 and "UNSET_VAR_X is not set" in err


def test_special_files_are_refused_before_model_signing_reads_them(
        release: Path, keys: dict[str, Path], cli: Cli, tmp_path: Path) -> None:
    assert cli("sign", "--private-key", str(keys["private"]))[0] == 0
    os.mkfifo(release / "pipe")
    code, _, err = cli("sign", "--private-key", str(keys["private"]), "--no-manifest-check")
    assert code == 2 and "pipe: not a regular file" in err  # and no hang
    (release / "pipe").unlink()
    (release / "link.json").symlink_to(tmp_path / "keys" / "release.pub")
    code, _, err = cli("sign", "--private-key", str(keys["private"]), "--no-manifest-check")
    assert code == 2 and "link.json: a symbolic link" in err
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 2 and "link.json: a symbolic link" in err


def test_usage_errors_exit_2(release: Path, keys: dict[str, Path], cli: Cli) -> None:
    code, _, err = cli("verify-signature")
    assert code == 2 and "--public-key" in err
    code, _, err = cli("sign", "--private-key", "missing.pem")
    assert code == 2 and "missing.pem: cannot read the private key: no such file" in err
    code, _, err = cli("sign", "--private-key", str(keys["public"]), "--no-manifest-check")
    assert code == 2 and "cannot sign" in err  # a public key is no signing key
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]), "elsewhere")
    assert code == 2 and "elsewhere: not a directory" in err


@pytest.mark.parametrize("blocked", ["model_signing", "OpenSSL"])
def test_without_the_extra_the_commands_exit_2_naming_it(
        release: Path, keys: dict[str, Path], cli: Cli, monkeypatch: pytest.MonkeyPatch,
        blocked: str) -> None:
    for name in [m for m in sys.modules if m == blocked or m.startswith(f"{blocked}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, blocked, None)  # import fails as when not installed
    for args in (["sign", "--private-key", str(keys["private"])],
                 ["verify-signature", "--public-key", str(keys["public"])]):
        code, _, err = cli(*args)
        assert code == 2
        assert "need the optional extra 'signing'" in err and "mlgate[signing]" in err


def test_what_git_ignores_is_left_out_of_the_signature_and_recorded_in_it(
        tmp_path: Path, keys: dict[str, Path], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path / "checkout"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text(".venv/\nruns/\n")
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "site.py").write_text("x = 1\n")
    (root / "runs").mkdir()
    (root / "runs" / "step-100.pt").write_bytes(b"scratch checkpoint")
    (root / "model.safetensors").write_bytes(os.urandom(1000))
    monkeypatch.chdir(root)
    assert cli("manifest", "create")[0] == 0  # the ignored checkpoint is no artifact
    code, _, err = cli("sign", "--private-key", str(keys["private"]))
    assert code == 0, err
    clone = tmp_path / "clone"  # what a user downloads: no .venv, no runs/
    shutil.copytree(root, clone, ignore=shutil.ignore_patterns(".venv", "runs", ".git"))
    for where in (root, clone):
        proc = model_signing("verify", "key", ".", "--signature", "model.sig", "--public_key",
                             str(keys["public"]), cwd=where)
        assert proc.returncode == 0, (where, proc.stdout + proc.stderr)
    # a file hidden afterwards by editing .gitignore (not signed) is still an extra file
    (clone / ".gitignore").write_text(".venv/\nruns/\npayload.py\n")
    (clone / "payload.py").write_text("import os\n")
    monkeypatch.chdir(clone)
    code, _, err = cli("verify-signature", "--public-key", str(keys["public"]))
    assert code == 1 and "Extra files found" in err and "payload.py" in err
