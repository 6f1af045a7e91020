"""Upstream private APIs the pii hook relies on: they must be there, in the shape mlgate reads
them. A failure here names the name and the installed version: an upstream release changed an
internal that mlgate/upstream/re_parser.py or mlgate/hooks/pii/phonenumbers_private.py wraps
(update the wrapper, then the pin in pyproject.toml), or the pin and the environment differ.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _pinned(dist: str) -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(rf'"{re.escape(dist)}==([^";]+)"', text)
    assert m, f"pyproject.toml does not pin {dist} (`{dist}==X` in dependencies)"
    return m.group(1)


def test_phonenumbers_is_pinned_to_the_installed_version() -> None:
    installed, pinned = version("phonenumbers"), _pinned("phonenumbers")
    assert installed == pinned, (
        f"phonenumbers {installed} is installed, pyproject.toml pins {pinned}: "
        "mlgate reads its private names (mlgate/hooks/pii/phonenumbers_private.py)")


# (module, name) -> what it must be: "pattern" (a compiled `re` pattern), "str", "int",
# "patterns" (a sequence of compiled patterns), or the parameter names of a function
PHONENUMBERS_SHAPES: dict[tuple[str, str], Any] = {
    ("phonenumbers.phonenumbermatcher", "_PATTERN"): "pattern",
    ("phonenumbers.phonenumbermatcher", "_PUNCTUATION"): "str",
    ("phonenumbers.phonenumbermatcher", "_REGEX_FLAGS"): "int",
    ("phonenumbers.phonenumbermatcher", "_INNER_MATCHES"): "patterns",
    ("phonenumbers.phonenumberutil", "_SECOND_NUMBER_START_PATTERN"): "pattern",
    ("phonenumbers.phonenumberutil", "_UNWANTED_END_CHAR_PATTERN"): "pattern",
    ("phonenumbers.phonenumberutil", "_PLUS_CHARS_PATTERN"): "pattern",
    ("phonenumbers.phonenumberutil", "_VALID_ALPHA_PHONE_PATTERN"): "pattern",
    ("phonenumbers.phonenumberutil", "_extract_possible_number"): ["number"],
    ("phonenumbers.phonenumberutil", "_is_viable_phone_number"): ["number"],
    ("phonenumbers.phonenumberutil", "_maybe_strip_extension"): ["number"],
    ("phonenumbers.phonenumberutil", "_formatting_rule_has_first_group_only"):
        ["national_prefix_formatting_rule"],
    ("phonenumbers.phonenumberutil", "_choose_formatting_pattern_for_number"):
        ["available_formats", "national_number"],
}


def test_the_wrapper_lists_exactly_the_names_checked_here() -> None:
    from mlgate.hooks.pii import phonenumbers_private as pn

    listed = {(m, n) for m, names in pn.PRIVATE_NAMES.items() for n in names}
    assert listed == set(PHONENUMBERS_SHAPES)


@pytest.mark.parametrize(("module", "name"), sorted(PHONENUMBERS_SHAPES))
def test_phonenumbers_private_name(module: str, name: str) -> None:
    where = f"{module}.{name} (phonenumbers {version('phonenumbers')})"
    mod = importlib.import_module(module)
    assert hasattr(mod, name), f"{where} is gone: mlgate/hooks/pii/phonenumbers_private.py " \
                               "reads it"
    value, shape = getattr(mod, name), PHONENUMBERS_SHAPES[(module, name)]
    if shape == "pattern":
        assert isinstance(value, re.Pattern), f"{where} is no compiled pattern: {value!r}"
    elif shape == "patterns":
        assert all(isinstance(p, re.Pattern) for p in value), \
            f"{where} is no sequence of compiled patterns"
    elif shape == "str":
        assert isinstance(value, str), f"{where} is no string: {value!r}"
    elif shape == "int":
        assert isinstance(value, int), f"{where} is no int (regex flags): {value!r}"
    else:
        assert callable(value), f"{where} is not callable"
        params = list(inspect.signature(value).parameters)
        assert params == shape, f"{where} takes {params}, mlgate calls it with {shape}"


def test_phonenumbers_private_behaviour() -> None:
    """What mlgate relies on them doing, on a few values (not only their names)."""
    from mlgate.hooks.pii import phonenumbers_private as pn

    assert pn.PATTERN.search("call +1 (212) 456-7890 now") is not None
    assert pn.extract_possible_number("tel: +44 20 7946 0958") == "+44 20 7946 0958"
    assert pn.is_viable_phone_number("2124567890") and not pn.is_viable_phone_number("1")
    ext, number = pn.maybe_strip_extension("2124567890 ext. 12")
    assert (ext, number) == ("12", "2124567890"), (ext, number)
    assert pn.PLUS_CHARS_PATTERN.match("+44") and pn.SECOND_NUMBER_START_PATTERN.search("1 / x2")
    assert re.compile(pn.PUNCTUATION, pn.REGEX_FLAGS).fullmatch("-")


def test_a_missing_phonenumbers_name_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from phonenumbers import phonenumberutil

    from mlgate.hooks.pii import phonenumbers_private as pn

    monkeypatch.delattr(phonenumberutil, "_PLUS_CHARS_PATTERN")
    with pytest.raises(ImportError, match=r"phonenumbers\.phonenumberutil\._PLUS_CHARS_PATTERN"
                                          r".*phonenumbers \d"):
        pn._private(phonenumberutil, "_PLUS_CHARS_PATTERN")


def test_re_parser_api() -> None:
    """`re`'s private parser, as mlgate/upstream/re_parser.py reads it."""
    from mlgate.upstream import re_parser

    where = f"{re_parser.PARSER_MODULE} (Python {sys.version.split()[0]})"
    for name in re_parser.PARSER_NAMES:
        assert callable(getattr(re_parser.parser, name, None)), f"{where}.{name} is gone"
    for name in re_parser.CONSTANT_NAMES:
        assert hasattr(re_parser.constants, name), \
            f"{re_parser.CONSTANTS_MODULE}.{name} (Python {sys.version.split()[0]}) is gone"
    parsed = re_parser.parse(r"a(?:b|c)\d+")
    assert hasattr(parsed, "getwidth"), f"{where}.parse no longer returns a SubPattern"
    op, arg = list(parsed)[0]
    assert op is re_parser.constants.LITERAL and arg == ord("a"), \
        f"{where}: items are no longer (opcode, argument) pairs: {op!r}, {arg!r}"
    assert re_parser.min_width(r"ab\d{3,}") == 5
    assert re_parser.min_width(r"x?") == 0
    assert re_parser.required_literals(r"a(?:-b|-c)(?:;x)?[.]") == {"a", "-", "."}
    assert re_parser.required_literals(r"(?<=:)\d+") == frozenset()


def test_the_re_parser_is_imported_in_one_module_only() -> None:
    found = []
    for path in sorted((ROOT / "mlgate").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bsre_parse\b|\bsre_constants\b|re\._parser|re\._constants|"
                     r"from re import _", text):
            found.append(path.relative_to(ROOT).as_posix())
    assert set(found) == {"mlgate/upstream/re_parser.py"}


def test_phonenumbers_private_names_are_read_in_one_module_only() -> None:
    names = sorted({n for _, n in PHONENUMBERS_SHAPES})
    private = re.compile(r"\b(?:" + "|".join(names) + r")\b"
                         r"|(?:phonenumbermatcher|phonenumberutil)\._[A-Za-z]"
                         r"|from phonenumbers[\w.]* import [^\n]*\b_[A-Za-z]")
    found = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "mlgate").rglob("*.py"))
             if private.search(p.read_text(encoding="utf-8"))]
    assert found == ["mlgate/hooks/pii/phonenumbers_private.py"]


def test_presidio_catalog_is_the_live_one() -> None:
    """presidio_catalog.PREDEFINED (written out, so that policy checks need no Presidio
    import) equals what the installed Presidio's default_recognizers.yaml lists."""
    from mlgate.hooks.pii import presidio
    from mlgate.hooks.pii.presidio_catalog import PREDEFINED

    live = presidio.predefined_catalog()
    assert tuple(PREDEFINED) == live, (
        f"presidio-analyzer {version('presidio-analyzer')} lists other predefined "
        f"recognizers than mlgate/hooks/pii/presidio_catalog.py: missing there "
        f"{sorted(set(live) - set(PREDEFINED))}, extra {sorted(set(PREDEFINED) - set(live))}")
