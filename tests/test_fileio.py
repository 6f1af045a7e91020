"""mlgate.fileio: the one safe way to read and to write (issue 11; docs/architecture.md): special
files refused without a hang, caps that bound reads without sizing buffers, atomic writes that
never replace a special file and leave no temp file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mlgate import fileio
from mlgate.fileio import FileTooLarge, NoSuchFile, UnsafeFile

posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices, signals: POSIX")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()
                  if p.name.endswith(fileio.TEMP_SUFFIX))


# --------------------------------------------------------------------------- reading


def test_reads_a_small_file_with_a_huge_cap(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"hello\n")
    assert fileio.read_regular(p, 2**63 - 1) == b"hello\n"
    assert fileio.read_regular(p, 10**11) == b"hello\n"
    assert fileio.read_head(p, 2**63 - 1) == fileio.Head(b"hello\n", 6, False)


def test_file_larger_than_the_cap_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.toml"
    p.write_bytes(b"x" * 100)
    with pytest.raises(FileTooLarge, match=r"policy file too large \(100 bytes; the limit is 99"):
        fileio.read_regular(p, 99, what="policy file")
    assert fileio.read_regular(p, 100) == b"x" * 100  # exactly the cap is fine


def test_read_head_reads_the_cap_and_tells_the_size(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"0123456789" * 300_000)  # 3 MB: more than one chunk
    head = fileio.read_head(p, 2_500_000)
    assert head.data == (b"0123456789" * 300_000)[:2_500_000]
    assert head.size == 3_000_000 and head.truncated
    assert fileio.read_head(p, 0) == fileio.Head(b"", 3_000_000, True)


def test_the_message_does_not_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(NoSuchFile) as e:
        fileio.read_regular(tmp_path / "secret-name.toml", 10)
    assert "secret-name" not in str(e.value) and str(e.value) == "no such file"


@posix
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    link = tmp_path / "link.json"
    link.symlink_to(device)
    for p in (device, link):
        with pytest.raises(UnsafeFile, match=r"not a regular file \(a character device\)"):
            fileio.read_regular(p, 2**63 - 1)
        with pytest.raises(UnsafeFile, match=r"not a regular file \(a character device\)"):
            fileio.read_head(p, 10)


@posix
@needs_fifo
def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    t0 = time.monotonic()
    for p in (fifo, link):
        with pytest.raises(UnsafeFile, match=r"not a regular file \(a FIFO\)"):
            fileio.read_regular(p, 100)
    assert time.monotonic() - t0 < 5


def test_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(UnsafeFile, match="directory"):
        fileio.read_regular(tmp_path / "d", 100)


@posix
def test_symlinks_to_regular_files_are_followed_dangling_ones_are_missing(tmp_path: Path) -> None:
    (tmp_path / "real.toml").write_text("a = 1\n")
    (tmp_path / "link.toml").symlink_to("real.toml")
    (tmp_path / "dangling.toml").symlink_to("nowhere.toml")
    assert fileio.read_regular(tmp_path / "link.toml", 100) == b"a = 1\n"
    with pytest.raises(NoSuchFile, match=r"no such file \(a dangling symbolic link\)"):
        fileio.read_regular(tmp_path / "dangling.toml", 100)
    with pytest.raises(UnsafeFile, match="symbolic link, not followed"):
        fileio.read_regular(tmp_path / "link.toml", 100, follow_symlinks=False)


def test_a_negative_cap_is_a_programming_error(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x")
    with pytest.raises(ValueError):
        fileio.read_regular(tmp_path / "a", -1)


def test_printable_escapes_control_characters_and_undecodable_bytes() -> None:
    assert fileio.printable("two\nlines.txt") == "two\\nlines.txt"
    assert fileio.printable("\x1b[31mred") == "\\x1b[31mred"
    assert fileio.printable(os.fsdecode(b"caf\xe9.py")) in ("caf\\udce9.py", "caf\\xe9.py")
    assert fileio.printable("plain/path.py") == "plain/path.py"


# --------------------------------------------------------------------------- writing


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    fileio.atomic_write(target, b"one\n")
    assert target.read_bytes() == b"one\n"
    fileio.atomic_write(target, lambda fh: fh.write(b"two\n"))
    assert target.read_bytes() == b"two\n"
    assert temps(tmp_path) == []


@posix
def test_atomic_write_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_bytes(b"old")
    target.chmod(0o750)
    fileio.atomic_write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    source = tmp_path / "in.txt"
    source.write_bytes(b"")
    source.chmod(0o604)
    fileio.atomic_write(tmp_path / "copy.txt", b"x", keep_mode_of=source)
    assert stat.S_IMODE((tmp_path / "copy.txt").stat().st_mode) == 0o604


@posix
@needs_fifo
def test_atomic_write_never_replaces_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeFile, match=r"not a regular file \(a FIFO\), not replaced"):
        fileio.atomic_write(fifo, b"data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert temps(tmp_path) == []


@posix
def test_atomic_write_never_replaces_a_symlink_or_directory(tmp_path: Path) -> None:
    link = tmp_path / "full"
    link.symlink_to("/dev/null")
    with pytest.raises(UnsafeFile, match="symbolic link"):
        fileio.atomic_write(link, b"data")
    assert link.is_symlink()
    (tmp_path / "d").mkdir()
    with pytest.raises(UnsafeFile, match="directory"):
        fileio.atomic_write(tmp_path / "d", b"data")
    assert temps(tmp_path) == []


@posix
def test_atomic_write_never_replaces_a_device() -> None:
    # as root, `-o /dev/full` replaced /dev/full (issue 11, #3): refused before any write
    device = "/dev/null"
    before = os.lstat(device)
    with pytest.raises(UnsafeFile, match="character device"):
        fileio.atomic_write(device, b"data")
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_the_temp_file_is_removed_after_an_exception(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"original")

    def fail(fh: object) -> None:
        fh.write(b"partial")  # type: ignore[attr-defined]
        assert temps(tmp_path), "the temp file exists while writing"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fileio.atomic_write(target, fail)
    assert target.read_bytes() == b"original"
    assert temps(tmp_path) == []


def test_an_unwritable_directory_is_an_unsafe_file(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFile, match="no such file"):
        fileio.atomic_write(tmp_path / "no" / "such" / "out.txt", b"x")


def test_temp_names_embed_the_pid() -> None:
    name = fileio.temp_name("report.sarif")
    assert name.startswith(f".report.sarif.{os.getpid()}-") and name.endswith(".mlgate-tmp")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # gone (reuse within this test is vanishingly unlikely)


def _age(p: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(p, (t, t))


@posix
def test_stale_temps_are_swept_and_a_live_writers_temp_is_kept(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".out.txt.{dead}-deadbeef.mlgate-tmp"
    fresh_dead = tmp_path / f".out.txt.{dead}-0badf00d.mlgate-tmp"  # maybe still starting
    old_alive = tmp_path / f".out.txt.{alive}-cafecafe.mlgate-tmp"  # a live, slow writer
    abandoned = tmp_path / f".out.txt.{alive}-feedface.mlgate-tmp"  # pid reused long since
    legacy = tmp_path / ".out.txt.q7x_2kfm.mlgate-scrub"  # scrub's old name, no pid
    other = tmp_path / f".other.txt.{dead}-deadbeef.mlgate-tmp"  # another target's
    for p in (stale, fresh_dead, old_alive, abandoned, legacy, other):
        p.write_bytes(b"partial")
    for p in (stale, old_alive, other):
        _age(p, 2 * 3600)
    _age(abandoned, 3 * 86400)
    _age(legacy, 2 * 86400)
    removed = fileio.sweep_stale(tmp_path, "out.txt")
    assert sorted(p.name for p in removed) == sorted([stale.name, abandoned.name, legacy.name])
    assert fresh_dead.exists() and old_alive.exists() and other.exists()


@posix
def test_atomic_write_sweeps_first(tmp_path: Path) -> None:
    stale = tmp_path / f".b.json.{_dead_pid()}-deadbeef.mlgate-tmp"
    stale.write_bytes(b"partial")
    _age(stale, 2 * 3600)
    fileio.atomic_write(tmp_path / "b.json", b"{}")
    assert not stale.exists()
    assert temps(tmp_path) == []


_WRITER = textwrap.dedent("""
    import signal, sys, time
    from mlgate import fileio
    # Python's own SIGINT handler even where the test runs in the background, whose SIGINT
    # is ignored (a non-interactive shell's `&`) and would stay ignored in this child
    signal.signal(signal.SIGINT, signal.default_int_handler)
    def slow(fh):
        fh.write(b"partial")
        fh.flush()
        print("writing", flush=True)
        time.sleep(60)
    fileio.atomic_write(sys.argv[1], slow)
    print("not interrupted", flush=True)
""")


@posix
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_write_leaves_no_temp(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"original")
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"writing\n"
        assert temps(tmp_path), "the temp file exists while writing"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"not interrupted" not in out
    if signum == signal.SIGTERM:
        assert proc.returncode == -signal.SIGTERM  # still ends by the signal
    else:
        assert b"KeyboardInterrupt" in err  # Python's own SIGINT handler, re-delivered
    assert temps(tmp_path) == []
    assert target.read_bytes() == b"original"


def test_handlers_are_restored_after_a_write(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    fileio.atomic_write(tmp_path / "x", b"x")
    with pytest.raises(RuntimeError):
        fileio.atomic_write(tmp_path / "x", lambda fh: (_ for _ in ()).throw(RuntimeError()))
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
