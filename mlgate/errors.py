"""The one error type that ends a run with exit code 2 and a one-line message.

It does not depend on click: hooks and the core raise it, and only the command line turns it
into `Error: <message>` and exit code 2.
"""

from __future__ import annotations


class MlgateError(Exception):
    """Usage, policy or file error: exit 2 with a message naming the file and the problem."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        # one line, whatever the wrapped error said (a TOML or OS message may hold newlines)
        return " ".join(self.message.split())
