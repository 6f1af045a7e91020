"""Comment styles: which file holds comments of which shape, and how `--fix` writes a header.

A style says where comments are in a line (line leaders, block delimiters) and where they are
not (strings that span lines, one-line quotes), so that an identifier in a string literal is
not read as a header. `none` is a file that cannot hold a comment (weights, images, data):
only a `.license` sidecar or a REUSE.toml annotation covers it. `text` is a file of unknown
kind: tags on its own lines count, and `--fix` writes a sidecar rather than touch it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Style:
    name: str
    line: tuple[str, ...] = ()  # line-comment leaders
    blocks: tuple[tuple[str, str], ...] = ()  # (open, close) of block comments
    strings: tuple[tuple[str, str], ...] = ()  # (open, close) of strings that span lines
    quotes: tuple[str, ...] = ()  # one-line string quotes
    readable: bool = True  # False: the contents are never searched (`none`)
    # how --fix writes a header: a line prefix ("# "), or a block (open, prefix, close);
    # neither: a `.license` sidecar
    fix_line: str = ""
    fix_block: tuple[str, str, str] | None = None

    @property
    def sidecar(self) -> bool:
        return not self.fix_line and self.fix_block is None


_Q2 = ('"', "'")
_PY_STRINGS = (('"""', '"""'), ("'''", "'''"))

STYLES: dict[str, Style] = {s.name: s for s in (
    Style("python", line=("#",), strings=_PY_STRINGS, quotes=_Q2, fix_line="# "),
    Style("hash", line=("#",), quotes=_Q2, fix_line="# "),
    Style("yaml", line=("#",), quotes=_Q2, fix_line="# "),
    Style("toml", line=("#",), strings=_PY_STRINGS, quotes=_Q2, fix_line="# "),
    Style("ini", line=("#", ";"), fix_line="# "),
    # Rust lifetimes ('a) would open a quote: only double quotes are strings here
    Style("c", line=("//",), blocks=(("/*", "*/"),), quotes=('"',), fix_line="// "),
    Style("js", line=("//",), blocks=(("/*", "*/"),), strings=(("`", "`"),), quotes=_Q2,
          fix_line="// "),
    Style("css", blocks=(("/*", "*/"),), quotes=_Q2, fix_block=("/*", " * ", " */")),
    Style("html", blocks=(("<!--", "-->"),), fix_block=("<!--", "", "-->")),
    Style("markdown", blocks=(("<!--", "-->"),), fix_block=("<!--", "", "-->")),
    Style("sql", line=("--",), blocks=(("/*", "*/"),), quotes=_Q2, fix_line="-- "),
    Style("lua", line=("--",), blocks=(("--[[", "]]"),), strings=(("[[", "]]"),),
          quotes=_Q2, fix_line="-- "),
    Style("julia", line=("#",), blocks=(("#=", "=#"),), strings=(('"""', '"""'),),
          quotes=('"',), fix_line="# "),
    Style("jinja", blocks=(("{#", "#}"), ("<!--", "-->")), fix_block=("{#", "", "#}")),
    Style("tex", line=("%",), fix_line="% "),
    Style("text"),
    Style("notebook"),
    Style("none", readable=False),
)}

_BY_EXTENSION: dict[str, str] = {}


def _add(style: str, *extensions: str) -> None:
    for ext in extensions:
        _BY_EXTENSION[ext] = style


_add("python", ".py", ".pyi", ".pyw", ".pyx", ".pxd", ".pxi", ".bzl", ".star")
_add("hash", ".sh", ".bash", ".zsh", ".ksh", ".fish", ".r", ".rmd", ".pl", ".pm", ".rb",
     ".cmake", ".mk", ".make", ".tf", ".tfvars", ".ps1", ".psm1", ".nix", ".cfg", ".conf",
     ".properties", ".env", ".gitignore", ".dockerignore", ".gitattributes", ".editorconfig",
     ".dockerfile", ".containerfile", ".pbtxt", ".prototxt", ".gin", ".awk", ".sed",
     ".hcl", ".nf", ".smk", ".exs", ".ex", ".cr", ".coffee")
_add("yaml", ".yaml", ".yml")
_add("toml", ".toml")
_add("ini", ".ini")
_add("c", ".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp",
     ".inl", ".cu", ".cuh", ".metal", ".cl", ".rs", ".java", ".kt", ".kts", ".scala", ".sc",
     ".groovy", ".gradle", ".proto", ".swift", ".cs", ".dart", ".m", ".mm", ".zig", ".sol",
     ".scss", ".less", ".jsonnet", ".libsonnet", ".thrift", ".fbs", ".capnp", ".glsl",
     ".hlsl", ".wgsl", ".v", ".sv", ".php", ".hx", ".d")
_add("js", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".go")
_add("css", ".css")
_add("html", ".html", ".htm", ".xhtml", ".xml", ".svg", ".vue", ".svelte", ".xsl", ".xslt",
     ".xsd", ".rdf", ".plist", ".csproj", ".launch", ".urdf", ".sdf", ".ui")
_add("markdown", ".md", ".markdown", ".mdx", ".qmd")
_add("sql", ".sql", ".hs", ".elm", ".ada", ".adb", ".ads", ".vhd", ".vhdl", ".cql")
_add("lua", ".lua")
_add("julia", ".jl")
_add("jinja", ".j2", ".jinja", ".jinja2")
_add("tex", ".tex", ".sty", ".cls", ".bib", ".erl", ".hrl")
_add("notebook", ".ipynb")
_add("none", ".json", ".jsonl", ".ndjson", ".json5", ".jsonc", ".geojson", ".csv", ".tsv",
     ".parquet", ".arrow", ".feather", ".avro", ".orc", ".npy", ".npz", ".pkl", ".pickle",
     ".pt", ".pth", ".bin", ".ckpt", ".safetensors", ".onnx", ".h5", ".hdf5", ".keras",
     ".pb", ".tflite", ".gguf", ".ggml", ".joblib", ".msgpack", ".model", ".tfrecord",
     ".lmdb", ".db", ".sqlite", ".sqlite3", ".mdb", ".png", ".jpg", ".jpeg", ".gif", ".bmp",
     ".tif", ".tiff", ".webp", ".ico", ".icns", ".psd", ".heic", ".avif", ".mp3", ".wav",
     ".flac", ".ogg", ".opus", ".m4a", ".mp4", ".avi", ".mov", ".mkv", ".webm", ".pdf",
     ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".tar", ".rar", ".whl", ".egg",
     ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".lib", ".class", ".jar", ".pyc", ".wasm",
     ".woff", ".woff2", ".ttf", ".otf", ".eot", ".lock", ".ot", ".mar", ".nemo", ".engine",
     ".plan", ".trt", ".mlmodel", ".mlpackage", ".pdmodel", ".pdparams", ".params", ".dat",
     ".idx", ".index", ".data", ".arpa", ".vocab", ".spm", ".tiktoken")

_BY_NAME: dict[str, str] = {
    "dockerfile": "hash", "containerfile": "hash", "makefile": "hash", "gnumakefile": "hash",
    "cmakelists.txt": "hash", "pipfile": "toml", "justfile": "hash", "vagrantfile": "hash",
    "gemfile": "hash", "rakefile": "hash", "snakefile": "python", "build": "python",
    "workspace": "python", "build.bazel": "python", "workspace.bazel": "python",
    "module.bazel": "python", "tiltfile": "python", "procfile": "hash", ".bashrc": "hash",
    ".profile": "hash", ".flake8": "ini", ".pylintrc": "ini", ".coveragerc": "ini",
    ".npmrc": "ini", ".gitmodules": "ini", "license.txt": "text", "codeowners": "hash",
    "go.mod": "c", "go.sum": "none", "cargo.lock": "none", "poetry.lock": "none",
    "uv.lock": "none", "package-lock.json": "none", "yarn.lock": "hash",
}


def _builtin(name: str) -> str:
    lower = name.lower()
    if lower in _BY_NAME:
        return _BY_NAME[lower]
    if lower.startswith("requirements") and lower.endswith((".txt", ".in")):
        return "hash"
    if lower.startswith(("dockerfile.", "containerfile.", "makefile.")):
        return "hash"
    suffix = PurePosixPath(lower).suffix
    return _BY_EXTENSION.get(suffix, "text")


@functools.lru_cache(maxsize=4096)
def _lookup(name: str, overrides: tuple[tuple[str, str], ...]) -> str:
    table = dict(overrides)
    if name in table:
        return table[name]
    suffixes = PurePosixPath(name).suffixes
    for i in range(len(suffixes)):  # the longest extension first: `.html.j2` before `.j2`
        ext = "".join(suffixes[i:])
        if ext in table:
            return table[ext]
    return _builtin(name)


def style_for(name: str, overrides: Mapping[str, str]) -> Style:
    """The comment style of a file by its name (the policy's `styles` first)."""
    return STYLES[_lookup(name, tuple(sorted(overrides.items())))]
