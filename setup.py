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
    # asked for: a failure to compile is an error, not a silent plain-Python install
    try:
        from mypyc.build import mypycify
    except ImportError:
        sys.exit("mlgate build: MLGATE_COMPILE=1 needs mypy==2.4.1 and setuptools installed, "
                 "with pip's --no-build-isolation")
    # mypyc type-checks first; Presidio's annotations call for `type: ignore`s that go
    # unused where Presidio (an extra) is not installed: that must not stop the build.
    return mypycify(["--no-warn-unused-ignores", *compiled_modules()], opt_level="3",
                    group_name="mlgate")


setup(ext_modules=_extensions())
