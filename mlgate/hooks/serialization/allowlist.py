"""What a pickle may import, per format, and the policy's extensions.

An ALLOWLIST, not a denylist: every import a pickle makes is compared with the format's list
(torch state dicts, numpy arrays, joblib's array wrapper, plain containers) and the policy's
`[serialization] allow` entries; anything else is a finding. The `KNOWN_BAD` names only make
the message say that an import is known to run code — they never decide the verdict.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CONTAINERS = frozenset({
    "collections.OrderedDict", "collections.Counter", "collections.defaultdict",
    "collections.deque", "builtins.set", "builtins.frozenset", "builtins.bytearray",
    "builtins.complex", "builtins.slice", "builtins.object", "copyreg._reconstructor",
    "_codecs.encode",  # protocol 0-2 bytes: encode(str, 'latin1')
})

NUMPY = frozenset({
    *(f"{core}.multiarray.{name}" for core in ("numpy.core", "numpy._core")
      for name in ("_reconstruct", "scalar")),
    "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    "numpy.ndarray", "numpy.dtype",
})

_TORCH_DTYPES = (
    "bfloat16", "bits16", "bits1x8", "bits2x4", "bits4x2", "bits8", "bool", "complex128",
    "complex32", "complex64", "float16", "float32", "float64", "float4_e2m1fn_x2",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
    "int1", "int2", "int3", "int4", "int5", "int6", "int7", "int8", "int16", "int32", "int64",
    "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "uint8", "uint16", "uint32",
    "uint64", "qint8", "qint32", "quint8", "quint2x4", "quint4x2", "per_channel_affine",
    "per_channel_affine_float_qparams", "per_channel_symmetric", "per_tensor_affine",
    "per_tensor_symmetric"
)
_TORCH_KINDS = (
    "BFloat16", "Bool", "Byte", "Char", "ComplexDouble", "ComplexFloat", "Double", "Float",
    "Half", "Int", "Long", "Short"
)
_TORCH_REBUILD = (
    "_rebuild_device_tensor_from_cpu_tensor", "_rebuild_device_tensor_from_numpy",
    "_rebuild_meta_tensor_no_storage", "_rebuild_nested_tensor", "_rebuild_parameter",
    "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_sparse_tensor",
    "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_wrapper_subclass"
)

# torch.load(weights_only=True)'s own list (torch 2.13), written out: nothing is imported
TORCH = frozenset({
    "torch.nn.parameter.Parameter", "torch.serialization._get_layout", "torch.Size",
    "torch.Tensor", "torch.device", "torch._tensor._rebuild_from_type_v2",
    "torch.storage.TypedStorage", "torch.storage.UntypedStorage",
    *(f"torch.{t}" for t in _TORCH_DTYPES),
    *(f"torch.{k}Storage" for k in _TORCH_KINDS),
    *(f"torch.{q}Storage" for q in ("QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8")),
    *(f"torch.cuda.{k}Storage" for k in _TORCH_KINDS),
    *(f"{m}.{k}Tensor" for m in ("torch", "torch.cuda") for k in _TORCH_KINDS
      if not k.startswith("Complex")),
    *(f"{m}.{k}Tensor" for m in ("torch.sparse", "torch.cuda.sparse")
      for k in ("BFloat16", "Byte", "Char", "Double", "Float", "Half", "Int", "Long",
                "Short")),
    *(f"torch._utils.{f}" for f in _TORCH_REBUILD),
})

JOBLIB = frozenset({"joblib.numpy_pickle.NumpyArrayWrapper"})

# the formats and what each may import
FORMATS: dict[str, frozenset[str]] = {
    "pickle": CONTAINERS | NUMPY,
    "numpy": CONTAINERS | NUMPY,
    "joblib": CONTAINERS | NUMPY | JOBLIB,
    "torch": CONTAINERS | NUMPY | TORCH,
}

# imports known to run code or reach the file system, the network or the interpreter; only
# for the message (the allowlist decides)
KNOWN_BAD_MODULES = frozenset({
    "os", "posix", "nt", "subprocess", "sys", "socket", "shutil", "pty", "runpy",
    "importlib", "pkgutil", "pip", "webbrowser", "ctypes", "marshal", "code", "codeop",
    "commands", "platform", "multiprocessing", "asyncio", "pickle", "_pickle", "dill",
    "cloudpickle", "torch.hub", "requests", "urllib", "httpx", "aiohttp", "timeit", "pdb",
    "bdb", "profile", "cProfile", "trace", "tempfile", "zipimport", "signal",
})
KNOWN_BAD = frozenset({
    "builtins.eval", "builtins.exec", "builtins.compile", "builtins.open",
    "builtins.__import__", "builtins.getattr", "builtins.setattr", "builtins.delattr",
    "builtins.globals", "builtins.locals", "builtins.vars", "builtins.breakpoint",
    "builtins.input", "builtins.help", "__builtin__.eval", "__builtin__.execfile",
    "__builtin__.open", "__builtin__.getattr", "operator.attrgetter",
    "operator.methodcaller", "functools.partial", "numpy.load", "numpy.testing._private."
    "utils.runstring", "torch.load", "torch.jit.load", "torch._C._jit_get_operation",
})


@dataclass(frozen=True)
class Entry:
    """One `[serialization] allow` entry of the policy."""

    pattern: str
    reason: str


def _py2_name(module: str, name: str) -> tuple[str, str]:
    """A protocol 0-2 pickle's import as Python 3 reads it (the unpickler's fix_imports)."""
    import _compat_pickle  # stdlib tables; read only

    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def known_bad(dotted: str) -> bool:
    if dotted in KNOWN_BAD:
        return True
    parts = dotted.split(".")
    return any(".".join(parts[:i]) in KNOWN_BAD_MODULES for i in range(1, len(parts)))


@functools.lru_cache(maxsize=256)
def _split(pattern: str) -> tuple[str, str]:
    module, _, name = pattern.rpartition(".")
    return module, name


class Allowlist:
    """The imports one format may make, with the policy's entries."""

    def __init__(self, fmt: str, entries: Sequence[Entry]) -> None:
        self.builtin = FORMATS[fmt]
        self.entries = tuple(entries)
        # module roots of the policy's entries (which memoized strings to keep; opcodes.py)
        self.roots = tuple({_split(e.pattern)[0].split(".")[0] for e in self.entries})
        parts = {p for g in self.builtin for p in (*_split(g), *_split(g)[0].split("."))}
        parts |= {p for e in self.entries for p in e.pattern.split(".")
                  if not any(c in p for c in "*?[")}
        self.parts: frozenset[str | bytes] = frozenset(
            {*parts, *(p.encode() for p in parts)})

    def allowed(self, module: str, name: str, protocol: int) -> Entry | bool:
        """True (built-in list), the policy Entry that allows it, or False."""
        if protocol < 3:
            module, name = _py2_name(module, name)
        dotted = f"{module}.{name}"
        if dotted in self.builtin:
            return True
        for e in self.entries:
            # a dotted name walks attributes (protocol 4): a glob never allows it, only an
            # entry that spells the name out
            if fnmatch.fnmatchcase(dotted, e.pattern) and \
                    ("." not in name or e.pattern.endswith(f".{name}")):
                return e
        return False



def entries(values: Iterable[Mapping[str, str]]) -> list[Entry]:
    return [Entry(v["global"], v["reason"]) for v in values]
