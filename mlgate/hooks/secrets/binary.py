"""The text inside a file that is not text: what `strings` would show, in place.

A file whose head holds a NUL byte is "binary" to the readers, but one stray NUL must not hide
every secret of a text file, and a token stored in a binary file (a SQLite database, a pickle's
strings, a core dump) is still a leak. Control bytes become spaces, so every printable run keeps
its line and column and no token is glued to its neighbour across a NUL.
"""

from __future__ import annotations

import re

# C0 controls except TAB, LF, VT, FF and CR, and DEL: what a text file does not hold.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
# A head with at most this share of control bytes is a text file with stray NULs.
TEXT_SHARE = 0.01


def printable_text(data: bytes) -> tuple[str, bool]:
    """The decoded text of `data` with control characters as spaces, and whether the file is
    text with a few stray control bytes (True) rather than binary content (False)."""
    controls = len(_CONTROL_BYTES.findall(data[:1 << 16]))
    mostly_text = controls <= max(1, TEXT_SHARE * min(len(data), 1 << 16))
    text = data.decode("utf-8", errors="replace")
    return _CONTROL.sub(" ", text), mostly_text
