"""The one error type that ends a run with exit code 2 and a one-line message."""

from __future__ import annotations

import click


class MlgateError(click.ClickException):
    """Usage, policy or internal error: exit 2 with a message naming the file and the problem."""

    exit_code = 2

    def format_message(self) -> str:
        # one line, whatever the wrapped error said (a TOML or OS message may hold newlines)
        return " ".join(self.message.split())
