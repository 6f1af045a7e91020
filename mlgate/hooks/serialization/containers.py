"""Zip archives (torch checkpoints, .npz, .keras), read two ways.

The tolerant reader is mlgate's own: it parses the central directory and every local header
itself, ignores flag bits and CRCs the way torch's reader does, and reads member data from
the offsets (stored or deflated). The strict reader is Python's `zipfile`. Where they
disagree — the standard reader refuses the archive, a local header names another file or
another method than the central directory, a member is marked encrypted, a CRC is wrong, two
members share a name or overlap, a local header hides between members — that is a problem:
one loader may read what a scanner did not.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from mlgate.hooks.serialization.opcodes import CHUNK, Source

MAX_MEMBERS = 200_000
MAX_CD_BYTES = 256 << 20
GAP_SCAN_CAP = 64 << 20  # bytes between members searched for hidden local headers
LOCAL = b"PK\x03\x04"
CENTRAL = b"PK\x01\x02"
EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"


@dataclass
class Member:
    name: str
    method: int
    flags: int
    crc: int
    csize: int
    usize: int
    offset: int  # of the local header
    data_start: int = -1


@dataclass
class Listing:
    members: list[Member] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # zip-inconsistent messages
    fatal: str = ""  # the archive could not be read at all


def pread(fh: BinaryIO, offset: int, n: int) -> bytes:
    if hasattr(os, "pread"):
        out = []
        while n > 0:
            part = os.pread(fh.fileno(), min(n, CHUNK), offset)
            if not part:
                break
            out.append(part)
            offset += len(part)
            n -= len(part)
        return b"".join(out)
    fh.seek(offset)
    return fh.read(n)


def _eocd(fh: BinaryIO, size: int) -> tuple[int, int, int] | str:
    """(entries, central directory size, central directory offset) or a problem."""
    tail_len = min(size, 22 + 65535)
    tail = pread(fh, size - tail_len, tail_len)
    i = tail.rfind(EOCD)
    if i < 0 or len(tail) - i < 22:
        return "no end of central directory record"
    at = size - tail_len + i
    (_, disk, _, _, entries, cd_size, cd_off, _) = struct.unpack("<4sHHHHIIH", tail[i:i + 22])
    if disk != 0:
        return "a multi-disk archive"
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_off == 0xFFFFFFFF:
        loc = pread(fh, at - 20, 20) if at >= 20 else b""
        if len(loc) != 20 or loc[:4] != ZIP64_LOCATOR:
            return "a zip64 archive without its locator"
        (z64_off,) = struct.unpack("<Q", loc[8:16])
        rec = pread(fh, z64_off, 56)
        if len(rec) != 56 or rec[:4] != ZIP64_EOCD:
            return "a zip64 archive without its end record"
        entries, cd_size, cd_off = struct.unpack("<QQQ", rec[32:56])
    return entries, cd_size, cd_off


def _zip64(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    i = 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack("<HH", extra[i:i + 4])
        body = extra[i + 4:i + 4 + n]
        if tag == 1:
            vals = [struct.unpack("<Q", body[j:j + 8])[0] for j in range(0, len(body) - 7, 8)]
            k = 0
            if usize == 0xFFFFFFFF and k < len(vals):
                usize, k = vals[k], k + 1
            if csize == 0xFFFFFFFF and k < len(vals):
                csize, k = vals[k], k + 1
            if offset == 0xFFFFFFFF and k < len(vals):
                offset = vals[k]
            break
        i += 4 + n
    return usize, csize, offset


def _name(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")


def read_listing(fh: BinaryIO, size: int) -> Listing:
    """The tolerant reading of an archive, and its comparison with Python's zipfile."""
    out = Listing()
    found = _eocd(fh, size)
    if isinstance(found, str):
        out.fatal = found
        return out
    entries, cd_size, cd_off = found
    if entries > MAX_MEMBERS or cd_size > MAX_CD_BYTES or cd_off + cd_size > size:
        out.fatal = "a central directory that is too large or runs past the end of the file"
        return out
    cd = pread(fh, cd_off, cd_size)
    i = 0
    while i + 46 <= len(cd) and len(out.members) < entries:
        if cd[i:i + 4] != CENTRAL:
            out.problems.append("the central directory holds a record that is not a file "
                                "header")
            break
        (flags, method, _t, _d, crc, csize, usize, nlen, elen, clen, _disk, _ia, _ea,
         offset) = struct.unpack("<HHHHIIIHHHHHII", cd[i + 8:i + 46])
        raw = cd[i + 46:i + 46 + nlen]
        extra = cd[i + 46 + nlen:i + 46 + nlen + elen]
        usize, csize, offset = _zip64(extra, usize, csize, offset)
        out.members.append(Member(_name(raw, flags), method, flags, crc, csize, usize, offset))
        i += 46 + nlen + elen + clen
    if len(out.members) != entries:
        out.problems.append(f"the end record counts {entries} members, the central "
                            f"directory holds {len(out.members)}")
    _check_locals(fh, size, out, cd_off)
    _compare_strict(fh, out)
    return out


def _check_locals(fh: BinaryIO, size: int, out: Listing, cd_off: int) -> None:
    seen: dict[str, int] = {}
    spans: list[tuple[int, int, str]] = []
    for m in out.members:
        if m.name in seen:
            out.problems.append(f"two members are named {m.name!r} (readers pick different "
                                "ones)")
        seen[m.name] = 1
        head = pread(fh, m.offset, 30)
        if len(head) != 30 or head[:4] != LOCAL:
            out.problems.append(f"{m.name!r}: no local header where the central directory "
                                "points")
            continue
        (_v, lflags, lmethod, _t, _d, _crc, _cs, _us, nlen, elen) = struct.unpack(
            "<HHHHHIIIHH", head[4:30])
        lname = _name(pread(fh, m.offset + 30, nlen), lflags)
        if lname != m.name:
            out.problems.append(f"{m.name!r}: its local header names it {lname!r} (a "
                                "renamed member)")
        if lmethod != m.method:
            out.problems.append(f"{m.name!r}: the local header and the central directory "
                                "give different compression methods")
        if (lflags | m.flags) & 0x1:
            out.problems.append(f"{m.name!r}: marked encrypted (the standard reader refuses "
                                "it; torch's reads it anyway)")
        m.data_start = m.offset + 30 + nlen + elen
        end = m.data_start + m.csize
        if end > size:
            out.problems.append(f"{m.name!r}: its data runs past the end of the file")
        spans.append((m.offset, end, m.name))
    spans.sort()
    cursor, scanned = 0, 0
    for start, end, name in [*spans, (cd_off, cd_off, "")]:
        if start < cursor:
            out.problems.append(f"{name!r} overlaps the member before it")
        elif start > cursor and scanned < GAP_SCAN_CAP:
            gap = pread(fh, cursor, min(start - cursor, GAP_SCAN_CAP - scanned))
            scanned += len(gap)
            if LOCAL in gap:
                out.problems.append("a local file header that the central directory does "
                                    "not list (a hidden member)")
        cursor = max(cursor, end)


def _compare_strict(fh: BinaryIO, out: Listing) -> None:
    import zipfile

    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            strict = [(i.filename, i.header_offset) for i in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error, UnicodeDecodeError) as e:
        out.problems.append(f"the standard zip reader refuses the archive ({str(e)[:120]})")
        return
    tolerant = [(m.name, m.offset) for m in out.members]
    if strict != tolerant:
        out.problems.append("the standard zip reader lists other members or offsets than "
                            "the central directory read directly")


class MemberReader:
    """The (decompressed) bytes of one member, as an opcodes.Source; `crc_ok` afterwards
    tells whether the bytes read match the member's CRC (None: not all bytes were read)."""

    def __init__(self, fh: BinaryIO, m: Member, cap: int) -> None:
        self.fh, self.m, self.cap = fh, m, cap
        self.offset = m.data_start
        self.end = m.data_start + m.csize
        self.out = 0
        self.crc = 0
        self.whole = True
        self.inflate = zlib.decompressobj(-15) if m.method == 8 else None
        self.pending = b""
        self.error = ""

    def read(self, n: int) -> bytes:
        if self.inflate is None:
            n = min(n, self.end - self.offset)
            data = pread(self.fh, self.offset, n) if n > 0 else b""
            self.offset += len(data)
        else:
            data = self.pending
            while len(data) < n and (self.offset < self.end or self.inflate.unconsumed_tail):
                if self.inflate.unconsumed_tail:
                    raw = self.inflate.unconsumed_tail
                else:
                    raw = pread(self.fh, self.offset, min(CHUNK, self.end - self.offset))
                    self.offset += len(raw)
                    if not raw:
                        break
                try:
                    data += self.inflate.decompress(raw, n - len(data))
                except zlib.error as e:
                    self.error = f"bad deflate data ({e})"
                    break
            data, self.pending = data[:n], data[n:]
        self.out += len(data)
        if self.out > self.cap:
            self.error = "more than the byte cap"
            return b""
        self.crc = zlib.crc32(data, self.crc)
        return data

    def skip(self, n: int) -> int:
        self.whole = False
        if self.inflate is None:
            n = max(0, min(n, self.end - self.offset))
            self.offset += n
            self.out += n
            return n
        done = 0
        while done < n:
            part = self.read(min(CHUNK, n - done))
            if not part:
                break
            done += len(part)
        return done

    def source(self) -> Source:
        return Source(self.read, self.skip)

    def crc_ok(self) -> bool | None:
        if not self.whole or self.error:
            return None
        if self.read(1):
            return None
        return self.crc == self.m.crc


def read_member(fh: BinaryIO, m: Member, cap: int) -> tuple[bytes, str]:
    """The whole (decompressed) content of a small member, or a problem."""
    if m.method not in (0, 8):
        return b"", f"compression method {m.method} is not supported"
    r = MemberReader(fh, m, cap)
    parts = []
    while True:
        part = r.read(CHUNK)
        if not part:
            break
        parts.append(part)
    if r.error:
        return b"", r.error
    data = b"".join(parts)
    if len(data) != m.usize:
        return data, "its size differs from the central directory's"
    if zlib.crc32(data) != m.crc:
        return data, "bad CRC-32 (the standard reader refuses it)"
    return data, ""

