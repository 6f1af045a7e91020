"""A streaming reader of a card: its YAML front matter (as text) and its sections.

Only what the hook needs, in one pass over the lines with bounded memory: the front matter's
text (capped), and per heading its level, normalised key, line, and how many words and
template placeholders its section holds. CommonMark where it matters: ATX headings (up to
three spaces of indent, a space after the hashes), setext headings (a paragraph underlined
with `===` or `---`; a list item or quote followed by `---` is a thematic break), fenced code
blocks and HTML comments (no heading inside either counts; words in comments do not count,
words in code do). Indented code (four spaces) is never a heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

MAX_TITLE = 300  # characters of a heading kept (for matching and messages)
MAX_LINE = 65_536  # characters of a line looked at; the rest is read as more content
FRONT_MATTER_CAP = 4_000_000  # characters of front matter kept (dataset_info can be large)
MAX_HEADINGS = 20_000  # headings recorded; more are counted as content of the last one

_ATX = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)$")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_NOT_PARAGRAPH = re.compile(r"(?:[-*+][ \t]|[-*+]$|\d{1,9}[.)](?:[ \t]|$)|>|\||<)")
_WORD = re.compile(r"\w+")
# a paragraph that opens with a bold label, `**Out-of-scope uses:** …` (also as a list item):
# the label heads a section one level below every heading (level 7), so cards written with
# bold labels instead of headings (Mitchell et al.'s layout) are read alike
_LABEL = re.compile(r"(?:[-*+][ \t]+)?(\*\*|__)([^*_\n]{1,80}?)\1")
LABEL_LEVEL = 7
_FM_OPEN = re.compile(r"---[ \t]*$")
_FM_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*$")

# heading normalisation (heading_key)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_LEAD = re.compile(r"^[\W_]+")
_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*[.):]?|[ivxl]+[.)]|[a-z][.)]|section\s+\d+[.:]?)\s+",
                     re.I)
_NON_WORD = re.compile(r"[\W_]+")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
_OPTIONAL = re.compile(r"(?i)[\[(]\s*optional\s*[\])]")


def heading_key(title: str) -> str:
    """A heading as the matcher sees it: `## 3. 🚫 Out-of-Scope Use [optional]` →
    `out of scope use`."""
    text = _LINK.sub(r"\1", title[:MAX_TITLE])
    text = _TAG.sub(" ", text)
    text = _LEAD.sub("", text)
    for _ in range(3):  # `1. a)`, emoji between number and words
        stripped = _LEAD.sub("", _NUMBER.sub("", text))
        if stripped == text:
            break
        text = stripped
    text = _BRACKETED.sub(" ", text).replace("&", " and ").replace("+", " and ")
    return " ".join(_NON_WORD.sub(" ", text).lower().split())


@dataclass
class Section:
    level: int
    title: str
    key: str
    line: int
    own_words: int = 0
    own_placeholders: int = 0
    placeholder_line: int | None = None  # the first line of its own holding a placeholder
    words: int = 0  # with its subsections (set by `Body.finish`)
    placeholders: int = 0
    first_placeholder: int | None = None  # with its subsections
    end: int = 0  # the line before the next heading of the same or a higher level
    optional: bool = False  # the heading says `[optional]` (the Hub template's marker)


@dataclass
class FrontMatter:
    start: int  # the line of the opening `---`
    end: int | None  # the line of the closing `---` (None: never closed)
    text: str
    too_large: bool = False


@dataclass
class Card:
    front: FrontMatter | None
    sections: list[Section] = field(default_factory=list)
    preamble_words: int = 0  # words before the first heading
    words: int = 0  # words of the whole body
    lines: int = 0
    headings_capped: bool = False


def split_lines(chunks: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(text, continued) per physical line from `readline(MAX_LINE)` chunks: a line longer than
    MAX_LINE arrives as several chunks, the later ones with `continued` set. Line ends (`\n`
    or `\r\n`) are removed."""
    continued = False
    for chunk in chunks:
        ends = chunk.endswith("\n")
        text = chunk[:-1] if ends else chunk
        yield (text[:-1] if ends and text.endswith("\r") else text), continued
        continued = not ends


class Body:
    """The state of the body parse: feed lines with `feed`, then `finish`."""

    def __init__(self, card: Card, placeholders: list[re.Pattern[str]],
                 is_label: Callable[[str], bool] = lambda key: False) -> None:
        self.card = card
        self.placeholders = placeholders
        self.is_label = is_label
        self.current: Section | None = None
        self.fence: tuple[str, int] | None = None
        self.comment = False
        # the open paragraph: its first line, title text, words, placeholders, setext-able
        self.para_line = 0
        self.para_text: list[str] = []
        self.para_words = 0
        self.para_ph = 0
        self.para_ok = False
        self.para_open = False

    # ------------------------------------------------------------------ content
    def _count(self, text: str, lineno: int) -> tuple[int, int]:
        found = 0
        for p in self.placeholders:
            if p.search(text):
                found += 1
                text = p.sub(" ", text)
        words = len(_WORD.findall(text))
        self.card.words += words
        s = self.current
        if s is None:
            self.card.preamble_words += words
        else:
            s.own_words += words
            if found:
                s.own_placeholders += found
                if s.placeholder_line is None:
                    s.placeholder_line = lineno
        return words, found

    def _visible(self, line: str) -> str:
        """The line without HTML comments (which may open here and close on a later line)."""
        out: list[str] = []
        rest = line
        while rest:
            if self.comment:
                end = rest.find("-->")
                if end < 0:
                    return "".join(out)
                rest = rest[end + 3:]
                self.comment = False
                continue
            start = rest.find("<!--")
            if start < 0:
                out.append(rest)
                break
            out.append(rest[:start])
            rest = rest[start + 4:]
            self.comment = True
        return "".join(out)

    def _close_paragraph(self) -> None:
        self.para_open = False
        self.para_text = []
        self.para_words = self.para_ph = 0

    def _heading(self, level: int, title: str, lineno: int) -> None:
        self._close_paragraph()
        if len(self.card.sections) >= MAX_HEADINGS:
            self.card.headings_capped = True
            self._count(title, lineno)
            return
        title = _COMMENT.sub("", title[:MAX_TITLE]).strip()
        s = Section(level, title, heading_key(title), lineno,
                    optional=bool(_OPTIONAL.search(title)))
        self.card.sections.append(s)
        self.current = s

    # ------------------------------------------------------------------ lines
    def feed(self, line: str, lineno: int, continued: bool = False) -> None:
        if continued:  # the rest of an overlong line: content only
            self._count(self._visible(line) if not self.fence else line, lineno)
            return
        if self.comment:
            visible = self._visible(line)
            if visible.strip():
                self._count(visible, lineno)
            return
        if self.fence is not None:
            char, length = self.fence
            stripped = line.lstrip(" ")
            if (len(line) - len(stripped) <= 3 and stripped.startswith(char * length)
                    and not stripped.rstrip().strip(char)):
                self.fence = None
            else:
                self._count(line, lineno)
            return
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped.strip():
            self._close_paragraph()
            return
        if indent <= 3:
            if stripped[0] in "`~":
                m = _FENCE.match(stripped)
                if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                    self._close_paragraph()
                    self.fence = (m.group(1)[0], len(m.group(1)))
                    return
            elif stripped[0] == "#":
                m = _ATX.match(stripped)
                if m:
                    self._heading(len(m.group(1)), m.group(2) or "", lineno)
                    return
            elif stripped[0] in "=-" and self.para_open and self.para_ok and \
                    _SETEXT.match(stripped):
                self._setext(1 if stripped[0] == "=" else 2)
                return
            if stripped[0] in "-*_" and _BREAK.match(stripped):
                self._close_paragraph()
                return
        elif not self.para_open:  # indented code: content, never a heading
            self._count(line, lineno)
            return
        visible = self._visible(line) if "<!--" in line else line
        if not visible.strip():
            return
        if indent <= 3 and visible.lstrip(" ")[:1] in "*_-+":
            m = _LABEL.match(visible.lstrip(" "))
            rest = visible.lstrip(" ")[m.end():] if m else ""
            # a label ends in a colon, stands alone, or names a known section
            # (`**Intended Use Cases** Commercial…`); `**Note** that…` is emphasis
            if m and (m.group(2).rstrip().endswith(":") or rest.lstrip().startswith(":")
                      or not rest.strip() or self.is_label(heading_key(m.group(2)))):
                self._heading(LABEL_LEVEL, m.group(2).rstrip().rstrip(":"), lineno)
                visible = rest.lstrip().removeprefix(":")
                self.para_open, self.para_ok, self.para_line = True, False, lineno
                self.para_words, self.para_ph = self._count(visible, lineno)
                return
        words, found = self._count(visible, lineno)
        if not self.para_open:
            self.para_open = True
            self.para_line = lineno
            self.para_ok = indent <= 3 and not _NOT_PARAGRAPH.match(stripped)
        if self.para_ok and sum(map(len, self.para_text)) < MAX_TITLE:
            self.para_text.append(visible.strip())
        self.para_words += words
        self.para_ph += found

    def _setext(self, level: int) -> None:
        """The open paragraph was a heading: take its words back from the section before."""
        words, found, line = self.para_words, self.para_ph, self.para_line
        title = " ".join(self.para_text)
        self.card.words -= words
        s = self.current
        if s is None:
            self.card.preamble_words -= words
        else:
            s.own_words -= words
            s.own_placeholders -= found
            if s.own_placeholders == 0:
                s.placeholder_line = None
        self._heading(level, title, line)

    def finish(self, last_line: int) -> None:
        """Totals with subsections, and where each section ends."""
        stack: list[Section] = []
        for s in self.card.sections:
            s.words, s.placeholders, s.first_placeholder = \
                s.own_words, s.own_placeholders, s.placeholder_line
        for s in self.card.sections:
            while stack and stack[-1].level >= s.level:
                done = stack.pop()
                done.end = s.line - 1
                _add_to_parent(stack, done)
            stack.append(s)
        while stack:
            done = stack.pop()
            done.end = last_line
            _add_to_parent(stack, done)


def _add_to_parent(stack: list[Section], child: Section) -> None:
    if not stack:
        return
    parent = stack[-1]
    parent.words += child.words
    parent.placeholders += child.placeholders
    if child.first_placeholder is not None and (
            parent.first_placeholder is None or child.first_placeholder < parent.first_placeholder):
        parent.first_placeholder = child.first_placeholder


def parse(chunks: Iterable[str], placeholders: list[re.Pattern[str]],
          is_label: Callable[[str], bool] = lambda key: False) -> Card:
    """Read a card from `readline(MAX_LINE)` chunks (see `split_lines`); `is_label` says
    whether a bold label's key names a known section."""
    lines = split_lines(chunks)
    card = Card(front=None)
    body = Body(card, placeholders, is_label)
    lineno = 0
    pending: list[tuple[str, bool]] = []  # leading blank lines, fed to the body if no front
    front_lines: list[tuple[str, bool]] = []  # kept to re-read as body if never closed
    for text, continued in lines:
        lineno += 1
        if continued:
            pending.append((text, continued))
            continue
        if not text.strip():
            pending.append((text, continued))
            continue
        if _FM_OPEN.match(text):
            card.front = FrontMatter(start=lineno, end=None, text="")
            lineno = _front_matter(card.front, lines, lineno, front_lines)
            if card.front.end is None:  # never closed: the lines are the body after all
                number = card.front.start
                for t, c in front_lines:
                    number += 0 if c else 1
                    body.feed(t, number, c)
        else:
            for i, (t, c) in enumerate(pending, start=lineno - len(pending)):
                body.feed(t, i, c)
            body.feed(text, lineno)
        break
    for text, continued in lines:
        if not continued:
            lineno += 1
        body.feed(text, lineno, continued)
    card.lines = lineno
    body.finish(lineno)
    return card


def _front_matter(front: FrontMatter, lines: Iterator[tuple[str, bool]], start: int,
                  keep: list[tuple[str, bool]]) -> int:
    """Collect the front matter's text; returns the last line read."""
    parts: list[str] = []
    size = 0
    lineno = start
    for text, continued in lines:
        if not continued:
            lineno += 1
            if _FM_CLOSE.match(text):
                front.end = lineno
                break
        size += len(text) + 1
        if size <= FRONT_MATTER_CAP:
            parts.append(text if continued else "\n" + text)
            keep.append((text, continued))
        else:
            front.too_large = True
    front.text = "".join(parts).lstrip("\n")
    return lineno
