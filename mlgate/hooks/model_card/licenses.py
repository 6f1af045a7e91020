"""The card's `license`: a Hub id or an SPDX expression, judged by the policy's `[licenses]`
lists (mlgate.licensing), and compared with the repository's LICENSE file and LICENSES/.

The repository's license is read from a LICENSE/COPYING file (its `SPDX-License-Identifier:`
line, else the title or opening words of a well-known license text) and from the file names
of a REUSE `LICENSES/` directory, in the card's directory or the nearest one above it up to
the policy's root. A license file that is none of the known texts is not compared (nothing to
say); a mismatch is a warning, never an error: a card may license weights differently from
code, and then says so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from mlgate import fileio, licensing
from mlgate.hooks.model_card import hf_licenses
from mlgate.hooks.model_card.metadata import Issue, Meta, filled
from mlgate.policy import Policy

LICENSE_CAP = 256 * 1024  # bytes of a LICENSE file read: the title and first paragraphs
MAX_LICENSE_FILES = 20
_NAMES = re.compile(r"(?i)^(?:licen[cs]e|copying|unlicense)(?:[-_.][\w.-]*)?$")
_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([^\n*/#]+)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_EXTENSION = re.compile(r"\.(?:txt|md|rst|html?)$", re.I)  # REUSE's LICENSES/<id>.<ext>
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")

# (pattern on the lowercased, whitespace-collapsed start of a license text, SPDX id); first
# match wins, so the more specific texts come first
_TEXTS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), i) for p, i in (
    (r"gnu affero general public license\s+version 3", "AGPL-3.0"),
    (r"gnu lesser general public license\s+version 2\.1", "LGPL-2.1"),
    (r"gnu lesser general public license\s+version 3", "LGPL-3.0"),
    (r"gnu general public license\s+version 3", "GPL-3.0"),
    (r"gnu general public license\s+version 2", "GPL-2.0"),
    (r"apache license,?\s+version 2\.0", "Apache-2.0"),
    (r"mozilla public license,?\s+(?:version|v\.?)\s*2\.0", "MPL-2.0"),
    (r"eclipse public license\s*-?\s*v(?:ersion)?\s*2\.0", "EPL-2.0"),
    (r"boost software license", "BSL-1.0"),
    (r"this is free and unencumbered software released into the public domain",
     "Unlicense"),
    (r"cc0 1\.0 universal", "CC0-1.0"),
    (r"creativeml open rail\+\+-m", "LicenseRef-OpenRAIL-PlusPlus"),
    (r"creativeml open rail-m", "LicenseRef-CreativeML-OpenRAIL-M"),
    (r"bigcode open rail-m", "LicenseRef-BigCode-OpenRAIL-M"),
    (r"bigscience (?:rail|open rail-m|openrail-m)", "LicenseRef-BigScience-OpenRAIL-M"),
    (r"llama 2 community license", "LicenseRef-Llama-2"),
    (r"llama 3\.1 community license", "LicenseRef-Llama-3.1"),
    (r"llama 3\.2 community license", "LicenseRef-Llama-3.2"),
    (r"llama 3\.3 community license", "LicenseRef-Llama-3.3"),
    (r"llama 4 community license", "LicenseRef-Llama-4"),
    (r"(?:meta )?llama 3 community license", "LicenseRef-Llama-3"),
    (r"gemma terms of use", "LicenseRef-Gemma"),
    (r"\bisc license\b", "ISC"),
    (r"\bmit license\b|permission is hereby granted, free of charge", "MIT"),
    (r"redistribution and use in source and binary forms.{0,600}neither the name", "BSD-3-Clause"),
    (r"redistribution and use in source and binary forms", "BSD-2-Clause"),
))
_CC = re.compile(r"attribution((?:-noncommercial)?(?:-noderivatives|-noderivs|-sharealike)?)"
                 r"\s+(\d\.\d)(?:\s+international|\s+unported|\s+generic)?")


def check(meta: Meta, fm_line: int | None, policy: Policy, path: Path,
          placeholders: list[re.Pattern[str]], cache: dict[str, Any]) -> Iterator[Issue]:
    value = meta.data.get("license")
    if not filled(value, placeholders):
        return  # missing or a placeholder: missing-metadata, when the policy requires it
    line = meta.line_of("license", fm_line)
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        yield Issue("invalid-metadata", "`license` must be a string (a Hub license id or an "
                    "SPDX expression)", line, "license")
        return
    parts: list[str] = []
    ids: set[str] = set()
    shown: list[str] = []
    other = False
    for raw in items[:20]:
        text = str(raw).strip()
        hub = hf_licenses.lookup(text)
        if hub is None:
            expr = licensing.parse(text)
            if not expr.valid:
                detail = next((p.detail for p in expr.problems if p.kind != "deprecated"),
                              "not a valid SPDX expression")
                yield Issue("invalid-license", f"license {_short(text)!r} is neither a "
                            f"Hugging Face license id nor a valid SPDX expression ({detail}): "
                            "use an id such as apache-2.0, or `other` with license_name and "
                            "license_link", line, "license")
                continue
            parts.append(expr.normalized or text)
            ids.update(expr.licenses)
            shown.append(_short(text))
        elif hub.kind in (hf_licenses.SPDX, hf_licenses.REF):
            parts.append(hub.spdx)
            ids.add(hub.spdx)
            shown.append(f"{hub.id} = {hub.spdx}")
        elif hub.kind == hf_licenses.AMBIGUOUS:
            yield Issue("ambiguous-license", f"license {hub.id!r} names a family of licenses, "
                        f"not one: use {hub.hint}", line, "license")
        elif hub.kind == hf_licenses.UNKNOWN:
            yield Issue("invalid-license", "license 'unknown' says the license is not known: "
                        "name the license the model is released under", line, "license")
        else:
            other = True
            ref = yield from _other(meta, line, path, placeholders)
            if ref:
                parts.append(ref)
                shown.append(f"other = {ref}")
    if not parts:
        return
    lists = policy.section("licenses")
    if lists["allow"] or lists["deny"]:  # (a Hub id alone needs no SPDX parser otherwise)
        expr = licensing.parse(" AND ".join(f"({p})" for p in parts) if len(parts) > 1
                               else parts[0])
        verdict = licensing.verdict(expr, policy)
        if not verdict.allowed:
            yield Issue("license-not-allowed", f"license {', '.join(shown)}: "
                        f"{verdict.reason}", line, "license")
    if other or not policy.section("model-card")["license-check"]:
        return
    found = repository_licenses(path, policy.root, cache)
    if found is None:
        return
    where, repo_ids = found
    ours = {hf_licenses.family(i) for i in ids}
    if not ours & {hf_licenses.family(i) for i in repo_ids}:
        yield Issue("license-mismatch", f"the card's license ({', '.join(shown)}) differs "
                    f"from {where} ({' / '.join(sorted(repo_ids))}): make them agree, or "
                    "say in the card which files each license covers", line, "license")


def _other(meta: Meta, line: int | None, path: Path,
           placeholders: list[re.Pattern[str]]) -> Generator[Issue, None, str]:
    """`license: other` needs `license_name` and `license_link`; the LicenseRef it stands
    for (returned), or ""."""
    name = meta.data.get("license_name")
    link = meta.data.get("license_link")
    fm_line = line
    if not (isinstance(name, str) and filled(name, placeholders)):
        yield Issue("missing-metadata", "`license: other` needs `license_name`: a short id "
                    "of the license (`license_name: acme-model-license`)",
                    meta.line_of("license_name", fm_line), "license_name")
        name = ""
    if not (isinstance(link, str) and filled(link, placeholders)):
        yield Issue("missing-metadata", "`license: other` needs `license_link`: a URL or the "
                    "path of the license text (`license_link: LICENSE`)",
                    meta.line_of("license_link", fm_line), "license_link")
    elif not _URL.match(link.strip()):
        target = path.parent / link.strip()
        if not os.path.lexists(target):
            yield Issue("invalid-metadata", f"`license_link` {_short(link)!r} is neither a "
                        "URL nor a file next to the card", meta.line_of("license_link",
                                                                        fm_line),
                        "license_link")
    ref = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-.")
    return f"LicenseRef-{ref}" if ref else ""


def _short(text: str) -> str:
    text = fileio.printable(text)
    return text if len(text) <= 60 else text[:57] + "..."


def identify(text: str) -> tuple[str, ...]:
    """The SPDX ids (or LicenseRefs) a license file's text is, or () when it is no text
    mlgate knows."""
    m = _SPDX_LINE.search(text[:4000])
    if m:
        expr = licensing.parse(m.group(1).strip())
        if expr.valid:
            return expr.licenses
    start = " ".join(text[:6000].lower().split())
    for pattern, spdx in _TEXTS:
        if pattern.search(start):
            return (spdx,)
    m = _CC.search(start)
    if m and "creative commons" in start:
        variant = m.group(1).replace("noncommercial", "NC").replace("noderivatives", "ND") \
            .replace("noderivs", "ND").replace("sharealike", "SA").upper()
        return (f"CC-BY{variant}-{m.group(2)}",)
    return ()


def repository_licenses(card: Path, root: Path, cache: dict[str, Any]) \
        -> tuple[str, set[str]] | None:
    """(where, SPDX ids) of the license files nearest the card, or None (none known)."""
    try:
        directory = card.resolve().parent
        root = root.resolve()
    except OSError:
        return None
    dirs = [directory]
    if directory == root or root in directory.parents:
        while dirs[-1] != root:
            dirs.append(dirs[-1].parent)
    for d in dirs:
        key = str(d)
        if key not in cache:
            cache[key] = _licenses_in(d, root)
        found = cache[key]
        if found is not None:  # the nearest license files decide, known or not
            return found if found[1] else None
    return None


def _licenses_in(directory: Path, root: Path) -> tuple[str, set[str]] | None:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return None
    ids: set[str] = set()
    files: list[str] = []
    seen_any = False
    for name in names:
        if not _NAMES.match(name):
            continue
        seen_any = True
        if len(files) >= MAX_LICENSE_FILES:
            break
        try:
            head = fileio.read_head(directory / name, LICENSE_CAP)
        except fileio.UnsafeFile:
            continue  # a directory called LICENSE, a FIFO: nothing to compare
        found = identify(head.data.decode("utf-8", "replace"))
        if found:
            ids.update(found)
            files.append(name)
    reuse = directory / "LICENSES"
    if reuse.is_dir():
        for n in sorted(licensing.license_texts(reuse))[:200]:
            stem = n.rsplit(".", 1)[0] if _EXTENSION.search(n) else n
            if _ID.fullmatch(stem):
                ids.add(stem)
                seen_any = True
        if ids and "LICENSES/" not in files:
            files.append("LICENSES/")
    if not ids:
        return ("", set()) if seen_any else None
    rel = directory.relative_to(root).as_posix() if root in directory.parents else ""
    where = ", ".join(f"{rel + '/' if rel else ''}{f}" for f in files)
    return where, ids
