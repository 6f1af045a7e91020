"""The opcode walker against the bypass classes of the pickle scanners: imports that a
denylist misses, memo and stack tricks, STRING operands, FRAME differentials, concatenated
pickles, payloads before a broken opcode. Every pickle here is written as opcode bytes at
run time and never loaded."""

from __future__ import annotations

import collections
import pickle
import struct
from pathlib import Path

import pytest
from serialization_helpers import (
    PROTO2,
    PROTO4,
    binunicode,
    call,
    evil,
    frame,
    glob,
    rules,
    run,
    short_binstring,
    stack_global,
    u,
    write,
)


@pytest.mark.parametrize(("module", "name"), [
    ("os", "system"), ("posix", "system"), ("subprocess", "Popen"), ("builtins", "eval"),
    ("builtins", "exec"), ("builtins", "getattr"), ("pip", "main"),
    ("pkgutil", "resolve_name"), ("runpy", "_run_code"), ("torch.hub", "load"),
    ("numpy.testing._private.utils", "runstring"), ("webbrowser", "open"),
    # never on any denylist: an allowlist still refuses them
    ("my_project.helpers", "innocent"), ("collections", "namedtuple"),
])
def test_every_import_outside_the_allowlist_is_reported(tmp_path: Path, module: str,
                                                        name: str) -> None:
    found = run(write(tmp_path, "model.pkl", evil(module, name)))
    assert [f.rule for f in found] == ["serialization/import-not-allowed"]
    assert f"{module}.{name}" in found[0].message


def test_real_pickles_of_containers_and_numpy_pass(tmp_path: Path) -> None:
    import numpy as np

    objs = [{"a": [1, 2.5, "x", None, True]}, collections.OrderedDict(a=1), {1, 2},
            np.arange(6).reshape(2, 3), np.float32(1.5), np.dtype("f4"), b"raw", (1, 2)]
    paths = [write(tmp_path, f"p{proto}_{i}.pkl", pickle.dumps(o, protocol=proto))
             for proto in range(6) for i, o in enumerate(objs)]
    assert run(paths) == []


def test_protocol_0_global_and_inst(tmp_path: Path) -> None:
    inst = b"(S'echo pwned'\nios\nsystem\n."
    assert rules(write(tmp_path, "a.pkl", inst)) == {"serialization/import-not-allowed"}
    g = glob("os", "system") + b"(S'echo pwned'\ntR."
    assert rules(write(tmp_path, "b.pkl", g)) == {"serialization/import-not-allowed"}


def test_python2_names_are_read_as_python3_reads_them(tmp_path: Path) -> None:
    # fix_imports: __builtin__.eval is builtins.eval; copy_reg is copyreg (allowed)
    data = PROTO2 + glob("__builtin__", "eval") + b"(" + u("1") + b"tR."
    found = run(write(tmp_path, "a.pkl", data))
    assert "__builtin__.eval" in found[0].message
    ok = PROTO2 + glob("copy_reg", "_reconstructor") + b"N."
    assert run(write(tmp_path, "b.pkl", ok)) == []


def test_stack_global_operands_fetched_from_the_memo(tmp_path: Path) -> None:
    data = (PROTO4 + u("os") + b"\x94" + u("system") + b"\x94" + b"0" + b"0"  # memo, pop
            + b"h\x00h\x01\x93" + b"(" + u("echo pwned") + b"tR.")
    found = run(write(tmp_path, "a.pkl", data))
    assert [f.rule for f in found] == ["serialization/import-not-allowed"]
    assert "os.system" in found[0].message


def test_a_decoy_memo_entry_overwritten_before_use(tmp_path: Path) -> None:
    # memo 0 first holds "collections", then "os": the import is os.system
    data = (PROTO4 + u("collections") + b"q\x00" + b"0" + u("os") + b"q\x00" + b"0"
            + b"h\x00" + u("system") + b"\x93" + b"(" + u("x") + b"tR.")
    found = run(write(tmp_path, "a.pkl", data))
    assert "os.system" in found[0].message


def test_a_missing_memo_key_is_a_finding(tmp_path: Path) -> None:
    data = PROTO4 + b"h\x07" + u("system") + b"\x93."
    assert "serialization/memo-error" in rules(write(tmp_path, "a.pkl", data))
    data = PROTO4 + b"j\xff\xff\xff\x00."
    assert "serialization/memo-error" in rules(write(tmp_path, "b.pkl", data))


def test_string_and_binstring_operands_resolve_too(tmp_path: Path) -> None:
    for i, ops in enumerate([short_binstring("os") + short_binstring("system"),
                             b"S'os'\nS'system'\n", binunicode("os") + binunicode("system"),
                             b"Vos\nVsystem\n"]):
        data = PROTO4 + ops + b"\x93" + b"(" + u("x") + b"tR."
        found = run(write(tmp_path, f"{i}.pkl", data))
        assert [f.rule for f in found] == ["serialization/import-not-allowed"], i
        assert "os.system" in found[0].message


def test_stack_global_with_operands_that_are_not_strings(tmp_path: Path) -> None:
    data = PROTO4 + b"C\x02os" + b"C\x06system" + b"\x93" + b")R."
    assert "serialization/unresolved-import" in rules(write(tmp_path, "a.pkl", data))


def test_extension_registry_imports_cannot_be_checked(tmp_path: Path) -> None:
    data = PROTO4 + b"\x82\x01" + b")R."
    assert "serialization/unresolved-import" in rules(write(tmp_path, "a.pkl", data))


def test_a_call_of_a_value_that_is_not_an_import(tmp_path: Path) -> None:
    data = PROTO4 + u("not callable") + b")R."
    assert rules(write(tmp_path, "a.pkl", data)) == {"serialization/computed-call"}


def test_a_payload_before_a_broken_opcode_is_still_reported(tmp_path: Path) -> None:
    data = PROTO4 + call(stack_global("os", "system"), "echo pwned") + b"\xff" + b"."
    assert rules(write(tmp_path, "a.pkl", data)) == {"serialization/import-not-allowed",
                                                     "serialization/malformed-pickle"}


@pytest.mark.parametrize("data", [
    PROTO4, PROTO4 + b"X\xff\xff\x00\x00ab", PROTO4 + b"\x8c\x10abc", PROTO4 + b"R.",
    PROTO4 + b"t.", PROTO4 + b"\x80\x09N.", b"\x80\x04I12x\n.", b"\x80\x04S'unterminated\n.",
])
def test_truncated_and_malformed_pickles_fail_closed(tmp_path: Path, data: bytes) -> None:
    assert "serialization/malformed-pickle" in rules(write(tmp_path, "a.pkl", data))


def test_an_empty_model_file_is_not_a_pass(tmp_path: Path) -> None:
    assert rules(write(tmp_path, "a.pkl", b"")) == {"serialization/unknown-format"}


def test_a_second_pickle_in_the_same_file(tmp_path: Path) -> None:
    data = pickle.dumps({"weights": [1, 2]}, protocol=4) + evil()
    assert rules(write(tmp_path, "a.pkl", data)) == {"serialization/second-pickle",
                                                     "serialization/import-not-allowed"}


def test_trailing_data_after_stop(tmp_path: Path) -> None:
    data = pickle.dumps([1, 2], protocol=4) + b"\x00junk"
    assert rules(write(tmp_path, "a.pkl", data)) == {"serialization/trailing-data"}


def test_a_pickle_followed_by_a_zip_is_a_polyglot(tmp_path: Path) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
    data = evil(proto=PROTO2) + buf.getvalue()
    assert rules(write(tmp_path, "a.pt", data)) == {"serialization/import-not-allowed",
                                                    "serialization/trailing-data"}


def test_frames_that_match_pass(tmp_path: Path) -> None:
    body = u("a") + b"\x94" + b"."
    assert run(write(tmp_path, "a.pkl", PROTO4 + frame(body))) == []


def test_frame_lengths_the_unpicklers_disagree_on(tmp_path: Path) -> None:
    payload = call(stack_global("os", "system"), "echo pwned")
    # the frame ends inside an opcode
    a = PROTO4 + frame(payload + b".", length=3) + b""
    # a frame inside a frame
    b = PROTO4 + frame(frame(payload + b".")[:9] + payload + b".",
                       length=len(payload) + 10)
    # a frame longer than the data
    c = PROTO4 + frame(payload + b".", length=1 << 20)
    for i, data in enumerate((a, b, c)):
        assert "serialization/frame-mismatch" in rules(write(tmp_path, f"{i}.pkl", data)), i


def test_a_persistent_id_outside_torch(tmp_path: Path) -> None:
    data = PROTO2 + u("key") + b"Q."
    assert rules(write(tmp_path, "a.pkl", data)) == {"serialization/persistent-id"}


def test_dotted_names_walk_attributes_and_are_not_allowed(tmp_path: Path) -> None:
    data = PROTO4 + stack_global("collections", "OrderedDict.__init__.__globals__") + b"."
    found = run(write(tmp_path, "a.pkl", data))
    assert [f.rule for f in found] == ["serialization/import-not-allowed"]


def test_many_memoized_strings_and_a_late_import(tmp_path: Path) -> None:
    """Past the memo's string cap, the names of allowed imports are still resolved."""
    body = b"".join(u(f"s{i}") + b"\x94" + b"0" for i in range(120_000))
    n = 120_000
    data = (PROTO4 + body + u("collections") + b"\x94" + b"0" + u("OrderedDict") + b"\x94"
            + b"0" + b"j" + struct.pack("<I", n) + b"j" + struct.pack("<I", n + 1)
            + b"\x93" + b")R.")
    assert run(write(tmp_path, "a.pkl", data)) == []
