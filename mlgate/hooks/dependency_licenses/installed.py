"""The distributions installed in an environment, read from their metadata, offline.

Found the way `importlib.metadata` finds them (`*.dist-info` and `*.egg-info` entries of each
`sys.path` directory, the first of a name wins) and described by the same files (METADATA,
PKG-INFO, requires.txt, the license files), but every file is read through `mlgate.fileio`
(regular files only, capped) and only the metadata header is parsed: nothing installed is
imported or executed. tests/hooks/dependency_licenses/test_deplic_installed.py checks that what is
read here agrees with `importlib.metadata`.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.fileio import UnsafeFile, read_head

METADATA_CAP = 1 << 20  # bytes of METADATA read: the header comes first, the long description after
LICENSE_FILE_CAP = 256 << 10  # bytes of one license file read to recognise it
MAX_ENTRIES = 100_000  # directory entries looked at per sys.path directory
MAX_LICENSE_FILES = 50  # license files read per distribution
MAX_REQUIRES = 5_000  # Requires-Dist entries read per distribution


@dataclass
class Distribution:
    key: str  # canonical name
    name: str  # as the metadata (or the directory) spells it
    version: str
    where: str  # the metadata directory or file
    problem: str = ""  # why there is no usable metadata ("" when there is)
    headers: dict[str, list[str]] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)
    license_texts: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower(), [])
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _venv_python(venv: Path, site: list[Path]) -> str | None:
    """The Python version of a virtual environment: pyvenv.cfg's `version` (or
    `version_info`), else the `python3.X` of its site-packages path."""
    try:
        text = read_head(venv / "pyvenv.cfg", 64 << 10).data.decode("utf-8", "replace")
    except UnsafeFile:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            m = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", value)
            if m:
                return m.group(1)
    for path in site:
        m = re.search(r"python(\d+\.\d+)", path.as_posix())
        if m:
            return m.group(1)
    return None


def site_directories(entries: list[str], root: Path
                     ) -> tuple[list[Path], list[str], str | None]:
    """The directories to read: each entry is a virtual environment (its site-packages) or
    a sys.path directory; relative entries are relative to `root`. Also the problems, and the
    Python version of the (first) virtual environment when it says."""
    out: list[Path] = []
    problems: list[str] = []
    python: str | None = None
    for entry in entries:
        path = Path(entry) if Path(entry).is_absolute() else root / entry
        if (path / "pyvenv.cfg").is_file():
            found = sorted([*path.glob("lib/python3*/site-packages"),
                            *path.glob("lib64/python3*/site-packages"),
                            *path.glob("Lib/site-packages")])
            if not found:
                problems.append(f"{entry}: a virtual environment without site-packages")
            out.extend(p for p in found if p not in out)
            python = python or _venv_python(path, found)
        elif path.is_dir():
            out.append(path)
        else:
            problems.append(f"{entry}: no such environment or directory")
    return out, problems, python


def default_directories() -> list[Path]:
    """The running interpreter's sys.path directories (what importlib.metadata reads)."""
    return [Path(p) for p in sys.path if p and os.path.isdir(p)]


def _dir_name(entry: str) -> str:
    stem = entry.rsplit(".", 1)[0]  # name-1.0.dist-info, name-1.0-py3.11.egg-info, name.egg-info
    return stem.split("-", 1)[0]


def _parse_header(data: bytes) -> dict[str, list[str]]:
    text = data.decode("utf-8", "replace")
    end = min((i for i in (text.find("\n\n"), text.find("\r\n\r\n")) if i >= 0),
              default=len(text))
    message = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text[:end])
    headers: dict[str, list[str]] = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), []).append(str(value))
    return headers


def _requires_txt(text: str) -> list[str]:
    """requires.txt of an egg-info as Requires-Dist entries (as importlib.metadata does)."""
    out: list[str] = []
    section = ""
    for raw in text.splitlines()[:MAX_REQUIRES]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        extra, _, marker = section.partition(":")
        conditions = [f"({marker})" if extra else marker] if marker else []
        if extra:
            conditions.append(f'extra == "{extra}"')
        out.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return out


class Environment:
    """The installed distributions of some directories, by canonical name (read lazily)."""

    def __init__(self, directories: list[Path], python: str | None = None) -> None:
        self.directories = directories
        self.python = python  # its Python version, for markers; None: the running one
        self._index: dict[str, tuple[Path, str]] | None = None
        self._cache: dict[str, Distribution] = {}
        self.notes: list[str] = []

    def _build(self) -> dict[str, tuple[Path, str]]:
        index: dict[str, tuple[Path, str]] = {}
        for directory in self.directories:
            try:
                with os.scandir(directory) as it:
                    for count, entry in enumerate(it):
                        if count >= MAX_ENTRIES:
                            self.notes.append(f"{directory}: more than {MAX_ENTRIES} entries; "
                                              "the rest were not looked at")
                            break
                        if entry.name.endswith((".dist-info", ".egg-info")):
                            key = _canonical(_dir_name(entry.name))
                            index.setdefault(key, (directory / entry.name, entry.name))
            except OSError as e:
                self.notes.append(f"{directory}: cannot be listed ({e.strerror or e})")
        return index

    def names(self) -> list[str]:
        if self._index is None:
            self._index = self._build()
        return sorted(self._index)

    def get(self, key: str) -> Distribution | None:
        if self._index is None:
            self._index = self._build()
        if key in self._cache:
            return self._cache[key]
        hit = self._index.get(key)
        if hit is None:
            return None
        dist = self._read(key, *hit)
        self._cache[key] = dist
        return dist

    def _read(self, key: str, path: Path, entry: str) -> Distribution:
        name = _dir_name(entry)
        is_dir = path.is_dir()
        metadata = path / ("METADATA" if entry.endswith(".dist-info") else "PKG-INFO") \
            if is_dir else path
        dist = Distribution(key, name, "", str(path))
        if entry.endswith(".dist-info") and not is_dir:
            dist.problem = f"{entry} is not a directory"
            return dist
        try:
            head = read_head(metadata, METADATA_CAP)
        except UnsafeFile as e:
            dist.problem = f"{metadata.name}: {e}"
            return dist
        headers = _parse_header(head.data)
        if not headers.get("name"):
            dist.problem = (f"{metadata.name} is empty" if not head.data.strip()
                            else f"{metadata.name} has no Name field")
            return dist
        dist.headers = headers
        dist.name = dist.header("Name").strip() or name
        dist.version = dist.header("Version").strip()
        dist.requires = dist.all("Requires-Dist")[:MAX_REQUIRES]
        if is_dir and entry.endswith(".egg-info"):
            try:
                text = read_head(path / "requires.txt", METADATA_CAP).data
                dist.requires = _requires_txt(text.decode("utf-8", "replace"))
            except UnsafeFile:
                pass  # no requires.txt: no requirements
        if is_dir:
            dist.license_texts = self._license_texts(path, dist)
        return dist

    def _license_texts(self, path: Path, dist: Distribution) -> list[tuple[str, str]]:
        """The license files: the License-File entries (PEP 639: under licenses/; older
        wheels: beside METADATA), else LICENSE*/COPYING* files of the metadata directory."""
        candidates: list[Path] = []
        for name in dist.all("License-File")[:MAX_LICENSE_FILES]:
            rel = Path(name.strip())
            if rel.is_absolute() or ".." in rel.parts:
                continue
            candidates += [path / "licenses" / rel, path / rel]
        try:
            with os.scandir(path) as it:
                names = sorted(e.name for e in itertools.islice(it, 1000))
        except OSError:
            names = []
        candidates += [path / n for n in names
                       if n.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
        if not dist.all("License-File") and (path / "licenses").is_dir():
            try:  # licenses/ without License-File entries (some build backends)
                with os.scandir(path / "licenses") as it:
                    candidates += sorted(path / "licenses" / e.name
                                         for e in itertools.islice(it, MAX_LICENSE_FILES))
            except OSError:
                pass
        texts: list[tuple[str, str]] = []
        seen: set[Path] = set()
        for candidate in candidates:
            if candidate in seen or len(texts) >= MAX_LICENSE_FILES:
                continue
            seen.add(candidate)
            try:
                data = read_head(candidate, LICENSE_FILE_CAP).data
            except UnsafeFile:
                continue
            texts.append((candidate.name, data.decode("utf-8", "replace")))
        return texts
