"""JSON and JSONL: a streaming tokenizer (bounded memory) that yields every string and number
with its innermost key, line and column.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Generator, Iterator
from typing import IO, TYPE_CHECKING, Any

from mlgate.sources.files import SourceError
from mlgate.sources.stream import (
    _CHUNK,
    _PIECE_OVERLAP,
    _STR_PIECE,
    Cell,
    Rewrite,
    _text_io_errors,
    _TextInput,
)

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


_JTOK = re.compile(
    r"""[ \t\n\r]*(?:
      ("[^"\\]*(?:\\.[^"\\]*)*")                              # 1 string literal
    | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)  # 2 number
    | ([{}\[\]:,])                                            # 3 punctuation
    | (true|false|null)                                       # 4 literal
    | ([^ \t\n\r])                                             # 5 anything else
    )""",
    re.VERBOSE | re.DOTALL,
)


_JSTR = r'"[^"\\]*(?:\\.[^"\\]*)*"'


_JNUM = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"


# The tokenizer's loop: a key with its scalar value (and a comma) is one match, and so is a
# scalar with its comma, which halves the matches on record-shaped data.
_JPAIRS = re.compile(
    rf"""[ \t\n\r]*(?:
      ({_JSTR})[ \t\n\r]*:[ \t\n\r]*                 # 1 key
        (?:({_JSTR})|({_JNUM})|(true|false|null))   # 2 string, 3 number, 4 literal value
        [ \t\n\r]*(,)?                              # 5 comma
    | (?:({_JSTR})|({_JNUM})|(true|false|null))     # 6 string, 7 number, 8 literal
        [ \t\n\r]*(,)?                              # 9 comma
    | ([{{}}\[\]:,])                                # 10 punctuation
    | ([^ \t\n\r])                                 # 11 anything else
    )""",
    re.VERBOSE | re.DOTALL,
)


_MAX_DEPTH = 10_000


_JSTR_RE = re.compile(_JSTR, re.DOTALL)


# The body of a string literal up to (not including) its closing quote; stops before an
# incomplete \u escape so that a long string can be cut into pieces at a safe place.
_JSTR_BODY = re.compile(r'[^"\\]*(?:\\(?:u[0-9a-fA-F]{4}|[^u])[^"\\]*)*', re.DOTALL)


_HIGH_SURROGATE_ESC = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\Z")


_BAD_WORD = re.compile(r'[^\s,:\[\]{}"]{1,21}')


_PLAIN_KEY = re.compile(r"[^\W\d](?:[^\W\d]|[\- ])*")


# parser states
_TOP, _VAL, _VAL_OR_CLOSE, _KEY_OR_CLOSE, _KEY, _COLON, _COMMA_OR_CLOSE = range(7)


_EXPECTED = {
    _TOP: "a value", _VAL: "a value", _VAL_OR_CLOSE: "a value or ']'",
    _KEY_OR_CLOSE: "a key or '}'", _KEY: "a key", _COLON: "':'",
}


PathFilter = Callable[[tuple[str | None, ...]], bool]


def _decode_string(body: str, line: int) -> str:
    if "\\" not in body:
        return body
    try:
        text: str = json.loads('"' + body + '"', strict=False)
    except ValueError:
        raise SourceError(f"not valid JSON at line {line}: invalid escape in string") from None
    return text


def _json_events(read: Callable[[], str], truncated: Callable[[], bool], jsonl: bool = False,
                 want: PathFilter | None = None, first_line: int = 1) -> Iterator[Cell]:
    """Cells for the strings and numbers of a stream of JSON text.

    `read()` returns the next chunk of (newline-translated) text, "" at the end;
    `truncated()` says whether the end is the byte cap rather than the end of the file, in
    which case an incomplete document ends quietly. With `want`, only strings whose path
    (object keys, None for array levels) it accepts are yielded, keys and numbers never.
    """
    buf = read()
    eof = not buf
    line, lpos, line_start = first_line, 0, 0  # the line at buf[lpos], starting at line_start
    state = _TOP
    # [is_object, current key, key of the enclosing value, serial number of the container]
    stack: list[list[Any]] = []
    containers = 0
    cur_key: str | None = None
    top_line = first_line
    tok_finditer = _JPAIRS.finditer

    def fail(what: str, at_line: int) -> SourceError:
        if jsonl and top_line != at_line and state != _TOP:
            return SourceError(f"not valid JSON at line {top_line}: {what} (at line {at_line})")
        return SourceError(f"not valid JSON at line {at_line}: {what}")

    fast = want is None  # see _place_container
    plain: dict[str, bool] = {}
    wasted = done = 0  # characters scanned by failed fast-path attempts / consumed
    pos = 0
    while True:
        more = False  # the token at `pos` may continue in the next chunk
        restart = False  # go on from `pos` in the same buffer
        blen = len(buf)
        for m in tok_finditer(buf, pos):
            g: int = m.lastindex  # type: ignore[assignment]
            if g == 10:  # punctuation
                p = m.start(10)
                c = m.group(10)
                if c == ",":
                    if state != _COMMA_OR_CLOSE:
                        pos = p
                        break
                    state = _KEY if stack[-1][0] else _VAL
                elif c == ":":
                    if state != _COLON:
                        pos = p
                        break
                    state = _VAL
                elif c == "{" or c == "[":
                    if state < _KEY_OR_CLOSE:  # _TOP, _VAL, _VAL_OR_CLOSE
                        if state == _TOP:
                            n = buf.count("\n", lpos, p)
                            if n:
                                line += n
                                line_start = buf.rfind("\n", lpos, p) + 1
                            lpos = p
                            top_line = line
                        if fast:
                            # Fast path: a whole container in the buffer is parsed by
                            # json's C scanner and its values placed in the text.
                            placed = _place_container(buf, p, cur_key, plain)
                            if placed is None:
                                wasted += blen - p
                                fast = wasted < done + 8 * _CHUNK
                            else:
                                for t, i, k in placed[1]:
                                    n = buf.count("\n", lpos, i)
                                    if n:
                                        line += n
                                        line_start = buf.rfind("\n", lpos, i) + 1
                                    lpos = i
                                    yield Cell(t, line, i - line_start + 1, k)
                                state = _COMMA_OR_CLOSE if stack else _TOP
                                pos, restart = placed[0], True
                                break
                        if len(stack) >= _MAX_DEPTH:
                            raise fail(f"nested deeper than {_MAX_DEPTH} levels", line)
                        if c == "{":
                            containers += 1
                            stack.append([True, None, cur_key, containers])
                            cur_key = None
                            state = _KEY_OR_CLOSE
                        else:
                            containers += 1
                            stack.append([False, cur_key, cur_key, containers])
                            state = _VAL_OR_CLOSE
                    else:
                        pos = p
                        break
                else:  # } or ]
                    is_obj = c == "}"
                    if stack and stack[-1][0] == is_obj and (
                            state == _COMMA_OR_CLOSE
                            or state == (_KEY_OR_CLOSE if is_obj else _VAL_OR_CLOSE)):
                        cur_key = stack.pop()[2]
                        state = _COMMA_OR_CLOSE if stack else _TOP
                    else:
                        pos = p
                        break
                continue
            if g == 11:
                pos = p = m.start(11)
                # an unfinished string, or a token cut by the chunk end: read on (at the
                # end of the input, the end-of-input checks below report it)
                more = buf[p] == '"' or (not eof and blen - p < 8)
                break
            if g <= 5:  # "key": scalar [,]
                p = m.start(1)
                if state != _KEY_OR_CLOSE and state != _KEY:
                    if state <= _VAL_OR_CLOSE:  # a string value, then an unexpected ':'
                        state = _COMMA_OR_CLOSE if stack else _TOP
                        pos = m.end(1)
                    else:
                        pos = p
                    break
                if g == 3 and not eof and m.end(3) >= blen - 2:  # "1.", "1e", "1e+" …
                    pos, more = p, True
                    break
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                key = _decode_string(m.group(1)[1:-1], line)
                frame = stack[-1]
                frame[1] = cur_key = key
                if want is None and key and not _PLAIN_KEY.fullmatch(key):
                    yield Cell(key, line, p - line_start + 2, frame[2])
                vs = m.group(2)
                if vs is not None:
                    if want is None or want(tuple(fr[1] if fr[0] else None for fr in stack)):
                        p = m.start(2)
                        n = buf.count("\n", lpos, p)
                        if n:
                            line += n
                            line_start = buf.rfind("\n", lpos, p) + 1
                        lpos = p
                        text = _decode_string(vs[1:-1], line)
                        if text:
                            yield Cell(text, line, p - line_start + 2,
                                       key if want is None else _container(stack))
                elif want is None:
                    vs = m.group(3)
                    if vs is not None:
                        p = m.start(3)
                        n = buf.count("\n", lpos, p)
                        if n:
                            line += n
                            line_start = buf.rfind("\n", lpos, p) + 1
                        lpos = p
                        yield Cell(vs, line, p - line_start + 1, key)
                state = _KEY if g == 5 else _COMMA_OR_CLOSE
                continue
            # a string, number or literal [,]
            kind = g if g != 9 else 6 if m.start(6) >= 0 else 7 if m.start(7) >= 0 else 8
            p = m.start(kind)
            if kind == 7 and not eof and m.end(7) >= blen - 2:  # "1.", "1e", "1e+" …
                pos, more = p, True
                break
            if state in (_KEY_OR_CLOSE, _KEY):
                if kind != 6:
                    pos = p
                    break
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                key = _decode_string(m.group(6)[1:-1], line)
                frame = stack[-1]
                frame[1] = cur_key = key
                if want is None and key and not _PLAIN_KEY.fullmatch(key):
                    yield Cell(key, line, p - line_start + 2, frame[2])
                state = _COLON
                if g == 9:  # "key",
                    pos = m.start(9)
                    break
                continue
            if state > _VAL_OR_CLOSE:
                pos = p
                break
            if kind != 8 and (want is None or (kind == 6 and want(
                    tuple(fr[1] if fr[0] else None for fr in stack)))):
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                if state == _TOP:
                    top_line = line
                if kind == 6:
                    text = _decode_string(m.group(6)[1:-1], line)
                    if text:
                        yield Cell(text, line, p - line_start + 2,
                                   cur_key if want is None else _container(stack))
                else:
                    yield Cell(m.group(7), line, p - line_start + 1, cur_key)
            elif state == _TOP and jsonl:
                n = buf.count("\n", lpos, p)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, p) + 1
                lpos = p
                top_line = line
            if g == 9:
                if not stack:  # a comma after a top-level value
                    state = _TOP
                    pos = m.start(9)
                    break
                state = _KEY if stack[-1][0] else _VAL
            else:
                state = _COMMA_OR_CLOSE if stack else _TOP
        else:
            pos = blen  # only whitespace (or nothing) is left
            more = not eof

        if restart:
            continue
        if pos < blen and not more:
            # an unexpected token at `pos`
            n = buf.count("\n", lpos, pos)
            if n:
                line += n
                line_start = buf.rfind("\n", lpos, pos) + 1
            lpos = pos
            bad = _JTOK.match(buf, pos)
            if bad is None or bad.lastindex is None or bad.lastindex == 5:
                word = _BAD_WORD.match(buf, pos)
                tok = word.group() if word else buf[pos:pos + 1]
            else:
                tok = bad.group(bad.lastindex)
            if len(tok) > 20:
                tok = tok[:19] + "…"
            if state == _COMMA_OR_CLOSE:
                expected = "',' or '}'" if stack[-1][0] else "',' or ']'"
            else:
                expected = _EXPECTED[state]
            raise fail(f"expected {expected}, found {tok!r}", line)

        if eof:
            break
        # Refill: keep the unfinished token at `pos`, count the lines of what is dropped.
        n = buf.count("\n", lpos, pos)
        if n:
            line += n
            line_start = buf.rfind("\n", lpos, pos) + 1
        lpos = 0
        line_start -= pos
        done += pos
        rest = buf[pos:]
        if (len(rest) > _STR_PIECE and rest.startswith('"')
                and state in (_TOP, _VAL, _VAL_OR_CLOSE)):
            # one string literal larger than a piece: yield it piecewise, never hold it whole
            key_path = (tuple(fr[1] if fr[0] else None for fr in stack)
                        if want is not None else ())
            wanted = want is None or want(key_path)
            long_key = cur_key if want is None else None
            if state == _TOP:
                top_line = line
            col = -line_start + 2
            rest, breaks, consumed = yield from _long_string(rest, read, line, col, long_key,
                                                             wanted)
            if breaks is None:  # the end of the input inside the string
                if truncated():
                    return
                raise fail("unterminated string", line)
            line += breaks
            line_start = 0 if breaks else line_start - consumed
            done += consumed
            state = _COMMA_OR_CLOSE if stack else _TOP
            buf, pos = rest, 0
            eof = False
            continue
        if len(rest) > _STR_PIECE:
            raise fail("token too long or unterminated", line)
        chunk = read()
        if not chunk:
            eof = True
        buf = rest + chunk
        pos = 0

    # end of input
    if state == _TOP and pos >= len(buf):
        return
    if truncated():
        # the cap cut the document: yield an unterminated string's head, then stop quietly
        if pos < len(buf) and buf.startswith('"', pos) and state in (_VAL, _VAL_OR_CLOSE):
            body = _JSTR_BODY.match(buf, pos + 1)
            if body is not None and body.group():
                n = buf.count("\n", lpos, pos)
                if n:
                    line += n
                    line_start = buf.rfind("\n", lpos, pos) + 1
                text = _decode_string(body.group(), line)
                if text and want is None:
                    yield Cell(text, line, pos - line_start + 2, cur_key)
                elif text and want and want(tuple(fr[1] if fr[0] else None for fr in stack)):
                    yield Cell(text, line, pos - line_start + 2, _container(stack))
        return
    n = buf.count("\n", lpos, pos)
    line += n
    if pos < len(buf) and buf.startswith('"', pos):
        raise fail("unterminated string", line)
    if pos < len(buf):
        raise fail(f"unexpected end of input after {buf[pos:pos + 10]!r}", line)
    opened = "'{'" if stack and stack[-1][0] else "'['"
    raise fail(f"unexpected end of input, {opened} not closed" if stack
               else "unexpected end of input", line)


def _container(stack: list[list[Any]]) -> str | None:
    """With a path filter, a cell's key names the container it stands in (its serial
    number), so that a reader can join the items of one list (notebook sources and outputs)."""
    return f"#{stack[-1][3]}" if stack else None


def _long_string(rest: str, read: Callable[[], str], line: int, col: int, key: str | None,
                 wanted: bool) -> Generator[Cell, None, tuple[str, int | None, int]]:
    """Yield a huge string literal (rest starts with its quote) in pieces.

    Returns the text after the closing quote, the number of line breaks inside the literal
    (None when the input ended inside it) and the length of the literal."""
    i = 1
    consumed = 0
    tail = ""
    first = True
    breaks = 0
    while True:
        m = _JSTR_BODY.match(rest, i)
        assert m is not None  # the pattern matches the empty string
        e = m.end()
        closed = e < len(rest) and rest[e] == '"'
        if not closed and e < len(rest) - 6:
            raise SourceError(f"not valid JSON at line {line + breaks}: invalid escape in string")
        if closed or len(rest) - i > _STR_PIECE:
            body = rest[i:e]
            if not closed:
                hs = _HIGH_SURROGATE_ESC.search(body)
                if hs:
                    e -= 6
                    body = body[:-6]
            breaks += body.count("\n")
            text = _decode_string(body, line)
            if wanted and (text or tail):
                yield Cell(tail + text, line, col if first else None, key)
            first = False
            tail = text[-_PIECE_OVERLAP:]
            if closed:
                return rest[e + 1:], breaks, consumed + e + 1
            consumed += e
            rest, i = rest[e:], 0
        chunk = read()
        if not chunk:
            body = rest[i:]
            m = _JSTR_BODY.match(body)
            text = _decode_string(m.group() if m else "", line)
            if wanted and text:
                yield Cell(tail + text, line, None, key)
            return rest, None, consumed + len(rest)
        rest += chunk


def _iter_json(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_json_cells(rr))


def _json_cells(rr: RecordReader) -> Iterator[Cell]:
    with _TextInput(rr, newline=None) as src:
        read = functools.partial(src.text.read, _CHUNK)

        def truncated() -> bool:
            src.finish()
            return src.raw.truncated

        if rr.format == "jsonl":
            yield from _jsonl_lines(src)
        else:
            yield from _json_events(read, truncated)
        src.finish()


# A JSON number kept as its literal text: a str subclass, made by type() (this module may be
# compiled by mypyc, whose compiled classes cannot subclass str)
_Num = type("_Num", (str,), {"__slots__": ()})


_loads = json.JSONDecoder(parse_int=_Num, parse_float=_Num, strict=False).decode


class _Desync(Exception):
    """The fast JSONL path lost track of where values stand: use the tokenizer."""


def _jsonl_lines(src: _TextInput) -> Iterator[Cell]:
    """JSONL: json.loads per line (C speed), with each value's column found in the line.

    Lines that the fast path cannot place exactly (duplicate keys, very deep nesting) go
    through the streaming tokenizer; a last line cut by the byte cap too, leniently."""
    plain: dict[str, bool] = {}
    n = 0
    for n, text in enumerate(src.text, 1):  # noqa: B007 - n is used after the loop
        if not text.endswith("\n"):
            break  # the last line: handled below, it may have been cut by the cap
        if text.isspace():
            continue
        try:
            value = _loads(text)
        except ValueError as e:
            msg = getattr(e, "msg", None) or str(e)
            at = getattr(e, "pos", None)
            where = "" if at is None else f" (column {min(at, len(text.rstrip()))+ 1})"
            raise SourceError(f"not valid JSON at line {n}: {msg}{where}") from None
        except RecursionError:
            value = _Desync
        out: list[tuple[str, int, str | None]] = []
        if value is not _Desync:
            try:
                end = _place(value, None, text, 0, "\\" in text, out, plain)
                if text.find('"', end) != -1:
                    raise _Desync
            except (_Desync, RecursionError):
                value = _Desync
        if value is _Desync:
            yield from _json_events(iter((text, "")).__next__, lambda: False, jsonl=True,
                                    first_line=n)
        else:
            for t, i, k in out:
                yield Cell(t, n, i + 1, k)
    else:
        return
    src.finish()
    cut = src.raw.truncated
    yield from _json_events(iter((text, "")).__next__, lambda: cut, jsonl=True, first_line=n)


_raw_decode = json.JSONDecoder(parse_int=_Num, parse_float=_Num, strict=False).raw_decode


def _place_container(buf: str, p: int, key: str | None, plain: dict[str, bool]
                     ) -> tuple[int, list[tuple[str, int, str | None]]] | None:
    """The end and the values of the JSON object or array at buf[p], or None when it does
    not end within `buf`, is not valid, or cannot be placed exactly (the tokenizer then
    reads it token by token and reports any error)."""
    try:
        value, end = _raw_decode(buf, p)
    except (ValueError, RecursionError):
        return None
    out: list[tuple[str, int, str | None]] = []
    try:
        after = _place(value, key, buf, p, buf.find("\\", p, end) != -1, out, plain)
    except (_Desync, RecursionError):
        return None
    if after > end or buf.find('"', after, end) != -1:  # e.g. a duplicate key was dropped
        return None
    return end, out


def _string_at(text: str, pos: int, value: str, escapes: bool) -> tuple[int, int]:
    """Where the next string literal, which decodes to `value`, starts and ends."""
    q = text.find('"', pos)
    if q < 0:
        raise _Desync
    if escapes:
        m = _JSTR_RE.match(text, q)
        if m is None:
            raise _Desync
        return q, m.end()
    end = q + len(value) + 2
    if text[end - 1:end] != '"' or not text.startswith(value, q + 1):
        raise _Desync
    return q, end


def _place(value: Any, key: str | None, text: str, pos: int, escapes: bool,
           out: list[tuple[str, int, str | None]], plain: dict[str, bool]) -> int:
    """Append (text, index in `text` where it starts, key) for the values of `value` (parsed
    from `text`, its literal at or after `pos`) in document order; returns the index after
    the literal. Raises _Desync when unsure where a value stands.

    Exact because, between the end of one literal and the next, valid JSON has only
    whitespace, punctuation and true/false/null: the next '"' opens the next string (keys
    included), and the next occurrence of a number's text is that number."""
    if isinstance(value, str):
        if type(value) is not str:  # a number, as its literal text
            q = text.find(value, pos)
            if q < 0 or text.find('"', pos, q) != -1:
                raise _Desync
            out.append((value, q, key))
            return q + len(value)
        q, end = _string_at(text, pos, value, escapes)
        if value:
            out.append((value, q + 1, key))
        return end
    if isinstance(value, dict):
        for k, v in value.items():
            q, pos = _string_at(text, pos, k, escapes)
            is_plain = plain.get(k)
            if is_plain is None:
                if len(plain) > 10_000:
                    plain.clear()
                is_plain = plain[k] = not k or bool(_PLAIN_KEY.fullmatch(k))
            if not is_plain:
                out.append((k, q + 1, key))
            pos = _place(v, k, text, pos, escapes, out, plain)
        return pos
    if isinstance(value, list):
        for v in value:
            pos = _place(v, key, text, pos, escapes, out, plain)
        return pos
    return pos  # true, false, null


# --- the rewriter (`mlgate pii scrub`) ---------------------------------------------------------

_JSON_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[{}\[\]:,]', re.DOTALL)


_BINARY_MIME = ("image/", "audio/", "video/", "application/pdf")


_JSON_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')  # a string that needs no escape in JSON


def rewrite_json_text(text: str, rewrite: Rewrite, notebook: bool = False) -> str:
    """Scrub the strings (and numbers) of a JSON text in place, everything else kept as it is
    spelled. Each value is scrubbed with its innermost key as context (array items take the key
    of the array), as `mlgate pii` checks it.

    - A number that is PII (a phone number stored as a number) becomes a string.
    - An object key that is PII (a map keyed by e-mail address) becomes a pseudonym in either
      mode, so that keys stay unique.
    - Notebooks: binary outputs and attachments (`image/*`, audio, video, PDF) and numbers are
      left alone. Items of a list that the reader joins (an item that does not end a line and
      the items after it, as nbformat joins them) are scrubbed as one text: the new text goes
      into the first item and the others become "".
    """
    out: list[str] = []
    pos = 0
    # per open container: [kind, key of the current value, key the container stands under]
    stack: list[list[Any]] = []
    expect_key = False
    run: list[tuple[re.Match[str], str, str, bool]] = []  # notebook: strings of one list

    def put(m: re.Match[str], raw: str, escaped: bool, new: str) -> None:
        nonlocal pos
        out.append(text[pos:m.start()])
        plain = not escaped and _JSON_PLAIN.fullmatch(new) is not None
        out.append(f'"{new}"' if plain else json.dumps(new, ensure_ascii="\\u" in raw))
        pos = m.end()

    def flush() -> None:
        key = stack[-1][1] if stack else None
        i = 0
        while i < len(run):
            j = i + 1  # the items joined with run[i]: up to one that ends a line
            while j < len(run) and not run[j - 1][1].endswith(("\n", "\r")):
                j += 1
            joined = "".join(v for _, v, _, _ in run[i:j])
            new = rewrite(joined, key)
            if new != joined:
                m, _, raw, escaped = run[i]
                put(m, raw, escaped, new)
                for m, _, raw, escaped in run[i + 1:j]:
                    put(m, raw, escaped, "")
            i = j
        run.clear()

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        in_list = notebook and bool(stack) and stack[-1][0] == "["
        if run and not (in_list and c in '",'):
            flush()
        if c == '"':
            raw = tok[1:-1]
            escaped = "\\" in raw
            value = json.loads(tok) if escaped else raw
            if expect_key:
                new = rewrite(value, stack[-1][2], mode="pseudonym")
                stack[-1][1] = value
            else:
                key = stack[-1][1] if stack else None
                if notebook and key is not None and key.startswith(_BINARY_MIME):
                    continue
                if in_list:
                    run.append((m, value, raw, escaped))
                    continue
                new = rewrite(value, key)
            if new != value:
                put(m, raw, escaped, new)
        elif c == "{":
            parent = stack[-1][1] if stack else None
            stack.append(["{", None, parent])
            expect_key = True
        elif c == "[":
            parent = stack[-1][1] if stack else None
            stack.append(["[", parent, parent])
            expect_key = False
        elif c in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif c == ":":
            expect_key = False
        elif c == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        elif not notebook:  # a number
            new = rewrite(tok, stack[-1][1] if stack else None)
            if new != tok:
                out.append(text[pos:m.start()])
                out.append(json.dumps(new))
                pos = m.end()
    if run:
        flush()
    out.append(text[pos:])
    return "".join(out)


_WS = " \t\r\n"


_CHECKER = json.JSONDecoder(object_pairs_hook=lambda pairs: None,
                            parse_float=lambda s: None, parse_int=lambda s: None,
                            parse_constant=lambda s: None)


class _JsonError(Exception):
    def __init__(self, error: json.JSONDecodeError | None, text: str) -> None:
        super().__init__()
        self.error = error
        # input that ends inside a value: more lines may complete it (pretty-printed JSONL)
        self.incomplete = error is not None and (
            error.pos >= len(text.rstrip(_WS)) or error.msg.startswith("Unterminated string"))

    def message(self, first_line: int = 1) -> str:
        e = self.error
        if e is None:
            return "not valid JSON (nested too deeply)"
        return f"not valid JSON ({e.msg} at line {first_line + e.lineno - 1} column {e.colno})"


def _json_values(text: str, build: bool = False) -> list[Any]:
    """The whitespace-separated JSON values of `text` (None for each unless `build`)."""
    dec = json.JSONDecoder() if build else _CHECKER
    values = []
    i, n = 0, len(text)
    try:
        while True:
            while i < n and text[i] in _WS:
                i += 1
            if i >= n:
                break
            value, i = dec.raw_decode(text, i)
            values.append(value)
    except json.JSONDecodeError as e:
        raise _JsonError(e, text) from None
    except RecursionError:
        raise _JsonError(None, text) from None
    return values


MAX_RECORD_LINES = 1000  # a JSONL record may span lines (pretty-printed), up to this many


def rewrite_jsonl(fin: IO[str], fout: IO[str], rewrite: Rewrite) -> None:
    """Record by record: a line, or the lines of a pretty-printed record."""
    pending: list[str] = []
    start = 0
    error: _JsonError | None = None
    for lineno, line in enumerate(fin, 1):
        if not pending:
            if not line.strip(_WS):
                fout.write(line)
                continue
            start = lineno
        pending.append(line)
        text = "".join(pending) if len(pending) > 1 else line
        try:
            _json_values(text)
        except _JsonError as e:
            error = e
            if e.incomplete and len(pending) < MAX_RECORD_LINES:
                continue
            break
        fout.write(rewrite_json_text(text, rewrite))
        pending.clear()
        error = None
    if error is not None:
        if error.incomplete and len(pending) < MAX_RECORD_LINES:
            raise SourceError(f"not valid JSON (the record at line {start} is not closed at "
                               "the end of the file)")
        raise SourceError(error.message(start))


def rewrite_json(fin: IO[str], fout: IO[str], rewrite: Rewrite, notebook: bool) -> None:
    text = fin.read()
    try:
        values = _json_values(text, build=notebook)
    except _JsonError as e:
        raise SourceError(e.message()) from None
    if not values:
        raise SourceError("not valid JSON (empty)")
    if notebook and not (len(values) == 1 and isinstance(values[0], dict)
                         and isinstance(values[0].get("cells"), list)):
        raise SourceError("not a Jupyter notebook (no 'cells' list)")
    fout.write(rewrite_json_text(text, rewrite, notebook=notebook))

