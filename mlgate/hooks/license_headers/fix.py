"""`mlgate license-headers --fix`: add what a file lacks, never change what it has.

A file that can hold a comment gets a header in its comment style after its shebang, encoding
line, XML declaration, Dockerfile parser directives or Markdown front matter; a missing line
next to an existing tag goes beside it in the same comment. A file that cannot hold one
(weights, images, data, notebooks, files of unknown kind) gets a `<file>.license` sidecar
(holding the tags its own header had, since a sidecar replaces the header for REUSE).
Writes go through fileio.atomic_write on the bytes: encoding, invalid bytes, newlines, BOM and
permissions are kept. Every rewrite is parsed again before it is written; a header that would
not be found is not written.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlgate import fileio
from mlgate.errors import MlgateError
from mlgate.hooks.license_headers.check import Checker, Inspection
from mlgate.hooks.license_headers.header import Tag, find_tags, front_matter_end, split_lines
from mlgate.hooks.license_headers.rules import CHECK
from mlgate.hooks.license_headers.styles import Style
from mlgate.policy import Policy
from mlgate.sources.files import text_encoding

_ENCODING_LINE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")
_DOCKER_DIRECTIVE = re.compile(r"^#\s*(?:syntax|escape|check)\s*=", re.I)


@dataclass
class FixReport:
    modified: list[str] = field(default_factory=list)  # "path: what was added"
    skipped: list[str] = field(default_factory=list)  # "path: why it was not fixed"


@dataclass(frozen=True)
class _Lines:
    copyright: str
    license: str


def _values(policy: Policy, need_license: bool, need_copyright: bool) -> _Lines:
    from mlgate import licensing

    conf = policy.section(CHECK)
    license_ = conf["default-license"]
    if need_license:
        if not license_:
            raise MlgateError(f"{policy.source}: --fix needs [license-headers] "
                              "default-license (the SPDX expression to write)")
        parsed = licensing.parse(license_)
        if not parsed.valid or parsed.problems:
            detail = parsed.problems[0].detail if parsed.problems else "not valid"
            raise MlgateError(f"{policy.source}: [license-headers] default-license "
                              f"{license_!r}: {detail}")
    holder = conf["copyright-holder"]
    if need_copyright and not holder:
        raise MlgateError(f"{policy.source}: --fix needs [license-headers] copyright-holder "
                          "(or waive-copyright = true)")
    year = conf["year"] or str(datetime.date.today().year)
    return _Lines(f"SPDX-FileCopyrightText: {year} {holder}",
                  f"SPDX-License-Identifier: {license_}")


def fix_files(paths: Sequence[str], policy: Policy) -> FixReport:
    checker = Checker(policy)
    report = FixReport()
    todo: list[tuple[Inspection, bool, bool]] = []
    for path in paths:
        insp = checker.inspect(path)
        if not isinstance(insp, Inspection):
            continue  # not covered, or unreadable: the check reports it
        need_license = not insp.expressions
        need_copyright = not insp.has_copyright and not checker.waive
        if need_license or need_copyright:
            todo.append((insp, need_license, need_copyright))
    if not todo:
        return report
    values = _values(policy, any(t[1] for t in todo), any(t[2] for t in todo))
    for insp, need_license, need_copyright in todo:
        wanted = [values.copyright] * need_copyright + [values.license] * need_license
        what = " and ".join(("a copyright line",) * need_copyright
                            + ("an SPDX-License-Identifier",) * need_license)
        try:
            done = _fix_one(insp, checker, wanted, need_license, need_copyright)
        except fileio.UnsafeFile as e:
            report.skipped.append(f"{insp.shown}: not fixed: {e}")
            continue
        if done.startswith("not fixed"):
            report.skipped.append(f"{insp.shown}: {done}")
        else:
            report.modified.append(f"{insp.shown}: added {what} {done}")
    return report


def _fix_one(insp: Inspection, checker: Checker, wanted: list[str], need_license: bool,
             need_copyright: bool) -> str:
    if insp.kind == "override":
        return "not fixed: its REUSE.toml override annotation lacks it (edit the REUSE.toml)"
    if insp.kind in ("sidecar", "binary", "uncommentable") or insp.style.sidecar:
        return _fix_sidecar(insp, checker, wanted)
    return _fix_header(insp, checker, wanted, need_license, need_copyright)


# ---------------------------------------------------------------------- sidecars


def _fix_sidecar(insp: Inspection, checker: Checker, wanted: list[str]) -> str:
    sidecar = insp.sidecar_path
    if insp.kind == "sidecar":
        raw = fileio.read_regular(sidecar, checker.max_bytes, what=".license sidecar",
                                  follow_symlinks=False)
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
        text = raw[len(bom):].decode("utf-8", "surrogateescape")
        newline = _newline(text)
        if text and not text.endswith(("\n", "\r")):
            text += newline
        copyrights = [w for w in wanted if not w.startswith("SPDX-License")]
        licenses = [w for w in wanted if w.startswith("SPDX-License")]
        text = "".join(c + newline for c in copyrights) + text \
            + "".join(v + newline for v in licenses)
        data = bom + text.encode("utf-8", "surrogateescape")
        fileio.atomic_write(sidecar, data)
        return f"to {fileio.printable(os.path.basename(sidecar))}"
    # a new sidecar replaces the file's own header for REUSE: carry over what it has
    kept = [t.value for t in insp.header.copyrights] + \
        [f"SPDX-License-Identifier: {t.value}" for t in insp.header.licenses]
    copyrights = [w for w in wanted if not w.startswith("SPDX-License")]
    licenses = [w for w in wanted if w.startswith("SPDX-License")]
    body = "\n".join([*copyrights, *kept, *licenses]) + "\n"
    fileio.atomic_write(sidecar, body.encode("utf-8", "surrogateescape"))
    return f"in a new sidecar {fileio.printable(os.path.basename(sidecar))}"


# ---------------------------------------------------------------------- headers


def _newline(text: str) -> str:
    m = re.search(r"\r\n|\r|\n", text)
    return m.group() if m else "\n"


def _split_keep(text: str) -> list[str]:
    """Lines with their endings, split as header.split_lines splits (same indices)."""
    if not text:
        return []
    sep = "\n" if "\n" in text or "\r" not in text else "\r"
    parts = text.split(sep)
    out = [p + sep for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def insert_index(lines: Sequence[str], style: Style, name: str) -> int:
    """Where a new header goes: after a shebang, an encoding line, an XML declaration,
    Dockerfile parser directives or a Markdown front matter."""
    bare = [line.rstrip("\r\n") for line in lines]
    i = 0
    if style.name == "markdown":
        i = front_matter_end(bare)
    if i == 0 and bare and bare[0].startswith("#!"):
        i = 1
    if style.name == "python" and i < len(bare) and i <= 1 and _ENCODING_LINE.match(bare[i]):
        i += 1
    if style.name in ("html", "markdown") and i < len(bare) and \
            bare[i].lstrip().startswith("<?xml"):
        i += 1
    lower = name.lower()
    if lower.startswith(("dockerfile", "containerfile")) or lower.endswith(
            (".dockerfile", ".containerfile")):
        while i < len(bare) and _DOCKER_DIRECTIVE.match(bare[i]):
            i += 1
    return i


def _comment_only(prefix: str) -> bool:
    """A tag's prefix that is comment punctuation only: safe to copy for a new line."""
    return not any(c.isalnum() for c in prefix)


def _beside(lines: list[str], tag: Tag, new: str, before: bool, newline: str) -> bool:
    """Insert `new` next to an existing tag, in the same comment. False when unsafe."""
    if not _comment_only(tag.prefix):
        return False
    index = tag.line - 1
    if tag.opens_block:  # `/* SPDX-...` that continues: the new line goes inside, below
        text, before = re.sub(r"\S", " ", tag.prefix) + new, False
    elif tag.from_above:
        text = tag.prefix + new
        if tag.suffix.strip():  # the block closes on this line: stay above it
            before = True
    else:  # a line comment, or a block opened and closed on this line
        text = tag.prefix + new + tag.suffix
    if index >= len(lines):
        return False
    if not lines[index].endswith(("\n", "\r")):
        lines[index] += newline
    lines.insert(index if before else index + 1, text + newline)
    return True


def _fix_header(insp: Inspection, checker: Checker, wanted: list[str], need_license: bool,
                need_copyright: bool) -> str:
    path = insp.path
    try:
        raw = fileio.read_regular(path, checker.max_bytes, what="file", follow_symlinks=False)
    except fileio.FileTooLarge:
        return f"not fixed: larger than [license-headers] max-bytes ({checker.max_bytes})"
    found = text_encoding(raw[:8192])
    if found is None:
        return "not fixed: binary content"
    bom, codec = found
    if codec != "utf-8":
        return f"not fixed: {codec} text (only UTF-8 files are rewritten)"
    text = raw[len(bom):].decode("utf-8", "surrogateescape")
    newline = _newline(text)
    lines = _split_keep(text)
    style = insp.style
    placed = False
    own_license = insp.header.licenses[0] if insp.header.licenses else None
    own_copyright = insp.header.copyrights[0] if insp.header.copyrights else None
    if need_copyright and not need_license and own_license is not None:
        placed = _beside(lines, own_license, wanted[0], True, newline)
    elif need_license and not need_copyright and own_copyright is not None:
        placed = _beside(lines, own_copyright, wanted[0], False, newline)
    if not placed:
        at = insert_index(lines, style, Path(path).name)
        if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += newline
        if style.fix_block is not None:
            opener, prefix, closer = style.fix_block
            block = [opener, *(prefix + w for w in wanted), closer]
        else:
            block = [style.fix_line + w for w in wanted]
        new = [b + newline for b in block]
        if at < len(lines) and lines[at].strip():
            new.append(newline)  # a blank line between the header and what follows
        lines[at:at] = new
    result = "".join(lines)
    if not _verified(result, insp, checker, need_license, need_copyright):
        return "not fixed: the header could not be placed where it would be read"
    fileio.atomic_write(path, bom + result.encode("utf-8", "surrogateescape"))
    return "to the header"


def _verified(text: str, insp: Inspection, checker: Checker, need_license: bool,
              need_copyright: bool) -> bool:
    lines = split_lines(text)
    first = front_matter_end(lines) if insp.style.name == "markdown" else 0
    header = find_tags(lines, insp.style, first, checker.header_lines)
    return (not need_license or bool(header.licenses)) and \
        (not need_copyright or bool(header.copyrights))
