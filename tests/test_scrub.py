"""`mlgate pii scrub`: every format, tags and pseudonyms, in place, idempotence, errors.

All personal data here is generated at run time (Faker, seeded) — nothing realistic is
committed. The end-to-end tests go through the CLI, the real PiiDetector and the real
presidio-anonymizer, then check with `mlgate pii` that the original had PII (exit 1) and the
scrubbed copy has none (exit 0).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import random
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgate.cli import main
from mlgate.errors import MlgateError
from mlgate.fakes import fake_phone
from mlgate.findings import FileError, Finding
from mlgate.hooks.pii.scrub import Replacer, scrub_file
from mlgate.policy import Policy

PSEUDO_EMAIL = re.compile(r"user-[a-z]{10}@example\.test")
PSEUDO_TAG = re.compile(r"<([A-Z_]+)_([a-z]{10})>")


# --------------------------------------------------------------------------- generated data


@dataclass
class Person:
    email: str
    phone: str
    ssn: str
    card: str
    ip: str

    def values(self) -> list[str]:
        return [self.email, self.phone, self.ssn, self.card, self.ip]


def _grouped(card: str) -> str:
    # as people write them; `mlgate pii` takes an unbroken 16-digit run for a hash
    return " ".join(card[i:i + 4] for i in range(0, len(card), 4))


def people(n: int, seed: int = 7) -> list[Person]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        phone = f"+1 212-{rnd.randint(200, 999)}-{rnd.randint(0, 9999):04d}"
        out.append(Person(email=fake.unique.free_email(), phone=phone, ssn=fake.ssn(),
                          card=_grouped(fake.credit_card_number("visa16")),
                          ip=fake.ipv4_public()))
    return out


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with an empty policy (defaults), as a user's repository."""
    (tmp_path / "mlgate.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLGATE_SCRUB_KEY", raising=False)
    return tmp_path


def mlgate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else (0 if code is None else 2)), \
        captured.out + captured.err


def scrub(capsys: pytest.CaptureFixture[str], src: Path, out: Path | None = None,
          mode: str = "tag") -> str:
    args = ["pii", "scrub", str(src), "--mode", mode, "--policy", "mlgate.toml"]
    args += ["-o", str(out)] if out else ["--in-place"]
    code, text = mlgate(capsys, *args)
    assert code == 0, text
    return text


def check(capsys: pytest.CaptureFixture[str], path: Path) -> int:
    code, _ = mlgate(capsys, "pii", "--policy", "mlgate.toml", "-q", str(path))
    return code


def assert_gone(data: bytes | str, persons: list[Person]) -> None:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    for p in persons:
        for v in p.values():
            assert v not in text


def assert_scrubbed(capsys: pytest.CaptureFixture[str], src: Path, out: Path,
                    persons: list[Person]) -> None:
    assert check(capsys, src) == 1, "the original must have PII"
    assert check(capsys, out) == 0, "the scrubbed copy must have none"
    assert_gone(out.read_bytes(), persons)


# --------------------------------------------------------------------------- formats, end to end


def test_csv_tags_keep_header_dialect_and_clean_rows(ws: Path, capsys: Any) -> None:
    ps = people(40)
    src, out = ws / "users.csv", ws / "clean.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "email", "phone", "ssn", "card", "ip", "loss", "note"])
        for i, p in enumerate(ps):
            note = f"wrote from {p.email}, call {p.phone}" if i % 3 == 0 else "no contact, ok"
            w.writerow([i, p.email, p.phone, p.ssn, p.card, p.ip, f"{0.1 * i:.4f}", note])
    message = scrub(capsys, src, out)
    assert "replaced" in message
    assert_gone(message, ps)
    assert_scrubbed(capsys, src, out, ps)

    before = list(csv.reader(io.StringIO(src.read_text())))
    after = list(csv.reader(io.StringIO(out.read_text())))
    assert after[0] == before[0] and len(after) == len(before)
    for b, a in zip(before[1:], after[1:], strict=True):
        assert (a[0], a[6]) == (b[0], b[6])  # id and loss untouched
        assert a[1] == "<EMAIL_ADDRESS>"
        assert a[7] == b[7] if b[7] == "no contact, ok" else "<EMAIL_ADDRESS>" in a[7]
    assert out.read_bytes().count(b"\n") == src.read_bytes().count(b"\n")
    assert b"\r\n" not in out.read_bytes()


def test_tsv_crlf_bom_quoted_multiline(ws: Path, capsys: Any) -> None:
    ps = people(12)
    rows = ["id\tcontact\tcomment"]
    for i, p in enumerate(ps):
        rows.append(f'{i}\t{p.email}\t"first line\r\nsecond, with\t{p.phone}"')
    rows.append("99\tnobody\tclean")
    src, out = ws / "chat.tsv", ws / "chat.clean.tsv"
    src.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, ps)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid\tcontact\tcomment\r\n")
    assert data.endswith(b"99\tnobody\tclean\r\n")
    assert data.count(b"\r\n") == src.read_bytes().count(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF introduced
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                             delimiter="\t"))
    assert len(parsed) == len(rows) and all(len(r) == 3 for r in parsed)
    assert parsed[1][2].startswith("first line\r\nsecond, with\t<PHONE_NUMBER>")


def test_jsonl_keys_order_and_values_kept(ws: Path, capsys: Any) -> None:
    ps = people(30)
    src, out = ws / "sft.jsonl", ws / "sft.clean.jsonl"
    lines = []
    for i, p in enumerate(ps):
        rec = {"id": i, "prompt": f"My card is {p.card}, mail me at {p.email}",
               "meta": {"ip": p.ip, "score": 0.25, "tags": ["a", p.phone]}, "ok": True,
               "ssn": p.ssn}
        lines.append(json.dumps(rec))
    lines.append('{"id":  99, "prompt": "caf\\u00e9 only", "n": 1.50}')
    src.write_text("\n".join(lines) + "\n")
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, ps)
    out_lines = out.read_text().splitlines()
    assert len(out_lines) == len(lines)
    assert out_lines[-1] == lines[-1]  # a clean line is kept byte for byte
    for before, after in zip(lines[:-1], out_lines[:-1], strict=True):
        b, a = json.loads(before), json.loads(after)
        assert list(a) == list(b) and list(a["meta"]) == list(b["meta"])
        assert (a["id"], a["meta"]["score"], a["ok"]) == (b["id"], b["meta"]["score"], b["ok"])
        assert a["ssn"] == "<US_SSN>" and a["meta"]["ip"] == "<IP_ADDRESS>"
        assert a["prompt"] == "My card is <CREDIT_CARD>, mail me at <EMAIL_ADDRESS>"


def test_json_structure_and_layout_kept(ws: Path, capsys: Any) -> None:
    ps = people(10)
    doc = {"dataset": "eval", "version": "1.2.3",
           "records": [{"user": {"email": p.email, "phone": p.phone}, "iban": "x",
                        "turns": [f"hi, I am at {p.ip}", "bye"], "n": i}
                       for i, p in enumerate(ps)]}
    src, out = ws / "eval.json", ws / "eval.clean.json"
    src.write_text(json.dumps(doc, indent=2))
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, ps)
    text = out.read_text()
    assert text.count("\n") == src.read_text().count("\n")  # indentation and layout kept
    new = json.loads(text)
    assert new["version"] == "1.2.3" and len(new["records"]) == len(ps)
    for i, r in enumerate(new["records"]):
        assert r["user"] == {"email": "<EMAIL_ADDRESS>", "phone": "<PHONE_NUMBER>"}
        assert r["turns"] == ["hi, I am at <IP_ADDRESS>", "bye"] and r["n"] == i


def test_notebook_sources_outputs_scrubbed_images_untouched(ws: Path, capsys: Any) -> None:
    ps = people(4)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + os.urandom(300)).decode()
    nb = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "c1", "metadata": {},
             "source": ["# Users\n", f"Contact {ps[0].email} for access.\n"]},
            {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": 1,
             "source": ["df = load()\n", "df.head()"],
             "outputs": [
                 {"output_type": "stream", "name": "stdout",
                  "text": [f"{p.email}\t{p.phone}\n" for p in ps]},
                 {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                  "data": {"text/plain": [f"0  {ps[1].ssn}\n"],
                           "text/html": [f"<td>{ps[2].card}</td>"],
                           "image/png": png}},
             ]},
        ],
    }
    src, out = ws / "explore.ipynb", ws / "explore.clean.ipynb"
    src.write_text(json.dumps(nb, indent=1) + "\n")
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, [ps[0], ps[1], ps[2]])
    new = json.loads(out.read_text())
    assert (new["nbformat"], new["nbformat_minor"]) == (4, 5)
    assert [c["cell_type"] for c in new["cells"]] == ["markdown", "code"]
    assert new["cells"][0]["source"][1] == "Contact <EMAIL_ADDRESS> for access.\n"
    outputs = new["cells"][1]["outputs"]
    assert outputs[0]["text"][0] == "<EMAIL_ADDRESS>\t<PHONE_NUMBER>\n"
    assert outputs[1]["data"]["image/png"] == png
    assert outputs[1]["data"]["text/html"] == ["<td><CREDIT_CARD></td>"]
    assert new["cells"][1]["source"] == nb["cells"][1]["source"]  # type: ignore[index]


@pytest.mark.parametrize("name", ["log.txt", "README.md"])
def test_text_line_for_line(ws: Path, capsys: Any, name: str) -> None:
    ps = people(8)
    lines = [f"- {p.email} called from {p.phone} (ip {p.ip})" for p in ps]
    lines[3:3] = ["", "## plain section", "  indented, no PII  "]
    src, out = ws / name, ws / f"clean-{name}"
    src.write_bytes("\r\n".join(lines).encode())  # CRLF and no final newline
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, ps)
    got = out.read_bytes().decode().split("\r\n")
    assert len(got) == len(lines)
    assert got[3:6] == ["", "## plain section", "  indented, no PII  "]
    assert got[0] == "- <EMAIL_ADDRESS> called from <PHONE_NUMBER> (ip <IP_ADDRESS>)"


def test_parquet_schema_kept(ws: Path, capsys: Any) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ps = people(50)
    table = pa.table({
        "id": pa.array(range(len(ps)), pa.int64()),
        "email": pa.array([p.email for p in ps], pa.large_string()),
        "note": pa.array([f"ip {p.ip}" if i % 2 else None for i, p in enumerate(ps)]),
        "contacts": pa.array([[p.phone, "none"] for p in ps], pa.list_(pa.string())),
        "loss": pa.array([0.5 * i for i in range(len(ps))], pa.float32()),
        "tel": pa.array([int(re.sub(r"\D", "", p.phone)) for p in ps], pa.int64()),
    }).replace_schema_metadata({"origin": "generated"})
    src, out = ws / "users.parquet", ws / "users.clean.parquet"
    pq.write_table(table, src, row_group_size=20)
    scrub(capsys, src, out)
    assert_scrubbed(capsys, src, out, ps)
    new = pq.read_table(out)
    assert new.schema.equals(pq.read_schema(src), check_metadata=True)
    assert new.num_rows == table.num_rows
    assert new.column("id").equals(table.column("id"))
    assert new.column("loss").equals(table.column("loss"))
    assert set(new.column("email").to_pylist()) == {"<EMAIL_ADDRESS>"}
    assert new.column("note").null_count == table.column("note").null_count
    assert new.column("contacts").to_pylist()[0] == ["<PHONE_NUMBER>", "none"]
    assert new.column("tel").null_count == len(ps)  # an integer cannot hold a tag
    before = out.read_bytes()
    assert "no PII found; unchanged" in scrub(capsys, out)  # in place, a second time
    assert out.read_bytes() == before


def test_parquet_without_pyarrow_names_the_extra(ws: Path, capsys: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    src = ws / "x.parquet"
    src.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    code, text = mlgate(capsys, "pii", "scrub", str(src), "-o", "y.parquet")
    assert code == 2 and "x.parquet" in text and "'parquet' extra" in text
    assert not (ws / "y.parquet").exists()


# --------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_consistent_across_rows_columns_and_files(ws: Path, capsys: Any,
                                                             monkeypatch: Any) -> None:
    ps = people(6)
    src = ws / "orders.csv"
    rows = ["order,buyer,seller,comment"]
    for i in range(30):
        b, s = ps[i % 6], ps[(i + 1) % 6]
        buyer = b.email.upper() if i % 5 == 0 else b.email  # case does not matter
        rows.append(f"{i},{buyer},{s.email},call {b.phone.replace('-', ' ')}")
    src.write_text("\n".join(rows) + "\n")
    users = ws / "users.jsonl"
    users.write_text("".join(json.dumps({"email": p.email, "phone": p.phone}) + "\n"
                             for p in ps))

    monkeypatch.setenv("MLGATE_SCRUB_KEY", "a secret kept by the release team")
    scrub(capsys, src, ws / "o1.csv", mode="pseudonym")
    scrub(capsys, users, ws / "u1.jsonl", mode="pseudonym")
    assert_scrubbed(capsys, src, ws / "o1.csv", ps)
    out = list(csv.DictReader(io.StringIO((ws / "o1.csv").read_text())))
    stand_in: dict[str, str] = {}
    for i, row in enumerate(out):
        for col, p in (("buyer", ps[i % 6]), ("seller", ps[(i + 1) % 6])):
            assert PSEUDO_EMAIL.fullmatch(row[col]), row[col]
            assert stand_in.setdefault(p.email, row[col]) == row[col]
        phone = PSEUDO_TAG.search(row["comment"])
        assert phone and phone.group(1) == "PHONE_NUMBER"
        assert stand_in.setdefault(ps[i % 6].phone, phone.group()) == phone.group()
    assert len(set(stand_in.values())) == 12  # different values, different stand-ins
    # the same key joins across files (users.jsonl ↔ orders.csv)
    for line, p in zip((ws / "u1.jsonl").read_text().splitlines(), ps, strict=True):
        rec = json.loads(line)
        assert rec == {"email": stand_in[p.email], "phone": stand_in[p.phone]}

    # without a key, every run draws a random one: stand-ins cannot be matched across runs
    monkeypatch.delenv("MLGATE_SCRUB_KEY")
    scrub(capsys, src, ws / "o2.csv", mode="pseudonym")
    scrub(capsys, src, ws / "o3.csv", mode="pseudonym")
    o2, o3 = (ws / "o2.csv").read_text(), (ws / "o3.csv").read_text()
    assert o2 != o3 and o2.splitlines()[0] == o3.splitlines()[0]
    assert len(set(PSEUDO_EMAIL.findall(o2))) == 6


# --------------------------------------------------------------------------- idempotence, in place


def _samples(ws: Path) -> dict[str, Path]:
    ps = people(5, seed=11)
    files = {
        "a.csv": "id,email,note\r\n" + "".join(f'{i},{p.email},"ip {p.ip}"\r\n'
                                             for i, p in enumerate(ps)),
        "a.tsv": "email\tphone\n" + "".join(f"{p.email}\t{p.phone}\n" for p in ps),
        "a.jsonl": "".join(json.dumps({"t": f"{p.email} {p.ssn}"}) + "\n" for p in ps),
        "a.json": json.dumps([{"card": p.card, "mail": p.email} for p in ps], indent=4),
        "a.md": "".join(f"* {p.email} / {p.phone}\n" for p in ps),
        "a.ipynb": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                               "cells": [{"cell_type": "markdown", "metadata": {},
                                          "source": [f"{p.email}\n" for p in ps]}]}),
    }
    out = {}
    for name, text in files.items():
        (ws / name).write_bytes(text.encode())
        out[name] = ws / name
    return out


@pytest.mark.parametrize("mode", ["tag", "pseudonym"])
def test_in_place_idempotent_every_format(ws: Path, capsys: Any, mode: str) -> None:
    for name, path in _samples(ws).items():
        path.chmod(0o640)
        inode = path.stat().st_ino
        scrub(capsys, path, mode=mode)
        first = path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, name
        assert path.stat().st_ino != inode, f"{name}: not replaced by rename"
        assert check(capsys, path) == 0, name
        mtime = path.stat().st_mtime_ns
        message = scrub(capsys, path, mode=mode)  # a second run (in pseudonym mode: new key)
        assert "no PII found; unchanged" in message, (name, message)
        assert path.read_bytes() == first, name
        assert path.stat().st_mtime_ns == mtime, f"{name}: rewritten though nothing changed"
    left = sorted(p.name for p in ws.iterdir())
    assert left == sorted(["mlgate.toml", "a.csv", "a.tsv", "a.jsonl", "a.json", "a.md",
                           "a.ipynb"]), "temporary files left"


def test_in_place_failure_leaves_original(ws: Path, capsys: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = _samples(ws)["a.csv"]
    before = path.read_bytes()

    def boom(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    code, text = mlgate(capsys, "pii", "scrub", str(path), "--in-place")
    assert code == 2 and "a.csv" in text and len(text.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert not [p for p in ws.iterdir() if "mlgate-scrub" in p.name]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("blob.csv", b"\x00\x01\x02binary\x00" * 50, "binary"),
    ("broken.json", b'{"a": [1, 2', "not valid JSON"),
    ("rows.jsonl", b'{"a": 1}\n{"a": \n', "line 2"),
    ("rows2.jsonl", b'{"a": 1}\n{"a": 1}}\n{"b": 2}\n', "line 2"),
    ("nb.ipynb", b"this is not json", "not valid JSON"),
    ("nb2.ipynb", b'{"a": 1}', "not a Jupyter notebook"),
    ("trunc.parquet", b"PAR1\x00\x00garbage", "parquet"),
    ("lfs.parquet", b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64
     + b"\nsize 1234\n", "Git LFS pointer"),
    ("model.bin", b"\x80\x02}q\x00(X\x01\x00\x00\x00a" * 20, "binary"),
    ("u16.txt", b"\xff\xfe" + b"a\x00\x00\xd8", "UTF-16"),
])
def test_errors_one_line_naming_the_file(ws: Path, capsys: Any, name: str, content: bytes,
                                         problem: str) -> None:
    (ws / name).write_bytes(content)
    code, text = mlgate(capsys, "pii", "scrub", name, "-o", "out" + Path(name).suffix)
    assert code == 2, text
    assert len(text.strip().splitlines()) == 1 and name in text and problem in text, text
    assert "Traceback" not in text
    assert [p.name for p in ws.iterdir() if p.name.startswith(("out", ".out"))] == []


def test_usage_errors(ws: Path, capsys: Any) -> None:
    code, text = mlgate(capsys, "pii", "scrub", "missing.csv", "-o", "x.csv")
    assert code == 2 and "missing.csv" in text
    (ws / "a.csv").write_text("a\n")
    code, text = mlgate(capsys, "pii", "scrub", "a.csv", "-o", "x.csv", "--in-place")
    assert code == 2 and "exactly one" in text
    with pytest.raises(MlgateError, match="missing.txt: no such file"):
        scrub_file(ws / "missing.txt", ws / "o.txt", Policy(), spans_fn=_regex_spans)
    with pytest.raises(MlgateError, match="mode"):
        scrub_file(ws / "a.csv", ws / "o.csv", Policy(), mode="mask", spans_fn=_regex_spans)


def test_errors_never_show_values(ws: Path, capsys: Any) -> None:
    p = people(1)[0]
    (ws / "bad.jsonl").write_text(json.dumps({"e": p.email}) + "\n{" + p.email + "\n")
    code, text = mlgate(capsys, "pii", "scrub", "bad.jsonl", "-o", "o.jsonl")
    assert code == 2 and p.email not in text


# --------------------------------------------------------------------------- writers, unit level
# A small real regex detector: the writers' own edge cases, without the Presidio cost.


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    score: float


_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.(?:com|net|org)\b")


def _regex_spans(text: str, key: str | None = None) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL_ADDRESS", 1.0) for m in _MAIL.finditer(text)]


def test_csv_quote_all_rows_stay_quoted_and_ragged_rows_survive(tmp_path: Path) -> None:
    src, out = tmp_path / "q.csv", tmp_path / "o.csv"
    src.write_text('"id";"mail"\n"1";"ann@example.com"\n"2";"none"\n3;bob@example.net;extra\nlast')
    n = scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert n == 2
    assert out.read_text() == ('"id";"mail"\n"1";"<EMAIL_ADDRESS>"\n"2";"none"\n'
                               '3;<EMAIL_ADDRESS>;extra\nlast')


def test_json_escaped_strings_and_keys(tmp_path: Path) -> None:
    src, out = tmp_path / "e.json", tmp_path / "o.json"
    src.write_text('{"ann@example.com": "caf\\u00e9 ann@example.com \\"q\\"", "k": ["x\\/y"],'
                   ' "n": 1e3}')
    assert scrub_file(src, out, Policy(), spans_fn=_regex_spans, salt="s") == 2
    text = out.read_text()
    doc = json.loads(text)
    mail = next(iter(doc))
    assert PSEUDO_EMAIL.fullmatch(mail)  # a key: a pseudonym even in tag mode
    assert doc == {mail: 'café <EMAIL_ADDRESS> "q"', "k": ["x/y"], "n": 1000.0}
    assert '"k": ["x\\/y"], "n": 1e3}' in text and "\\u00e9" in text  # untouched spelling


def test_invalid_utf8_bytes_round_trip(tmp_path: Path) -> None:
    src, out = tmp_path / "l.txt", tmp_path / "o.txt"
    src.write_bytes(b"caf\xe9 ann@example.com\n\xff\xfe?\n")
    scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert out.read_bytes() == b"caf\xe9 <EMAIL_ADDRESS>\n\xff\xfe?\n"


def test_utf16_with_bom_kept(tmp_path: Path) -> None:
    src, out = tmp_path / "u.csv", tmp_path / "o.csv"
    src.write_bytes(b"\xfe\xff" + "m\r\nann@example.com\r\n".encode("utf-16-be"))
    scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert out.read_bytes() == b"\xfe\xff" + "m\r\n<EMAIL_ADDRESS>\r\n".encode("utf-16-be")


def test_plausible_stand_in_falls_back_to_tag_when_detected(tmp_path: Path) -> None:
    def greedy(text: str, key: str | None = None) -> list[Span]:
        m = re.search(r"\S+@\S+", text)
        return [Span(m.start(), m.end(), "EMAIL_ADDRESS", 1.0)] if m else []

    rep = Replacer(greedy, "pseudonym", key=b"k")
    new = rep.scrub("mail ann@example.com")
    assert re.fullmatch(r"mail <EMAIL_ADDRESS_[a-z]{10}>", new)
    assert rep.scrub(new) == new and rep.count == 1


def test_json_pii_numbers_and_keys(tmp_path: Path) -> None:
    """A number that is PII becomes a string; a key that is PII a pseudonym (keys stay unique)."""
    def spans(text: str, key: str | None = None) -> list[Span]:
        found = _regex_spans(text, key)
        found += [Span(m.start(), m.end(), "PHONE_NUMBER", 1.0)
                  for m in re.finditer(r"\b\d{10}\b", text)]
        return sorted(found, key=lambda s: s.start)

    src, out = tmp_path / "m.json", tmp_path / "o.json"
    src.write_text('{"by_mail": {"ann@example.com": 1, "bob@example.org": 2}, "tel": 2125550123,'
                   ' "n": 42}')
    assert scrub_file(src, out, Policy(), spans_fn=spans) == 3
    doc = json.loads(out.read_text())
    keys = list(doc["by_mail"])
    assert len(keys) == 2 and all(re.fullmatch(r"user-[a-z]{10}@example\.test", k)
                                  for k in keys)
    assert list(doc["by_mail"].values()) == [1, 2]
    assert doc["tel"] == "<PHONE_NUMBER>" and doc["n"] == 42


def test_jsonl_the_hook_cannot_read_is_refused_with_the_hooks_message(tmp_path: Path) -> None:
    """A pretty-printed record in JSONL is an error to `mlgate pii` (it names line 3); scrub
    says the same and writes nothing, rather than report success on a file the hook rejects."""
    src, out = tmp_path / "p.jsonl", tmp_path / "o.jsonl"
    src.write_text('{"a": "ann@example.com"}\n\n{\n  "b": [\n    "bob@example.net"\n  ]\n}\n')
    with pytest.raises(MlgateError, match="not valid JSON at line 3"):
        scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p.jsonl"]  # no temporary file left


def test_tsv_without_quoting_keeps_stray_quotes(tmp_path: Path) -> None:
    src, out = tmp_path / "s.tsv", tmp_path / "o.tsv"
    src.write_text('size\tmail\n5" screen\tann@example.com\n7" tab "x\tbob@example.org\n')
    assert scrub_file(src, out, Policy(), spans_fn=_regex_spans) == 2
    assert out.read_text() == ('size\tmail\n5" screen\t<EMAIL_ADDRESS>\n'
                               '7" tab "x\t<EMAIL_ADDRESS>\n')


def test_other_extensions_are_text_lines(tmp_path: Path) -> None:
    src, out = tmp_path / "notes.log", tmp_path / "o.log"
    src.write_text("a ann@example.com\nb\n")
    assert scrub_file(src, out, Policy(), spans_fn=_regex_spans) == 1
    assert out.read_text() == "a <EMAIL_ADDRESS>\nb\n"


_cells = st.lists(st.sampled_from(list('ab ,"\n\ré')), max_size=8).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(st.tuples(_cells, st.booleans()), min_size=3, max_size=3),
                     min_size=1, max_size=6),
       quote_all=st.booleans(), crlf=st.booleans(), tsv=st.booleans())
def test_csv_round_trip_property(tmp_path_factory: pytest.TempPathFactory,
                                 rows: list[list[tuple[str, bool]]], quote_all: bool,
                                 crlf: bool, tsv: bool) -> None:
    """The scrubbed file reads back (csv module) as the original table with only the e-mail
    addresses replaced, and a file without one stays byte for byte."""
    d = tmp_path_factory.mktemp("prop")
    table = [["name", "mail", "note"]]
    table += [[f"{c} ann@example.com" if mail else c for c, mail in row] for row in rows]
    buf = io.StringIO()
    sep = "\t" if tsv else ","
    csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
               lineterminator="\r\n" if crlf else "\n").writerows(table)
    src, out = (d / "p.tsv", d / "o.tsv") if tsv else (d / "p.csv", d / "o.csv")
    src.write_bytes(buf.getvalue().encode())
    n = scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert n == sum(mail for row in rows for _, mail in row)

    def parse(path: Path) -> list[list[str]]:
        return list(csv.reader(io.StringIO(path.read_bytes().decode(), newline=""),
                               delimiter=sep))

    want = [[c.replace("ann@example.com", "<EMAIL_ADDRESS>") for c in r] for r in parse(src)]
    assert parse(out) == want
    if n == 0:
        assert out.read_bytes() == src.read_bytes()


_json_text = st.text(alphabet=st.sampled_from(list('a "\\/\n\té\u2028') + ["\U0001f600"]),
                     max_size=6)
_json_str = st.one_of(_json_text, _json_text.map(lambda t: t + " ann@example.com"))
_json_doc = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
              st.floats(allow_nan=False, allow_infinity=False), _json_str),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_json_text, inner, max_size=4)),
    max_leaves=12)


def _replaced(doc: Any) -> Any:
    if isinstance(doc, str):
        return doc.replace("ann@example.com", "<EMAIL_ADDRESS>")
    if isinstance(doc, list):
        return [_replaced(v) for v in doc]
    if isinstance(doc, dict):
        return {k: _replaced(v) for k, v in doc.items()}
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_json_doc, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_json_round_trip_property(tmp_path_factory: pytest.TempPathFactory, doc: Any,
                                  ascii_only: bool, indent: int | None) -> None:
    d = tmp_path_factory.mktemp("jprop")
    src, out = d / "p.json", d / "o.json"
    src.write_text(json.dumps(doc, ensure_ascii=ascii_only, indent=indent), encoding="utf-8")
    scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert json.loads(out.read_text(encoding="utf-8")) == _replaced(doc)
    if "ann@example.com" not in json.dumps(doc):
        assert out.read_bytes() == src.read_bytes()


def test_symlink_not_replaced_and_missing_directory(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("ann@example.com\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(MlgateError, match="link.txt: symbolic link"):
        scrub_file(link, link, Policy(), spans_fn=_regex_spans)
    assert real.read_text() == "ann@example.com\n" and link.is_symlink()
    with pytest.raises(MlgateError, match="cannot write"):
        scrub_file(real, tmp_path / "nowhere" / "o.txt", Policy(), spans_fn=_regex_spans)


def test_jsonl_crlf_and_lone_cr_text(tmp_path: Path) -> None:
    src, out = tmp_path / "c.jsonl", tmp_path / "o.jsonl"
    src.write_bytes(b'{"a": "ann@example.com"}\r\n{"b": 1}\r\n')
    scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert out.read_bytes() == b'{"a": "<EMAIL_ADDRESS>"}\r\n{"b": 1}\r\n'
    src, out = tmp_path / "mac.txt", tmp_path / "o.txt"
    src.write_bytes(b"x ann@example.com\ry\r")
    scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert out.read_bytes() == b"x <EMAIL_ADDRESS>\ry\r"


def test_pseudonyms_stay_undetected_with_more_entities(ws: Path, capsys: Any) -> None:
    """With the default allowlist off and URL (which flags e-mail domains) enabled, the
    stand-ins are still not found: a second run changes nothing."""
    (ws / "strict.toml").write_text('[pii]\ndefault-allowlist = false\nentities = '
                                    '["EMAIL_ADDRESS", "PHONE_NUMBER", "URL", "IP_ADDRESS"]\n')
    ps = people(5, seed=3)
    src = ws / "s.jsonl"
    src.write_text("".join(json.dumps({"m": p.email, "t": p.phone}) + "\n" for p in ps))
    args = ["pii", "scrub", "s.jsonl", "--in-place", "--mode", "pseudonym", "--policy",
            "strict.toml"]
    code, text = mlgate(capsys, *args)
    assert code == 0 and "replaced 10 " in text, text
    first = src.read_text()
    assert len(set(PSEUDO_EMAIL.findall(first))) == 5
    code, text = mlgate(capsys, *args)
    assert code == 0 and "unchanged" in text and src.read_text() == first
    code, _ = mlgate(capsys, "pii", "--policy", "strict.toml", "s.jsonl")
    assert code == 0


def test_parquet_nested_and_dictionary_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({
        "d": pa.array(["ann@example.com", "x", "ann@example.com"]).dictionary_encode(),
        "m": pa.array([[("k", "bob@example.org")], [], None],
                      pa.map_(pa.string(), pa.string())),
        "s": pa.array([{"a": "c@example.net", "b": 1}, None, {"a": None, "b": 2}]),
    })
    src, out = tmp_path / "n.parquet", tmp_path / "o.parquet"
    pq.write_table(table, src)
    assert scrub_file(src, out, Policy(), spans_fn=_regex_spans) == 4
    new = pq.read_table(out)
    assert new.schema.equals(pq.read_schema(src))
    assert new.to_pylist() == [
        {"d": "<EMAIL_ADDRESS>", "m": [("k", "<EMAIL_ADDRESS>")],
         "s": {"a": "<EMAIL_ADDRESS>", "b": 1}},
        {"d": "x", "m": [], "s": None},
        {"d": "<EMAIL_ADDRESS>", "m": None, "s": {"a": None, "b": 2}}]


def _check(path: Path) -> tuple[list[Finding], list[FileError]]:
    from mlgate.hooks.pii.check import check

    items = list(check([str(path)], Policy()))
    return ([f for f in items if isinstance(f, Finding)],
            [e for e in items if isinstance(e, FileError)])


def test_headerless_csv_scrub_and_hook_agree(tmp_path: Path) -> None:
    """Issue 10: a header-less CSV of `id,phone,note` rows. The hook and scrub must take the
    same keys (the reader's header decision): every value the hook reports is replaced, and
    the scrubbed copy passes the hook (scrub checks that itself before writing)."""
    rng = random.Random(5)
    src, out = tmp_path / "calls.csv", tmp_path / "clean.csv"
    src.write_text("".join(f"{1000 + i},{fake_phone(rng)},called back\n" for i in range(30)),
                   encoding="utf-8")
    findings, _ = _check(src)
    assert sum(f.occurrences for f in findings if f.rule == "pii/PHONE_NUMBER") == 30
    assert scrub_file(src, out, Policy()) == 30
    assert _check(out) == ([], [])


def test_nul_bytes_after_the_head_are_refused_and_nothing_written(tmp_path: Path) -> None:
    """Issue 11 #13: a sparse file with a text head (NULs after the first 8 KiB) is not text;
    scrub refuses it naming the line, without reading a gigabyte of NULs into one line."""
    src, out = tmp_path / "notes.txt", tmp_path / "clean.txt"
    with open(src, "wb") as f:
        f.write(b"hello\n" * 2000)
        f.truncate(64 << 20)  # 64 MiB, sparse: NULs after the text
    with pytest.raises(MlgateError, match="NUL character"):
        scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_line_longer_than_the_limit_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mlgate.sources import stream

    monkeypatch.setattr(stream, "MAX_REWRITE_LINE", 1000)
    src, out = tmp_path / "big.txt", tmp_path / "clean.txt"
    src.write_text("short ann@example.com\n" + "x" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(MlgateError, match="line 2 is longer than 1,000 characters"):
        scrub_file(src, out, Policy(), spans_fn=_regex_spans)
    assert not out.exists()
