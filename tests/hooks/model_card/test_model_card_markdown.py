"""The Markdown reader on generated documents: the headings it reports are exactly the real
ones (never those in code blocks or comments), at the right lines, with the words counted."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.hooks.model_card.markdown import MAX_LINE, heading_key, parse

WORDS = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "7", "x_y"]),
                 min_size=1, max_size=6).map(" ".join)
TITLES = st.sampled_from(["Intended Use", "Training Data", "3. Evaluation",
                          "⚠️ Bias, Risks & Limitations", "Out-of-Scope Use [optional]"])


@st.composite
def block(draw):
    kind = draw(st.sampled_from(["atx", "setext", "para", "fence", "comment", "list",
                                 "indented"]))
    title, words = draw(TITLES), draw(WORDS)
    if kind == "atx":
        level = draw(st.integers(1, 6))
        return kind, [f"{'#' * level} {title}"], (level, title), 0
    if kind == "setext":
        # (`3. Evaluation` then `===` is an ordered list item in CommonMark, not a heading)
        title = title.removeprefix("3. ")
        return kind, [title, draw(st.sampled_from(["===", "---", "-----"]))], (0, title), 0
    if kind == "para":
        return kind, [words, words], None, 2 * len(words.split())
    if kind == "fence":
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        return kind, [fence + "python", f"## {title}", words, fence], None, \
            len(title.split()) + len(words.split())
    if kind == "comment":
        return kind, ["<!--", f"## {title}", words, "-->"], None, 0
    if kind == "list":
        return kind, [f"- {words}", "---"], None, len(words.split())
    return kind, [f"    ## {title}"], None, len(title.split())


@settings(max_examples=150, deadline=None)
@given(st.lists(block(), min_size=1, max_size=12))
def test_only_real_headings_count(blocks):
    lines: list[str] = []
    expected: list[tuple[int, str, int]] = []
    for kind, text, heading, _ in blocks:
        lines.append("")  # blocks are separated by blank lines
        if heading is not None:
            level, title = heading
            if kind == "setext":
                level = 1 if text[1].startswith("=") else 2
            expected.append((level, heading_key(title), len(lines) + 1))
        lines.extend(text)
    card = parse(iter(io.StringIO("\n".join(lines) + "\n").readline, ""), [])
    got = [(s.level, s.key, s.line) for s in card.sections]
    assert got == expected
    assert card.front is None


def test_totals_include_subsections_and_lines_are_counted():
    text = "# A\none two\n## B\nthree\n### C\nfour five\n## D\nsix\n"
    card = parse(iter(io.StringIO(text).readline, ""), [])
    a, b, c, d = card.sections
    assert (a.words, b.words, c.words, d.words) == (6, 3, 2, 1)
    assert (a.end, b.end, c.end, d.end) == (8, 6, 6, 8)
    assert card.lines == 8 and card.words == 6


def test_overlong_lines_keep_the_line_numbers():
    text = "# A\n" + "w " * (MAX_LINE * 2) + "\n## B\nx\n"
    reader = io.StringIO(text)
    card = parse(iter(lambda: reader.readline(MAX_LINE), ""), [])
    assert [(s.key, s.line) for s in card.sections] == [("a", 1), ("b", 3)]
    assert card.sections[0].own_words == MAX_LINE * 2
