"""The hook's contract: `check(paths, policy)` yields findings and per-file errors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.fileio import printable
from mlgate.findings import (
    FileError,
    Finding,
    Severity,
    location_fingerprint,
    not_scanned,
    truncated,
)
from mlgate.hooks.model_card import card as cardfile
from mlgate.hooks.model_card import metadata
from mlgate.hooks.model_card.markdown import Card, Section, heading_key
from mlgate.hooks.model_card.metadata import Issue, Meta
from mlgate.hooks.model_card.rules import CHECK, RULES
from mlgate.hooks.model_card.sections import BUILTIN, CARD_SIGNS, CARD_TITLES, SectionSpec
from mlgate.policy import Policy
from mlgate.run import glob_regex
from mlgate.sources.files import display_path

_SEVERITY = {r.id: r.severity for r in RULES}
# words that may follow a known heading: "Limitations and bias", "Evaluation on GLUE"
_CONNECTORS = frozenset({"and", "of", "for", "on", "in", "with", "to", "by", "from"})


@dataclass
class Settings:
    """The policy's `[model-card]` table, compiled once per run."""

    policy: Policy
    placeholders: list[re.Pattern[str]]
    specs: dict[str, SectionSpec]
    by_key: dict[str, set[str]]
    required: dict[str, tuple[list[str], list[str]]]  # kind -> (metadata keys, sections)
    cards: list[re.Pattern[str]]
    dataset_cards: list[re.Pattern[str]]
    values: dict[str, Any] = field(default_factory=dict)
    # per run: license files by directory, the ledger, results files
    license_files: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, policy: Policy) -> Settings:
        t = policy.section(CHECK)
        specs = dict(BUILTIN)
        for extra in t["sections"]:
            name = extra["name"]
            old = specs.get(name)
            headings = tuple(extra.get("headings", ()))
            if old is not None:
                specs[name] = SectionSpec(name, extra.get("title", old.title),
                                          old.headings + headings,
                                          extra.get("hint", old.hint), old.order)
            else:
                specs[name] = SectionSpec(name, extra.get("title", headings[0]), headings,
                                          extra.get("hint", "what this section is for"))
        by_key: dict[str, set[str]] = {}
        for spec in specs.values():
            for h in (spec.title, *spec.headings):
                by_key.setdefault(heading_key(h), set()).add(spec.name)
        return cls(
            policy=policy,
            placeholders=[re.compile(p) for p in t["placeholders"]],
            specs=specs, by_key=by_key,
            required={"model": (t["required-metadata"], t["required-sections"]),
                      "dataset": (t["dataset-required-metadata"],
                                  t["dataset-required-sections"])},
            cards=[glob_regex(g) for g in t["cards"]],
            dataset_cards=[glob_regex(g) for g in t["dataset-cards"]],
            values=t,
        )

    def matches(self, key: str) -> set[str]:
        """The sections a heading key stands for: an exact synonym, or a synonym followed by
        a connector word (`limitations and bias`, `evaluation on glue`)."""
        found = set(self.by_key.get(key, ()))
        words = key.split()
        for i in range(len(words) - 1, 0, -1):
            if words[i] in _CONNECTORS:
                found |= self.by_key.get(" ".join(words[:i]), set())
        return found


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    settings = Settings.of(policy)
    for path in paths:
        yield from check_file(path, settings)


def _finding(rule: str, shown: str, message: str, line: int | None, key: str) -> Finding:
    rule_id = f"{CHECK}/{rule}"
    return Finding(CHECK, rule_id, _SEVERITY[rule_id], shown, message, line=line, key=key,
                   fingerprint=location_fingerprint(rule_id, shown, key))


def check_file(path: str, settings: Settings) -> Iterator[Finding | FileError]:
    shown = display_path(path)
    by_name = cardfile.name_kind(shown, settings.cards, settings.dataset_cards)
    mode = settings.values["readme"]
    if by_name is None or (by_name == "readme" and mode == "ignore"):
        return
    max_bytes = int(settings.values["max-bytes"])
    try:
        read = cardfile.read(path, max_bytes, settings.placeholders,
                             lambda key: bool(settings.matches(key)))
    except cardfile.CardError as e:
        if e.note:
            yield not_scanned(CHECK, shown, str(e), severity=Severity.NOTE)
        elif str(e).startswith(("binary", "a Git LFS")):
            if by_name != "readme":  # a README that is no text is no card either
                yield not_scanned(CHECK, shown, str(e))
        else:
            yield FileError(shown, str(e))
        return
    card = read.card
    meta = metadata.load(card.front) if card.front is not None else None
    if by_name == "readme" and mode == "auto" and not _looks_like_card(card, meta):
        return
    kind = by_name if by_name in ("model", "dataset") else "model"
    if kind == "model" and (
            (meta is not None and metadata.is_dataset(meta.data))
            or (card.sections and card.sections[0].key.startswith("dataset card"))):
        kind = "dataset"
    for issue in _issues(card, meta, kind, settings, Path(path), shown):
        yield _finding(issue.rule, shown, issue.message, issue.line, issue.key)
    if read.truncated:
        yield truncated(CHECK, shown, f"only the first {max_bytes} of {read.size} bytes were "
                        "read: sections after that were not seen; raise [model-card] "
                        "max-bytes to read it all")
    elif card.headings_capped:
        yield truncated(CHECK, shown, "only the first 20000 headings were read as sections")


def _looks_like_card(card: Card, meta: Meta | None) -> bool:
    """`readme = "auto"`: front matter with a card key (or one that cannot be read: a card
    gone wrong), a Model Card / Dataset Card title, or two card-only headings. A static site's
    front matter (`layout`, `title`) makes no card."""
    if meta is not None and (meta.problem is not None or set(meta.data) & metadata.CARD_KEYS):
        return True
    if any(s.key.startswith(CARD_TITLES) for s in card.sections[:5]):
        return True
    signs = {s.key for s in card.sections[:2000] if s.key in CARD_SIGNS}
    return len(signs) >= 2


def _issues(card: Card, meta: Meta | None, kind: str, settings: Settings,
            path: Path, shown: str) -> Iterator[Issue]:
    required_keys, required_sections = settings.required[kind]
    fm_line = card.front.end if card.front is not None else 1
    if meta is not None and meta.problem is not None:
        yield meta.problem
    elif meta is None:
        for key in required_keys:
            yield Issue("missing-metadata", f"missing `{key}`: the card has no YAML front "
                        f"matter; start it with `---`, `{key}: …`, `---`", 1, key)
    else:
        for key in required_keys:
            if key not in meta.data:
                yield Issue("missing-metadata", f"missing `{key}` in the front matter: "
                            f"{_KEY_HINTS.get(key, 'add it')}", fm_line, key)
            elif not metadata.filled(meta.data[key], settings.placeholders):
                yield Issue("missing-metadata", f"`{key}` is empty or still a placeholder: "
                            f"{_KEY_HINTS.get(key, 'fill it in')}",
                            meta.line_of(key, fm_line), key)
        yield from metadata.check_shapes(meta, fm_line)
        from mlgate.hooks.model_card import licenses

        yield from licenses.check(meta, fm_line, settings.policy, path,
                                  settings.placeholders, settings.license_files)
        if settings.values["provenance-check"]:
            from mlgate.hooks.model_card import provenance

            yield from provenance.check(meta, fm_line, settings.policy, path, shown,
                                        settings.license_files)
    yield from _sections(card, required_sections, settings)
    minimum = int(settings.values["min-words"])
    if minimum and card.words < minimum:
        yield Issue("too-short", f"the card holds {card.words} words; the policy asks for at "
                    f"least {minimum}: describe the model (or dataset) in full", 1, "length")


_KEY_HINTS = {
    "license": "a Hugging Face license id or SPDX expression (`license: apache-2.0`)",
    "datasets": "the Hub ids of the training datasets (`datasets: [org/name]`)",
    "base_model": "the Hub id of the model this one was made from (`base_model: org/name`)",
    "language": "the ISO 639 codes of the languages (`language: [en]`)",
    "model-index": "the evaluation results (`model-index:` with `results`)",
    "license_name": "a short id for the custom license (`license_name: my-license`)",
    "license_link": "the license's text, a URL or a path (`license_link: LICENSE`)",
}


MAX_MATCHES = 50  # headings per required section looked at


def _sections(card: Card, required: list[str], settings: Settings) -> Iterator[Issue]:
    sections = card.sections
    names = [settings.matches(s.key) for s in sections]
    order = [min((settings.specs[n].order for n in ns), default=None) for ns in names]
    # the index after each section's subtree
    sub_end = [len(sections)] * len(sections)
    stack: list[int] = []
    for i, s in enumerate(sections):
        while stack and sections[stack[-1]].level >= s.level:
            sub_end[stack.pop()] = i
        stack.append(i)
    minimum = int(settings.values["min-section-words"])
    for name in required:
        spec = settings.specs[name]
        matched = [i for i, ns in enumerate(names) if name in ns][:MAX_MATCHES]
        if not matched:
            yield Issue("missing-section", f"missing section '{spec.title}': add a heading "
                        f"`## {spec.title}` with {spec.hint}", _belongs(card, order, spec),
                        name)
            continue
        # the outermost headings of the section; what they hold, without subsections that are
        # another known section (Out-of-Scope Use under Uses) or marked [optional]
        outer: list[int] = []
        for i in matched:
            if not any(o < i < sub_end[o] for o in outer):
                outer.append(i)
        judged = [(i, *_content(sections, sub_end, names, i, name)) for i in outer]
        if any(words >= minimum and not ph for _, words, ph, _ in judged):
            continue
        title_key = heading_key(spec.title)
        i, words, ph, ph_line = min(judged, key=lambda j: (
            sections[j[0]].key != title_key, -sections[j[0]].level, sections[j[0]].line))
        s = sections[i]
        title = printable(s.title)
        shown = title if len(title) <= 60 else title[:57] + "..."
        if ph:
            yield Issue("unfilled-section", f"section '{shown}' still holds template "
                        f"placeholder text (line {ph_line}): replace it with {spec.hint}",
                        s.line, name)
        elif words:
            yield Issue("unfilled-section", f"section '{shown}' holds {words} words, the "
                        f"policy asks for at least {minimum}: write {spec.hint}", s.line, name)
        else:
            yield Issue("unfilled-section", f"section '{shown}' is empty: write {spec.hint}",
                        s.line, name)


def _content(sections: list[Section], sub_end: list[int], names: list[set[str]], i: int,
             name: str) -> tuple[int, int, int | None]:
    """(words, placeholders, first placeholder line) of section `i` for the requirement
    `name`."""
    s = sections[i]
    words, ph, line = s.own_words, s.own_placeholders, s.placeholder_line
    k = i + 1
    while k < sub_end[i]:
        sub = sections[k]
        # (a bold label is never left out: "**Overview:**" under Training Data is its text)
        if sub.level <= 6 and (sub.optional or (names[k] and name not in names[k])):
            k = sub_end[k]
            continue
        words += sub.own_words
        ph += sub.own_placeholders
        if line is None:
            line = sub.placeholder_line
        k += 1
    return words, ph, line


def _belongs(card: Card, order: list[int | None], spec: SectionSpec) -> int:
    """Where a missing section belongs in the template's order: right after the last section
    that comes before it, else before the first that comes after it, else at the end."""
    last_before = -1
    for i, o in enumerate(order):
        if o is not None and o < spec.order:
            last_before = i
    end = max(card.lines, 1)
    if last_before >= 0:
        # after the outermost enclosing section that also comes before it
        best = last_before
        level = card.sections[last_before].level
        for i in range(last_before - 1, -1, -1):
            s = card.sections[i]
            if s.level < level:
                level = s.level
                o = order[i]
                if o is None or o >= spec.order:
                    break
                best = i
        return min(card.sections[best].end + 1, end)
    for i, o in enumerate(order):
        if o is not None and o > spec.order:
            return card.sections[i].line
    return end
