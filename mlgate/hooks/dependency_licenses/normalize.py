"""A distribution's license as an SPDX expression, from what its metadata says.

In this order (the first that gives an expression wins): the PEP 639 `License-Expression`;
the `License` field when it is an SPDX expression or a common free-text name (the hand map
below); the trove classifiers when every license classifier maps to one id; the text of the
`License` field and of the license files, recognised by phrases of the common license texts.
Ambiguous names (`BSD`, `GPL`, `License :: OSI Approved :: BSD License`) give no id: the
license is then unknown, and what the metadata said is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlgate.hooks.dependency_licenses.installed import Distribution

EXCERPT = 60  # characters of what the metadata said, in an unknown-license finding

_GPL = {"3": "GPL-3.0", "2": "GPL-2.0"}

# free text of the License field, lower-case with whitespace collapsed and `,` removed
NAMES: dict[str, str] = {
    **dict.fromkeys(["mit", "mit license", "the mit license", "mit licence", "expat",
                     "expat license", "mit/expat", "the mit license (mit)", "mit-style"],
                    "MIT"),
    **dict.fromkeys(["apache", "apache 2", "apache 2.0", "apache-2", "apache2", "apache v2",
                     "apache license", "apache license 2.0", "apache license v2",
                     "apache license v2.0", "apache license version 2.0",
                     "apache license version 2", "apache software license",
                     "apache software license 2.0", "apache software license version 2.0",
                     "apache license (2.0)", "apache 2.0 license", "asl 2.0", "asl2",
                     "apache-2.0 license", "apache software license (apache-2.0)",
                     "apache software license (apache 2.0)"], "Apache-2.0"),
    **dict.fromkeys(["new bsd", "new bsd license", "modified bsd", "modified bsd license",
                     "revised bsd", "revised bsd license", "bsd 3-clause", "bsd-3",
                     "3-clause bsd", "3-clause bsd license", "bsd 3-clause license",
                     "bsd 3 clause", "bsd-3-clause license", "bsd (3 clause)",
                     "bsd (3-clause)", "bsd-3 clause"], "BSD-3-Clause"),
    **dict.fromkeys(["simplified bsd", "simplified bsd license", "bsd 2-clause", "bsd-2",
                     "2-clause bsd", "2-clause bsd license", "bsd 2-clause license",
                     "freebsd", "bsd 2 clause", "bsd (2 clause)"], "BSD-2-Clause"),
    **dict.fromkeys(["gplv3", "gpl v3", "gpl-3", "gpl 3", "gpl3", "gnu gplv3", "gnu gpl v3",
                     "gpl version 3", "gnu gpl version 3", "gnu general public license v3",
                     "gnu general public license v3 (gplv3)",
                     "gnu general public license version 3"], "GPL-3.0-only"),
    **dict.fromkeys(["gplv3+", "gpl v3+", "gplv3 or later", "gpl-3+", "gpl-3.0+",
                     "gnu gplv3+", "gpl version 3 or later",
                     "gnu general public license v3 or later (gplv3+)"],
                    "GPL-3.0-or-later"),
    **dict.fromkeys(["gplv2", "gpl v2", "gpl-2", "gpl 2", "gpl2", "gnu gplv2",
                     "gpl version 2", "gnu general public license v2 (gplv2)"],
                    "GPL-2.0-only"),
    **dict.fromkeys(["gplv2+", "gpl v2+", "gplv2 or later", "gpl-2+", "gpl-2.0+",
                     "gpl version 2 or later",
                     "gnu general public license v2 or later (gplv2+)"], "GPL-2.0-or-later"),
    **dict.fromkeys(["lgplv3", "lgpl v3", "lgpl-3", "lgpl3", "gnu lgplv3",
                     "gnu lesser general public license v3 (lgplv3)"], "LGPL-3.0-only"),
    **dict.fromkeys(["lgplv3+", "lgpl v3+", "lgpl-3+", "lgpl-3.0+", "lgplv3 or later",
                     "gnu lesser general public license v3 or later (lgplv3+)"],
                    "LGPL-3.0-or-later"),
    **dict.fromkeys(["lgplv2.1", "lgpl v2.1", "lgpl-2.1", "lgpl 2.1", "lgpl2.1"],
                    "LGPL-2.1-only"),
    **dict.fromkeys(["lgplv2.1+", "lgpl-2.1+", "lgpl v2.1+", "lgplv2.1 or later"],
                    "LGPL-2.1-or-later"),
    **dict.fromkeys(["agplv3", "agpl v3", "agpl-3", "agpl3", "gnu agplv3",
                     "gnu affero general public license v3"], "AGPL-3.0-only"),
    **dict.fromkeys(["agplv3+", "agpl-3+", "agpl-3.0+", "agplv3 or later",
                     "gnu affero general public license v3 or later (agplv3+)"],
                    "AGPL-3.0-or-later"),
    **dict.fromkeys(["mpl 2.0", "mpl-2", "mpl2", "mpl v2", "mpl 2", "mozilla public license 2.0",
                     "mozilla public license 2.0 (mpl 2.0)", "mpl-2.0 license"], "MPL-2.0"),
    **dict.fromkeys(["psf", "psfl", "psf license", "psf-2", "python software foundation",
                     "python software foundation license", "psf license agreement",
                     "python software foundation license (psf)"], "PSF-2.0"),
    **dict.fromkeys(["isc", "isc license", "isc license (iscl)", "iscl"], "ISC"),
    **dict.fromkeys(["unlicense", "the unlicense", "the unlicense (unlicense)"], "Unlicense"),
    **dict.fromkeys(["zlib", "zlib/libpng", "zlib/libpng license", "zlib license"], "Zlib"),
    **dict.fromkeys(["boost", "boost software license", "boost software license 1.0",
                     "boost software license 1.0 (bsl-1.0)", "bsl"], "BSL-1.0"),
    **dict.fromkeys(["cc0", "cc0 1.0", "cc0 1.0 universal",
                     "cc0 1.0 universal (cc0 1.0) public domain dedication"], "CC0-1.0"),
    **dict.fromkeys(["epl 2.0", "eclipse public license 2.0",
                     "eclipse public license 2.0 (epl-2.0)"], "EPL-2.0"),
    **dict.fromkeys(["hpnd", "historical permission notice and disclaimer (hpnd)"], "HPND"),
    **dict.fromkeys(["universal permissive license (upl)", "upl"], "UPL-1.0"),
    **dict.fromkeys(["mit no attribution license (mit-0)", "mit-0 license"], "MIT-0"),
}

# the last part of a `License :: ...` trove classifier; None: says no version (ambiguous)
CLASSIFIERS: dict[str, str | None] = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "BSD License": None,
    "ISC License (ISCL)": "ISC",
    "GNU General Public License (GPL)": None,
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": None,
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "zlib/libpng License": "Zlib",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "Academic Free License (AFL)": None,
    "Artistic License": None,
    "Public Domain": None,
    "Other/Proprietary License": None,
    "Freeware": None,
    "Freely Distributable": None,
}

# phrases of license texts (lower-case, whitespace collapsed), most specific first
TEXTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("AGPL-3.0-only", ("gnu affero general public license", "version 3"), ()),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3"), ()),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2.1"), ()),
    ("GPL-3.0-only", ("gnu general public license", "version 3, 29 june 2007"),
     ("gnu lesser general public license",)),
    ("GPL-2.0-only", ("gnu general public license", "version 2, june 1991"),
     ("gnu lesser general public license", "gnu library general public license")),
    ("Apache-2.0", ("apache license", "version 2.0, january 2004"), ()),
    ("MPL-2.0", ("mozilla public license", "version 2.0"), ()),
    ("PSF-2.0", ("python software foundation license version 2",), ()),
    ("BSL-1.0", ("boost software license - version 1.0",), ()),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",),
     ()),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any "
             "purpose with or without fee is hereby granted",), ()),
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",),
     ()),
    ("BSD-4-Clause", ("redistribution and use in source and binary forms",
                      "all advertising materials mentioning"), ()),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms",
                      "endorse or promote products derived from this software"),
     ("all advertising materials mentioning",)),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",),
     ("endorse or promote products derived from this software",
      "all advertising materials mentioning")),
)

_NOTHING = {"", "unknown", "none", "n/a", "na", "license", "see license", "see license file",
            "see license.txt", "license.txt", "other"}


@dataclass(frozen=True)
class Resolved:
    expression: str | None  # an SPDX expression, None when unknown
    source: str  # which metadata said it
    said: str = ""  # when unknown: a short excerpt of what the metadata said


def _key(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split()).rstrip(".")


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= EXCERPT else one[:EXCERPT - 1] + "…"


def spdx(text: str) -> str | None:
    """The normalised expression when `text` is an SPDX expression as written: every id
    stands in the text (deprecated ids map to their successor). spdx-tools also accepts
    aliases (`GPL` as GPL-1.0-or-later), which are names, not ids: those give None."""
    from mlgate import licensing

    expr = licensing.parse(text)
    if not expr.valid or not expr.normalized:
        return None
    lowered = text.lower()
    deprecated = any(p.kind == "deprecated" for p in expr.problems)
    if not deprecated and not all(i.lower() in lowered for i in expr.licenses):
        return None
    return expr.normalized


def from_name(text: str) -> str | None:
    """An SPDX expression for a short free-text license name, or None."""
    key = _key(text)
    if key in NAMES:
        return NAMES[key]
    expression = spdx(text.strip())
    if expression:
        return expression
    # `MIT or Apache 2.0`, `MIT/Apache-2.0`, `BSD-3-Clause AND MIT` with mapped parts
    for separator, operator in ((r"\s+or\s+|\s*/\s*|\s*\|\s*", " OR "), (r"\s+and\s+", " AND ")):
        parts = re.split(separator, key)
        if len(parts) > 1:
            mapped = [from_name(p) if p != key else None for p in parts[:8]]
            if all(mapped) and len(parts) <= 8:
                return operator.join(f"({m})" if " " in str(m) else str(m) for m in mapped)
    return None


def from_text(text: str) -> list[str]:
    """The license ids whose text phrases occur in a license text."""
    flat = " ".join(text.lower().split())
    found: list[str] = []
    for license_id, needed, absent in TEXTS:
        if license_id in found:
            continue
        if all(p in flat for p in needed) and not any(p in flat for p in absent):
            found.append(license_id)
    return found


def _classifiers(dist: Distribution) -> tuple[list[str], list[str]]:
    """(mapped ids, unmapped names) of the license classifiers."""
    ids: list[str] = []
    unmapped: list[str] = []
    for classifier in dist.all("Classifier"):
        parts = [p.strip() for p in classifier.split("::")]
        if parts[0] != "License" or parts[-1] == "OSI Approved" or len(parts) < 2:
            continue
        mapped = CLASSIFIERS.get(parts[-1])
        if mapped is None:
            unmapped.append(parts[-1])
        elif mapped not in ids:
            ids.append(mapped)
    return ids, unmapped


def _and(ids: list[str]) -> str:
    return " AND ".join(ids)


def resolve(dist: Distribution) -> Resolved:
    said: list[str] = []
    expression = dist.header("License-Expression").strip()
    if expression:
        normalized = spdx(expression)
        if normalized:
            return Resolved(normalized, "License-Expression")
        said.append(f"License-Expression: {expression}")
    field = dist.header("License").strip()
    long_field = "\n" in field or len(field) > 200
    if field and not long_field and _key(field) not in _NOTHING:
        mapped = from_name(field)
        if mapped:
            return Resolved(mapped, "License")
        said.append(f"License: {field}")
    ids, unmapped = _classifiers(dist)
    if ids and not unmapped:
        return Resolved(_and(ids), "classifiers")
    if unmapped:
        said.append(f"classifier: {unmapped[0]}")
    found: list[str] = []
    sources: list[str] = []
    if long_field:
        found += from_text(field)
        sources.append("License text")
    for name, text in dist.license_texts:
        for license_id in from_text(text):
            if license_id not in found:
                found.append(license_id)
        sources.append(name)
    if found:
        return Resolved(_and(found), "license files" if dist.license_texts else "License text")
    if long_field:
        said.append(f"License: {field}")
    elif sources:
        said.append(f"license file {sources[0]} not recognised")
    if not said:
        said.append("no license in the metadata")
    return Resolved(None, "metadata", _short("; ".join(said)))
