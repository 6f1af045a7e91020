"""The Hugging Face Hub's license ids and what they are in SPDX.

The Hub's `license:` values are its own lowercase ids, not SPDX ids. Most name one SPDX
license (`apache-2.0` → `Apache-2.0`); the GPL family's ids do not say `-only` or
`-or-later` (`-only` is assumed and the mapping is marked lossy: a license cross-check then
compares the family); the RAIL, Llama, Gemma and other custom licenses have no SPDX id and get
a `LicenseRef-`; `bsd`, `cc`, `gfdl`, `gpl` and `lgpl` name a family, not a license, and are
flagged; `other` needs `license_name` and `license_link`; `unknown` says the license is
unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

SPDX, REF, AMBIGUOUS, OTHER, UNKNOWN = "spdx", "ref", "ambiguous", "other", "unknown"


@dataclass(frozen=True)
class HubLicense:
    id: str
    kind: str  # SPDX | REF | AMBIGUOUS | OTHER | UNKNOWN
    spdx: str = ""  # the SPDX id or LicenseRef- (SPDX, REF)
    lossy: bool = False  # the SPDX id is one reading of the Hub id (GPL -only/-or-later)
    hint: str = ""  # for AMBIGUOUS: the ids to choose from


_SPDX = {
    "apache-2.0": "Apache-2.0", "mit": "MIT", "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0", "bsl-1.0": "BSL-1.0", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "c-uda": "C-UDA-1.0", "cc0-1.0": "CC0-1.0", "cc-by-2.0": "CC-BY-2.0",
    "cc-by-2.5": "CC-BY-2.5", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-2.0": "CC-BY-NC-2.0", "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0", "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-nd-3.0": "CC-BY-NC-ND-3.0", "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "cc-by-nc-sa-2.0": "CC-BY-NC-SA-2.0", "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0", "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0", "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "wtfpl": "WTFPL", "ecl-2.0": "ECL-2.0", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0",
    "etalab-2.0": "etalab-2.0", "eupl-1.1": "EUPL-1.1", "eupl-1.2": "EUPL-1.2",
    "isc": "ISC", "lppl-1.3c": "LPPL-1.3c", "ms-pl": "MS-PL", "mpl-2.0": "MPL-2.0",
    "odc-by": "ODC-By-1.0", "odbl": "ODbL-1.0", "osl-3.0": "OSL-3.0",
    "postgresql": "PostgreSQL", "ofl-1.1": "OFL-1.1", "ncsa": "NCSA",
    "unlicense": "Unlicense", "zlib": "Zlib", "pddl": "PDDL-1.0",
}
_LOSSY = {
    "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only", "agpl-3.0": "AGPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only",
}
_REF = {
    "openrail": "LicenseRef-OpenRAIL", "openrail++": "LicenseRef-OpenRAIL-PlusPlus",
    "bigscience-openrail-m": "LicenseRef-BigScience-OpenRAIL-M",
    "creativeml-openrail-m": "LicenseRef-CreativeML-OpenRAIL-M",
    "bigscience-bloom-rail-1.0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigcode-openrail-m": "LicenseRef-BigCode-OpenRAIL-M",
    "llama2": "LicenseRef-Llama-2", "llama3": "LicenseRef-Llama-3",
    "llama3.1": "LicenseRef-Llama-3.1", "llama3.2": "LicenseRef-Llama-3.2",
    "llama3.3": "LicenseRef-Llama-3.3", "llama4": "LicenseRef-Llama-4",
    "gemma": "LicenseRef-Gemma", "deepfloyd-if-license": "LicenseRef-DeepFloyd-IF",
    "fair-noncommercial-research-license": "LicenseRef-FAIR-Noncommercial-Research",
    "apple-ascl": "LicenseRef-Apple-ASCL", "apple-amlr": "LicenseRef-Apple-AMLR",
    "h-research": "LicenseRef-H-Research", "intel-research": "LicenseRef-Intel-Research",
    "lgpl-lr": "LicenseRef-LGPL-LR", "openmdw-1.0": "LicenseRef-OpenMDW-1.0",
}
_AMBIGUOUS = {
    "bsd": "bsd-2-clause, bsd-3-clause or bsd-3-clause-clear",
    "cc": "a versioned Creative Commons id such as cc-by-4.0 or cc-by-sa-4.0",
    "gfdl": "an SPDX id such as GFDL-1.3-only or GFDL-1.3-or-later",
    "gpl": "gpl-2.0, gpl-3.0, or an SPDX id such as GPL-3.0-or-later",
    "lgpl": "lgpl-2.1, lgpl-3.0, or an SPDX id such as LGPL-3.0-or-later",
}

HUB: dict[str, HubLicense] = {
    **{k: HubLicense(k, SPDX, v) for k, v in _SPDX.items()},
    **{k: HubLicense(k, SPDX, v, lossy=True) for k, v in _LOSSY.items()},
    **{k: HubLicense(k, REF, v) for k, v in _REF.items()},
    **{k: HubLicense(k, AMBIGUOUS, hint=v) for k, v in _AMBIGUOUS.items()},
    "other": HubLicense("other", OTHER),
    "unknown": HubLicense("unknown", UNKNOWN),
}


def lookup(value: str) -> HubLicense | None:
    """The Hub license id `value` names (ids are lowercase; case is forgiven), or None."""
    return HUB.get(value.strip().lower())


def family(spdx_id: str) -> str:
    """An SPDX id without `-only`/`-or-later`/`+`, lowercase: what a lossy mapping keeps."""
    out = spdx_id.lower()
    for suffix in ("-only", "-or-later", "+"):
        out = out.removesuffix(suffix)
    return out
