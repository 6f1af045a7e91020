"""Payment card numbers: current brands' IIN ranges and lengths, and the Luhn check.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


# IIN prefixes and lengths of current card brands (Visa, Mastercard incl. 2-series, Amex,
# Discover, Diners, JCB, UnionPay, Maestro, Mir, RuPay, Verve, Troy, Elo, Dankort, UATP, ...)
_CARD_BRANDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("visa", r"4", (13, 16, 19)),
    ("mastercard", r"5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720", (16,)),
    ("amex", r"3[47]", (15,)),
    ("diners", r"36", (14, 15, 16, 17, 18, 19)),
    ("diners", r"30[0-5]|3095|3[89]", (16, 17, 18, 19)),
    ("jcb", r"35(?:2[89]|[3-8]\d)", (16, 17, 18, 19)),
    ("jcb", r"2131|1800", (15,)),
    ("discover", r"6011|64[4-9]|65|622(?:12[6-9]|1[3-9]\d|[2-8]\d\d|9[01]\d|92[0-5])",
     (16, 17, 18, 19)),
    ("unionpay", r"62|81", (16, 17, 18, 19)),
    ("maestro", r"5[06-9]|6\d", (12, 13, 14, 15, 16, 17, 18, 19)),
    ("mir", r"220[0-4]", (16, 17, 18, 19)),
    ("rupay", r"60|65|81|82|508|353|356", (16,)),
    ("verve", r"506(?:099|1\d\d)|507(?:86[5-9]|8[7-9]\d|9[0-5]\d|96[0-4])"
              r"|6500(?:0[2-9]|1\d|2[0-7])", (16, 18, 19)),
    ("troy", r"9792", (16,)),
    ("uatp", r"1", (15,)),
)


_CARD_BRAND_RES = tuple((name, re.compile(prefix), lengths)
                        for name, prefix, lengths in _CARD_BRANDS)


CARD_REGEX = (r"(?<![\w.])(?:[0-9]{12,19}|[0-9]{3,6}(?P<sep>[ -])[0-9]{3,6}"
              r"(?:(?P=sep)[0-9]{1,6}){1,4})(?![\w]|\.\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The brand whose IIN range and length fit `digits`, or None."""
    for name, prefix, lengths in _CARD_BRAND_RES:
        if len(digits) in lengths and prefix.match(digits):
            return name
    return None
