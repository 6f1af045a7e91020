"""The `[license-headers]` policy table (light: imports only the schema and the errors)."""

from __future__ import annotations

import re
from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key

# the comment styles a file name can be mapped to (styles.py defines each)
STYLE_NAMES = ("python", "hash", "yaml", "toml", "c", "js", "css", "html", "markdown", "sql",
               "lua", "julia", "jinja", "tex", "ini", "text", "notebook", "none")

_YEAR = re.compile(r"\d{4}(?:\s*[-–]\s*\d{4})?")


def _year(value: str) -> str | None:
    if value == "" or _YEAR.fullmatch(value):
        return None
    return "empty (the current year), a year like '2026' or a range like '2020-2026'"


def _styles(value: dict[str, str]) -> str | None:
    for pattern, style in value.items():
        if not pattern or "/" in pattern:
            return f"a table of file extensions ('.inc') or names ('Jenkinsfile'), not {pattern!r}"
        if style not in STYLE_NAMES:
            return f"one of {', '.join(STYLE_NAMES)} for {pattern!r}, not {style!r}"
    return None


def _expression_text(value: str) -> str | None:
    # the full SPDX check needs spdx-tools; it runs when --fix uses the value
    if value and not re.fullmatch(r"[A-Za-z0-9.+:() -]+", value):
        return f"an SPDX license expression like 'Apache-2.0', not {value!r}"
    return None


SCHEMA: dict[str, Key] = {
    "default-license": Key("str", "", "The SPDX license expression `--fix` writes into a file "
                           "that has none (`Apache-2.0`); empty: `--fix` refuses to guess.",
                           check=_expression_text),
    "copyright-holder": Key("str", "", "Who `--fix` names in the copyright line it writes "
                            "(`Example Org <oss@example.org>`)."),
    "year": Key("str", "", "The year `--fix` writes in the copyright line; empty: the "
                "current year.", check=_year),
    "waive-copyright": Key("bool", False, "Do not require a copyright line (only the SPDX "
                           "license identifier); `--fix` then writes no copyright line."),
    "header-lines": Key("int", 50, "How many lines at the top of a file (after a Markdown "
                        "front matter) are its header: an identifier further down does not "
                        "count.", minimum=1, maximum=1000),
    "styles": Key("table[str]", {}, "File extensions (`.inc`) or file names (`Jenkinsfile`) "
                  "to comment styles (`c`, `hash`, `none`, ...), over the built-in table.",
                  check=_styles),
    "max-bytes": Key("int", 16_000_000, "Bytes read of a notebook (its first cell is its "
                     "header) or a `.license`/`REUSE.toml` file; a larger one is not "
                     "checked and an error says so.", minimum=1),
}


def validate(values: dict[str, Any], source: str) -> None:
    if values["year"] and not values["copyright-holder"] and not values["waive-copyright"]:
        raise MlgateError(f"{source}: 'license-headers.year' is set but "
                          "'license-headers.copyright-holder' is not: --fix needs a holder "
                          "to write a copyright line")
