"""Build: plain Python by default; the pii hook's engine and the readers are compiled with
mypyc when asked for (MLGATE_COMPILE=1 during the install).

The pii hook spends most of its time in its own Python (prefilters, allowlist, per-cell
dispatch, reading cells); mypyc turns those modules into C extensions with the same behaviour,
about a fifth faster (docs/benchmarks.md), at about a minute more of install time and a C
compiler — too slow for pre-commit.ci's build limits, so it is opt-in. Editable installs
(`pip install -e .`, for development) always stay Python. tests/test_compiled.py checks that
the compiled modules report exactly what the source does. Everything else is in pyproject.toml.
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

# Every module of these packages is compiled, except the ones mypyc cannot or need not compile:
# classes defined inside functions (the Presidio subclasses), click commands, the demo.
COMPILED_PACKAGES = ("mlgate/hooks/pii", "mlgate/sources")
PURE_PYTHON = ("__init__.py", "presidio_recognizers.py", "cli.py", "demo.py")


def compiled_modules(root: str = ".") -> list[str]:
    out = []
    for package in COMPILED_PACKAGES:
        if os.path.isfile(os.path.join(root, package + ".py")):
            out.append(package + ".py")
            continue
        out += sorted(f"{package}/{name}" for name in os.listdir(os.path.join(root, package))
                      if name.endswith(".py") and name not in PURE_PYTHON)
    return out


def _say(message: str) -> None:
    print(f"mlgate build: {message}", file=sys.stderr)


def _extensions() -> list:
    if os.environ.get("MLGATE_COMPILE", "") in ("", "0"):
        return []  # the default: plain Python
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
        return mypycify(["--no-warn-unused-ignores", *compiled_modules()], opt_level="3",
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
