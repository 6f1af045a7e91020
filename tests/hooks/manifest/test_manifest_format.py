"""mlgate.manifest_format: the canonical format, strict loading, streamed hashing, verdicts."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from mlgate import fileio, manifest_format
from mlgate.manifest_format import Entry, Manifest, ManifestError, ManifestMissing, Verdict
from mlgate.policy import Policy

DIGEST = "a" * 64


def entry(path: str, data: bytes) -> Entry:
    return Entry(path, len(data), hashlib.sha256(data).hexdigest())


def doc(*entries: object, version: object = 1) -> bytes:
    return json.dumps({"version": version, "entries": list(entries)}).encode()


# --- canonical rendering ----------------------------------------------------------------

def test_dumps_is_sorted_canonical_and_parses_back() -> None:
    entries = [Entry("z.bin", 3, DIGEST), Entry("a/b.safetensors", 0, "0" * 64),
               Entry("ünï/ç.pt", 7, "f" * 64)]
    raw = manifest_format.dumps(entries)
    assert raw == manifest_format.dumps(reversed(entries))  # order of the input is irrelevant
    assert raw.isascii() and raw.endswith(b"}\n") and b"\r" not in raw
    assert raw.decode().splitlines() == [
        "{",
        '  "version": 1,',
        '  "entries": [',
        f'    {{"path": "a/b.safetensors", "size": 0, "sha256": "{"0" * 64}"}},',
        f'    {{"path": "z.bin", "size": 3, "sha256": "{DIGEST}"}},',
        f'    {{"path": "\\u00fcn\\u00ef/\\u00e7.pt", "size": 7, "sha256": "{"f" * 64}"}}',
        "  ]",
        "}",
    ]
    parsed = manifest_format.parse(raw)
    assert parsed.entries == tuple(sorted(entries))
    assert manifest_format.dumps(parsed.entries) == raw
    assert "z.bin" in parsed and "nope" not in parsed and len(parsed) == 3
    assert parsed.get("z.bin") == Entry("z.bin", 3, DIGEST)


def test_empty_manifest_round_trips() -> None:
    raw = manifest_format.dumps([])
    assert raw == b'{\n  "version": 1,\n  "entries": [\n  ]\n}\n'
    assert manifest_format.parse(raw).entries == ()


def test_dumps_refuses_duplicates() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        manifest_format.dumps([Entry("a", 1, DIGEST), Entry("a", 2, DIGEST)])


def test_a_valid_manifest_in_another_layout_is_accepted() -> None:
    raw = json.dumps({"entries": [{"sha256": DIGEST, "size": 1, "path": "b.bin"},
                                  {"path": "a.bin", "size": 2, "sha256": DIGEST}],
                      "version": 1}, indent=4).encode()
    m = manifest_format.parse(raw)
    assert [e.path for e in m] == ["a.bin", "b.bin"]
    assert manifest_format.dumps(m.entries) != raw


# --- strict validation ------------------------------------------------------------------

OK = {"path": "m.bin", "size": 1, "sha256": DIGEST}

MALFORMED = [
    (b"", "not a valid manifest"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"version": 1, "entries": []', "not a valid manifest"),
    (b'{"version": 1, "version": 1, "entries": []}', "duplicate key"),
    (b'{"version": 1, "entries": [], "extra": 1}', "unknown key \"extra\""),
    (b'{"entries": []}', "'version' must be an integer"),
    (b'{"version": true, "entries": []}', "'version' must be an integer"),
    (b'{"version": 1.0, "entries": []}', "'version' must be an integer"),
    (b'{"version": 2, "entries": []}', "unsupported manifest version 2"),
    (b'{"version": 1}', "'entries' must be a list"),
    (b'{"version": 1, "entries": {}}', "'entries' must be a list"),
    (doc("m.bin"), "entry 1: expected an object"),
    (doc({"path": "m.bin", "size": 1}), "entry 1: missing key 'sha256'"),
    (doc({**OK, "mode": 420}), "entry 1: unknown key \"mode\""),
    (doc({**OK, "path": 3}), "'path' must be a string"),
    (doc({**OK, "path": ""}), "an empty path"),
    (doc({**OK, "path": "/etc/passwd"}), "an absolute path"),
    (doc({**OK, "path": "C:/x.bin"}), "an absolute path"),
    (doc({**OK, "path": "../x.bin"}), "'..' part"),
    (doc({**OK, "path": "a/./x.bin"}), "'.' or '..' part"),
    (doc({**OK, "path": "a//x.bin"}), "an empty"),
    (doc({**OK, "path": "a/"}), "an empty"),
    (doc({**OK, "path": "a\\x.bin"}), "backslash"),
    (doc({**OK, "path": "a\nb.bin"}), "control character"),
    (doc({**OK, "path": "\x1b[31mred.bin"}), "control character"),
    (doc({**OK, "path": "x" * 5000}), "longer than 4096"),
    (b'{"version": 1, "entries": [{"path": "\\udcff.bin", "size": 1, "sha256": "'
     + DIGEST.encode() + b'"}]}', "not valid UTF-8"),
    (doc(OK, {**OK, "size": 2}), "entry 2: m.bin is listed twice"),
    (doc({**OK, "size": -1}), "'size' of m.bin must be a non-negative integer"),
    (doc({**OK, "size": 1.5}), "non-negative integer"),
    (doc({**OK, "size": True}), "non-negative integer"),
    (doc({**OK, "size": "1"}), "non-negative integer"),
    (b'{"version": 1, "entries": [{"path": "m.bin", "size": NaN, "sha256": "'
     + DIGEST.encode() + b'"}]}', "NaN is not a JSON number"),
    (b'{"version": 1, "entries": [{"path": "m.bin", "size": ' + b"9" * 5000
     + b', "sha256": "' + DIGEST.encode() + b'"}]}', "not a valid manifest"),
    (doc({**OK, "sha256": DIGEST.upper()}), "64 lowercase hexadecimal"),
    (doc({**OK, "sha256": DIGEST[:63]}), "64 lowercase hexadecimal"),
    (doc({**OK, "sha256": None}), "64 lowercase hexadecimal"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
]


@pytest.mark.parametrize(("raw", "message"), MALFORMED,
                         ids=[f"malformed-{i}" for i in range(len(MALFORMED))])
def test_malformed_manifests_are_refused_with_the_reason(raw: bytes, message: str) -> None:
    with pytest.raises(ManifestError) as e:
        manifest_format.parse(raw)
    assert message in str(e.value)
    assert "\n" not in str(e.value) and "\x1b" not in str(e.value)


def test_too_many_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest_format, "MAX_ENTRIES", 2)
    with pytest.raises(ManifestError, match="too many entries"):
        manifest_format.parse(doc(OK, {**OK, "path": "b"}, {**OK, "path": "c"}))


def test_load_missing_unsafe_and_oversized(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ManifestMissing):
        manifest_format.load(tmp_path / "none.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(ManifestError, match="not a regular file"):
        manifest_format.load(tmp_path / "dir.json")
    os.mkfifo(tmp_path / "fifo.json")
    with pytest.raises(ManifestError, match="FIFO"):
        manifest_format.load(tmp_path / "fifo.json")  # refused, never a hang
    monkeypatch.setattr(manifest_format, "MANIFEST_CAP", 10)
    (tmp_path / "big.json").write_bytes(manifest_format.dumps([]))
    with pytest.raises(ManifestError, match="too large"):
        manifest_format.load(tmp_path / "big.json")


def test_write_is_atomic_and_never_onto_a_fifo(tmp_path: Path) -> None:
    target = tmp_path / "mlgate-manifest.json"
    manifest_format.write(target, [Entry("a", 1, DIGEST)])
    assert manifest_format.load(target).entries == (Entry("a", 1, DIGEST),)
    os.mkfifo(tmp_path / "fifo.json")
    with pytest.raises(fileio.UnsafeFile, match="FIFO"):
        manifest_format.write(tmp_path / "fifo.json", [])
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".mlgate-tmp")] == []


# --- hashing ----------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 65535, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17])
def test_hash_file_equals_hashlib(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    assert manifest_format.hash_file(tmp_path / "f") == (size, hashlib.sha256(data).hexdigest())


def test_hash_file_refuses_fifos_devices_directories_and_symlinks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.bin")
    with pytest.raises(fileio.UnsafeFile, match="FIFO"):
        manifest_format.hash_file(tmp_path / "fifo.bin")
    with pytest.raises(fileio.UnsafeFile, match="character device"):
        manifest_format.hash_file("/dev/zero", follow_symlinks=True)
    with pytest.raises(fileio.UnsafeFile, match="directory"):
        manifest_format.hash_file(tmp_path)
    (tmp_path / "real.bin").write_bytes(b"x")
    (tmp_path / "link.bin").symlink_to("real.bin")
    with pytest.raises(fileio.UnsafeFile, match="symbolic link"):
        manifest_format.hash_file(tmp_path / "link.bin")
    assert manifest_format.hash_file(tmp_path / "link.bin", follow_symlinks=True)[0] == 1


def test_a_huge_sparse_file_is_refused_from_its_size_before_any_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.safetensors"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 41)  # 2 TiB of holes: beyond the default cap
    with pytest.raises(manifest_format.TooLarge, match="too large to hash"):
        manifest_format.hash_file(huge)
    small = tmp_path / "sparse.bin"
    with open(small, "wb") as fh:
        fh.truncate(5 << 20)
    assert manifest_format.hash_file(small) == \
        (5 << 20, hashlib.sha256(bytes(5 << 20)).hexdigest())
    with pytest.raises(manifest_format.TooLarge):
        manifest_format.hash_file(small, max_bytes=(5 << 20) - 1)


# --- verdicts ---------------------------------------------------------------------------

def test_verify_file_verdicts(tmp_path: Path) -> None:
    data = b"weights" * 1000
    (tmp_path / "w.bin").write_bytes(data)
    (tmp_path / "same-size.bin").write_bytes(b"A" * 10)
    os.mkfifo(tmp_path / "fifo.bin")
    m = Manifest((entry("fifo.bin", b""), entry("gone.bin", b"x"),
                  entry("same-size.bin", b"B" * 10), entry("w.bin", data)))
    assert manifest_format.verify_file(m, tmp_path, "w.bin").ok
    assert manifest_format.verify_file(m, tmp_path, "other.bin").status == Verdict.NOT_LISTED
    assert manifest_format.verify_file(m, tmp_path, "gone.bin").status == Verdict.MISSING
    same = manifest_format.verify_file(m, tmp_path, "same-size.bin")
    assert same.status == Verdict.CHANGED and "SHA-256 differs" in same.detail
    assert same.actual == hashlib.sha256(b"A" * 10).hexdigest()
    fifo = manifest_format.verify_file(m, tmp_path, "fifo.bin")
    assert fifo.status == Verdict.UNREADABLE and "FIFO" in fifo.detail
    (tmp_path / "w.bin").write_bytes(data + b"!")
    grown = manifest_format.verify_file(m, tmp_path, "w.bin")
    assert grown.status == Verdict.CHANGED and "7,001 bytes" in grown.detail


def test_an_equal_size_and_mtime_are_never_trusted(tmp_path: Path) -> None:
    """Same size, mtime restored: the content is hashed all the same."""
    f = tmp_path / "w.bin"
    f.write_bytes(b"0" * 4096)
    m = Manifest((entry("w.bin", b"0" * 4096),))
    st = f.stat()
    f.write_bytes(b"1" * 4096)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert manifest_format.verify_file(m, tmp_path, "w.bin").status == Verdict.CHANGED


def test_relative_to_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert manifest_format.relative_to_root("w.bin", tmp_path) == "sub/w.bin"
    assert manifest_format.relative_to_root(tmp_path / "a" / "b", tmp_path) == "a/b"
    assert manifest_format.relative_to_root("../../elsewhere", tmp_path) is None
    assert manifest_format.relative_to_root(tmp_path, tmp_path) is None


def test_location_comes_from_the_policy(tmp_path: Path) -> None:
    policy = Policy({"manifest": {"file": "release/MANIFEST.json"}}, root=tmp_path)
    assert manifest_format.location(policy) == tmp_path.resolve() / "release" / "MANIFEST.json"
    assert manifest_format.manifest_root(policy) == tmp_path.resolve() / "release"
    assert manifest_format.location(Policy(root=tmp_path)).name == "mlgate-manifest.json"


def test_covered_answers_from_the_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What another check (unsafe-serialization's auto_map modules) asks."""
    monkeypatch.chdir(tmp_path)
    policy = Policy({"manifest": {"file": "release/m.json"}}, root=tmp_path)
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "modeling_x.py").write_text("class X: pass\n")
    (tmp_path / "other.py").write_text("")
    missing = manifest_format.covered(policy, "release/modeling_x.py")
    assert missing.status == Verdict.NOT_LISTED and "no manifest (release/m.json)" in missing.detail
    manifest_format.write(tmp_path / "release" / "m.json",
                          [entry("modeling_x.py", b"class X: pass\n")])
    assert manifest_format.covered(policy, "release/modeling_x.py").ok
    assert manifest_format.covered(policy, tmp_path / "release" / "modeling_x.py").ok
    assert manifest_format.covered(policy, "other.py").detail == \
        "outside the manifest's directory"
    (tmp_path / "release" / "modeling_x.py").write_text("import os\n")
    m = manifest_format.load(tmp_path / "release" / "m.json")
    assert manifest_format.covered(policy, "release/modeling_x.py", m).status == Verdict.CHANGED
    (tmp_path / "release" / "m.json").write_text("{}")
    with pytest.raises(ManifestError):
        manifest_format.covered(policy, "release/modeling_x.py")
