"""SPDX license expressions, and the policy's one list of allowed and denied licenses.

Every check that judges a license (file headers, dependencies, provenance records, model
cards) parses it with `parse` and asks `verdict` against the shared table `[licenses]`: one
place in the policy, not one per hook.

spdx-tools (its license-expression `Licensing`) normalises case and silently maps deprecated
ids (`GPL-3.0` to `GPL-3.0-only`), so deprecated ids are found on the raw text first.
`LicenseRef-…` ids are the project's own licenses: they are kept as written (the upstream
index maps some of them onto other licenses) and are valid when well-formed; whether their text
exists is `missing_texts`. Importing this module stays cheap: spdx-tools loads on the first
`parse`.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import MlgateError
from mlgate.schema import Key

if TYPE_CHECKING:
    from mlgate.policy import Policy


def _spdx_ids(value: list[str]) -> str | None:
    bad = [v for v in value if not re.fullmatch(r"[A-Za-z0-9.+*?\[\]:-]+", v)]
    if bad:
        return f"SPDX license ids or globs such as 'CC-BY-NC-*', not {bad}"
    return None


SCHEMA: dict[str, Key] = {
    "allow": Key("list[str]", [], "SPDX license ids or globs (`BSD-*`) a release may use; "
                 "empty: every license not denied.", check=_spdx_ids),
    "deny": Key("list[str]", [], "SPDX license ids or globs (`CC-BY-NC-*`, `GPL-*`) a release "
                "must not use.", check=_spdx_ids),
}


def validate(values: dict[str, Any], source: str) -> None:
    both = [a for a in values["allow"] if a in values["deny"]]
    if both:
        raise MlgateError(f"{source}: [licenses] lists {both} both in 'allow' and in 'deny'")


MAX_EXPRESSION = 2000  # characters: real expressions are a few dozen

# SPDX license list ids marked deprecated, with what the list says to use instead
DEPRECATED: dict[str, str] = {
    "AGPL-1.0": "AGPL-1.0-only or AGPL-1.0-or-later",
    "AGPL-3.0": "AGPL-3.0-only or AGPL-3.0-or-later",
    "BSD-2-Clause-FreeBSD": "BSD-2-Clause-Views",
    "BSD-2-Clause-NetBSD": "BSD-2-Clause",
    "bzip2-1.0.5": "bzip2-1.0.6",
    "eCos-2.0": "GPL-2.0-or-later WITH eCos-exception-2.0",
    "GFDL-1.1": "GFDL-1.1-only or GFDL-1.1-or-later",
    "GFDL-1.2": "GFDL-1.2-only or GFDL-1.2-or-later",
    "GFDL-1.3": "GFDL-1.3-only or GFDL-1.3-or-later",
    "GPL-1.0": "GPL-1.0-only or GPL-1.0-or-later",
    "GPL-1.0+": "GPL-1.0-or-later",
    "GPL-2.0": "GPL-2.0-only or GPL-2.0-or-later",
    "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
    "GPL-2.0-with-bison-exception": "GPL-2.0-or-later WITH Bison-exception-2.2",
    "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
    "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "GPL-3.0": "GPL-3.0-only or GPL-3.0-or-later",
    "GPL-3.0+": "GPL-3.0-or-later",
    "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
    "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
    "LGPL-2.0": "LGPL-2.0-only or LGPL-2.0-or-later",
    "LGPL-2.0+": "LGPL-2.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only or LGPL-2.1-or-later",
    "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only or LGPL-3.0-or-later",
    "LGPL-3.0+": "LGPL-3.0-or-later",
    "Net-SNMP": "the license's current id on the SPDX list",
    "Nokia-Qt-exception-1.1": "Qt-LGPL-exception-1.1",
    "Nunit": "zlib-acknowledgement",
    "StandardML-NJ": "SMLNJ",
    "wxWindows": "LGPL-2.0-or-later WITH WxWindows-exception-3.1",
}
_DEPRECATED_LOWER = {k.lower(): k for k in DEPRECATED}

_OPERATORS = {"AND", "OR", "WITH"}
_TOKEN = re.compile(r"[()]|[^\s()]+")
_OWN_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")


@dataclass(frozen=True)
class Problem:
    kind: str  # malformed | unknown | deprecated | unknown-exception | missing-text
    detail: str


@dataclass(frozen=True)
class Expression:
    raw: str
    normalized: str | None
    licenses: tuple[str, ...]
    exceptions: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    _tree: Any = field(default=None, compare=False, repr=False)

    @property
    def valid(self) -> bool:
        """It parses and every id is known (a deprecated id is still a valid id)."""
        return self.normalized is not None and all(p.kind == "deprecated"
                                                   for p in self.problems)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


@functools.lru_cache(maxsize=1)
def _licensing() -> Any:
    from spdx_tools.common.spdx_licensing import spdx_licensing

    return spdx_licensing


def _malformed(raw: str, detail: str) -> Expression:
    return Expression(raw, None, (), (), (Problem("malformed", detail),))


@functools.lru_cache(maxsize=4096)
def parse(raw: str) -> Expression:
    """The expression `raw` as written in a header, a record or a card. Never raises."""
    text = raw.strip()
    if not text:
        return _malformed(raw, "empty license expression")
    if len(text) > MAX_EXPRESSION:
        return _malformed(raw, f"license expression longer than {MAX_EXPRESSION} characters")
    tokens = _TOKEN.findall(text)
    problems: list[Problem] = []
    # the project's own ids stand in as placeholders the upstream index cannot alias
    own: dict[str, str] = {}
    aliases: list[str] = []
    rewritten: list[str] = []
    for token in tokens:
        if token in "()" or token.upper() in _OPERATORS:
            rewritten.append(token)
            continue
        if token.startswith(("LicenseRef-", "DocumentRef-")):
            if not _OWN_REF.match(token):
                return _malformed(raw, f"'{token}' is not a well-formed LicenseRef id "
                                       "(letters, digits, '.' and '-' only)")
            placeholder = f"mlgate-own-ref-{len(own)}"
            own[placeholder] = token
            rewritten.append(placeholder)
            continue
        deprecated = _DEPRECATED_LOWER.get(token.lower())
        if deprecated:
            problems.append(Problem("deprecated", f"'{token}' is a deprecated SPDX id; use "
                                                  f"{DEPRECATED[deprecated]}"))
        elif token.lower() not in _lower_keys():
            aliases.append(token)  # unknown, or a name the upstream index aliases ('GPL')
        rewritten.append(token)
    licensing = _licensing()
    from license_expression import ExpressionError

    try:
        tree = licensing.parse(" ".join(rewritten), validate=False)
    except ExpressionError as e:
        return _malformed(raw, f"malformed license expression: {_restore(str(e), own)}")
    except RecursionError:
        return _malformed(raw, "malformed license expression: nested too deeply")
    except (IndexError, TypeError, AttributeError, ValueError, KeyError):
        # boolean.py fails this way on some malformed input ('()')
        return _malformed(raw, "malformed license expression")
    if tree is None:
        return _malformed(raw, "empty license expression")
    licenses: list[str] = []
    exceptions: list[str] = []
    _collect(tree, licenses, exceptions)
    known_exception = _exception_keys()
    unknown = licensing.unknown_license_keys(tree)
    for token in aliases:
        if token not in unknown:
            read_as = licensing.parse(token, validate=False)
            problems.append(Problem("unknown", f"'{token}' is not an SPDX license id (other "
                                               f"tools read it as {read_as}; write that)"))
    for key in unknown:
        if key in own:
            continue
        if key in exceptions:
            problems.append(Problem("unknown-exception",
                                    f"'{key}' is not an SPDX license exception"))
        else:
            problems.append(Problem("unknown", f"'{key}' is not an SPDX license id"))
    for key in exceptions:
        if key not in own and key in _license_keys() and key not in known_exception:
            problems.append(Problem("unknown-exception",
                                    f"'{key}' is a license, not an exception (after WITH)"))
    for key in licenses:
        if key in known_exception:
            problems.append(Problem("malformed", f"'{key}' is an exception; it must follow "
                                                 "WITH (as in 'GPL-2.0-only WITH " + key + "')"))
    return Expression(raw, _restore(str(tree), own),
                      tuple(dict.fromkeys(own.get(k, k) for k in licenses)),
                      tuple(dict.fromkeys(own.get(k, k) for k in exceptions)),
                      tuple(dict.fromkeys(problems)), _Tree(tree, own))


@dataclass(frozen=True)
class _Tree:
    node: Any
    own: dict[str, str]


def _restore(text: str, own: dict[str, str]) -> str:
    for placeholder, ref in own.items():
        text = text.replace(placeholder, ref)
    return text


def _kind(n: Any) -> str:
    """'with' (license WITH exception), 'or', 'and' or 'license'."""
    if hasattr(n, "license_symbol"):
        return "with"
    if hasattr(n, "key"):
        return "license"
    return "or" if n.operator.strip() == "OR" else "and"


def _collect(node: Any, licenses: list[str], exceptions: list[str]) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        kind = _kind(n)
        if kind == "with":
            licenses.append(n.license_symbol.key)
            exceptions.append(n.exception_symbol.key)
        elif kind == "license":
            licenses.append(n.key)
        else:
            stack.extend(reversed(n.args))


@functools.lru_cache(maxsize=1)
def _license_keys() -> frozenset[str]:
    return frozenset(_licensing().known_symbols)


@functools.lru_cache(maxsize=1)
def _lower_keys() -> frozenset[str]:
    return frozenset(k.lower() for k in _licensing().known_symbols)


@functools.lru_cache(maxsize=1)
def _exception_keys() -> frozenset[str]:
    return frozenset(k for k, s in _licensing().known_symbols.items()
                     if getattr(s, "is_exception", False))


MAX_CHOICES = 1000


def choices(expr: Expression) -> list[frozenset[str]]:
    """The OR-alternatives of an expression, each the set of license ids it needs (at most
    MAX_CHOICES; a malformed expression has none)."""
    if expr._tree is None:
        return []
    own = expr._tree.own

    def walk(n: Any) -> list[frozenset[str]]:
        kind = _kind(n)
        if kind == "with":
            return [frozenset({own.get(n.license_symbol.key, n.license_symbol.key)})]
        if kind == "license":
            return [frozenset({own.get(n.key, n.key)})]
        parts = [walk(a) for a in n.args]
        if kind == "or":
            return [c for p in parts for c in p][:MAX_CHOICES]
        out: list[frozenset[str]] = [frozenset()]
        for p in parts:
            out = [a | b for a in out for b in p][:MAX_CHOICES]
        return out

    return walk(expr._tree.node)


def _matches(license_id: str, patterns: Iterable[str]) -> bool:
    lowered = license_id.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


def verdict(expr: Expression, policy: Policy) -> Verdict:
    """Whether the policy's `[licenses]` lists accept the expression: some OR-alternative must
    use no denied id and, when `allow` is set, only allowed ids."""
    if expr._tree is None:
        return Verdict(False, expr.problems[0].detail if expr.problems else "malformed")
    lists = policy.section("licenses")
    allow, deny = lists["allow"], lists["deny"]
    if not allow and not deny:
        return Verdict(True)
    own = expr._tree.own
    offending: dict[str, str] = {}

    def ok(license_id: str) -> bool:
        if _matches(license_id, deny):
            offending.setdefault(license_id, "denied")
            return False
        if allow and not _matches(license_id, allow):
            offending.setdefault(license_id, "not allowed")
            return False
        return True

    def accept(n: Any) -> bool:
        kind = _kind(n)
        if kind == "with":
            return ok(own.get(n.license_symbol.key, n.license_symbol.key))
        if kind == "license":
            return ok(own.get(n.key, n.key))
        results = [accept(a) for a in n.args]  # every branch, so the reason names all
        return any(results) if kind == "or" else all(results)

    if accept(expr._tree.node):
        return Verdict(True)
    reason = "; ".join(f"{lid} is {why} by the policy's [licenses]"
                       for lid, why in offending.items())
    return Verdict(False, reason)


def license_texts(licenses_dir: Path) -> frozenset[str]:
    """The file names in a REUSE `LICENSES/` directory (`<id>.<ext>`, or `<id>`)."""
    try:
        return frozenset(os.listdir(licenses_dir))
    except OSError:
        return frozenset()


def _has_text(license_id: str, names: frozenset[str]) -> bool:
    return license_id in names or any(
        n.startswith(license_id + ".") and "." not in n[len(license_id) + 1:] for n in names)


def missing_texts(expr: Expression, licenses_dir: Path | frozenset[str]) -> list[str]:
    """The ids and exceptions of the expression that have no text in `LICENSES/` (give the
    directory, or `license_texts(directory)` computed once for many files)."""
    names = license_texts(licenses_dir) if isinstance(licenses_dir, Path) else licenses_dir
    return [i for i in (*expr.licenses, *expr.exceptions) if not _has_text(i, names)]
