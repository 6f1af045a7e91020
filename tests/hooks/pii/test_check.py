"""pii-in-data-samples: the hook over files and the command — aggregation, masking, formats,
truncation, bad files, time budget, exit codes.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from pii_helpers import DEFAULT, pol, run, write_csv

from mlgate.errors import MlgateError
from mlgate.findings import Severity, location_fingerprint
from mlgate.hooks.pii import check as pii_check
from mlgate.hooks.pii import engine, recognizers
from mlgate.hooks.pii import rules as pii_rules
from mlgate.hooks.pii.engine import PiiDetector


def test_csv_findings_are_aggregated_masked_and_located(tmp_path: Path, fake: Faker) -> None:
    emails = [fake.unique.free_email() for _ in range(30)]
    rows = [[str(i), e, f"{random.Random(i).random():.4f}", "fine"] for i, e in enumerate(emails)]
    path = write_csv(tmp_path / "users.csv", ["id", "contact", "loss", "note"], rows)
    findings, errors = run([path])
    assert errors == []
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.rule, f.severity, f.key) == ("pii", "pii/EMAIL_ADDRESS", Severity.ERROR,
                                                     "contact")
    assert f.occurrences == 30 and f.lines == list(range(2, 32))
    assert f.line == 2 and f.column == len(rows[0][0]) + 2
    assert f.fingerprint == location_fingerprint("pii/EMAIL_ADDRESS", str(path), "contact")
    assert emails[0] not in f.excerpt and "@" in f.excerpt and "***" in f.excerpt
    assert all(e not in f.message for e in emails)


def test_column_batches_give_the_findings_of_row_order(tmp_path: Path, fake: Faker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    rows = [[str(i), fake.free_email() if i % 3 else "n/a",
             f"({rng.randrange(201, 989)}) 4{rng.randrange(10)}6-7{rng.randrange(100, 999)}",
             fake.ipv4_public() if i % 5 else "-", f"{rng.random():.4f}"] for i in range(700)]
    rows[400][4] = fake.free_email()  # a second finding key, first seen late in a batch
    path = write_csv(tmp_path / "users.csv", ["id", "email", "phone", "ip", "loss"], rows)

    def outcome() -> list[tuple[Any, ...]]:
        findings, errors = run([path])
        assert errors == []
        return sorted((f.rule, f.key, f.line, f.column, f.occurrences, tuple(f.lines), f.excerpt)
                      for f in findings)

    batched = outcome()
    monkeypatch.setattr(pii_check, "_BATCH_CELLS", 1)  # one cell per batch: file order
    assert outcome() == batched
    assert {(r, k) for r, k, *_ in batched} == {
        ("pii/EMAIL_ADDRESS", "email"), ("pii/PHONE_NUMBER", "phone"),
        ("pii/IP_ADDRESS", "ip"), ("pii/EMAIL_ADDRESS", "loss")}
    assert [o for r, k, _, _, o, *_ in batched if k == "email"] == [sum(1 for i in range(700)
                                                                        if i % 3)]


def test_column_batches_are_bounded_and_keep_each_columns_order() -> None:
    from mlgate.sources import Cell

    cells = [Cell(f"v{i}", i // 3 + 1, None, "abc"[i % 3]) for i in range(5000)]
    batches = list(pii_check._column_batches(cells))
    assert [len(b) for b in batches] == [1024] * 4 + [904]
    assert sorted(c.text for b in batches for c in b) == sorted(c.text for c in cells)
    first = batches[0]
    assert [c.key for c in first] == ["a"] * 342 + ["b"] * 341 + ["c"] * 341
    assert [c.line for c in first if c.key == "b"] == sorted(c.line for c in first
                                                             if c.key == "b")
    big = [Cell("x" * 300_000, i + 1, None, None) for i in range(10)]
    assert [len(b) for b in pii_check._column_batches(big)] == [4, 4, 2]


def test_jsonl_text_and_notebook(tmp_path: Path, fake: Faker) -> None:
    ip = fake.ipv4_public()
    ssn = fake.ssn()
    jl = tmp_path / "chat.jsonl"
    jl.write_text("\n".join(json.dumps({"turn": i, "text": t}) for i, t in enumerate(
        ["hi there", f"my server is {ip}", "thanks"])) + "\n", encoding="utf-8")
    txt = tmp_path / "notes.md"
    txt.write_text(f"# notes\n\nclean line\nssn on file: {ssn}\n", encoding="utf-8")
    nb = tmp_path / "eval.ipynb"
    nb.write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": ["print(rows[0])\n"], "metadata": {},
                   "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout",
                                                      "text": [f"row: {fake.free_email()}\n"]}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1), encoding="utf-8")
    findings, errors = run([jl, txt, nb])
    assert errors == []
    by = {(Path(f.path).name, f.rule): f for f in findings}
    assert by[("chat.jsonl", "pii/IP_ADDRESS")].key == "text"
    assert by[("chat.jsonl", "pii/IP_ADDRESS")].line == 2
    assert by[("notes.md", "pii/US_SSN")].line == 4
    assert by[("notes.md", "pii/US_SSN")].column == len("ssn on file: ") + 1
    nbf = by[("eval.ipynb", "pii/EMAIL_ADDRESS")]
    lines = nb.read_text(encoding="utf-8").splitlines()
    assert nbf.line is not None and "row: " in lines[nbf.line - 1]


def test_truncated_file_gets_a_warning(tmp_path: Path, fake: Faker) -> None:
    path = tmp_path / "big.txt"
    path.write_text(f"{fake.free_email()}\n" + "clean text line\n" * 2000, encoding="utf-8")
    findings, errors = run([path], pol(**{"max-bytes": 1000}))
    rules = {f.rule: f for f in findings}
    assert "pii/EMAIL_ADDRESS" in rules
    warn = rules[pii_rules.TRUNCATED_RULE]
    assert warn.severity == Severity.WARNING and "mlgate scan" in warn.message
    assert "1,000" in warn.message
    findings, _ = run([path])
    assert pii_rules.TRUNCATED_RULE not in {f.rule for f in findings}


def test_bad_files_are_errors_not_tracebacks(tmp_path: Path, fake: Faker) -> None:
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    broken = tmp_path / "rows.jsonl"
    broken.write_text('{"email": "' + fake.free_email() + '"}\n' + '{"a": "x"}\n' * 3000
                      + '{"b": [1, 2\n', encoding="utf-8")
    notjson = tmp_path / "nb.ipynb"
    notjson.write_text("this is not json", encoding="utf-8")
    good = write_csv(tmp_path / "ok.csv", ["email"], [[fake.free_email()]])
    missing = tmp_path / "missing.csv"
    findings, errors = run([binary, broken, notjson, missing, good])
    assert {Path(e.path).name for e in errors} == {"data.csv", "rows.jsonl", "nb.ipynb",
                                                   "missing.csv"}
    assert all(e.message and "Traceback" not in e.message for e in errors)
    names = {(Path(f.path).name, f.rule) for f in findings}
    assert ("ok.csv", "pii/EMAIL_ADDRESS") in names
    assert ("rows.jsonl", "pii/EMAIL_ADDRESS") in names  # found before the syntax error


def test_internal_error_in_one_file_is_a_file_error(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("mail someone@mailbox.org\n", encoding="utf-8")

    def boom(self: Any, value: str) -> bool:  # an unexpected error while confirming a match
        raise ValueError(f"secret value {value}")

    monkeypatch.setattr(recognizers.EmailRecognizer, "domain_known", boom)
    findings, errors = run([path])
    assert findings == [] and len(errors) == 1
    assert "ValueError" in errors[0].message and "someone" not in errors[0].message


def test_cli_exit_codes_json_and_never_leak(repo: Path, cli: Any, fake: Faker) -> None:
    phone = "+1 212 45" + "6 7890"
    email = fake.free_email()
    write_csv(repo / "people.csv", ["email", "phone"], [[email, phone]])
    write_csv(repo / "clean.csv", ["step", "loss"], [["1", "0.5"], ["2", "0.25"]])
    code, out, err = cli("pii", "clean.csv")
    assert code == 0 and out.strip() == ""
    code, out, err = cli("pii", "--format", "json", "people.csv", "clean.csv")
    assert code == 1
    doc = json.loads(out)
    rules = {f["rule"] for f in doc["findings"]}
    assert rules == {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER"}
    assert email not in out and "456 7890" not in out and email not in err
    assert all(f["path"] == "people.csv" for f in doc["findings"])
    code, out, err = cli("pii", "--format", "sarif", "people.csv")
    assert code == 1 and email not in out


def test_inline_pragma_and_baseline(repo: Path, cli: Any, fake: Faker) -> None:
    email = fake.free_email()
    (repo / "notes.txt").write_text(
        f"owner {email}  # mlgate: allow pii/EMAIL_ADDRESS -- public maintainer address\n",
        encoding="utf-8")
    code, out, _ = cli("pii", "notes.txt")
    assert code == 0, out
    write_csv(repo / "t.csv", ["email"], [[fake.free_email()]])
    assert cli("pii", "t.csv")[0] == 1
    code, out, _ = cli("baseline", "--check", "pii", "--reason", "synthetic test data", "t.csv")
    assert code == 0, out
    assert cli("pii", "t.csv")[0] == 0


def test_clean_csv_process_is_fast_and_never_imports_presidio(tmp_path: Path) -> None:
    rng = random.Random(0)
    path = write_csv(tmp_path / "metrics.csv", ["step", "loss", "lr", "run_id", "commit"],
                     [[str(i), f"{rng.random():.5f}", "3e-4", str(rng.randrange(10**9)),
                       f"{rng.getrandbits(160):040x}"] for i in range(300)])
    code = ("import sys, time; t=time.perf_counter(); from mlgate.cli import main\n"
            "try:\n  main(['pii', sys.argv[1]])\nexcept SystemExit as e: rc = e.code\n"
            "assert 'presidio_analyzer' not in sys.modules and 'spacy' not in sys.modules\n"
            "print(rc, time.perf_counter() - t)")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    rc, seconds = res.stdout.split()[-2:]
    assert rc == "0"
    assert float(seconds) < 1.0  # ≈ 0.1 s here; generous for slow CI machines


def test_missing_model_is_a_clear_error(repo: Path, cli: Any) -> None:
    with pytest.raises(MlgateError, match="spacy-model"):
        PiiDetector(pol(deep=True, **{"spacy-model": "xx_no_such_pipeline_sm"}))
    (repo / "mlgate.toml").write_text('[pii]\nspacy-model = "xx_no_such_pipeline_sm"\n',
                                      encoding="utf-8")
    (repo / "a.txt").write_text("hello\n", encoding="utf-8")
    code, out, err = cli("pii", "--deep", "a.txt")
    assert code == 2 and "spacy-model" in (out + err) and "Traceback" not in err


def test_time_budget_stops_with_a_warning(tmp_path: Path) -> None:
    rng = random.Random(8)
    path = tmp_path / "numbers.txt"
    path.write_text("".join(f"row {i}: {rng.randrange(10**9, 10**10)} {rng.randrange(10**9)}\n"
                            for i in range(20000)), encoding="utf-8")
    findings, errors = run([path], pol(**{"max-seconds": 0.05}))
    assert errors == []
    warn = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    assert len(warn) == 1 and warn[0].severity == Severity.WARNING
    assert "max-seconds" in warn[0].message and "checking stopped at line" in warn[0].message


@pytest.mark.parametrize("before", ["call ", ""])
def test_time_budget_interrupts_a_single_long_line(tmp_path: Path, before: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile line (thousands of phone numbers in one cell) is checked part by part, with a
    look at the clock between parts and between the numbers found: the budget stops it
    inside the line, not after it. Without the words in between, the whole line is one
    stretch for the phone matcher."""
    rng = random.Random(12)
    path = tmp_path / "phones.txt"
    path.write_text("ok\n" + " ".join(
        f"{before}({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-"
        f"{rng.randrange(1000, 9999)}" for _ in range(3000)) + "\n", encoding="utf-8")
    PiiDetector(DEFAULT).results("(212) 456-7890")  # Presidio imported before the clock runs
    clock = iter(range(10**6))  # each look at the clock is a second later
    monkeypatch.setattr(engine.time, "monotonic", lambda: float(next(clock)))
    findings, errors = run([path], pol(**{"max-seconds": 10.5}))
    assert errors == []
    (warn,) = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    assert "checking stopped at line 2 after 10.5 s" in warn.message
    # the long line was left part-way: none of its numbers is reported as checked
    assert [f for f in findings if f.rule == "pii/PHONE_NUMBER"] == []
    assert next(clock) < 100  # about ten looks, not one per number


def test_time_budget_names_a_line_before_which_all_was_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str(i), f"user{i}@mail-{i}.org", f"{i}"] for i in range(300)]
    path = write_csv(tmp_path / "users.csv", ["id", "email", "n"], rows)
    clock = iter(range(10**6))  # each look at the clock is a second later
    monkeypatch.setattr(engine.time, "monotonic", lambda: float(next(clock)))
    findings, _ = run([path], pol(**{"max-seconds": 5.5}))
    warn = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    m = re.search(r"stopped at line (\d+)", warn[0].message)
    assert m is not None, warn[0].message
    stopped = int(m.group(1))
    # the clock is read after every 64 cells: the sixth look (384 cells) is past the deadline.
    # The batch goes column by column: the header's three names, the 300 ids, then 81 e-mail
    # addresses (lines 2-82); the "n" column was not reached: line 2 is not checked whole.
    (email,) = [f for f in findings if f.rule == "pii/EMAIL_ADDRESS"]
    assert email.occurrences == 81 and email.lines[-1] == 82
    assert stopped == 2


def test_long_single_line_is_bounded(tmp_path: Path, fake: Faker) -> None:
    import time

    email = fake.free_email()
    rng = random.Random(9)
    body = " ".join(f"{rng.random():.6f}" for _ in range(40000))  # ≈ 360 KB, one line
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"values": body + f" contact {email}"}), encoding="utf-8")
    t0 = time.perf_counter()
    findings, errors = run([path])
    assert errors == [] and time.perf_counter() - t0 < 20
    assert {f.rule for f in findings} == {"pii/EMAIL_ADDRESS"}


def test_a_key_that_is_pii_is_masked(tmp_path: Path, fake: Faker) -> None:
    email, other = fake.free_email(), fake.free_email()
    path = tmp_path / "m.json"
    path.write_text(json.dumps({email: f"reach me at {other}"}), encoding="utf-8")
    findings, errors = run([path])
    assert errors == [] and findings
    for f in findings:
        assert email not in f.message and email not in (f.key or "") and other not in f.excerpt


def test_many_matches_on_one_line_are_counted_exactly(tmp_path: Path, fake: Faker) -> None:
    """Thousands of values in one cell: one finding per entity with every occurrence, each at
    its own line of a JSON string with line breaks (what used to cost quadratic time)."""
    emails = [fake.free_email() for _ in range(3000)]
    phones = [f"+44 20 7946 {n:04d}" for n in range(1000, 4000)]
    lines = [f"{e} or {p}" for e, p in zip(emails, phones, strict=True)]
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"contacts": "\n".join(lines)}), encoding="utf-8")
    findings, errors = run([path])
    assert errors == []
    got = {f.rule: f for f in findings}
    assert set(got) == {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER"}
    assert got["pii/EMAIL_ADDRESS"].occurrences == 3000
    assert got["pii/PHONE_NUMBER"].occurrences == 3000
    assert got["pii/PHONE_NUMBER"].lines == [1]  # escaped line breaks: one line of the file
    assert got["pii/EMAIL_ADDRESS"].column == len('{"contacts": "') + 1


def test_where_the_hook_looks_both_sides(tmp_path: Path, fake: Faker) -> None:
    """Issue 12: Markdown and code cells are read too — a data sample pasted into a README, an
    address in a code comment, a phone number in a printed output are found — while the ML
    noise around them (versions, tensors, slices, counters, arithmetic) is not reported."""
    email, other = fake.free_email(), fake.free_email()
    phone = "+44 20 7946 " + "0" + str(random.Random(3).randrange(100, 999))
    (tmp_path / "README.md").write_text(
        "# Dataset\n\nSample rows:\n\n| name | contact |\n|---|---|\n"
        f"| A. Person | {email} |\n\nInstall: `pip install regex!=2019.12.17 torch==2.1.0`\n",
        encoding="utf-8")
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": 1,
         "source": [f"# maintainer: {other}\n", "x = X_train[::2100]\n",
                    "gb = bytes / 1024 / 1024 / 1024\n"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [
             "tf.Tensor([ 8 10 12 14 16 18  0], shape=(7,), dtype=int32)\n",
             "Successfully installed fsspec-2023.10.0 nvidia-cudnn-cu12-8.9.2.26\n",
             "31247/31247 [==============================] - 1407s\n",
             f"call the helpdesk on {phone}\n"]}]}]
    (tmp_path / "eda.ipynb").write_text(json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1),
        encoding="utf-8")
    findings, errors = run([tmp_path / "README.md", tmp_path / "eda.ipynb"])
    assert errors == []
    got = sorted((Path(f.path).name, f.rule, f.occurrences) for f in findings)
    assert got == [("README.md", "pii/EMAIL_ADDRESS", 1), ("eda.ipynb", "pii/EMAIL_ADDRESS", 1),
                   ("eda.ipynb", "pii/PHONE_NUMBER", 1)], got
