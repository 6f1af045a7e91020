"""The hook's contract: `check(paths, policy)` yields findings and per-file errors.

Of the paths passed (pre-commit passes the changed files), data files and artifacts must be
covered by a record (and match the checksums records give for them), and ledger files
(the root ledger, sidecars) are checked in full: schema, required fields, the rules that tie
fields together, licenses, denied datasets, the files they name. A record covering a passed
data file is checked too, wherever it stands, except for what only its own text decides and
costs most to judge (the schema, the SPDX license): that is judged when its ledger file is
checked (changed, or `--all-files`). The ledger is read only when a passed path is one of
these: a commit of code alone costs no YAML parse.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mlgate import ledger as ledgers
from mlgate import manifest_format
from mlgate.fileio import FileTooLarge, UnsafeFile, printable
from mlgate.findings import FileError, Finding, Severity, location_fingerprint, not_scanned
from mlgate.policy import Policy
from mlgate.run import ExcludeMatcher
from mlgate.sources.files import display_path

CHECK = "provenance"
PERSONAL_DATA_CONSENT = ("yes", "not-applicable")


def _finding(rule: str, path: str, message: str, *, line: int | None = None,
             where: str = "", severity: Severity = Severity.ERROR,
             key: str | None = None) -> Finding:
    return Finding(CHECK, f"{CHECK}/{rule}", severity, path, message, line=line, key=key,
                   fingerprint=location_fingerprint(f"{CHECK}/{rule}", path, where))


class _Run:
    """One check over the passed paths: the ledger, what to check, the findings."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.options = policy.section(CHECK)
        self.root = policy.root
        self.name = ledgers.ledger_name(policy)
        self.data = ExcludeMatcher(self.options["data-paths"])
        self.artifacts = ExcludeMatcher(self.options["artifact-paths"])
        self.not_data = ExcludeMatcher(self.options["not-data"])
        self._ledger: ledgers.Ledger | None = None
        self.reported: set[tuple[str, str, str]] = set()

    @property
    def ledger(self) -> ledgers.Ledger:
        if self._ledger is None:
            # the schema is checked on the ledger files passed (changed), not on those only
            # read to look records up: a commit of one data file needs no jsonschema
            self._ledger = ledgers.load(self.root, self.name, validate=False)
        return self._ledger

    def shown(self, relative: str) -> str:
        """A root-relative path as the report shows it (relative to the working directory)."""
        return printable(display_path(self.root / relative))

    def relative(self, path: str) -> str | None:
        absolute = os.path.normpath(os.path.join(os.getcwd(), path))
        rel = os.path.relpath(absolute, self.root)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            return None
        return Path(rel).as_posix()

    def emit(self, finding: Finding) -> Iterator[Finding]:
        key = (finding.rule, finding.path, finding.fingerprint or finding.message)
        if key not in self.reported:
            self.reported.add(key)
            yield finding


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    run = _Run(policy)
    ledger_files: list[str] = []
    data_files: list[tuple[str, str]] = []  # (root-relative, as given)
    for path in paths:
        rel = run.relative(path)
        if rel is None:
            continue
        if ledgers.is_ledger_file(rel, run.name):
            ledger_files.append(rel)
        elif (run.data(rel) or run.artifacts(rel)) and not run.not_data(rel):
            data_files.append((rel, path))
    if not ledger_files and not data_files:
        return  # nothing of ours: the ledger is not even read
    led = run.ledger
    for rel in ledger_files:
        key = printable(rel)  # how the ledger names its files
        if key not in led.documents:  # ignored by git, or outside the sidecar search
            led.add(ledgers.read_document(run.root / rel, key))
        led.validate(key)
        subject = ledgers.sidecar_subject(rel)
        if subject is not None and not os.path.lexists(run.root / subject):
            yield from run.emit(_finding(
                "missing-file", run.shown(rel), f"sidecar of {printable(subject)!r}, which does "
                "not exist: rename the sidecar with its file, or remove it", where=subject))
    files_checked = {printable(rel) for rel in ledger_files}
    records: dict[str, ledgers.Record] = {}
    for record in led.records:
        if record.file in files_checked:
            records.setdefault(record.id, record)
    passed = {rel for rel, _ in data_files}
    for rel, given in data_files:
        if not os.path.lexists(given):
            yield FileError(printable(display_path(given)), "no such file")
            continue
        covering = led.covering(rel)
        if not covering:
            yield from run.emit(_no_record(run, rel))
            continue
        for record in covering:
            records.setdefault(record.id, record)
    involved = files_checked | {r.file for r in records.values()}
    yield from _problems(run, led, involved, broken_only=bool(data_files))
    for record in records.values():
        full = record.file in files_checked
        if record.kind == "dataset":
            yield from _dataset(run, led, record, full)
        else:
            yield from _training_run(run, led, record)
        yield from _files(run, record, None if full else passed)
    # a passed data file pinned by a record that covers it through another path
    for record in led.records:
        if record.id not in records:
            yield from _files(run, record, passed, only_pinned=True)


def _no_record(run: _Run, rel: str) -> Finding:
    kind = "artifact" if run.artifacts(rel) and not run.data(rel) else "data file"
    hint = (f"add a record to {run.name} (a glob in `paths`) or a sidecar "
            f"{printable(rel)}{ledgers.SIDECAR_SUFFIX}")
    return _finding("no-record", run.shown(rel), f"{kind} has no provenance record: {hint}")


def _problems(run: _Run, led: ledgers.Ledger, involved: set[str],
              broken_only: bool) -> Iterator[Finding]:
    """The ledger's own problems: of the files being checked; and a broken ledger file
    anywhere when data files are passed (its records would have covered them)."""
    for p in led.problems:
        unreadable = p.kind in ("yaml", "unreadable")
        if p.file not in involved and not (broken_only and unreadable):
            continue
        shown = run.shown(p.file) if p.file != "." else "."
        if unreadable:
            yield from run.emit(_finding("invalid-ledger", shown, f"ledger file: {p.message}",
                                         line=p.line))
        elif p.kind == "duplicate-id":
            yield from run.emit(_finding("duplicate-id", shown, p.message, line=p.line,
                                         where=f"{p.record}"))
        else:
            where = f" {p.where}:" if p.where else ""
            yield from run.emit(_finding("schema", shown, f"schema:{where} {p.message}",
                                         line=p.line, where=f"{p.where}:{p.message}"))


def _label(record: ledgers.Record) -> str:
    return f"{'dataset' if record.kind == 'dataset' else 'run'} {printable(record.id)!r}"


def _field_finding(run: _Run, record: ledgers.Record, rule: str, field: str, message: str,
                   severity: Severity = Severity.ERROR, detail: str = "") -> Iterator[Finding]:
    """A finding on a record's field; the fingerprint is the record id, the field and
    `detail` (which dataset, which entry): stable when lines move."""
    yield from run.emit(_finding(rule, run.shown(record.file), f"{_label(record)}: {message}",
                                 line=record.line_of(field),
                                 where=f"{record.id}:{field}:{detail}", severity=severity,
                                 key=f"{printable(record.id)}.{field}"))


def _required(run: _Run, record: ledgers.Record, fields: Sequence[str]) -> Iterator[Finding]:
    for name in fields:
        state = record.state(name)
        if state == "absent":
            yield from _field_finding(run, record, "missing-field", name,
                                      f"required field `{name}` is missing")
        elif state == "placeholder":
            yield from _field_finding(run, record, "missing-field", name,
                                      f"required field `{name}` still holds a placeholder")
        elif state == "unknown":
            yield from _field_finding(run, record, "unknown-field", name,
                                      f"required field `{name}` says unknown: find out, or "
                                      "accept the warning", Severity.WARNING)


def _leaves(value: Any, where: str, budget: list[int]) -> Iterator[tuple[str, str]]:
    if budget[0] <= 0:
        return
    budget[0] -= 1
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not str(k).startswith("x-"):
                yield from _leaves(v, f"{where}.{k}" if where else str(k), budget)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v, where, budget)


def _placeholders(run: _Run, record: ledgers.Record, required: Sequence[str]) -> Iterator[Finding]:
    seen: set[str] = set()
    for where, value in _leaves(dict(record.data), "", [20_000]):
        if where in seen or where in required or where == "id":
            continue
        if any(where.startswith(f"{r}.") for r in required) or \
                any(r.startswith(f"{where}.") for r in required):
            continue
        if ledgers.is_placeholder(value):
            seen.add(where)
            yield from _field_finding(run, record, "placeholder", where,
                                      f"`{where}` still holds a template placeholder: fill "
                                      "it in or remove it")


def _dataset(run: _Run, led: ledgers.Ledger, record: ledgers.Record,
             full: bool) -> Iterator[Finding]:
    """The rules of one dataset record; its license is judged when its ledger file is
    checked (`full`), like the schema: the SPDX index costs more than the rest of a run."""
    required = run.options["required-fields"]
    yield from _required(run, record, required)
    yield from _placeholders(run, record, required)
    if record.get("personal-data.present") == "yes":
        consent = record.get("consent.given")
        if consent not in PERSONAL_DATA_CONSENT:
            said = f"consent is {consent!r}" if isinstance(consent, str) else \
                "no consent is recorded"
            yield from _field_finding(
                run, record, "personal-data-consent", "consent.given",
                f"holds personal data but {said}: personal data needs `consent.given: yes` "
                "(or `not-applicable`, with the legal basis in `consent.mechanism`)")
        if record.state("anonymisation") != "filled":
            yield from _field_finding(
                run, record, "personal-data-anonymisation", "anonymisation",
                "holds personal data but no `anonymisation` entry says how it was "
                "anonymised or pseudonymised (or `none`, and why)")
    license_text = record.get("license")
    if full and isinstance(license_text, str) and record.state("license") == "filled":
        yield from _license(run, record, license_text)
    for field, value, entry in ledgers.denied_fields(record, run.policy):
        yield from _field_finding(
            run, record, "denied-dataset", field.replace("[", ".").rstrip("]"),
            f"`{field}` {printable(value[:200])!r} matches the policy's [datasets] deny entry "
            f"{printable(entry)!r}", detail=field)
    derived = record.get("derived-from")
    for i, parent_id in enumerate(derived[:1000] if isinstance(derived, list) else []):
        origin = _denied_origin(run, led, parent_id, {record.id})
        if origin is not None:
            chain, field, entry = origin
            yield from _field_finding(
                run, record, "denied-dataset", f"derived-from.{i}",
                f"derived from {' -> '.join(repr(printable(c)) for c in chain)}, whose "
                f"`{field}` matches the policy's [datasets] deny entry {printable(entry)!r}",
                detail=f"derived:{parent_id}")


def _denied_origin(run: _Run, led: ledgers.Ledger, parent_id: object,
                   seen: set[str]) -> tuple[list[str], str, str] | None:
    """(chain of record ids, field, deny entry) when a `derived-from` entry names a dataset
    record that is denied, itself or through its own origins (cycles and depth capped)."""
    if not isinstance(parent_id, str) or parent_id in seen or len(seen) > 50:
        return None
    parent = led.record(parent_id)
    if parent is None or parent.kind != "dataset":
        return None
    hits = ledgers.denied_fields(parent, run.policy)
    if hits:
        return [parent_id], hits[0][0], hits[0][2]
    grand = parent.get("derived-from")
    for item in grand[:1000] if isinstance(grand, list) else []:
        found = _denied_origin(run, led, item, seen | {parent_id})
        if found is not None:
            return [parent_id, *found[0]], found[1], found[2]
    return None


def _license(run: _Run, record: ledgers.Record, text: str) -> Iterator[Finding]:
    from mlgate import licensing

    expr = licensing.parse(text)
    if not expr.valid:
        details = "; ".join(p.detail for p in expr.problems if p.kind != "deprecated")
        yield from _field_finding(run, record, "license-invalid", "license",
                                  f"license is not a valid SPDX expression: "
                                  f"{printable(details)}")
        return
    for problem in expr.problems:
        if problem.kind == "deprecated":
            yield from _field_finding(run, record, "license-deprecated", "license",
                                      printable(problem.detail), Severity.WARNING)
    verdict = licensing.verdict(expr, run.policy)
    if not verdict.allowed:
        yield from _field_finding(run, record, "license-denied", "license",
                                  f"license {printable(expr.normalized or text)!r}: "
                                  f"{printable(verdict.reason)}")


def _training_run(run: _Run, led: ledgers.Ledger, record: ledgers.Record) -> Iterator[Finding]:
    required = run.options["required-run-fields"]
    yield from _required(run, record, required)
    yield from _placeholders(run, record, required)
    names = record.get("datasets")
    for i, name in enumerate(names[:1000] if isinstance(names, list) else []):
        if not isinstance(name, str):
            continue
        shown = printable(name[:200])
        used = led.record(name)
        if used is None or used.kind != "dataset":
            entry = ledgers.denied(name, run.policy)
            if entry is not None:
                yield from _field_finding(
                    run, record, "denied-dataset", "datasets",
                    f"uses dataset {shown!r}, which the policy's [datasets] denies "
                    f"({printable(entry)!r})", detail=name)
            what = "a run" if used is not None else "no record"
            yield from _field_finding(
                run, record, "unknown-dataset", f"datasets.{i}",
                f"names dataset {shown!r}, which has {what}: datasets are named by the id "
                "of their dataset record", detail=name)
            continue
        origin = _denied_origin(run, led, name, set())
        if origin is not None:
            chain, field, entry = origin
            through = f"its `{field}` matches {printable(entry)!r}" if len(chain) == 1 else \
                (f"derived from {' -> '.join(repr(printable(c)) for c in chain[1:])}, whose "
                 f"`{field}` matches {printable(entry)!r}")
            yield from _field_finding(
                run, record, "denied-dataset", "datasets",
                f"uses dataset {shown!r}, which the policy's [datasets] denies ({through})",
                detail=name)
    config = record.get("hyperparameters")
    if isinstance(config, str) and record.state("hyperparameters") == "filled":
        yield from _exists(run, record, config, "hyperparameters", "hyperparameters file")
    evaluation = record.get("evaluation")
    for item in evaluation[:1000] if isinstance(evaluation, list) else []:
        if isinstance(item, str) and not ledgers.is_placeholder(item):
            yield from _exists(run, record, item, "evaluation", "evaluation results file")


def _exists(run: _Run, record: ledgers.Record, relative: str, field: str,
            what: str) -> Iterator[Finding]:
    target = record.resolve(relative)
    if target.startswith("../") or os.path.lexists(run.root / target):
        return
    yield from _field_finding(run, record, "missing-file", field,
                              f"{what} {printable(target)!r} does not exist", detail=target)


def _files(run: _Run, record: ledgers.Record, only: set[str] | None, *,
           only_pinned: bool = False) -> Iterator[Finding]:
    """The files a record pins (checksums, artifacts): each exists and matches its digest.
    `only`: just these root-relative paths (the passed data files)."""
    for target, digest, where in record.digests():
        if only is not None and target not in only:
            continue
        field = ledgers.render_where(where[len(record.where):])
        line = record.line_at(where)
        path = run.root / target
        if not os.path.lexists(path):
            if only_pinned:
                continue
            yield from run.emit(_finding(
                "missing-file", run.shown(record.file),
                f"{_label(record)}: `{field}` names {printable(target)!r}, which does not "
                "exist", line=line, where=f"{record.id}:{target}"))
            continue
        if not run.options["verify-checksums"] or len(digest) != 64:
            continue
        try:
            _, actual = manifest_format.hash_file(path, max_bytes=run.options["max-verify-bytes"])
        except FileTooLarge as e:
            yield from run.emit(not_scanned(
                CHECK, run.shown(target), f"checksum not verified: {e}; raise [provenance] "
                "max-verify-bytes to verify it", key=record.id))
            continue
        except UnsafeFile as e:
            yield from run.emit(not_scanned(CHECK, run.shown(target),
                                            f"checksum not verified: {e}", key=record.id))
            continue
        if actual != digest:
            yield from run.emit(_finding(
                "stale-checksum", run.shown(target),
                f"changed since {_label(record)} in {run.shown(record.file)} recorded its "
                f"SHA-256 (`{field}`, line {line}): update the record, or restore the file",
                where=f"{record.id}:{digest}"))
