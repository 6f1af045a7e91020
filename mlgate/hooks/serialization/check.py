"""The hook's contract: `check(paths, policy)` judges each file by its content (and its name
where the content does not say): pickles, torch checkpoints (zip and legacy), NumPy, joblib
(plain or compressed), Keras, safetensors, Hugging Face configs and Git LFS pointers.
Nothing is loaded, unpickled or imported from a file."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mlgate import fileio
from mlgate.findings import FileError, Finding, Severity, location_fingerprint, not_scanned
from mlgate.hooks.serialization import allowlist as al
from mlgate.hooks.serialization import containers, keras, numpyfile, safetensors
from mlgate.hooks.serialization.hf_config import Ref, refs
from mlgate.hooks.serialization.opcodes import Caps, Global, Source, Walk, Walker
from mlgate.hooks.serialization.rules import BY_NAME, CHECK
from mlgate.hooks.serialization.streams import FileRegion, Inflated, compression
from mlgate.sources.files import LFS_POINTER, display_path

if TYPE_CHECKING:
    from mlgate.policy import Policy

TORCH_EXT = (".pt", ".pth", ".bin", ".ckpt")
PICKLE_EXT = (".pkl", ".pickle", ".pck", ".dill", ".sav", *TORCH_EXT)
JOBLIB_EXT = (".joblib", ".jbl")
MODEL_EXT = (*PICKLE_EXT, *JOBLIB_EXT, ".npy", ".npz", ".keras", ".h5", ".hdf5",
             ".safetensors")
GENERIC_EXT = (".bin",)
HDF5 = b"\x89HDF\r\n\x1a\n"
GGUF = b"GGUF"
# a legacy (pre-zip) torch file starts with a pickle of this magic number
TORCH_LEGACY = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
CONFIG_CAP = 64 << 20
MAX_PICKLES = 16  # pickles walked in one stream when more follow (second-pickle)
MAX_MEMBERS_SCANNED = 100_000
PROTO0_START = frozenset(b"(c]}).NIJKLMSVXUTGFabdeghijlopqrstu\x80")


def _dotted_identifier(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def _is_pickle_magic(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


class Context:
    def __init__(self, policy: Policy) -> None:
        self.values = policy.section(CHECK)
        self.policy = policy
        self.entries = al.entries(self.values["allow"])
        self._lists: dict[str, al.Allowlist] = {}
        self.config_names = {n.lower() for n in self.values["config-files"]}
        self._manifest: Any = None
        self._manifest_loaded = False
        self._manifest_error: Exception | None = None

    def allowlist(self, fmt: str) -> al.Allowlist:
        if fmt not in self._lists:
            self._lists[fmt] = al.Allowlist(fmt, self.entries)
        return self._lists[fmt]

    def manifest(self) -> Any:
        """The policy's artifact manifest, loaded once per run (None: there is none)."""
        from mlgate import manifest_format as mf

        if not self._manifest_loaded:
            self._manifest_loaded = True
            try:
                self._manifest = mf.load(mf.location(self.policy))
            except mf.ManifestMissing:
                self._manifest = None
            except mf.ManifestError as e:
                self._manifest_error = e
        if self._manifest_error is not None:
            raise self._manifest_error
        return self._manifest

    def caps(self) -> Caps:
        return Caps(int(self.values["max-bytes"]), int(self.values["max-opcodes"]),
                    float(self.values["max-seconds"]))


class FileScan:
    """The findings of one file."""

    def __init__(self, ctx: Context, path: str, shown: str) -> None:
        self.ctx = ctx
        self.path = path
        self.shown = shown
        self.out: list[Finding] = []
        self.pickles = 0
        self.caps = ctx.caps()

    def add(self, name: str, message: str, *, member: str = "", where: str = "",
            severity: Severity | None = None) -> None:
        rule = BY_NAME[name]
        self.out.append(Finding(
            CHECK, rule.id, severity or rule.severity, self.shown, message,
            key=fileio.printable(member) if member else None,
            fingerprint=location_fingerprint(rule.id, self.shown, f"{member}|{where}")))

    # ---------------------------------------------------------------- pickles
    def judge(self, r: Walk, fmt: str, member: str, what: str = "pickle") -> None:
        allow = self.ctx.allowlist(fmt)
        for g, offset in r.imports.items():
            if allow.allowed(g.module, g.name, r.protocol):
                continue
            shown = fileio.printable(g.dotted)[:200]
            bad = " (known to run code)" if al.known_bad(g.dotted) else ""
            self.add("import-not-allowed", f"{what} imports {shown}{bad}, which is not on "
                     f"the {fmt} allowlist (offset {offset})", member=member, where=shown)
        for p in r.problems:
            self.add(p.rule, f"{what}: {p.message} (offset {p.offset})", member=member,
                     where=f"{p.rule}:{p.message}")
        if r.persistent_ids and fmt != "torch":
            self.add("persistent-id", f"{what} holds {r.persistent_ids} persistent id(s): "
                     "their loader decides what they become", member=member)

    def walk_stream(self, make: Callable[[], Source], fmt: str, member: str = "", *,
                    expect: int = 1, whole: bool = True, quiet_if_broken: bool = False,
                    start: int = 0) -> Walk | None:
        """Walk the pickle(s) of one stream and judge them. `expect`: how many pickles the
        format's loader reads from it (legacy torch: 5); more is a second pickle and any
        other byte after them trailing data (unless `whole` is False: the rest is raw
        data the loader reads itself). `quiet_if_broken`: content that may just look like
        a pickle (tensor bytes) is reported only when it parses as one."""
        values = fmt == "joblib"
        allow = self.ctx.allowlist(fmt)
        walker = Walker(make(), self.caps, values=values, joblib=values,
                        keep_names=allow.parts, keep_roots=allow.roots, start=start)
        results: list[Walk] = []
        after: list[tuple[str, str, str]] = []  # (rule, message, where) about what follows
        while True:
            r = Walk()
            walker.walk_one(r)
            results.append(r)
            if not r.stopped or len(results) >= MAX_PICKLES or walker.at_end():
                break
            if len(results) >= expect:
                if not whole:
                    break
                if _is_pickle_magic(walker.peek(2)):
                    after.append(("second-pickle", f"another pickle follows the first at "
                                  f"offset {walker.offset()} (a loader may read it; scanners "
                                  "often do not)", str(walker.offset())))
                    continue
                after.append(("trailing-data", f"{walker.offset():,} bytes of pickle, then "
                              "data that is not a pickle", ""))
                break
        if fmt != "joblib" and any(g.dotted in al.JOBLIB for r in results for g in r.imports):
            return self.walk_stream(make, "joblib", member, expect=expect, whole=whole,
                                    start=start)
        first = results[0]
        if quiet_if_broken and (first.problems or not first.stopped):
            return None
        self.pickles += 1
        for rule, message, where in after:
            self.add(rule, message, member=member, where=where)
        for i, r in enumerate(results):
            what = "pickle" if len(results) == 1 else f"pickle {i + 1}"
            self.judge(r, fmt, member, what)
        return first

    # ---------------------------------------------------------------- the file
    def scan(self) -> None:
        fh = fileio.open_regular(self.path, follow_symlinks=False)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            head = containers.pread(fh, 0, 64)
            self.route(fh, size, head)
        if self.pickles and self.ctx.values["forbid-pickle"]:
            self.add("pickle-forbidden", "a pickle-based file; the policy allows "
                     "safetensors only ([serialization] forbid-pickle)")

    def route(self, fh: BinaryIO, size: int, head: bytes) -> None:
        name = Path(self.path).name.lower()
        if head.startswith(LFS_POINTER) and size < 1024:
            self.add("lfs-pointer", "a Git LFS pointer file: the content is not present "
                     "(fetch it with `git lfs pull` before checking)")
            return
        if name.endswith(".safetensors.index.json"):
            self.shard_index(fh, size)
            return
        if name in self.ctx.config_names and not head.startswith((b"PK", b"\x80")):
            self.hf_config(fh, size)
            return
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            self.zip(fh, size, name)
        elif head.startswith(b"\x93NUMPY"):
            self.npy(lambda: FileRegion(fh, 0, size), size, "")
        elif _is_pickle_magic(head):
            self.pickle_file(fh, size, name, head)
        elif head.startswith(HDF5):
            self.h5(fh, name)
        elif (kind := compression(head)) is not None and self.compressed(fh, size, kind,
                                                                          name):
            pass
        elif name.endswith(".safetensors") or (head[8:10] == b'{"' and size > 10):
            for problem in safetensors.validate(fh, size, containers.pread):
                self.add("safetensors-invalid", problem, where=problem)
        elif head.startswith(GGUF):
            pass  # a data-only format: tensors and metadata, no code
        elif name.endswith(GENERIC_EXT):
            # `.bin` names many things besides torch checkpoints (tokenizer and fastText
            # files, firmware, raw tensors): judged only when it really is a pickle
            if head[:1] and head[0] in PROTO0_START:
                self.trial(fh, size, "torch")
        elif name.endswith(PICKLE_EXT + JOBLIB_EXT):
            fmt = "joblib" if name.endswith(JOBLIB_EXT) else \
                "torch" if name.endswith(TORCH_EXT) else "pickle"
            if head[:1] and head[0] in PROTO0_START:
                self.walk_stream(lambda: FileRegion(fh, 0, size).source(), fmt)
            else:
                self.add("unknown-format", f"named {fmt} but its content is no pickle or "
                         "known model format")
        elif head[:1] and head[0] in PROTO0_START and size > 1:
            self.trial(fh, size)
        elif name.endswith(MODEL_EXT) and not name.endswith(GENERIC_EXT):
            self.add("unknown-format", "named as a model file but its content is no known "
                     "format (it could not be checked)")

    def pickle_file(self, fh: BinaryIO, size: int, name: str, head: bytes) -> None:
        def make() -> Source:
            return FileRegion(fh, 0, size).source()

        if head.startswith(TORCH_LEGACY):
            # magic number, protocol, system info, the object, the storage keys; then the
            # storages' raw bytes (read by torch itself, never unpickled)
            self.walk_stream(make, "torch", expect=5, whole=False)
            return
        fmt = "joblib" if name.endswith(JOBLIB_EXT) else \
            "torch" if name.endswith(TORCH_EXT) else "pickle"
        self.walk_stream(make, fmt)

    def trial(self, fh: BinaryIO, size: int, fmt: str = "pickle") -> None:
        """A file with no pickle name or magic that may be a protocol 0/1 pickle: judged as
        one when it imports something or parses whole (what an unpickler would accept)."""
        walker = Walker(FileRegion(fh, 0, size).source(), Caps(min(size, 1 << 26), 1 << 20,
                                                               2.0))
        r = Walk()
        walker.walk_one(r)
        # an import only counts when it could name a module (text that starts with `c`
        # reads as GLOBAL: `class Foo:` is no import)
        real = [g for g in r.imports if _dotted_identifier(g.module)
                and _dotted_identifier(g.name)]
        if real or (r.stopped and not r.problems and walker.at_end()):
            self.walk_stream(lambda: FileRegion(fh, 0, size).source(), fmt)

    def compressed(self, fh: BinaryIO, size: int, kind: str, name: str) -> bool:
        """A compressed file (joblib's compressors): judged when it holds a pickle."""
        cap = int(self.ctx.values["max-bytes"])
        probe = Inflated(fh, size, kind, cap)
        first = probe.read(2)
        if not _is_pickle_magic(first) and not (first[:1] and first[0] in PROTO0_START and
                                                name.endswith(PICKLE_EXT + JOBLIB_EXT)):
            if name.endswith(PICKLE_EXT + JOBLIB_EXT) and not name.endswith(GENERIC_EXT):
                self.add("unknown-format", f"{kind}-compressed, but the content is no pickle"
                         + (f" ({probe.error})" if probe.error else ""))
                return True
            return False
        holder: list[Inflated] = []

        def make() -> Source:
            holder.append(Inflated(fh, size, kind, cap))
            return holder[-1].source()

        fmt = "torch" if name.endswith(TORCH_EXT) else "joblib"
        self.walk_stream(make, fmt, member=f"{kind}-compressed")
        if holder and holder[-1].error:
            self.add("cap-reached" if "decompressed bytes" in holder[-1].error else
                     "malformed-pickle", holder[-1].error, member=f"{kind}-compressed")
        return True

    # ---------------------------------------------------------------- containers
    def zip(self, fh: BinaryIO, size: int, name: str) -> None:
        listing = containers.read_listing(fh, size)
        if listing.fatal:
            self.add("zip-inconsistent", f"starts as a zip archive but cannot be read as one "
                     f"({listing.fatal})")
            return
        for problem in listing.problems:
            self.add("zip-inconsistent", problem, where=problem)
        names = {m.name for m in listing.members}
        is_keras = "config.json" in names and ("metadata.json" in names or
                                              name.endswith(".keras"))
        if name.endswith(".keras") and not is_keras:
            self.add("keras-malformed", "a .keras archive without its config.json (Keras "
                     "cannot load it as written; its content was not judged as a model)")
        fmt = "numpy" if name.endswith(".npz") else "torch" if not is_keras else "pickle"
        if fmt == "torch" and not any(n.endswith("/data.pkl") or n == "data.pkl" or
                                      n.endswith("constants.pkl") for n in names) and \
                not name.endswith(TORCH_EXT):
            fmt = "pickle"
        cap = int(self.ctx.values["max-bytes"])
        for m in listing.members[:MAX_MEMBERS_SCANNED]:
            if m.data_start < 0 or m.name.endswith("/"):
                continue
            if m.method not in (0, 8):
                self.add("not-scanned", f"compression method {m.method} is not supported",
                         member=m.name)
                continue
            first = containers.MemberReader(fh, m, cap).read(8)
            lower = m.name.lower()
            if is_keras and m.name == "config.json":
                self.keras_config(fh, m)
            elif _is_pickle_magic(first) or lower.endswith((".pkl", ".pickle")):
                self.zip_pickle(fh, m, fmt, cap)
            elif first.startswith(b"\x93NUMPY"):
                self.npy(_member_opener(fh, m, cap), m.usize, m.name)

    def zip_pickle(self, fh: BinaryIO, m: containers.Member, fmt: str, cap: int) -> None:
        storage = "/data/" in f"/{m.name}" and m.name.rsplit("/", 1)[-1].isdigit()
        readers: list[containers.MemberReader] = []

        def make() -> Source:
            readers.append(containers.MemberReader(fh, m, cap))
            return readers[-1].source()

        first = self.walk_stream(make, fmt, m.name, quiet_if_broken=storage)
        if first is None:
            return
        if m.usize <= 256 << 20:
            _data, problem = containers.read_member(fh, m, cap)
            if problem:
                self.add("zip-inconsistent", problem, member=m.name, where=problem)

    def keras_config(self, fh: BinaryIO, m: containers.Member) -> None:
        data, problem = containers.read_member(fh, m, CONFIG_CAP)
        if problem and not data:
            self.add("keras-malformed", f"config.json: {problem}", member=m.name)
            return
        if problem:
            self.add("zip-inconsistent", problem, member=m.name, where=problem)
        self.keras_json(data, m.name)

    def keras_json(self, data: bytes, member: str) -> None:
        config, problem = safetensors.parse_json(data)
        if problem:
            self.add("keras-malformed", f"the model config is {problem}", member=member)
            return
        for rule, where, message in keras.walk(config):
            self.add(rule, f"{message} at {fileio.printable(where)[:200]}", member=member,
                     where=where)

    def h5(self, fh: BinaryIO, name: str) -> None:
        try:
            import h5py
        except ImportError:
            self.add("h5-not-inspected", "an HDF5 (Keras .h5) file, not inspected: install "
                     "mlgate[h5] (h5py) to check its model config for Lambda layers and "
                     "custom objects")
            return
        try:
            fh.seek(0)
            with h5py.File(fh, "r") as f:
                raw = f.attrs.get("model_config")
        except Exception as e:  # noqa: BLE001 - h5py raises many kinds on hostile files
            self.add("keras-malformed", f"h5py cannot read it ({str(e)[:120]})")
            return
        if raw is None:
            return  # weights only: no config, no code
        self.keras_json(raw if isinstance(raw, bytes) else str(raw).encode(), "model_config")

    def npy(self, make: Callable[[], Any], size: int, member: str) -> None:
        reader = make()
        head, problem = numpyfile.header(reader.read)
        if problem:
            self.add("npy-malformed", problem, member=member)
            return
        if head.has_object:
            self.add("numpy-object-array", f"an object array (dtype {head.descr[:40]}): "
                     "numpy.load(allow_pickle=True) unpickles its data", member=member)
            self.walk_stream(lambda: numpyfile.rest(make(), head.data_offset), "numpy",
                             member, start=head.data_offset)
            return
        data = size - head.data_offset
        if head.nbytes is not None and data != head.nbytes:
            self.add("npy-malformed", f"the header describes {head.nbytes:,} bytes of data, "
                     f"the file holds {data:,}", member=member)

    # ---------------------------------------------------------------- configs
    def shard_index(self, fh: BinaryIO, size: int) -> None:
        raw = self.read_small(fh, size)
        if raw is None:
            return
        shards, problem = safetensors.index_shards(raw)
        if problem:
            self.add("safetensors-invalid", f"the shard index is {problem}")
            return
        here = Path(self.path).parent
        for shard in shards:
            if "/" in shard or "\\" in shard or shard in ("", ".", ".."):
                self.add("safetensors-missing-shard", f"names the shard {shard[:80]!r}, "
                         "which is not a file name beside the index", where=shard)
            elif not (here / shard).is_file():
                self.add("safetensors-missing-shard", f"names the shard "
                         f"{fileio.printable(shard)[:120]}, which does not exist", where=shard)

    def read_small(self, fh: BinaryIO, size: int) -> bytes | None:
        if size > CONFIG_CAP:
            self.add("not-scanned", f"a config of {size:,} bytes (more than {CONFIG_CAP:,})")
            return None
        return containers.pread(fh, 0, size)

    def hf_config(self, fh: BinaryIO, size: int) -> None:
        raw = self.read_small(fh, size)
        if raw is None:
            return
        if b"auto_map" not in raw:
            return
        config, problem = safetensors.parse_json(raw)
        if problem:
            self.add("not-scanned", f"the config is {problem}")
            return
        here = Path(self.path).parent
        severity = Severity(self.ctx.values["auto-map-severity"])
        seen: set[str] = set()
        for ref in refs(config):
            if isinstance(ref, str):
                self.add("remote-code", ref, severity=severity, where=ref)
                continue
            if ref.repo:
                self.add("remote-code-external", f"auto_map {ref.auto_class} loads "
                         f"{fileio.printable(ref.reference)[:120]} from another repository "
                         "(its code is not part of this release)", where=ref.reference)
                continue
            if ref.file in seen:
                continue
            seen.add(ref.file)
            self.add("remote-code", f"auto_map {ref.auto_class} names {ref.reference}: "
                     f"trust_remote_code=True runs {ref.file} from the release",
                     severity=severity, where=ref.file)
            target = here / ref.file
            if not target.is_file():
                self.add("remote-code-missing", f"auto_map names {ref.file}, which is not "
                         "beside the config", where=ref.file)
            elif self.ctx.values["require-manifest"]:
                self.manifest_covers(ref, target)

    def manifest_covers(self, ref: Ref, target: Path) -> None:
        """The module must be listed in the artifact manifest, unchanged: otherwise what
        `trust_remote_code` runs is not what was released."""
        from mlgate import manifest_format as mf

        try:
            verdict = mf.covered(self.ctx.policy, target, self.ctx.manifest())
        except mf.ManifestError as e:
            self.add("remote-code-unmanifested", f"auto_map names {ref.file}; the manifest "
                     f"cannot be read ({e})", where=ref.file)
            return
        if verdict.ok:
            return
        how = {mf.Verdict.NOT_LISTED: "is not listed in the manifest",
               mf.Verdict.CHANGED: "differs from its manifest entry",
               mf.Verdict.MISSING: "is missing",
               mf.Verdict.UNREADABLE: "cannot be hashed"}.get(
                   verdict.status, f"is not covered ({verdict.status})")
        detail = f" ({verdict.detail})" if verdict.detail else ""
        self.add("remote-code-unmanifested", f"auto_map names {ref.file}, which {how}"
                 f"{detail}: add it to [manifest] artifacts and run `mlgate manifest create`",
                 where=ref.file)


def _member_opener(fh: BinaryIO, m: containers.Member,
                   cap: int) -> Callable[[], containers.MemberReader]:
    return lambda: containers.MemberReader(fh, m, cap)


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    if not paths:
        return
    ctx = Context(policy)
    for path in paths:
        shown = display_path(path)
        scan = FileScan(ctx, path, shown)
        try:
            scan.scan()
        except fileio.UnsafeFile as e:
            if str(e).startswith("symbolic"):
                yield not_scanned(CHECK, shown, str(e), severity=Severity.NOTE)
            else:
                yield FileError(shown, str(e))
            continue
        except OSError as e:
            yield FileError(shown, f"cannot read ({e.strerror or e})")
            continue
        except (ValueError, struct.error, zlib.error, EOFError, IndexError, KeyError,
                TypeError, RecursionError, MemoryError) as e:
            # a hostile structure no reader above expected: named, never a pass
            yield FileError(shown, f"could not be checked ({type(e).__name__}: "
                            f"{fileio.printable(str(e))[:120]})")
            continue
        yield from scan.out


__all__ = ["check", "Global"]
