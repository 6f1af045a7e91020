"""The header parser: SPDX tags in the comments of a file's header region.

A line-by-line lexer per comment style finds the comment text of each line (line comments,
block comments across lines) and skips strings (one-line quotes, strings that span lines,
YAML block scalars), so that `"SPDX-License-Identifier: MIT"` in a string literal is no
header. Only the first `header-lines` lines count (after a Markdown front matter, which must
stay at the very top for Hugging Face). Pure functions on text: no file access here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from mlgate.hooks.license_headers.styles import Style

LICENSE_TAG = "SPDX-License-Identifier:"
_KEYWORDS = re.compile(r"SPDX-|Copyright|©")
_COPYRIGHT = re.compile(r"SPDX-(?:File|Snippet)CopyrightText:|Copyright\b|©")
IGNORE_START, IGNORE_END = "REUSE-IgnoreStart", "REUSE-IgnoreEnd"
FRONT_MATTER_CAP = 1000  # lines of a Markdown front matter looked through for its end
_YAML_BLOCK_SCALAR = re.compile(r"(?:^|[:\-]\s)\s*[|>][-+0-9]*\s*$")


@dataclass(frozen=True)
class Piece:
    """The comment text of one line: `text` is `line[start:end]`."""

    index: int  # 0-based line index
    start: int
    end: int
    opens_block: bool = False  # a block comment opens on this line and continues below
    from_above: bool = False  # this line continues a block comment opened above


@dataclass(frozen=True)
class Tag:
    kind: str  # "license" or "copyright"
    line: int  # 1-based line in the file (None-like 0 for a notebook cell)
    column: int  # 1-based
    value: str  # the expression after the license tag; the notice of a copyright line
    prefix: str  # the raw line before the tag (`# `, ` * `, `<!-- `)
    suffix: str  # the raw line after the value (` -->`, ` */`)
    opens_block: bool = False
    from_above: bool = False


@dataclass
class Header:
    licenses: list[Tag] = field(default_factory=list)
    copyrights: list[Tag] = field(default_factory=list)
    # where an identifier stands that does not count: below the region, or not in a comment
    stray_line: int | None = None
    stray_why: str = ""


def split_lines(text: str) -> list[str]:
    """Lines without their endings (CRLF, LF or a lone CR); no other character splits."""
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    lines = text.split("\n")
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def front_matter_end(lines: Sequence[str]) -> int:
    """The index of the first line after a Markdown front matter (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), FRONT_MATTER_CAP)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


_QUOTE_RES: dict[str, re.Pattern[str]] = {
    q: re.compile(re.escape(q) + r"(?:[^" + re.escape(q) + r"\\]|\\.)*" + re.escape(q))
    for q in ('"', "'")
}


def _earliest(line: str, pos: int, style: Style) -> tuple[int, str, str, str] | None:
    """The first token at or after `pos`: (index, kind, open, close); the longest wins a tie."""
    best: tuple[int, int, str, str, str] | None = None
    for lead in style.line:
        i = line.find(lead, pos)
        if i >= 0 and (best is None or (i, -len(lead)) < best[:2]):
            best = (i, -len(lead), "line", lead, "")
    for opener, closer in style.blocks:
        i = line.find(opener, pos)
        if i >= 0 and (best is None or (i, -len(opener)) < best[:2]):
            best = (i, -len(opener), "block", opener, closer)
    for opener, closer in style.strings:
        i = line.find(opener, pos)
        if i >= 0 and (best is None or (i, -len(opener)) < best[:2]):
            best = (i, -len(opener), "string", opener, closer)
    for q in style.quotes:
        i = line.find(q, pos)
        if i >= 0 and (best is None or (i, -len(q)) < best[:2]):
            best = (i, -len(q), "quote", q, q)
    return None if best is None else (best[0], best[2], best[3], best[4])


def comment_pieces(lines: Sequence[str], style: Style, first: int = 0) -> Iterator[Piece]:
    """The comment text of lines[first:], in order (a line may hold several pieces)."""
    if style.name in ("text", "notebook"):
        for i in range(first, len(lines)):
            yield Piece(i, 0, len(lines[i]))
        return
    state: tuple[str, str] | None = None  # ("block" | "string", the closer)
    yaml_scalar: int | None = None  # indentation of the key a YAML block scalar belongs to
    for i in range(first, len(lines)):
        line = lines[i]
        if yaml_scalar is not None:
            indent = len(line) - len(line.lstrip(" "))
            if not line.strip() or indent > yaml_scalar:
                continue  # the scalar's content, not a comment
            yaml_scalar = None
        pos = 0
        code = False  # the line holds something outside comments
        while pos <= len(line):
            if state is not None:
                kind, closer = state
                j = line.find(closer, pos)
                if kind == "block":
                    end = len(line) if j < 0 else j
                    yield Piece(i, pos, end, opens_block=j < 0 and pos > 0,
                                from_above=pos == 0)
                if j < 0:
                    break
                pos = j + len(closer)
                state = None
                continue
            token = _earliest(line, pos, style)
            if token is None:
                code = code or bool(line[pos:].strip())
                break
            at, kind, opener, closer = token
            code = code or bool(line[pos:at].strip())
            if kind == "line":
                yield Piece(i, at + len(opener), len(line))
                break
            if kind == "quote":
                m = _QUOTE_RES[opener].match(line, at) if opener in _QUOTE_RES else None
                code = True
                if m is None:
                    break  # an unterminated quote runs to the end of the line
                pos = m.end()
                continue
            if kind == "block":
                j = line.find(closer, at + len(opener))
                if j >= 0:
                    yield Piece(i, at + len(opener), j)
                    pos = j + len(closer)
                    continue
                yield Piece(i, at + len(opener), len(line), opens_block=True)
                state = ("block", closer)
                break
            code = True  # a string that may span lines
            j = line.find(closer, at + len(opener))
            if j < 0:
                state = ("string", closer)
                break
            pos = j + len(closer)
        if (style.name == "yaml" and state is None and code
                and _YAML_BLOCK_SCALAR.search(line.split(" #", 1)[0])):
            yaml_scalar = len(line) - len(line.lstrip(" "))


def find_tags(lines: Sequence[str], style: Style, first: int, count: int,
              line_offset: int = 0) -> Header:
    """The tags in the comments of lines[first:first+count]; a license tag elsewhere in
    `lines` is remembered as stray (for the message)."""
    header = Header()
    # lines after the last one that could hold a tag cannot change the result: not lexed
    last = -1
    for i in range(min(len(lines), first + count) - 1, first - 1, -1):
        if _KEYWORDS.search(lines[i]):
            last = i
            break
    region = lines[:last + 1]
    ignoring = False
    for piece in comment_pieces(region, style, first):
        line = lines[piece.index]
        text = line[piece.start:piece.end]
        if ignoring:
            if IGNORE_END in text:
                ignoring = False
            continue
        if IGNORE_START in text:
            ignoring = IGNORE_END not in text[text.index(IGNORE_START):]
            continue
        at = text.find(LICENSE_TAG)
        if at >= 0:
            rest = text[at + len(LICENSE_TAG):]
            col = piece.start + at
            end = col + len(LICENSE_TAG) + len(rest.rstrip())
            header.licenses.append(Tag("license", piece.index + 1 + line_offset, col + 1,
                                       rest.strip(), line[:col], line[end:],
                                       piece.opens_block, piece.from_above))
            continue
        m = _COPYRIGHT.search(text)
        if m:
            col = piece.start + m.start()
            notice = text[m.start():].rstrip()
            header.copyrights.append(Tag("copyright", piece.index + 1 + line_offset, col + 1,
                                         notice, line[:col], line[col + len(notice):],
                                         piece.opens_block, piece.from_above))
    if not header.licenses:
        for i, line in enumerate(lines):
            if LICENSE_TAG in line:
                header.stray_line = i + 1 + line_offset
                header.stray_why = ("below the header region" if i >= first + count
                                    else "not in a comment")
                break
    return header
