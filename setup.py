"""Build: the pii hook and its readers are compiled with mypyc where possible, else shipped
as Python.

The pii hook spends most of its time in its own Python (prefilters, allowlist, per-cell
dispatch, reading cells); mypyc turns mlgate/hooks/pii.py and mlgate/sources.py into C
extensions with the same behaviour, about a fifth faster (docs/benchmarks.md). Compiling
needs a C compiler and Python's headers; where either is missing, or MLGATE_PURE_PYTHON=1 is
set, mlgate installs as plain Python and works the same, only slower. Editable installs
(`pip install -e .`, for development) stay Python. tests/test_compiled.py checks that the
compiled modules report exactly what the source does. Everything else is in pyproject.toml.
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["mlgate/hooks/pii.py", "mlgate/sources.py"]


def _say(message: str) -> None:
    print(f"mlgate build: {message}", file=sys.stderr)


def _extensions() -> list:
    if os.environ.get("MLGATE_PURE_PYTHON", "") not in ("", "0"):
        _say("MLGATE_PURE_PYTHON is set: installing as plain Python")
        return []
    if {"editable_wheel", "develop"} & set(sys.argv):
        # a compiled module would shadow the source it was built from: edits to it would
        # silently not run until the next install
        _say("editable install: staying plain Python")
        return []
    try:
        from mypyc.build import mypycify

        # mypyc type-checks first. At build time the dependencies are often not installed yet
        # (a fresh environment, as pre-commit makes one), so the `type: ignore`s that
        # Presidio's annotations call for go unused: that must not stop the build.
        return mypycify(["--no-warn-unused-ignores", *COMPILED], opt_level="3",
                        group_name="mlgate")
    except BaseException as e:  # mypyc missing, or mypy rejects the code: stay Python
        _say(f"not compiling ({type(e).__name__}: {e}); installing as plain Python")
        return []


class OptionalBuildExt(build_ext):
    """All of the compiled modules or none: a half-built extension would not import."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # no C compiler or headers
            for path in self.get_outputs():
                if os.path.exists(path):
                    os.remove(path)
            _say(f"compiling failed ({type(e).__name__}: {e}); installing as plain Python")


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
