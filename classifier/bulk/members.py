"""Gzip WARCs read by the workers, range by range.

With two or more workers the engine does not read a gzip WARC itself: it cuts the file into
ranges of bytes (`member_ranges`) and hands each to a worker, which finds the gzip members that
start in it (the gzip magic, checked by inflating the first bytes to ``WARC/``; a member runs
to the next start, past the range's end if need be), inflates each, reads its record with the
code of `classifier.bulk.warc.read_warc` and scores it (`score_range`). The engine neither
reads, inflates nor sends the pages, and hears from a worker once a range: it spends a small
fraction of the CPU a page it did, so that more workers scale.

The engine puts the ranges' results together in file order: each range's first member must
start where the last member of the range before it ended (`classifier.bulk.items`). A member
that is not exactly one gzip member holding one whole record read without damage (a record
cut short, corrupt compression, bytes between members, two records in one member, a member
too large), or a range that does not follow the one before, ends the ranges of that input:
the engine's own reader, `read_warc`, then continues it after the records already out, so
every input gives the same records, rows and damage reports whichever way it was read, and no
page is scored twice. A range whose worker timed out, died or ran out of memory is read again
one member at a time (`WarcMember`, `score_task`), each page with its own deadline, so that the
page at fault is named; the ranges after it are kept.
"""

from __future__ import annotations

import io
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from types import ModuleType
from typing import IO, Any

from ..extraction.decode import inflate_bounded
from .pages import PageFn
from .rows import PageOptions, ReadOptions, Record, Row, Source, error_row, pickled_by_position
from .sandbox import failure_message
from .warc import has_fastwarc, read_fastwarc_stream

_inflater: ModuleType = zlib
try:  # the same bytes as zlib, in about half the time
    from isal import isal_zlib

    _inflater = isal_zlib
except ImportError:  # pragma: no cover - isal comes with the bulk extra
    pass

GZIP_MAGIC = b"\x1f\x8b\x08"
# A compiled literal finds the magic in compressed bytes about twice as fast as bytes.find.
_MAGIC_SEARCH = re.compile(re.escape(GZIP_MAGIC)).search
#: Compressed bytes inflated to check that a gzip magic starts a member holding a WARC record.
PROBE_BYTES = 512
#: Room for the WARC and HTTP headers above `ReadOptions.max_record_bytes` when inflating.
HEADER_ROOM = 2**20
_SCAN_CHUNK = 4 * 2**20
_OVERHANG = 2**17  # read past a range's end at first, for the member that starts last in it


@pickled_by_position
@dataclass(frozen=True, slots=True)
class WarcMember:
    """One gzip member of a WARC file: where it starts in `source`, and its compressed length."""

    source: str
    offset: int
    length: int


@pickled_by_position
@dataclass(frozen=True, slots=True)
class MemberResult:
    """What became of a `WarcMember`: its record (without the body) and its row (None for a
    record that is not a page). `record` is None when the member is not one whole record: the
    rest of the input is for `read_warc`."""

    record: Record | None
    row: Row | None = None


@pickled_by_position
@dataclass(frozen=True, slots=True)
class MemberRange:
    """The members of a gzip WARC that start in the bytes [`start`, `end`) of `source`: what a
    worker finds, reads and scores as one task (`score_range`)."""

    source: str
    start: int
    end: int


@pickled_by_position
@dataclass(frozen=True, slots=True)
class RangeResult:
    """What became of a `MemberRange`: where its first member starts (None: none starts in it),
    each member's result in file order, and where the member after its last one starts (`stop`:
    the file's size after the last member). `complete` is False when the range could not be
    read to its end (a member that is not one whole record, whose `MemberResult` comes last, or
    a member too large or unreadable) or did not run (its worker timed out, died or ran out of
    memory: `retry`): the rest of the input is then read otherwise."""

    first: int | None
    members: tuple[MemberResult, ...]
    stop: int | None
    complete: bool = True
    retry: bool = False  # not run (its worker failed): its members are to be scored one at a time


#: Bytes of a gzip WARC per `MemberRange` (about 24 pages of a crawl); in the last
#: `TAIL_RANGES` ranges' worth of a file a quarter of that, so that the workers end together.
RANGE_BYTES = 2**20
TAIL_RANGES = 8


def member_ranges(source: str, size: int, range_bytes: int = RANGE_BYTES) -> list[MemberRange]:
    """`size` bytes of `source` cut into ranges of `range_bytes`, smaller near the end."""
    small = max(1, range_bytes // 4)
    cuts, at = [0], 0
    while at < size:
        at = min(size, at + (range_bytes if size - at > TAIL_RANGES * range_bytes else small))
        cuts.append(at)
    return [MemberRange(source, a, b) for a, b in zip(cuts, cuts[1:])]


def reads_by_members(source: Source, options: ReadOptions) -> bool:
    """Whether `source` is a gzip WARC to hand out in ranges of members: its first member
    holds a WARC record, and fastwarc reads it (as `read_warc` would)."""
    if source.kind != "warc" or options.warc_reader == "warcio" or not has_fastwarc():
        return False
    try:
        with open(source.path, "rb") as handle:
            return starts_record(handle.read(PROBE_BYTES))
    except OSError:
        return False


def starts_record(data: bytes) -> bool:
    """Whether `data` starts with a gzip member whose first bytes are a WARC record's."""
    if not data.startswith(GZIP_MAGIC):
        return False
    inflated = inflate_bounded(data[:PROBE_BYTES], 16 + zlib.MAX_WBITS, 32)
    return inflated is not None and inflated[0].lstrip(b"\r\n").startswith(b"WARC/")


def iter_members(path: str, max_bytes: int) -> Iterator[WarcMember | None]:
    """The members of the gzip WARC at `path`, in file order, each from a start that
    `starts_record` accepts to the next; None (last) where a member is larger than `max_bytes`
    or the file cannot be read on."""
    for found in range_members(path, max_bytes, 0, sys.maxsize):
        yield None if found is None else found[0]


def _members(path: str, handle: IO[bytes], max_bytes: int, base: int, end: int) -> Iterator[tuple[WarcMember, bytes] | None]:
    """`iter_members` over `handle`, which is at the file offset `base`, each member with its
    compressed bytes: from the start of the file (a member starts there), or from `base` on to
    the first start found; only the members that start before `end` (each still to the next
    start, which may lie past `end`)."""
    # A range reads its own bytes and a little past them at first, not a whole chunk.
    buffer = handle.read(min(_SCAN_CHUNK, max(0, end - base) + _OVERHANG))
    # `start`: where in `buffer` the current member starts (None: none found yet); `search`:
    # where to look for the next magic.
    start: int | None = 0 if base == 0 else None
    search = 1 if base == 0 else 0
    at_end = not buffer
    while buffer:
        match = _MAGIC_SEARCH(buffer, search)
        found = match.start() if match is not None else -1
        if found >= 0 and (at_end or found + PROBE_BYTES <= len(buffer)):
            if starts_record(buffer[found : found + PROBE_BYTES]):
                if start is not None:
                    if found - start > max_bytes:
                        break
                    yield WarcMember(path, base + start, found - start), buffer[start:found]
                if base + found >= end:
                    return
                start = found
            search = found + 1
            continue
        if at_end:
            if start is None:
                return
            if len(buffer) - start <= max_bytes:
                yield WarcMember(path, base + start, len(buffer) - start), buffer[start:]
                return
            break
        search = found if found >= 0 else max((start or 0) + 1, len(buffer) - len(GZIP_MAGIC) + 1)
        keep = start if start is not None else search
        if start is None and base + keep >= end:
            return  # no member starts before `end`
        buffer, base, search, start = buffer[keep:], base + keep, search - keep, None if start is None else 0
        if len(buffer) > max_bytes:
            break
        chunk = handle.read(_SCAN_CHUNK)
        at_end = not chunk
        buffer += chunk
    if buffer:
        yield None  # a member larger than max_bytes


def range_members(path: str, max_bytes: int, start: int, end: int) -> Iterator[tuple[WarcMember, bytes] | None]:
    """The members that start in [`start`, `end`), each with its compressed bytes (see
    `_members`); None (last) where they cannot be read on."""
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            yield from _members(path, handle, max_bytes, start, end)
    except OSError:
        yield None


def record_of_member(member: WarcMember, options: ReadOptions) -> Record | None:
    """The record of `member` as `read_warc` reads it (body included); None unless the member
    is exactly one gzip member holding one record, read whole and without damage (or its
    bytes can no longer be read where they were found)."""
    try:
        with open(member.source, "rb") as handle:
            handle.seek(member.offset)
            data = handle.read(member.length)
    except OSError:
        return None
    if len(data) != member.length:
        return None
    return record_of_bytes(member.source, member.offset, data, options)


def record_of_bytes(source: str, offset: int, data: bytes, options: ReadOptions) -> Record | None:
    """The record of the gzip member `data`, found at `offset` in `source` (see
    `record_of_member`)."""
    raw = _inflate_member(data, options.max_record_bytes + HEADER_ROOM)
    if raw is None:
        return None
    try:
        records = list(read_fastwarc_stream(source, io.BytesIO(raw), options, strict=True, base=offset))
    except (OSError, ValueError, RuntimeError):
        return None
    if len(records) != 1 or records[0].offset != offset or records[0].input_incomplete:
        return None
    return records[0]


def _inflate_member(data: bytes, limit: int) -> bytes | None:
    """The bytes of the one gzip member `data` holds; None if it does not end where `data`
    does (cut short, followed by other bytes, larger than `limit`) or is corrupt."""
    inflated = inflate_bounded(data, 16 + zlib.MAX_WBITS, limit, inflater=_inflater)
    if inflated is None:
        return None
    raw, ended, rest = inflated
    return raw if ended and not rest else None


def score_task(
    page_fn: PageFn,
    read_options: ReadOptions,
    task: Any,
    *,
    model: Any,
    options: PageOptions,
    page_started: Callable[[], None] | None = None,
) -> Any:
    """The workers' function (`PagePool.page_fn`): a `MemberRange` -> a `RangeResult`
    (`score_range`, which calls `page_started` as each page begins); a `WarcMember` -> a
    `MemberResult` (its page scored by `page_fn`, failures made rows as the pool makes them); a
    page record -> `page_fn`'s row."""
    if isinstance(task, MemberRange):
        return score_range(page_fn, read_options, task, model=model, options=options, page_started=page_started)
    if not isinstance(task, WarcMember):
        return page_fn(task, model=model, options=options)
    return _scored(page_fn, record_of_member(task, read_options), model=model, options=options)


def score_range(
    page_fn: PageFn,
    read_options: ReadOptions,
    task: MemberRange,
    *,
    model: Any,
    options: PageOptions,
    page_started: Callable[[], None] | None = None,
) -> RangeResult:
    """Find the members that start in `task`'s bytes, read and score each (from the bytes the
    search read); stop at the first that is not one whole record. `page_started()` is called
    before each member is read: the pool's per-page deadline starts there."""
    results: list[MemberResult] = []
    first = stop = None
    for found in range_members(task.source, read_options.max_record_bytes, task.start, task.end):
        if found is None:
            break
        if page_started is not None:
            page_started()
        member, data = found
        first = member.offset if first is None else first
        record = record_of_bytes(member.source, member.offset, data, read_options)
        results.append(_scored(page_fn, record, model=model, options=options))
        if record is None:
            break
        stop = member.offset + member.length
    else:
        return RangeResult(first, tuple(results), stop)
    return RangeResult(first, tuple(results), stop, complete=False)


def _scored(page_fn: PageFn, record: Record | None, *, model: Any, options: PageOptions) -> MemberResult:
    """A member's record (None: not one whole record) and, for a page, its row."""
    if record is None:
        return MemberResult(None)
    row = None
    if record.is_page:
        try:
            row = page_fn(record, model=model, options=options)
        except Exception as exc:  # noqa: BLE001 - every page becomes a row
            row = error_row(record, failure_message(exc))
    return MemberResult(replace(record, body=None), row)


def error_of_task(read_options: ReadOptions, task: Any, message: str) -> Any:
    """The pool's `error_fn`: the error row of a task whose page timed out, ran out of memory
    or killed its worker; a `WarcMember` is read here to name its record (a `MemberResult`); a
    `MemberRange` is not read (an incomplete `RangeResult`: its pages are scored again one by
    one, and the one that failed is named then)."""
    if isinstance(task, MemberRange):
        return RangeResult(None, (), None, complete=False, retry=True)
    if not isinstance(task, WarcMember):
        return error_row(task, message)
    record = record_of_member(task, read_options)
    if record is None:
        return MemberResult(None)
    return MemberResult(replace(record, body=None), error_row(record, message) if record.is_page else None)
