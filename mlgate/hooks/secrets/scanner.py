"""detect-ml-secrets: credentials of the ML ecosystem in text files and notebooks.

Prefilter, then confirm. A cheap pass finds candidate lines with `str.find` of lowercase
literal anchors (every rule below, and every detect-secrets plugin we run, needs one of them
on the line to match). Only candidate lines go to the confirmers: our own rules for ML
providers, and detect-secrets 1.5.0's regex plugins (AWS, Slack, Stripe, JWT, …) with its
filters. detect-secrets is imported only when a candidate line needs it.

Deliberate differences from detect-secrets (notes/secrets.md): no `is_indirect_reference`
filter (it drops `OpenAI(api_key="sk-…")`), GitHub tokens and private keys are hashed whole,
modern OpenAI keys are found, and the high-entropy plugins are opt-in (`[secrets] entropy`).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick_rs

from mlgate.errors import MlgateError
from mlgate.hooks.secrets import ds_plugins, notebook, precision
from mlgate.hooks.secrets.lines import count_breaks, line_around, split_lines
from mlgate.hooks.secrets.placeholders import looks_placeholder, looks_placeholder_token
from mlgate.hooks.secrets.provider_rules import (
    CHECK,
    GENERIC,
    GENERIC_KEYWORDS,
    GENERIC_RULE,
    RULES,
    SERVICES,
    Rule,
    generic_ok,
)
from mlgate.policy import Policy

WINDOW = 8192  # very long lines are confirmed in overlapping windows: bounded regex work
OVERLAP = 1024


def min_width(patterns: Iterable[re.Pattern[str]]) -> int:
    """The shortest text any of `patterns` can match: a line shorter than that is skipped."""
    from mlgate.upstream import re_parser

    try:
        return min(re_parser.min_width(p.pattern, p.flags) for p in patterns)
    except Exception:  # an internal API: when it changes, skip nothing
        return 0


_GENERIC_WIDTH = min_width([GENERIC])
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]")
# A notebook output line holding media, not text: images, video, audio, fonts, PDFs.
_NOTEBOOK_IMAGE = re.compile(r'^\s*"(?:(?:image|video|audio|font|model)/[\w.+-]+'
                             r'|application/(?:pdf|octet-stream|zip|gzip|wasm))"\s*:\s*"')

_BASE64_LINE = re.compile(r'^\s*"?[A-Za-z0-9+/]{200,}={0,2}(?:\\n)?"?,?\s*$')


@dataclass(frozen=True)
class Hit:
    rule: str
    message: str
    value: str
    line: int
    column: int
    prefix: str


class Scanner:
    """One scanner per run: compiled rule set from the policy."""

    def __init__(self, policy: Policy) -> None:
        cfg = policy.section("secrets")
        self.max_bytes: int = cfg["max-bytes"]
        self.entropy: bool = cfg["entropy"]
        self.disabled = {r.removeprefix("secrets/") for r in cfg["disable"]}
        self.rules = [r for r in RULES if r.name not in self.disabled]
        self.plugins = {cls: meta for cls, meta in ds_plugins.PLUGINS.items()
                           if meta[0] not in self.disabled}
        self.allowlist = [re.compile(p) for p in cfg["allowlist"]]
        extra = tuple(k.lower() for k in cfg["generic-keywords"])
        self.services = SERVICES + extra
        self.generic = GENERIC_RULE not in self.disabled
        # Each confirmer (a rule's index, a detect-secrets plugin's class name, or "generic")
        # with the anchors it needs; a line is confirmed only by the confirmers whose anchor
        # it holds, or whose shape matched it.
        needs: dict[str | int, tuple[str, ...]] = {i: r.anchors for i, r in enumerate(self.rules)}
        needs.update({cls: a for cls, (_, a) in self.plugins.items() if a})
        if self.generic:
            needs["generic"] = (*GENERIC_KEYWORDS, *extra)
        self.all_targets: frozenset[str | int] = frozenset(
            [*needs, *(cls for cls in self.plugins if cls in ds_plugins.SHAPES)])
        anchors = {a for a_s in needs.values() for a in a_s}
        self.by_anchor: dict[str, set[str | int]] = {a: set() for a in anchors}
        for target, a_s in needs.items():
            for a in a_s:
                self.by_anchor[a].add(target)
        # Only the anchors that hold no other are searched for ("sk-" finds "sk-ant-" lines);
        # a line holding one is confirmed by every confirmer of every anchor around it.
        self.anchors = sorted(a for a in anchors if not any(b != a and b in a for b in anchors))
        self.targets_of = {a: frozenset(t for b in anchors if a in b for t in self.by_anchor[b])
                           for a in self.anchors}
        # One Aho-Corasick pass finds every anchor occurrence (character offsets) in a file.
        self.matcher = ahocorasick_rs.AhoCorasick(self.anchors)
        self.widths = [min_width([r.pattern]) for r in self.rules]
        self.shapes = [(cls, ds_plugins.SHAPES[cls]) for cls in self.plugins
                       if cls in ds_plugins.SHAPES]
        self.ds_baseline = _load_ds_baseline(policy)
        # Per-instance, bounded memos (few distinct anchor and target sets occur in a run).
        self._targets = lru_cache(maxsize=4096)(self._targets_of_anchors)
        self._chosen = lru_cache(maxsize=4096)(self._chosen_for)
        # Precision rules switched off (no policy key yet: every rule is on by default).
        self.precision_off: frozenset[str] = frozenset(cfg["precision-off"])

    # -- prefilter ---------------------------------------------------------------
    def candidate_lines(self, text: str, all_lines: bool
                        ) -> list[tuple[int, str, frozenset[str | int]]]:
        """(line number, line, confirmers to run) of every line that holds an anchor. Only
        those lines are cut out of the text (a file of many short lines is never split whole:
        memory stays near the size of the text)."""
        if all_lines:
            lines, _ = split_lines(text)
            return [(n, line, self.all_targets) for n, line in enumerate(lines, 1)]
        low = text.lower()
        if len(low) != len(text):  # rare characters change length when lowered
            low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        anchors = self.anchors
        hits: list[tuple[int, str]] = [
            (start, anchors[index])
            for index, start, _ in self.matcher.find_matches_as_indexes(low, overlapping=True)]
        for cls, shape in self.shapes:
            hits.extend((m.start(), cls) for m in shape.finditer(text))
        hits.sort()
        out: list[tuple[int, str, frozenset[str | int]]] = []
        lineno, counted = 1, 0  # the line number at offset `counted` (a line start)
        start = end = -1
        found: set[str] = set()
        for pos, what in hits:
            if start <= pos <= end:
                found.add(what)
                continue
            if found:
                out.append((lineno, text[start:end], self._targets(frozenset(found))))
            start, end = line_around(text, pos)
            lineno += count_breaks(text, counted, start)
            counted = start
            found = {what}
        if found:
            out.append((lineno, text[start:end], self._targets(frozenset(found))))
        return out

    def _targets_of_anchors(self, anchors: frozenset[str]) -> frozenset[str | int]:
        out: set[str | int] = set()
        for a in anchors:
            out |= self.targets_of.get(a, {a})
        return frozenset(out)

    # -- confirmers --------------------------------------------------------------
    def confirm(self, line: str, lineno: int, filename: str = "",
                targets: frozenset[str | int] | None = None) -> list[Hit]:
        """Run the confirmers named by `targets` (all of them when None) on one line."""
        targets = self.all_targets if targets is None else targets
        n = len(line)
        chosen_rules, chosen_ds = self._chosen(targets)
        rules = [r for width, r in chosen_rules
                 if width <= n and (not r.filename or r.filename == filename)]
        ds = [cls for width, cls in chosen_ds if width <= n and self._ds_applies(cls, line)]
        hits: list[Hit] = []
        for offset, chunk in _windows(line):
            for r in rules:
                for m in r.pattern.finditer(chunk):
                    value = m.group("s")
                    if r.prefix == "" and r.name not in ("private-key", "azure-ad-client-secret") \
                            and not (re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value)):
                        continue  # a value found by its service's name must look random
                    if r.name not in ("private-key", "gcp-service-account-key") and (
                            looks_placeholder_token(value, r.prefix)
                            or ds_plugins.DOC_VALUES.search(value)):
                        continue
                    hits.append(Hit(r.rule, r.message, value, lineno,
                                    offset + m.start("s") + 1, r.prefix))
            if "generic" in targets and n >= _GENERIC_WIDTH:
                for m in GENERIC.finditer(chunk):
                    name = _name_before(chunk, m.start("kw")) + m.group("kw") + m.group("rest")
                    value = m.group("s")
                    if generic_ok(value, name, self.services):
                        hits.append(Hit(f"{CHECK}/{GENERIC_RULE}",
                                        "Secret assigned to a credential name", value, lineno,
                                        offset + m.start("s") + 1, ""))
            if ds or self.entropy:
                hits.extend(self._ds_confirm(chunk, lineno, offset, ds))
        if hits:
            hits = [h for h in hits if not precision.rejected(
                precision.Candidate(h.rule.removeprefix(f"{CHECK}/"), h.value, line,
                                    h.column - 1, h.prefix), self.precision_off)]
        return hits

    def _chosen_for(self, targets: frozenset[str | int]
                ) -> tuple[list[tuple[int, Rule]], list[tuple[int, str]]]:
        """The rules and plugins named by `targets`, in table order, with their min widths."""
        return ([(self.widths[i], r) for i, r in enumerate(self.rules) if i in targets],
                [(ds_plugins.MIN_WIDTH[cls], cls) for cls in self.plugins if cls in targets])

    def _ds_applies(self, cls: str, line: str) -> bool:
        """Whether the line holds one of the plugin's own anchors (a line reached through a
        longer anchor holding this one may not) and the run of characters it needs."""
        anchors = self.plugins[cls][1]
        if anchors:
            low = line.lower()
            if not any(a in low for a in anchors):
                return False
        required = ds_plugins.REQUIRES.get(cls)
        return required is None or required.search(line) is not None

    def _ds_confirm(self, chunk: str, lineno: int, offset: int,
                    wanted: list[str]) -> list[Hit]:
        if self.entropy:
            wanted = [*wanted, "HexHighEntropyString", "Base64HighEntropyString"]  # hex first
        if not wanted:
            return []
        plugins, heuristic = ds_plugins.load()
        hits = []
        for cls in wanted:
            plugin = plugins[cls]
            name = self.plugins[cls][0] if cls in self.plugins else (
                "high-entropy-base64" if cls.startswith("Base64") else "high-entropy-hex")
            for value in plugin.analyze_string(chunk):
                if (heuristic.is_sequential_string(value) or heuristic.is_potential_uuid(value)
                        or heuristic.is_templated_secret(value)
                        or heuristic.is_likely_id_string(value, chunk, plugin)
                        or (name != "url-credentials"
                            and heuristic.is_not_alphanumeric_string(value))
                        or ds_plugins.DOC_VALUES.search(value)):
                    continue
                if name in ("url-credentials",) and (looks_placeholder(value)
                                                     or value.startswith("$")):
                    continue
                col = chunk.find(value)
                hits.append(Hit(f"{CHECK}/{name}", ds_plugins.MESSAGES[name], value, lineno,
                                offset + col + 1, ds_plugins.PREFIXES.get(name, "")))
        return hits

    # -- a file ---------------------------------------------------------------
    def scan_text(self, text: str, path: str) -> list[Hit]:
        notebook = path.lower().endswith(".ipynb")
        filename = Path(path).name
        all_lines = self.entropy or filename == "kaggle.json"
        hits: list[Hit] = []
        hits.extend(self._scan_lines(text, filename, all_lines, notebook))
        if notebook:
            hits.extend(self._joined_pieces(text, filename, all_lines))
        if any(h.rule.endswith("/private-key") for h in hits) or "PRIVATE KEY-----" in text:
            hits = [h for h in hits if not h.rule.endswith("/private-key")]
            hits.extend(self._private_keys(text))
        return _dedupe(h for h in hits if not self._allowlisted(h.value))

    def _scan_lines(self, text: str, filename: str, all_lines: bool,
                    notebook: bool = False) -> list[Hit]:
        hits: list[Hit] = []
        for lineno, line, targets in self.candidate_lines(text, all_lines):
            if notebook and (_NOTEBOOK_IMAGE.match(line) or _BASE64_LINE.match(line)):
                continue  # base64 images and media in notebook outputs are not secrets
            hits.extend(self.confirm(line, lineno, filename, targets))
        return hits

    def _joined_pieces(self, text: str, filename: str, all_lines: bool) -> list[Hit]:
        """nbformat joins the items of a `source` or output `text` list into one string: a
        token split across two items is found in the joined string and reported at the line
        and column of its first piece. What lies within one item the line scan found."""
        hits: list[Hit] = []
        for group in notebook.glued_groups(text):
            joined = "".join(p.text for p in group)
            bounds = list(itertools.accumulate(len(p.text) for p in group))
            lines, offsets = split_lines(joined)
            for h in self._scan_lines(joined, filename, all_lines):
                start = offsets[h.line - 1] + h.column - 1
                first = bisect.bisect_right(bounds, start)
                last = bisect.bisect_right(bounds, start + len(h.value) - 1)
                if first == last or first >= len(group):
                    continue  # within one item: the line scan reports it
                piece = group[first]
                within = start - (bounds[first - 1] if first else 0)
                hits.append(dataclasses.replace(
                    h, line=piece.line, column=piece.column + piece.raw_offset(within)))
        return hits

    def _private_keys(self, text: str) -> list[Hit]:
        """PEM blocks span lines: each is matched on the whole text and hashed whole (header
        to footer), so two keys never share a fingerprint. A block whose body is too short
        to be a key (`...` in documentation) is not reported."""
        rule = next((r for r in self.rules if r.name == "private-key"), None)
        if rule is None:
            return []
        hits = []
        for m in rule.pattern.finditer(text):
            start = m.start("s")
            end_marker = _PEM_END.search(text, m.end(), m.end() + 16_000)
            end = end_marker.end() if end_marker else min(len(text), m.end() + 4000)
            value = text[start:end]
            if m.group("s").startswith("-----") and \
                    len(_BASE64_CHARS.findall(value[m.end() - start:])) < 64:
                continue
            lineno = text.count("\n", 0, start) + 1
            line_start = text.rfind("\n", 0, start) + 1
            if "\r" in text:  # a lone CR is a line break too
                lineno += text.count("\r", 0, start) - text.count("\r\n", 0, start)
                line_start = max(line_start, text.rfind("\r", 0, start) + 1)
            column = start - line_start + 1
            hits.append(Hit(rule.rule, rule.message, value, lineno, column, ""))
        return hits

    def _allowlisted(self, value: str) -> bool:
        return any(p.fullmatch(value) for p in self.allowlist)

    def ds_baselined(self, path: str, hit: Hit) -> bool:
        entries = self.ds_baseline.get(path)
        if not entries:
            return False
        digest = hashlib.sha1(hit.value.encode("utf-8")).hexdigest()
        for e in entries:
            if e.get("hashed_secret") == digest:
                return True
            # detect-secrets hashes only a constant header of GitHub tokens and private
            # keys (every one hashes alike): honour those entries on their own line only.
            if e.get("type") in ("GitHub Token", "Private Key") and \
                    e.get("line_number") == hit.line and \
                    hit.rule in ("secrets/github-token", "secrets/private-key",
                                 "secrets/gcp-service-account-key"):
                return True
        return False


def _name_before(chunk: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 40 and (chunk[start - 1].isalnum()
                                              or chunk[start - 1] in "_.-"):
        start -= 1
    return chunk[start:end]


def _windows(line: str) -> Iterator[tuple[int, str]]:
    if len(line) <= WINDOW:
        yield 0, line
        return
    for start in range(0, len(line), WINDOW - OVERLAP):
        yield start, line[start:start + WINDOW]


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per value and place: the most specific rule wins over overlapping ones."""
    order = {f"{CHECK}/{r.name}": i for i, r in enumerate(RULES)}
    order[f"{CHECK}/{GENERIC_RULE}"] = 1_000_001  # the generic rule yields to any other
    ranked = sorted(hits, key=lambda h: (h.line, order.get(h.rule, 1_000_000), h.column))
    kept: list[Hit] = []
    taken: dict[int, list[tuple[int, int]]] = {}
    for h in ranked:
        span = (h.column, h.column + len(h.value))
        spans = taken.setdefault(h.line, [])
        if any(a < span[1] and span[0] < b for a, b in spans):
            continue
        spans.append(span)
        kept.append(h)
    return sorted(kept, key=lambda h: (h.line, h.column))


def _load_ds_baseline(policy: Policy) -> dict[str, list[dict[str, Any]]]:
    name = policy.section("secrets")["detect-secrets-baseline"]
    if not name:
        return {}
    path = policy.resolve(name)
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        results = doc["results"]
        if not isinstance(results, dict):
            raise TypeError("results is not an object")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MlgateError(f"{path}: not a valid detect-secrets baseline ({e})") from None
    return {str(k).replace("\\", "/"): v for k, v in results.items() if isinstance(v, list)}
