"""The private names of python-phonenumbers that the pii hook relies on: the only module of
mlgate that touches them (phones.py and prefilter.py import them from here, inside the
functions that need them, so that importing the hook does not import phonenumbers).

mlgate reproduces parts of PhoneNumberMatcher and `parse` (candidate pattern, inner matches,
the national-prefix test) to rule out regions cheaply, so it reads these internals. They are
not part of phonenumbers' API: pyproject.toml pins phonenumbers, and
tests/hooks/pii/test_upstream.py fails, naming the name and the version, when a release
drops one or changes its shape. Upgrading phonenumbers means running that test (and the
parity tests) and moving the pin.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from phonenumbers import phonenumbermatcher, phonenumberutil

# module -> the private names read from it (tests/hooks/pii/test_upstream.py checks each)
PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    "phonenumbers.phonenumbermatcher": ("_PATTERN", "_PUNCTUATION", "_REGEX_FLAGS",
                                        "_INNER_MATCHES"),
    "phonenumbers.phonenumberutil": ("_SECOND_NUMBER_START_PATTERN",
                                     "_UNWANTED_END_CHAR_PATTERN", "_PLUS_CHARS_PATTERN",
                                     "_VALID_ALPHA_PHONE_PATTERN", "_extract_possible_number",
                                     "_is_viable_phone_number", "_maybe_strip_extension",
                                     "_formatting_rule_has_first_group_only",
                                     "_choose_formatting_pattern_for_number"),
}

VERSION: str = str(getattr(phonenumbers, "__version__", "unknown"))


def _private(module: Any, name: str) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise ImportError(
            f"mlgate's pii hook needs {module.__name__}.{name}, a private name of "
            f"phonenumbers that phonenumbers {VERSION} does not have: install the version "
            f"pyproject.toml pins") from None


_pm: Any = phonenumbermatcher
_pu: Any = phonenumberutil

# PhoneNumberMatcher: its candidate pattern, the punctuation allowed between digit blocks
# (and its flags), the patterns of its inner-match search
PATTERN: Any = _private(_pm, "_PATTERN")
PUNCTUATION: str = _private(_pm, "_PUNCTUATION")
REGEX_FLAGS: int = _private(_pm, "_REGEX_FLAGS")
INNER_MATCHES: Any = _private(_pm, "_INNER_MATCHES")

# phonenumberutil: what the matcher and `parse` use on a candidate
SECOND_NUMBER_START_PATTERN: Any = _private(_pu, "_SECOND_NUMBER_START_PATTERN")
UNWANTED_END_CHAR_PATTERN: Any = _private(_pu, "_UNWANTED_END_CHAR_PATTERN")
PLUS_CHARS_PATTERN: Any = _private(_pu, "_PLUS_CHARS_PATTERN")
VALID_ALPHA_PHONE_PATTERN: Any = _private(_pu, "_VALID_ALPHA_PHONE_PATTERN")
extract_possible_number: Any = _private(_pu, "_extract_possible_number")
is_viable_phone_number: Any = _private(_pu, "_is_viable_phone_number")
maybe_strip_extension: Any = _private(_pu, "_maybe_strip_extension")
formatting_rule_has_first_group_only: Any = _private(_pu, "_formatting_rule_has_first_group_only")
choose_formatting_pattern_for_number: Any = _private(_pu, "_choose_formatting_pattern_for_number")
