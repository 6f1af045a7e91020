"""joblib (plain, compressed, inline arrays), Keras v3 archives, safetensors (strict header
rules and shard indexes), Hugging Face auto_map, Git LFS pointers and routing by content."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from serialization_helpers import evil, rules, run, write, zip_with

# --------------------------------------------------------------------------- joblib


@pytest.mark.parametrize("compress", [0, 3, ("zlib", 3), ("gzip", 3), ("bz2", 3),
                                      ("lzma", 3), ("xz", 3)])
def test_real_joblib_files_pass(tmp_path: Path, compress: object) -> None:
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "model.joblib"
    joblib.dump({"coef": np.arange(1000, dtype=np.float64), "ints": np.arange(7),
                 "objs": np.array([1, "a"], dtype=object), "meta": {"v": 1}}, path,
                compress=compress)
    assert run(path) == []


def test_joblib_inline_array_bytes_are_data_not_opcodes(tmp_path: Path) -> None:
    """An array whose bytes are a payload is data (joblib never unpickles it); a payload
    after the array is found."""
    joblib = pytest.importorskip("joblib")
    payload = np.frombuffer(evil() * 10, dtype=np.uint8).copy()
    path = tmp_path / "a.joblib"
    joblib.dump({"blob": payload}, path)
    assert run(path) == []
    data = path.read_bytes()
    # the pickle's STOP is its last byte: put a second object (the payload) before it
    tampered = data[:-2] + b"0" + evil()[2:-1] + data[-2:]
    found = rules(write(tmp_path, "b.joblib", tampered))
    assert "serialization/import-not-allowed" in found


def test_joblib_wrapper_in_a_pkl_file_is_recognised_by_content(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "model.pkl"
    joblib.dump({"w": np.ones(50)}, path)
    assert run(path) == []


def test_a_joblib_array_that_runs_past_the_end(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "a.joblib"
    joblib.dump({"w": np.ones(500)}, path)
    data = path.read_bytes()
    assert "serialization/joblib-layout" in rules(write(tmp_path, "b.joblib", data[:-2000]))


@pytest.mark.parametrize("kind", ["zlib", "gzip", "bz2", "lzma", "xz"])
def test_a_compressed_malicious_pickle_is_found(tmp_path: Path, kind: str) -> None:
    data = evil()
    packed = {"zlib": zlib.compress, "gzip": gzip.compress, "bz2": bz2.compress,
              "xz": lzma.compress,
              "lzma": lambda d: lzma.compress(d, format=lzma.FORMAT_ALONE)}[kind](data)
    # named like anything: compressed content is recognised by its magic bytes
    assert rules(write(tmp_path, "model.bin", packed)) == {"serialization/import-not-allowed"}
    assert rules(write(tmp_path, "weights.dat", packed)) == \
        {"serialization/import-not-allowed"}


def test_a_compressed_file_that_is_no_pickle(tmp_path: Path) -> None:
    assert run(write(tmp_path, "data.csv.gz", gzip.compress(b"a,b\n1,2\n"))) == []
    assert rules(write(tmp_path, "m.joblib", gzip.compress(b"not a pickle"))) == \
        {"serialization/unknown-format"}
    assert "serialization/malformed-pickle" in rules(
        write(tmp_path, "t.joblib", zlib.compress(evil())[:-6]))


# --------------------------------------------------------------------------- keras


def _keras(tmp_path: Path, name: str, config: object) -> Path:
    return zip_with(tmp_path / name, {"metadata.json": b'{"keras_version": "3.5.0"}',
                                      "config.json": json.dumps(config).encode(),
                                      "model.weights.h5": b"\x89HDF\r\n\x1a\n"})


def _layer(cls: str, name: str, module: str = "keras.layers", **config: object) -> dict:
    return {"module": module, "class_name": cls, "config": {"name": name, **config},
            "registered_name": None}


def _model(*layers: dict) -> dict:
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": "seq", "layers": list(layers)}, "registered_name": None}


def test_a_clean_keras_model_passes(tmp_path: Path) -> None:
    model = _model(_layer("Dense", "d1", units=3, activation={
        "module": "keras.activations", "class_name": "function", "config": "relu",
        "registered_name": "function"}))
    assert run(_keras(tmp_path, "m.keras", model)) == []


def test_keras_lambda_nested_in_sub_models(tmp_path: Path) -> None:
    lam = _layer("Lambda", "evil", function={"class_name": "__lambda__", "config": {
        "code": "4wAAAAAAAAAAAAAAAAEAAAADAAAA", "defaults": None, "closure": None}})
    inner = _model(_layer("Dense", "d"), lam)
    outer = {"module": "keras", "class_name": "Functional",
             "config": {"name": "outer", "layers": [_model(inner)]}}
    found = run(_keras(tmp_path, "m.keras", outer))
    assert {f.rule for f in found} == {"serialization/keras-lambda"}
    assert any("layers[0].config.layers[1]" in f.message for f in found)


def test_keras_tfsmlayer_and_foreign_modules(tmp_path: Path) -> None:
    model = _model(_layer("TFSMLayer", "sm", filepath="saved"),
                   _layer("Custom", "c", module="my_project.layers"),
                   _layer("Runner", "r", module="os"))
    assert rules(_keras(tmp_path, "m.keras", model)) == {"serialization/keras-tfsmlayer",
                                                         "serialization/keras-foreign-module"}


def test_keras_2_lambda_and_a_broken_config(tmp_path: Path) -> None:
    old = _model({"class_name": "Lambda", "config": {"name": "l", "function_type": "lambda",
                                                     "function": ["YWJj", None, None]}})
    assert "serialization/keras-lambda" in rules(_keras(tmp_path, "a.keras", old))
    path = zip_with(tmp_path / "b.keras", {"metadata.json": b"{}", "config.json": b"{bad"})
    assert rules(path) == {"serialization/keras-malformed"}
    path = zip_with(tmp_path / "c.keras", {"metadata.json": b"{}", "model.json": b"{}"})
    assert rules(path) == {"serialization/keras-malformed"}


def test_an_h5_file_without_h5py_is_not_passed(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "h5py", None)  # the extra is not installed
    path = write(tmp_path, "model.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    found = run(path)
    assert [f.rule for f in found] == ["serialization/h5-not-inspected"]
    assert "mlgate[h5]" in found[0].message


def test_a_keras_h5_model_config_is_walked_with_h5py(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    lam = _layer("Lambda", "evil", function=["YWJj", None, None], function_type="lambda")
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(_model(_layer("Dense", "d"), lam))
        f.create_dataset("w", data=np.ones(3))
    assert rules(path) == {"serialization/keras-lambda"}
    weights = tmp_path / "weights.h5"
    with h5py.File(weights, "w") as f:
        f.create_dataset("w", data=np.ones(3))
    assert run(weights) == []
    broken = write(tmp_path, "broken.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    assert rules(broken) == {"serialization/keras-malformed"}


# --------------------------------------------------------------------------- safetensors


def _st(header: object, data: bytes = b"", *, raw: bytes | None = None) -> bytes:
    text = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def test_safetensors_from_the_library_and_by_hand_pass(tmp_path: Path) -> None:
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"w": np.ones((2, 3), dtype=np.float32), "b": np.zeros(3, dtype=np.int64)},
                 str(tmp_path / "lib.safetensors"), metadata={"format": "np"})
    hand = _st({"__metadata__": {"a": "b"},
                "x": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]},
                "y": {"dtype": "BOOL", "shape": [], "data_offsets": [4, 5]}}, b"\x00" * 5)
    write(tmp_path, "hand.safetensors", hand)
    assert run([tmp_path / "lib.safetensors", tmp_path / "hand.safetensors"]) == []


T = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize(("label", "data"), [
    ("header length over the cap", struct.pack("<Q", 200_000_000) + b"{}"),
    ("header past the end", struct.pack("<Q", 500) + b"{}"),
    ("too short", b"\x01\x00"),
    ("not UTF-8", _st(None, raw=b'{"\xff": 1}')),
    ("unknown dtype", _st({"t": {**T, "dtype": "F128"}}, b"\x00" * 8)),
    ("metadata not strings", _st({"__metadata__": {"a": 1}, "t": T}, b"\x00" * 8)),
    ("overlap", _st({"a": T, "b": T}, b"\x00" * 8)),
    ("gap", _st({"a": {**T, "data_offsets": [4, 12]}}, b"\x00" * 12)),
    ("reversed", _st({"a": {**T, "data_offsets": [8, 0]}}, b"\x00" * 8)),
    ("size mismatch", _st({"a": {**T, "shape": [3]}}, b"\x00" * 8)),
    ("trailing bytes", _st({"a": T}, b"\x00" * 12)),
    ("shape overflow", _st({"a": {**T, "shape": [2**40, 2**40]}}, b"\x00" * 8)),
    ("duplicate keys", _st(None, raw=b'{"a": ' + json.dumps(T).encode() + b', "a": '
                           + json.dumps(T).encode() + b"}") + b"\x00" * 8),
    ("leading space", _st(None, raw=b" " + json.dumps({"a": T}).encode()) + b"\x00" * 8),
    ("unknown field", _st({"a": {**T, "extra": 1}}, b"\x00" * 8)),
    ("nested too deeply", _st(None, raw=b'{"__metadata__": ' + b"[" * 200 + b"]" * 200
                              + b"}")),
    ("not an object", _st([1, 2])),
])
def test_safetensors_strict_header_rules(tmp_path: Path, label: str, data: bytes) -> None:
    assert rules(write(tmp_path, "m.safetensors", data)) == \
        {"serialization/safetensors-invalid"}, label


def test_a_shard_index_names_shards_that_must_exist(tmp_path: Path) -> None:
    shard = _st({"a": T}, b"\x00" * 8)
    write(tmp_path, "model-00001-of-00002.safetensors", shard)
    index = {"metadata": {"total_size": 16},
             "weight_map": {"a": "model-00001-of-00002.safetensors",
                            "b": "model-00002-of-00002.safetensors",
                            "c": "../outside.safetensors"}}
    path = write(tmp_path, "model.safetensors.index.json", json.dumps(index).encode())
    found = run(path)
    assert [f.rule for f in found] == ["serialization/safetensors-missing-shard"] * 2
    assert rules(write(tmp_path, "x.safetensors.index.json", b"{}")) == \
        {"serialization/safetensors-invalid"}


# --------------------------------------------------------------------------- auto_map


def test_auto_map_names_modules_that_run_on_load(tmp_path: Path) -> None:
    write(tmp_path, "modeling_demo.py", b"class DemoModel: pass\n")
    config = {"model_type": "demo", "auto_map": {
        "AutoConfig": "configuration_demo.DemoConfig",
        "AutoModel": "modeling_demo.DemoModel",
        "AutoTokenizer": ["other-org/tokenizers--tokenization_demo.DemoTokenizer", None]}}
    path = write(tmp_path, "config.json", json.dumps(config).encode())
    found = run(path, {"serialization": {"require-manifest": False}})
    by_rule = sorted((f.rule, f.severity.value) for f in found)
    assert by_rule == [("serialization/remote-code", "warning"),
                       ("serialization/remote-code", "warning"),
                       ("serialization/remote-code-external", "error"),
                       ("serialization/remote-code-missing", "error")]
    found = run(path, {"serialization": {"auto-map-severity": "error",
                                         "require-manifest": False}})
    assert {f.severity.value for f in found} == {"error"}


def test_a_config_without_auto_map_and_other_json_pass(tmp_path: Path) -> None:
    assert run(write(tmp_path, "config.json", b'{"model_type": "bert"}')) == []
    assert run(write(tmp_path, "data.json", b'{"auto_map": {"x": "a.b"}}')) == []


# --------------------------------------------------------------------------- LFS, routing


def test_an_lfs_pointer_is_not_a_model(tmp_path: Path) -> None:
    pointer = (b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"ab" * 32
               + b"\nsize 2000000000\n")
    for name in ("model.pt", "model.safetensors", "weights.bin"):
        assert rules(write(tmp_path, name, pointer)) == {"serialization/lfs-pointer"}


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    for name in ("picture.png", "notes.txt", "model.safetensors", "README"):
        assert rules(write(tmp_path, name, evil())) == {"serialization/import-not-allowed"}
    proto0 = b"cos\nsystem\n(S'echo pwned'\ntR."
    assert rules(write(tmp_path, "run.txt", proto0)) == {"serialization/import-not-allowed"}


def test_ordinary_files_are_left_alone(tmp_path: Path) -> None:
    files = [write(tmp_path, "README.md", b"# Model\n\nIt works.\n"),
             write(tmp_path, "train.py", b"import torch\nprint('hi')\n"),
             write(tmp_path, "note.txt", b"I think.\n"),
             write(tmp_path, "model.py", b"class Model:\n    pass\n"),
             write(tmp_path, "conf.yaml", b"cuda: true\nlr: 0.1\n"),
             write(tmp_path, "list.txt", b"(a)\n.\n"),
             write(tmp_path, "setup.cfg", b"[metadata]\nname = x\n"),
             write(tmp_path, "img.png", b"\x89PNG\r\n\x1a\n" + os.urandom(64)),
             write(tmp_path, "model.gguf", b"GGUF\x03\x00\x00\x00" + b"\x00" * 32)]
    assert run(files) == []


def test_a_bin_file_is_judged_only_when_it_is_a_pickle(tmp_path: Path) -> None:
    # `.bin` is too generic: tokenizer, fastText and raw tensor files are no findings
    assert run([write(tmp_path, "image.bin", bytes(range(256))),
                write(tmp_path, "vocab.bin", b"abc\x00\x01" * 20)]) == []
    assert rules(write(tmp_path, "model.bin", b"cos\nsystem\n(S'x'\ntR.")) == \
        {"serialization/import-not-allowed"}
    assert rules(write(tmp_path, "pytorch_model.bin", evil())) == \
        {"serialization/import-not-allowed"}


def test_a_model_name_with_unknown_content(tmp_path: Path) -> None:
    assert rules(write(tmp_path, "model.pt", b"\x00\x01garbage" * 8)) == \
        {"serialization/unknown-format"}
    assert rules(write(tmp_path, "model.npy", b"\x00\x01garbage" * 8)) == \
        {"serialization/unknown-format"}


def test_auto_map_modules_must_be_covered_by_the_manifest(tmp_path: Path) -> None:
    from mlgate import manifest_format as mf

    module = write(tmp_path, "modeling_demo.py", b"class DemoModel: pass\n")
    config = write(tmp_path, "config.json",
                   b'{"auto_map": {"AutoModel": "modeling_demo.DemoModel"}}')
    unmanifested = "serialization/remote-code-unmanifested"
    found = run(config)  # no manifest at all
    assert [f.rule for f in found if f.rule == unmanifested] == [unmanifested]
    assert "no manifest" in next(f.message for f in found if f.rule == unmanifested)
    size, digest = mf.hash_file(module)
    mf.write(tmp_path / "mlgate-manifest.json", [mf.Entry("modeling_demo.py", size, digest)])
    assert {f.rule for f in run(config)} == {"serialization/remote-code"}
    module.write_bytes(b"import os; os.system('echo pwned')\n")
    found = run(config)
    assert unmanifested in {f.rule for f in found}
    assert "differs" in next(f.message for f in found if f.rule == unmanifested)
    (tmp_path / "mlgate-manifest.json").write_bytes(b"{not json")
    assert unmanifested in rules(config)
