"""A streaming pickle opcode walker with its own stack and memo model.

Nothing is ever unpickled: the walker reads opcodes, keeps a stack of placeholders (the
strings and imports it needs to resolve STACK_GLOBAL, everything else an opaque `ANY`) and a
memo of which keys exist, and records every import (GLOBAL, STACK_GLOBAL, INST) and every call
(REDUCE, NEWOBJ, OBJ, INST) whose callable is not an import. Whatever the C unpickler or the
Python one would reject — an unknown opcode, a stack underflow, a missing memo key, a FRAME
that the two disagree on — is a problem, and the walk stops there (what ran before is
reported too: a payload before a broken opcode still counts).

With `values=True` (joblib) the stack holds real values for constants, tuples, lists and
dicts, so that the layout of joblib's inline arrays (bytes that are not opcodes) can be
computed and skipped the way joblib's own unpickler reads them.
"""

from __future__ import annotations

import codecs
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

CHUNK = 1 << 22
STR_KEEP = 256  # strings longer than this are no module or attribute name: not kept
MEMO_DENSE = 1 << 26  # memo keys below this are tracked in a bytearray
MEMO_SPARSE_CAP = 100_000  # keys above it (a legitimate pickler never writes them)
MEMO_STR_CAP = 100_000  # memoized strings kept as values; beyond, only the known names
MAX_STACK = 5_000_000
LINE_CAP = 1 << 20  # protocol-0 text arguments
CHECK_EVERY = 1 << 16  # opcodes between checks of the time and stack caps
VALUES_CAP = 5_000_000  # opcodes walked with real values (joblib)
NOFRAME = 1 << 62


class _Any:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()


@dataclass(frozen=True)
class Global:
    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Obj:
    """values mode: the result of a call or NEWOBJ, with the state BUILD gave it."""

    fn: object
    args: object
    state: object = None


@dataclass
class Problem:
    rule: str  # a rule name of the hook (rules.py) without the check prefix
    message: str
    offset: int


@dataclass
class Walk:
    imports: dict[Global, int] = field(default_factory=dict)  # import -> first offset
    problems: list[Problem] = field(default_factory=list)
    opcodes: int = 0
    protocol: int = 0
    end: int = 0  # offset after STOP (or where the walk stopped)
    stopped: bool = False  # reached STOP
    persistent_ids: int = 0
    joblib_arrays: int = 0


class Caps:
    def __init__(self, max_bytes: int, max_opcodes: int, max_seconds: float) -> None:
        self.max_bytes = max_bytes
        self.max_opcodes = max_opcodes
        self.deadline = time.monotonic() + max_seconds
        self.max_seconds = max_seconds
        self.opcodes = 0  # across every pickle of one file


class Source:
    """The bytes of a pickle stream: `read(n)` returns up to n bytes (b"" at the end);
    `skip(n)` skips up to n bytes without keeping them and returns how many were skipped."""

    def __init__(self, read: Callable[[int], bytes],
                 skip: Callable[[int], int] | None = None) -> None:
        self.read = read
        self._skip = skip

    def skip(self, n: int) -> int:
        if self._skip is not None:
            return self._skip(n)
        done = 0
        while done < n:
            part = self.read(min(CHUNK, n - done))
            if not part:
                break
            done += len(part)
        return done


class Stop(Exception):
    pass


# argument widths of the fixed-size opcodes
_FIXED = {ord("K"): 1, ord("M"): 2, ord("J"): 4, ord("G"): 8}


class Walker:
    """One pass over one byte stream, which may hold several pickles (see `walk_one`)."""

    def __init__(self, source: Source, caps: Caps, *, values: bool = False,
                 joblib: bool = False, keep_names: frozenset[str | bytes] = frozenset(),
                 keep_roots: tuple[str, ...] = (), start: int = 0) -> None:
        self.src = source
        self.caps = caps
        self.values = values
        self.joblib = joblib
        # past MEMO_STR_CAP memoized strings, only these are kept: names that can be part
        # of an allowed import, and strings starting with a policy entry's module root
        self.keep_names = keep_names
        self.keep_roots = keep_roots
        self.buf = b""
        self.pos = 0
        self.base = start  # absolute offset of buf[0]
        self.eof = False
        self.capped = False  # the byte cap ended the stream, not the data

    # ------------------------------------------------------------------ buffer
    def _fill(self, need: int) -> bool:
        """At least `need` bytes from pos on, unless the stream ends first."""
        while len(self.buf) - self.pos < need and not self.eof:
            room = self.caps.max_bytes - (self.base + len(self.buf))
            if room <= 0:
                self.eof = self.capped = True
                break
            part = self.src.read(min(room, max(CHUNK, need - (len(self.buf) - self.pos))))
            if not part:
                self.eof = True
                break
            self.buf = self.buf[self.pos:] + part
            self.base += self.pos
            self.pos = 0
        return len(self.buf) - self.pos >= need

    def at_end(self) -> bool:
        return not self._fill(1)

    def offset(self) -> int:
        return self.base + self.pos

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return self.buf[self.pos:self.pos + n]

    def skip(self, n: int) -> bool:
        """Skip n bytes of the stream; False when it ends first."""
        have = len(self.buf) - self.pos
        if have >= n:
            self.pos += n
            return True
        self.base += len(self.buf)
        self.buf, self.pos = b"", 0
        done = self.src.skip(n - have)
        self.base += done
        if done < n - have:
            self.eof = True
            return False
        return True

    def take(self, n: int) -> bytes | None:
        if not self._fill(n):
            return None
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def _line(self) -> bytes | None:
        while True:
            i = self.buf.find(b"\n", self.pos)
            if i >= 0:
                out = self.buf[self.pos:i]
                self.pos = i + 1
                return out
            if len(self.buf) - self.pos > LINE_CAP or self.eof:
                return None
            if not self._fill(len(self.buf) - self.pos + 1):
                return None

    # ------------------------------------------------------------------ walk
    def walk_one(self, result: Walk) -> None:
        """Walk one pickle, from the current offset to its STOP (or the first problem)."""
        with contextlib.suppress(Stop):
            self._walk(result)
        result.end = self.offset()

    def _problem(self, result: Walk, rule: str, message: str, offset: int) -> None:
        result.problems.append(Problem(rule, message, offset))

    def _walk(self, r: Walk) -> None:  # noqa: C901 - one loop, one opcode per branch
        stack: list[object] = []
        marks: list[int] = []
        dense = bytearray()
        sparse: dict[int, bool] = {}
        mvals: dict[int, object] = {}
        kept_strs = 0
        memo_size = 0
        values = self.values
        caps = self.caps
        keep_names = self.keep_names
        keep_roots = self.keep_roots
        keep_roots_b = tuple(r.encode() for r in keep_roots)
        frame_end = NOFRAME
        ops = 0
        next_check = CHECK_EVERY
        any_ = ANY
        stack_append = stack.append
        stack_pop = stack.pop

        def fail(rule: str, message: str, at: int) -> NoReturn:
            if self.capped and rule in ("malformed-pickle", "frame-mismatch"):
                rule, message = "cap-reached", f"more than {caps.max_bytes:,} bytes"
            self._problem(r, rule, message, at)
            raise Stop

        def underflow(at: int, name: str) -> NoReturn:
            fail("malformed-pickle", f"stack underflow at {name}", at)

        def pop_mark(at: int, name: str) -> list[object]:
            if not marks:
                fail("malformed-pickle", f"{name} without MARK", at)
            k = marks.pop()
            items = stack[k:]
            del stack[k:]
            return items

        def memo_put(key: int, at: int) -> None:
            nonlocal kept_strs, memo_size
            if not stack:
                fail("malformed-pickle", "memo PUT on an empty stack", at)
            v = stack[-1]
            if key < MEMO_DENSE:
                if key >= len(dense):
                    dense.extend(bytes(key + 1 - len(dense) + (len(dense) >> 1)))
                if not dense[key]:
                    dense[key] = 1
                    memo_size += 1
            elif key not in sparse:
                if len(sparse) >= MEMO_SPARSE_CAP:
                    fail("cap-reached", "too many sparse memo keys", at)
                sparse[key] = True
                memo_size += 1
            if type(v) is str or (type(v) is bytes and not values):
                if kept_strs < MEMO_STR_CAP or v in keep_names or (keep_roots and str(
                        _text(v)).startswith(keep_roots)):
                    kept_strs += 1
                    mvals[key] = v
                    return
            elif type(v) is Global or (values and v is not any_):
                mvals[key] = v
                return
            if mvals:
                mvals.pop(key, None)  # a decoy overwritten by something else

        def memo_get(key: int, at: int) -> None:
            v = mvals.get(key)
            if v is not None:
                stack_append(v)
                return
            if (key < len(dense) and dense[key]) or key in sparse:
                stack_append(any_)
                return
            fail("memo-error", f"memo key {key} read before it was written", at)

        def imported(g: Global, at: int) -> None:
            if g not in r.imports:
                r.imports[g] = at
            stack_append(g)

        def called(fn: object, at: int, name: str, args: object = None) -> None:
            if type(fn) is not Global:
                self._problem(r, "computed-call",
                              f"{name} calls a value that is not an import", at)
                stack_append(any_)
                return
            if values:
                if self.joblib and fn.dotted == "copyreg._reconstructor" and \
                        isinstance(args, tuple) and args and type(args[0]) is Global:
                    stack_append(Obj(args[0], args[1:]))
                    return
                stack_append(Obj(fn, args))
            else:
                stack_append(any_)

        buf, pos, base = self.buf, self.pos, self.base
        limit = len(buf) - 9
        while True:
            if pos > limit and not self.eof:
                self.pos = pos
                self._fill(9)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
            if pos >= len(buf):
                fail("malformed-pickle", "the pickle ends without STOP", self.base + pos)
            at = base + pos
            if at >= frame_end:
                if at > frame_end:
                    fail("frame-mismatch", "an opcode runs past the end of its FRAME "
                         "(the C and Python unpicklers disagree)", at)
                frame_end = NOFRAME
            op = buf[pos]
            pos += 1
            ops += 1
            if ops >= next_check:
                next_check += CHECK_EVERY
                if caps.opcodes + ops > caps.max_opcodes:
                    fail("cap-reached", f"more than {caps.max_opcodes:,} opcodes", at)
                if time.monotonic() > caps.deadline:
                    fail("cap-reached", f"not judged within {caps.max_seconds:g} seconds", at)
                if len(stack) > MAX_STACK:
                    fail("cap-reached", f"a stack deeper than {MAX_STACK:,} items", at)
                if at > caps.max_bytes:
                    fail("cap-reached", f"more than {caps.max_bytes:,} bytes", at)
                if values and ops > VALUES_CAP:
                    fail("cap-reached", "too many opcodes for a joblib pickle", at)
                r.opcodes = ops

            # --- the frequent opcodes first
            if op == 0x8C:  # SHORT_BINUNICODE
                n = buf[pos] if pos < len(buf) else -1
                if n < 0 or len(buf) - pos - 1 < n:
                    self.pos = pos
                    if n < 0 or not self._fill(n + 1):
                        fail("malformed-pickle", "truncated SHORT_BINUNICODE", at)
                    buf, pos, base = self.buf, self.pos, self.base
                    limit = len(buf) - 9
                    n = buf[pos]
                if values:
                    try:
                        stack_append(buf[pos + 1:pos + 1 + n].decode("utf-8",
                                                                     "surrogatepass"))
                    except UnicodeDecodeError:
                        fail("malformed-pickle", "SHORT_BINUNICODE is not UTF-8", at)
                    pos += 1 + n
                    continue
                # kept as UTF-8 bytes; decoded only if an import needs it
                sv = buf[pos + 1:pos + 1 + n]
                stack_append(sv)
                pos += 1 + n
                # the MEMOIZE that follows nearly every string, taken in the same step
                if pos < len(buf) and buf[pos] == 0x94 and base + pos < frame_end:
                    key = memo_size
                    if key < len(dense) and not dense[key]:
                        pos += 1
                        ops += 1
                        dense[key] = 1
                        memo_size += 1
                        if kept_strs < MEMO_STR_CAP or sv in keep_names or \
                                (keep_roots and sv.startswith(keep_roots_b)):
                            kept_strs += 1
                            mvals[key] = sv
                        elif mvals:
                            mvals.pop(key, None)
            elif op == 0x94:  # MEMOIZE (memo_put, inlined: the most frequent opcode)
                key = memo_size
                if not stack or key >= len(dense) or dense[key]:
                    memo_put(key, at)
                    continue
                dense[key] = 1
                memo_size += 1
                v = stack[-1]
                t = type(v)
                if t is bytes or t is str:
                    if kept_strs < MEMO_STR_CAP or v in keep_names or \
                            (keep_roots and v.startswith(  # type: ignore[attr-defined]
                                keep_roots_b if t is bytes else keep_roots)):
                        kept_strs += 1
                        mvals[key] = v
                    elif mvals:
                        mvals.pop(key, None)
                elif t is Global or (values and v is not any_):
                    mvals[key] = v
                elif mvals:
                    mvals.pop(key, None)
            elif op == 0x71:  # BINPUT q
                if pos >= len(buf):
                    fail("malformed-pickle", "truncated BINPUT", at)
                key = buf[pos]
                pos += 1
                memo_put(key, at)
            elif op == 0x68:  # BINGET h
                if pos >= len(buf):
                    fail("malformed-pickle", "truncated BINGET", at)
                key = buf[pos]
                pos += 1
                memo_get(key, at)
            elif op in _FIXED:  # BININT1 BININT2 BININT BINFLOAT
                w = _FIXED[op]
                if len(buf) - pos < w:
                    fail("malformed-pickle", "truncated argument", at)
                if values:
                    if op == 0x47:
                        import struct
                        stack_append(struct.unpack(">d", buf[pos:pos + w])[0])
                    else:
                        stack_append(int.from_bytes(buf[pos:pos + w], "little",
                                                    signed=op == 0x4A))
                else:
                    stack_append(any_)
                pos += w
            elif op == 0x28:  # MARK
                marks.append(len(stack))
            elif op == 0x65 or op == 0x75 or op == 0x90:  # APPENDS SETITEMS ADDITEMS
                items = pop_mark(at, "APPENDS")
                if not stack:
                    underflow(at, "APPENDS")
                if values:
                    _extend(stack[-1], items, op)
            elif op == 0x58 or op == 0x8D:  # BINUNICODE BINUNICODE8
                w = 4 if op == 0x58 else 8
                if len(buf) - pos < w:
                    self.pos = pos
                    if not self._fill(w):
                        fail("malformed-pickle", "truncated BINUNICODE", at)
                    buf, pos, base = self.buf, self.pos, self.base
                    limit = len(buf) - 9
                n = int.from_bytes(buf[pos:pos + w], "little")
                pos += w
                self.pos = pos
                if n <= STR_KEEP or (values and n <= 4096):
                    data = self.take(n)
                    if data is None or len(data) < n:
                        fail("malformed-pickle", "truncated BINUNICODE", at)
                    if not values:
                        stack_append(data)
                    else:
                        try:
                            stack_append(data.decode("utf-8", "surrogatepass"))
                        except UnicodeDecodeError:
                            fail("malformed-pickle", "BINUNICODE is not UTF-8", at)
                else:
                    if not self.skip(n):
                        fail("malformed-pickle", "truncated BINUNICODE", at)
                    stack_append(any_)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
            elif op == 0x85 or op == 0x86 or op == 0x87:  # TUPLE1 TUPLE2 TUPLE3
                n = op - 0x84
                if len(stack) < n:
                    underflow(at, "TUPLE")
                if values:
                    items = stack[-n:]
                    del stack[-n:]
                    stack_append(tuple(items))
                else:
                    del stack[-n:]
                    stack_append(any_)
            elif op == 0x74:  # TUPLE t
                items = pop_mark(at, "TUPLE")
                stack_append(tuple(items) if values else any_)
            elif op == 0x29:  # EMPTY_TUPLE
                stack_append(() if values else any_)
            elif op == 0x5D:  # EMPTY_LIST
                stack_append([] if values else any_)
            elif op == 0x7D:  # EMPTY_DICT
                stack_append({} if values else any_)
            elif op == 0x4E:  # NONE
                stack_append(None if values else any_)
            elif op == 0x88 or op == 0x89:  # NEWTRUE NEWFALSE
                stack_append((op == 0x88) if values else any_)
            elif op == 0x6A or op == 0x72:  # LONG_BINGET LONG_BINPUT
                if len(buf) - pos < 4:
                    fail("malformed-pickle", "truncated memo index", at)
                key = int.from_bytes(buf[pos:pos + 4], "little")
                pos += 4
                if op == 0x6A:
                    memo_get(key, at)
                else:
                    memo_put(key, at)
            elif op == 0x61:  # APPEND
                if len(stack) < 2:
                    underflow(at, "APPEND")
                v = stack_pop()
                if values:
                    _extend(stack[-1], [v], 0x65)
            elif op == 0x73:  # SETITEM
                if len(stack) < 3:
                    underflow(at, "SETITEM")
                v = stack_pop()
                k = stack_pop()
                if values:
                    _extend(stack[-1], [k, v], 0x75)
            elif op == 0x52:  # REDUCE
                if len(stack) < 2:
                    underflow(at, "REDUCE")
                args = stack_pop()
                fn = stack_pop()
                called(fn, at, "REDUCE", args)
            elif op == 0x62:  # BUILD
                if len(stack) < 2:
                    underflow(at, "BUILD")
                state = stack_pop()
                target = stack[-1]
                if values and type(target) is Obj:
                    target.state = state
                    if self.joblib and type(target.fn) is Global and \
                            target.fn.dotted == "joblib.numpy_pickle.NumpyArrayWrapper":
                        self.pos = pos
                        self._joblib_array(r, target, at, frame_end)
                        frame_end = NOFRAME
                        stack[-1] = any_
                        buf, pos, base = self.buf, self.pos, self.base
                        limit = len(buf) - 9
            elif op == 0x93:  # STACK_GLOBAL
                if len(stack) < 2:
                    underflow(at, "STACK_GLOBAL")
                name = stack_pop()
                module = stack_pop()
                if not values:
                    module = _text(module)
                    name = _text(name)
                if type(module) is not str or type(name) is not str:
                    self._problem(r, "unresolved-import", "STACK_GLOBAL with operands that "
                                  "are not strings known at this point (a memo or stack "
                                  "trick)", at)
                    stack_append(any_)
                else:
                    imported(Global(module, name), at)
            elif op == 0x81:  # NEWOBJ
                if len(stack) < 2:
                    underflow(at, "NEWOBJ")
                args = stack_pop()
                cls = stack_pop()
                called(cls, at, "NEWOBJ", args)
            elif op == 0x92:  # NEWOBJ_EX
                if len(stack) < 3:
                    underflow(at, "NEWOBJ_EX")
                stack_pop()
                args = stack_pop()
                cls = stack_pop()
                called(cls, at, "NEWOBJ_EX", args)
            elif op == 0x95:  # FRAME
                if len(buf) - pos < 8:
                    self.pos = pos
                    if not self._fill(8):
                        fail("malformed-pickle", "truncated FRAME", at)
                    buf, pos, base = self.buf, self.pos, self.base
                    limit = len(buf) - 9
                n = int.from_bytes(buf[pos:pos + 8], "little")
                pos += 8
                if frame_end != NOFRAME:
                    fail("frame-mismatch", "a FRAME starts inside another FRAME (the C and "
                         "Python unpicklers disagree)", at)
                self.pos = pos
                if n > caps.max_bytes:
                    fail("cap-reached", f"a FRAME of {n:,} bytes, more than the byte cap", at)
                if not self._fill(n):
                    fail("frame-mismatch", f"a FRAME of {n:,} bytes runs past the end of "
                         "the data", at)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
                frame_end = self.base + pos + n
            elif op == 0x80:  # PROTO
                if pos >= len(buf):
                    fail("malformed-pickle", "truncated PROTO", at)
                proto = buf[pos]
                pos += 1
                if proto > 5:
                    fail("malformed-pickle", f"unsupported protocol {proto}", at)
                r.protocol = proto
            elif op == 0x2E:  # STOP
                if not stack:
                    underflow(at, "STOP")
                r.stopped = True
                self.pos = pos
                if frame_end != NOFRAME and self.base + pos != frame_end:
                    self._problem(r, "frame-mismatch", "STOP before the end of its FRAME",
                                  at)
                caps.opcodes += ops
                r.opcodes = ops
                return
            elif op == 0x63 or op == 0x69:  # GLOBAL INST
                self.pos = pos
                mod_b = self._line()
                name_b = self._line() if mod_b is not None else None
                if mod_b is None or name_b is None:
                    fail("malformed-pickle", "truncated GLOBAL", at)
                try:
                    g = Global(mod_b.decode("utf-8"), name_b.decode("utf-8"))
                except UnicodeDecodeError:
                    fail("malformed-pickle", "GLOBAL is not UTF-8", at)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
                if op == 0x63:
                    imported(g, at)
                else:
                    args = pop_mark(at, "INST")
                    imported(g, at)
                    stack_pop()
                    called(g, at, "INST", tuple(args))
            elif op == 0x6F:  # OBJ
                items = pop_mark(at, "OBJ")
                if not items:
                    underflow(at, "OBJ")
                called(items[0], at, "OBJ", tuple(items[1:]))
            elif op == 0x30:  # POP
                if not stack:
                    if marks:  # POP of a MARK (the Python unpickler's behaviour)
                        marks.pop()
                    else:
                        underflow(at, "POP")
                elif marks and marks[-1] == len(stack):
                    marks.pop()
                else:
                    stack_pop()
            elif op == 0x31:  # POP_MARK
                pop_mark(at, "POP_MARK")
            elif op == 0x32:  # DUP
                if not stack:
                    underflow(at, "DUP")
                stack_append(stack[-1])
            elif op == 0x6C or op == 0x64 or op == 0x91:  # LIST DICT FROZENSET
                items = pop_mark(at, "LIST")
                if values and op == 0x6C:
                    stack_append(items)
                elif values and op == 0x64:
                    d: dict[object, object] = {}
                    _extend(d, items, 0x75)
                    stack_append(d)
                else:
                    stack_append(any_)
            elif op == 0x8F:  # EMPTY_SET
                stack_append(any_)
            elif op == 0x8A or op == 0x8B:  # LONG1 LONG4
                w = 1 if op == 0x8A else 4
                self.pos = pos
                nb = self.take(w)
                if nb is None:
                    fail("malformed-pickle", "truncated LONG", at)
                n = int.from_bytes(nb, "little", signed=op == 0x8B)
                if n < 0:
                    fail("malformed-pickle", "LONG4 with a negative length", at)
                if values and n <= 64:
                    data = self.take(n)
                    if data is None:
                        fail("malformed-pickle", "truncated LONG", at)
                    stack_append(int.from_bytes(data, "little", signed=True))
                else:
                    if not self.skip(n):
                        fail("malformed-pickle", "truncated LONG", at)
                    stack_append(any_)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
            elif op == 0x55 or op == 0x43 or op == 0x54 or op == 0x42 or op == 0x8E \
                    or op == 0x96:
                # SHORT_BINSTRING SHORT_BINBYTES BINSTRING BINBYTES BINBYTES8 BYTEARRAY8
                w = 1 if op in (0x55, 0x43) else 4 if op in (0x54, 0x42) else 8
                self.pos = pos
                nb = self.take(w)
                if nb is None:
                    fail("malformed-pickle", "truncated string length", at)
                n = int.from_bytes(nb, "little", signed=op == 0x54)
                if n < 0:
                    fail("malformed-pickle", "BINSTRING with a negative length", at)
                is_str = op in (0x55, 0x54)
                if n <= STR_KEEP and (is_str or values):
                    data = self.take(n)
                    if data is None or len(data) < n:
                        fail("malformed-pickle", "truncated string", at)
                    # a py2 str: the unpickler decodes it (ASCII, latin1 for numpy/torch)
                    stack_append(data.decode("latin-1") if is_str and values else data)
                else:
                    if not self.skip(n):
                        fail("malformed-pickle", "truncated bytes", at)
                    stack_append(any_)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
            elif op in _TEXT_VALUE:  # INT LONG FLOAT STRING UNICODE (protocol 0)
                self.pos = pos
                line = self._line()
                if line is None:
                    fail("malformed-pickle", "truncated text argument", at)
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
                stack_append(_text_value(op, line, values, at, fail))
            elif op == 0x67 or op == 0x70:  # GET PUT (protocol 0)
                self.pos = pos
                line = self._line()
                buf, pos, base = self.buf, self.pos, self.base
                limit = len(buf) - 9
                try:
                    key = int(line) if line is not None else -1
                except ValueError:
                    key = -1
                if key < 0:
                    fail("memo-error", "a memo index that is not a number", at)
                if op == 0x67:
                    memo_get(key, at)
                else:
                    memo_put(key, at)
            elif op == 0x51 or op == 0x50:  # BINPERSID PERSID
                if op == 0x50:
                    self.pos = pos
                    if self._line() is None:
                        fail("malformed-pickle", "truncated PERSID", at)
                    buf, pos, base = self.buf, self.pos, self.base
                    limit = len(buf) - 9
                elif not stack:
                    underflow(at, "BINPERSID")
                else:
                    stack_pop()
                r.persistent_ids += 1
                stack_append(any_)
            elif op == 0x82 or op == 0x83 or op == 0x84:  # EXT1 EXT2 EXT4
                w = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                if len(buf) - pos < w:
                    fail("malformed-pickle", "truncated EXT", at)
                pos += w
                self._problem(r, "unresolved-import", "an import through the copyreg "
                              "extension registry (EXT opcode), which cannot be checked", at)
                stack_append(any_)
            elif op == 0x97:  # NEXT_BUFFER
                stack_append(any_)
            elif op == 0x98:  # READONLY_BUFFER
                if not stack:
                    underflow(at, "READONLY_BUFFER")
            elif op == 0x46 or op == 0x49 or op == 0x4C:
                pass  # unreachable: handled by _TEXT_VALUE
            else:
                fail("malformed-pickle", f"unknown opcode 0x{op:02x}", at)

    # ------------------------------------------------------------------ joblib
    def _joblib_array(self, r: Walk, wrapper: Obj, at: int, frame_end: int) -> None:
        """joblib writes an array's bytes right after the BUILD of its NumpyArrayWrapper
        (after the current frame), or, for an object array, a nested pickle."""
        def fail(message: str) -> NoReturn:
            self._problem(r, "joblib-layout", message, at)
            raise Stop

        if frame_end != NOFRAME and self.offset() != frame_end:
            fail("opcodes follow a joblib array wrapper inside its FRAME (joblib never "
                 "writes this; its reader and a scanner would disagree)")
        state = wrapper.state
        if not isinstance(state, dict):  # (fail raises)
            fail("a joblib array wrapper without its state")
        shape, dtype = state.get("shape"), state.get("dtype")
        if not isinstance(shape, tuple) or not all(type(d) is int and d >= 0 for d in shape):
            fail("a joblib array whose shape is not a tuple of sizes")
        itemsize, has_object = _dtype_layout(dtype)
        if itemsize is None:
            fail("a joblib array whose dtype is not understood")
        r.joblib_arrays += 1
        if has_object:
            inner = Walker(self.src, self.caps, values=True, joblib=True,
                           keep_names=self.keep_names, keep_roots=self.keep_roots)
            inner.buf, inner.pos, inner.base, inner.eof = self.buf, self.pos, self.base, \
                self.eof
            nested = Walk()
            inner.walk_one(nested)
            for g, off in nested.imports.items():
                r.imports.setdefault(g, off)
            r.problems.extend(nested.problems)
            if not nested.stopped:
                raise Stop
            self.buf, self.pos, self.base, self.eof = inner.buf, inner.pos, inner.base, \
                inner.eof
            return
        if state.get("numpy_array_alignment_bytes") is not None:
            pad = self.take(1)
            if pad is None or not self.skip(pad[0]):
                fail("a joblib array truncated in its padding")
        count = 1
        for d in shape:
            count *= d
        if count * itemsize > self.caps.max_bytes:
            fail("a joblib array larger than the byte cap")
        if not self.skip(count * itemsize):
            fail("a joblib array truncated: the file ends inside its data")


def _text(v: object) -> object:
    """A string operand of the fast mode (UTF-8 bytes) as str; anything else as is."""
    if type(v) is bytes:
        return v.decode("utf-8", "surrogateescape")
    return v


_TEXT_VALUE = {ord("I"), ord("L"), ord("F"), ord("S"), ord("V")}


def _text_value(op: int, line: bytes, values: bool, at: int,
                fail: Callable[[str, str, int], NoReturn]) -> object:
    if op == 0x53:  # STRING: a quoted, escaped py2 str
        body = line.rstrip()
        if len(body) < 2 or body[:1] != body[-1:] or body[:1] not in (b"'", b'"'):
            fail("malformed-pickle", "STRING without matching quotes", at)
        try:
            raw = codecs.escape_decode(body[1:-1])[0]
        except ValueError:
            fail("malformed-pickle", "STRING with a bad escape", at)
        return raw.decode("latin-1") if len(raw) <= STR_KEEP else ANY
    if op == 0x56:  # UNICODE
        try:
            s = line.decode("raw-unicode-escape")
        except UnicodeDecodeError:
            fail("malformed-pickle", "UNICODE with a bad escape", at)
        return s if len(s) <= STR_KEEP or values else ANY
    text = line.strip()
    try:
        if op == 0x46:
            v: object = float(text)
        else:
            if op == 0x4C:
                text = text.removesuffix(b"L")
            if len(text) > 4300:
                fail("malformed-pickle", "an integer literal too long", at)
            v = int(text)
    except ValueError:
        fail("malformed-pickle", "a number that does not parse", at)
    if op == 0x49 and text in (b"00", b"01"):
        v = text == b"01"
    return v if values else ANY


def _extend(target: object, items: list[object], op: int) -> None:
    """values mode: APPENDS / SETITEMS / ADDITEMS into a real list or dict."""
    if isinstance(target, list) and op == 0x65:
        target.extend(items)
    elif isinstance(target, dict) and op == 0x75:
        for i in range(0, len(items) - 1, 2):
            with contextlib.suppress(TypeError):
                target[items[i]] = items[i + 1]


_DTYPE_SIZES = {"b": 1, "i": None, "u": None, "f": None, "c": None, "M": None, "m": None,
                "S": None, "U": None, "V": None, "O": 8, "?": 1}


def _dtype_layout(dtype: object) -> tuple[int | None, bool]:
    """(itemsize, has objects) of a pickled numpy.dtype, or (None, False)."""
    if type(dtype) is not Obj or type(dtype.fn) is not Global or \
            dtype.fn.dotted not in ("numpy.dtype", "numpy.core.multiarray.dtype"):
        return None, False
    args = dtype.args
    if not isinstance(args, tuple) or not args or type(args[0]) is not str:
        return None, False
    spec = args[0]
    state = dtype.state
    if isinstance(state, tuple) and len(state) >= 6:
        if state[3] is not None or state[4] is not None:  # structured: fields not modelled
            return None, False
        if type(state[5]) is int and state[5] > 0:
            return state[5], spec[:1] == "O"
    kind, digits = spec[:1], spec[1:]
    if kind not in _DTYPE_SIZES:
        return None, False
    if kind == "O":
        return 8, True
    if not digits.isdigit():
        return (1, False) if kind in ("b", "?") else (None, False)
    size = int(digits)
    if kind == "U":
        size *= 4
    return (size, False) if size > 0 else (None, False)
