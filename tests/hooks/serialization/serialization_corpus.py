"""A labelled corpus of malicious and benign model files, built at run time from the same
constructions as the tests (opcode bytes, real torch.save / numpy.save / joblib.dump, zips
built and tampered by hand). Used by
test_serialization_corpus.py and by bench/bench_serialization.py."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import pickle
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serialization_helpers import (
    PROTO2,
    PROTO4,
    break_crc,
    call,
    evil,
    frame,
    glob,
    set_flag_bit,
    short_binstring,
    stack_global,
    u,
    zip_with,
)


@dataclass(frozen=True)
class Case:
    name: str  # the file name in the corpus directory
    malicious: bool
    kind: str  # the bypass class (or "benign: ...")


def _torch_members(root: Path) -> dict[str, bytes]:
    import torch

    path = root / "_tmp_sd.pt"
    torch.save(torch.nn.Linear(4, 3).state_dict(), path)
    with zipfile.ZipFile(path) as z:
        out = {i.filename: z.read(i) for i in z.infolist()}
    path.unlink()
    return out


def _legacy(root: Path) -> bytes:
    import torch

    path = root / "_tmp_legacy.pt"
    torch.save(torch.nn.Linear(4, 3).state_dict(), path, _use_new_zipfile_serialization=False)
    data = path.read_bytes()
    path.unlink()
    return data


def _keras(config: object) -> dict[str, bytes]:
    return {"metadata.json": b'{"keras_version": "3.5.0"}',
            "config.json": json.dumps(config).encode()}


def _layer(cls: str, name: str, module: str = "keras.layers", **config: object) -> dict:
    return {"module": module, "class_name": cls, "config": {"name": name, **config}}


def _seq(*layers: dict) -> dict:
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": "seq", "layers": list(layers)}}


def _npy_object(payload: bytes) -> bytes:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (118 - len(header)) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload


def build(root: Path) -> list[Case]:
    """Write the corpus into `root`; the cases, in order."""
    import joblib
    import numpy as np
    import torch

    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def put(name: str, malicious: bool, kind: str, data: bytes | Callable[[Path], None]
            ) -> None:
        path = root / name
        if callable(data):
            data(path)
        else:
            path.write_bytes(data)
        cases.append(Case(name, malicious, kind))

    # --- plain pickles
    put("os_system.pkl", True, "plain STACK_GLOBAL os.system", evil())
    put("proto0_global.pkl", True, "protocol 0 GLOBAL", glob("os", "system")
        + b"(S'echo pwned'\ntR.")
    for module, name in [("pip", "main"), ("pkgutil", "resolve_name"),
                         ("runpy", "_run_code"), ("webbrowser", "open"),
                         ("numpy.testing._private.utils", "runstring"),
                         ("torch.hub", "load"), ("shutil", "rmtree"),
                         ("builtins", "exec"), ("operator", "methodcaller")]:
        put(f"gap_{module.replace('.', '_')}_{name}.pkl", True, "denylist gap",
            evil(module, name))
    put("py2_builtin_eval.pkl", True, "python 2 name (__builtin__)",
        PROTO2 + glob("__builtin__", "eval") + b"(" + u("1") + b"tR.")
    put("memo_get.pkl", True, "STACK_GLOBAL operands via memo GET",
        PROTO4 + u("os") + b"\x94" + u("system") + b"\x94" + b"00" + b"h\x00h\x01\x93"
        + b"(" + u("echo pwned") + b"tR.")
    put("memo_decoy.pkl", True, "decoy memo entry overwritten",
        PROTO4 + u("collections") + b"q\x00" + b"0" + u("os") + b"q\x00" + b"0" + b"h\x00"
        + u("system") + b"\x93" + b"(" + u("x") + b"tR.")
    put("binstring_operands.pkl", True, "STRING instead of UNICODE operands",
        PROTO4 + short_binstring("os") + short_binstring("system") + b"\x93("
        + u("x") + b"tR.")
    put("payload_then_broken.pkl", True, "payload before a broken opcode",
        PROTO4 + call(stack_global("os", "system"), "echo pwned") + b"\xff.")
    put("concatenated.pkl", True, "second pickle in one file",
        pickle.dumps({"w": [1, 2]}, protocol=4) + evil())
    put("frame_mismatch.pkl", True, "FRAME length differential",
        PROTO4 + frame(call(stack_global("os", "system"), "x") + b".", length=3))
    put("disguised.png", True, "wrong extension", evil())
    put("disguised.txt", True, "protocol 0 pickle named .txt",
        b"cos\nsystem\n(S'echo pwned'\ntR.")

    # --- torch zips
    members = _torch_members(root)
    pkl = next(n for n in members if n.endswith("/data.pkl"))
    storage = next(n for n in members if n.rsplit("/", 1)[-1] == "0")
    put("torch_data_pkl.pt", True, "torch zip: malicious data.pkl",
        lambda p: zip_with(p, {**members, pkl: evil(proto=PROTO2)}) and None)
    put("torch_renamed_member.pt", True, "torch zip: pickle in a renamed member",
        lambda p: zip_with(p, {**members, "_tmp_sd/extra/weights": evil()}) and None)
    put("torch_in_storage.pt", True, "torch zip: pickle as a tensor storage",
        lambda p: zip_with(p, {**members, storage: evil()}) and None)

    def flagged(p: Path) -> None:
        zip_with(p, {**members, pkl: evil(proto=PROTO2)})
        set_flag_bit(p, pkl, 0)

    def bad_crc(p: Path) -> None:
        zip_with(p, {**members, pkl: evil(proto=PROTO2)})
        break_crc(p, pkl)

    put("torch_encrypted_flag.pt", True, "zip flag bit tampering", flagged)
    put("torch_bad_crc.pt", True, "zip CRC tampering", bad_crc)
    put("zip_deflated.zip", True, "deflated zip member",
        lambda p: zip_with(p, {"archive/data.pkl": evil(proto=PROTO2)},
                           method=zipfile.ZIP_DEFLATED) and None)
    legacy = _legacy(root)
    first = legacy.index(b".") + 1
    second = legacy.index(b".", first) + 1
    put("legacy_2nd_pickle.pt", True, "legacy torch: payload in a later pickle",
        legacy[:first] + evil(proto=PROTO2) + legacy[second:])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
    put("polyglot.pt", True, "pickle/zip polyglot", evil(proto=PROTO2) + buf.getvalue())

    # --- numpy, joblib
    put("object_array.npy", True, "numpy object array with a payload", _npy_object(evil()))
    put("npz_object.npz", True, "npz member object array",
        lambda p: zip_with(p, {"a.npy": _npy_object(evil())}) and None)
    put("joblib_zlib.joblib", True, "compressed joblib (zlib)", zlib.compress(evil()))
    put("joblib_gzip.joblib", True, "compressed joblib (gzip)", gzip.compress(evil()))
    put("joblib_bz2.joblib", True, "compressed joblib (bz2)", bz2.compress(evil()))
    put("joblib_xz.joblib", True, "compressed joblib (xz)", lzma.compress(evil()))

    def after_array(p: Path) -> None:
        joblib.dump({"w": np.arange(64)}, p)
        data = p.read_bytes()
        p.write_bytes(data[:-2] + b"0" + evil()[2:-1] + data[-2:])

    put("joblib_after_array.joblib", True, "payload after a joblib inline array",
        after_array)

    # --- keras
    lam = _layer("Lambda", "l", function={"class_name": "__lambda__",
                                          "config": {"code": "4wAAAA"}})
    put("keras_lambda_nested.keras", True, "Keras Lambda in a nested sub-model",
        lambda p: zip_with(p, _keras(_seq(_seq(_layer("Dense", "d"), lam)))) and None)
    put("keras_tfsmlayer.keras", True, "Keras TFSMLayer",
        lambda p: zip_with(p, _keras(_seq(_layer("TFSMLayer", "t")))) and None)
    put("keras_foreign_module.keras", True, "Keras object outside the keras namespace",
        lambda p: zip_with(p, _keras(_seq(_layer("Run", "r", module="os")))) and None)
    put("lfs_pointer.pt", True, "Git LFS pointer named .pt",
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"ab" * 32
        + b"\nsize 123456\n")

    # --- benign
    put("ok_state_dict.pt", False, "benign: torch state dict",
        lambda p: torch.save(torch.nn.Linear(4, 3).state_dict(), p))
    put("ok_legacy.pt", False, "benign: legacy torch", legacy)
    put("ok_checkpoint.pth", False, "benign: torch checkpoint with numpy scalars",
        lambda p: torch.save({"m": torch.nn.Linear(2, 2).state_dict(), "epoch": 3,
                              "best": np.float64(0.5)}, p))
    put("ok_plain.npy", False, "benign: numpy array", lambda p: np.save(p, np.arange(10)))
    put("ok_arrays.npz", False, "benign: npz", lambda p: np.savez(p, a=np.arange(3)))
    put("ok_numpy_p5.pkl", False, "benign: numpy array, pickle protocol 5",
        pickle.dumps(np.arange(8), protocol=5))
    put("ok_numpy_p2.pkl", False, "benign: numpy array, pickle protocol 2",
        pickle.dumps(np.arange(8), protocol=2))
    put("ok_ordered.pkl", False, "benign: OrderedDict", pickle.dumps(OrderedDict(a=1)))
    put("ok_joblib.joblib", False, "benign: joblib with arrays",
        lambda p: joblib.dump({"w": np.arange(100.0), "o": np.array([1, "a"], dtype=object)},
                              p) and None)
    put("ok_joblib_z.joblib", False, "benign: compressed joblib",
        lambda p: joblib.dump({"w": np.arange(100.0)}, p, compress=3) and None)
    put("ok_keras.keras", False, "benign: Keras model",
        lambda p: zip_with(p, _keras(_seq(_layer("Dense", "d", units=2)))) and None)

    def safetensors(p: Path) -> None:
        from safetensors.numpy import save_file

        save_file({"w": np.ones((2, 2), dtype=np.float32)}, str(p))

    put("ok_model.safetensors", False, "benign: safetensors", safetensors)
    return cases
