"""Torch checkpoints (zip and legacy), zip tampering (flag bits, CRCs, renamed and hidden
members, deflated members), NumPy .npy/.npz: real files from torch.save and numpy.save, and
malicious pickles written as opcode bytes into them."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from serialization_helpers import (
    PROTO2,
    break_crc,
    evil,
    rename_local,
    rules,
    run,
    set_flag_bit,
    write,
    zip_with,
)

torch = pytest.importorskip("torch")


def _state_dict_file(path: Path, legacy: bool = False) -> Path:
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    torch.save(model.state_dict(), path, _use_new_zipfile_serialization=not legacy)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_real_torch_checkpoints_pass(tmp_path: Path) -> None:
    files = [_state_dict_file(tmp_path / "sd.pt"),
             _state_dict_file(tmp_path / "legacy.pt", legacy=True)]
    full = tmp_path / "ckpt.pth"
    torch.save({"model": torch.nn.Linear(2, 2).state_dict(), "epoch": 3, "lr": 0.1,
                "step": np.int64(7), "best": np.float64(0.5), "names": ["a", "b"]}, full)
    files.append(full)
    assert run(files) == []


def test_a_malicious_data_pkl_in_a_torch_zip(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    name = next(n for n in members if n.endswith("/data.pkl"))
    members[name] = evil(proto=PROTO2)
    found = run(zip_with(tmp_path / "evil.pt", members))
    assert {f.rule for f in found} == {"serialization/import-not-allowed"}
    assert found[0].key == name


def test_a_pickle_renamed_in_the_archive_is_found_by_content(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    members["sd/extra/weights"] = evil()
    assert rules(zip_with(tmp_path / "a.pt", members)) == {"serialization/import-not-allowed"}


def test_a_malicious_pickle_as_tensor_storage_is_found(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    storage = next(n for n in members if n.rsplit("/", 1)[-1] == "0")
    members[storage] = evil()
    assert rules(zip_with(tmp_path / "a.pt", members)) == {"serialization/import-not-allowed"}


def test_tensor_bytes_that_only_look_like_a_pickle_are_data(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    storage = next(n for n in members if n.rsplit("/", 1)[-1] == "0")
    members[storage] = b"\x80\x02" + bytes(range(200, 256)) * 4
    assert run(zip_with(tmp_path / "a.pt", members)) == []


def test_the_encrypted_flag_bit_does_not_hide_the_member(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    name = next(n for n in members if n.endswith("/data.pkl"))
    members[name] = evil(proto=PROTO2)
    path = zip_with(tmp_path / "a.pt", members)
    set_flag_bit(path, name, 0)
    with zipfile.ZipFile(path) as z, pytest.raises(RuntimeError):
        z.read(name)  # the standard reader refuses it
    assert rules(path) == {"serialization/import-not-allowed", "serialization/zip-inconsistent"}


def test_a_bad_crc_does_not_hide_the_member(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    name = next(n for n in members if n.endswith("/data.pkl"))
    members[name] = evil(proto=PROTO2)
    path = zip_with(tmp_path / "a.pt", members)
    break_crc(path, name)
    with zipfile.ZipFile(path) as z, pytest.raises(zipfile.BadZipFile):
        z.read(name)
    assert rules(path) == {"serialization/import-not-allowed", "serialization/zip-inconsistent"}


def test_a_member_renamed_in_its_local_header(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "a.pt", {"archive/data.pkl": evil(proto=PROTO2),
                                        "archive/version": b"3\n"})
    rename_local(path, "archive/data.pkl", "archive/xata.pkl")
    assert rules(path) == {"serialization/import-not-allowed", "serialization/zip-inconsistent"}


def test_a_hidden_member_between_the_listed_ones(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/hidden.pkl", evil(proto=PROTO2))
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    data = buf.getvalue()
    # drop the first central directory entry: its local header stays in the file
    cd = data.find(b"PK\x01\x02")
    second = data.find(b"PK\x01\x02", cd + 4)
    eocd = data.rfind(b"PK\x05\x06")
    new_cd = data[second:eocd]
    end = bytearray(data[eocd:])
    struct.pack_into("<HHII", end, 8, 1, 1, len(new_cd), cd + 0)
    struct.pack_into("<I", end, 16, cd)
    path = write(tmp_path, "a.pt", data[:cd] + new_cd + bytes(end))
    assert "serialization/zip-inconsistent" in rules(path)


def test_a_deflated_member_is_read(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "a.zip", {"archive/data.pkl": evil(proto=PROTO2)},
                    method=zipfile.ZIP_DEFLATED)
    assert rules(path) == {"serialization/import-not-allowed"}


def test_a_file_that_starts_as_a_zip_but_is_not_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pt", b"PK\x03\x04" + b"\x00" * 100)
    assert rules(path) == {"serialization/zip-inconsistent"}


def test_all_pickles_of_a_legacy_torch_file_are_judged(tmp_path: Path) -> None:
    legacy = _state_dict_file(tmp_path / "legacy.pt", legacy=True).read_bytes()
    # the legacy layout: magic, protocol, sys_info, object, storage keys, raw storages;
    # replace the protocol-version pickle (the 2nd) with a payload
    first_end = legacy.index(b".") + 1
    second_end = legacy.index(b".", first_end) + 1
    data = legacy[:first_end] + evil(proto=PROTO2) + legacy[second_end:]
    assert rules(write(tmp_path, "a.pt", data)) == {"serialization/import-not-allowed"}


def test_the_torch_allowlist_is_not_the_plain_one(tmp_path: Path) -> None:
    members = _members(_state_dict_file(tmp_path / "sd.pt"))
    path = write(tmp_path, "plain.pkl", members[next(n for n in members
                                                     if n.endswith("/data.pkl"))])
    found = rules(path)  # torch's classes and a persistent id: not a plain pickle
    assert "serialization/import-not-allowed" in found


# --------------------------------------------------------------------------- numpy

def test_numpy_plain_arrays_pass_and_object_arrays_do_not(tmp_path: Path) -> None:
    np.save(tmp_path / "plain.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
    np.save(tmp_path / "rec.npy", np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8", (2,))]))
    np.save(tmp_path / "obj.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    assert run([tmp_path / "plain.npy", tmp_path / "rec.npy"]) == []
    assert rules(tmp_path / "obj.npy") == {"serialization/numpy-object-array"}


def test_an_object_array_with_a_payload(tmp_path: Path) -> None:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (118 - len(header)) + b"\n"
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + evil()
    assert rules(write(tmp_path, "a.npy", data)) == {"serialization/numpy-object-array",
                                                     "serialization/import-not-allowed"}


def test_a_truncated_or_padded_npy(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.arange(100))
    data = (tmp_path / "a.npy").read_bytes()
    write(tmp_path, "short.npy", data[:-8])
    write(tmp_path, "long.npy", data + b"\x00" * 8)
    write(tmp_path, "bad.npy", data[:10] + b"__import__('os')" + data[26:])
    for name in ("short.npy", "long.npy", "bad.npy"):
        assert rules(tmp_path / name) == {"serialization/npy-malformed"}, name


def test_npz_members(tmp_path: Path) -> None:
    np.savez(tmp_path / "ok.npz", a=np.arange(3), b=np.ones((2, 2)))
    np.savez_compressed(tmp_path / "obj.npz", a=np.array([{"k": 1}], dtype=object))
    assert run(tmp_path / "ok.npz") == []
    assert rules(tmp_path / "obj.npz") == {"serialization/numpy-object-array"}


def test_the_torch_allowlist_is_torchs_own_weights_only_list() -> None:
    """Written out from torch 2.13 (nothing is imported at run time); this fails loudly when
    a torch release changes its list."""
    from torch._weights_only_unpickler import _get_allowed_globals

    from mlgate.hooks.serialization.allowlist import FORMATS

    assert set(_get_allowed_globals()) <= FORMATS["torch"]
