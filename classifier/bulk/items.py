"""What flows from the inputs to the workers and the parts (`Item`), and a gzip WARC's ranges
of members put back together in file order.

With two or more workers the engine hands out a gzip WARC as ranges of its bytes
(`member_items`; the workers' side is `classifier.bulk.members`) and gets back, for each, the
records and rows of the members that start in it. `collect` unpacks them in order, each range
checked to begin where the one before it ended; where the members stop (damage, a range that
does not follow, a range whose worker failed) the input goes to `later`, to be continued in
the pool's next pass (`classifier.bulk.engine.LocalExecutor.results`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .members import MemberRange, MemberResult, RangeResult, WarcMember, member_ranges, range_members
from .rows import Record, Row, Source


@dataclass(frozen=True, slots=True)
class Item:
    """What flows from the inputs to the parts: input `index` starts (no record, not `end`),
    one of its records, or it ends (`complete` False when ``--limit`` cut it); or `abort`: its
    part so far is dropped, and the input is read again. Between the reading and the workers an
    item may instead carry a range of a gzip WARC's members or one member (`member`: one
    member at a time for a range whose worker failed), or say that the members stop
    (`unread`): the rest of the input is not one member per record."""

    index: int
    record: Record | None = None
    end: bool = False
    complete: bool = True
    abort: bool = False
    member: MemberRange | WarcMember | None = None
    unread: bool = False
    # The row a worker already made for a range passed over in one pass of the pool (its
    # input's members had stopped before it) and used in the next, without a worker.
    result: RangeResult | None = None


def page_record(item: Item) -> Record | MemberRange | WarcMember | None:
    """What an item carries for a worker: a page to score, a range of WARC members to read and
    score, or None (a marker, a skipped or damaged record, a range already read: it passes
    through without a worker)."""
    if item.result is not None:
        return None
    if item.member is not None:
        return item.member
    record = item.record
    return record if record is not None and record.is_page else None


def is_range(task: Any) -> bool:
    """Whether a worker's task is a range of members (`PagePool.retried`)."""
    return isinstance(task, MemberRange)


@dataclass(slots=True)
class Reading:
    """Where the engine is in an input read by members: the offsets of its records out, and
    where its next member starts."""

    offsets: list[int] = field(default_factory=list)
    next_member: int = 0


def collect(
    pairs: Iterable[tuple[Item, Any]],
    readings: dict[int, Reading],
    later: list[tuple[int, MemberRange | None]],
    passed: dict[int, list[Item]],
) -> Iterator[tuple[Item, Row | None]]:
    """The items and rows of one pass of the pool, with the ranges' and members' records
    unpacked in order; an input whose members stop goes to `later` (with the range to retry
    one member at a time, if its worker failed), and its items after that to `passed` (with
    the ranges' results) for the next pass."""

    def stop(index: int, retry: MemberRange | None = None) -> None:
        later.append((index, retry))
        passed[index] = []

    for item, row in pairs:
        row = item.result if item.result is not None else row
        if later and later[-1][0] == item.index:
            if later[-1][1] is not None:  # (after damage the engine's reader reads them again)
                passed[item.index].append(replace(item, result=row) if isinstance(row, RangeResult) else item)
            continue
        reading = readings.get(item.index)
        if isinstance(row, RangeResult):
            assert isinstance(item.member, MemberRange) and reading is not None
            yield from range_rows(item.index, row, reading)
            if not range_fits(item.member, row, reading.next_member):
                stop(item.index, item.member if row.retry else None)
            elif row.stop is not None:
                reading.next_member = row.stop
        elif isinstance(row, MemberResult):
            assert isinstance(item.member, WarcMember) and reading is not None
            if row.record is None:
                stop(item.index)
                continue
            reading.offsets.append(row.record.offset)
            reading.next_member = item.member.offset + item.member.length
            yield Item(item.index, row.record), row.row
        elif item.unread:
            stop(item.index)
        else:
            if item.record is None and not item.end and not item.abort:
                readings[item.index] = Reading()  # an input starts
            yield item, row


def range_rows(index: int, result: RangeResult, reading: Reading) -> Iterator[tuple[Item, Row | None]]:
    """The records of a range read whole, if it begins where the ranges before it ended (their
    offsets added to the reading's)."""
    if result.first is not None and result.first != reading.next_member:
        return
    for member in result.members:
        if member.record is None:
            return
        reading.offsets.append(member.record.offset)
        yield Item(index, member.record), member.row


def range_fits(task: MemberRange, result: RangeResult, next_member: int) -> bool:
    """Whether a range was read whole and its members follow those before it: its first starts
    where the last one before it ended, or none starts in it because that one reaches past it."""
    if not result.complete:
        return False
    return result.first == next_member if result.first is not None else next_member >= task.end


def member_items(index: int, source: Source, range_bytes: int) -> Iterator[Item]:
    """A gzip WARC's ranges of members, then its end."""
    try:
        size = os.stat(source.path).st_size
    except OSError:
        size = 1  # gone: its one range cannot be read, and the engine's reader reports it
    for task in member_ranges(source.path, size, range_bytes):
        yield Item(index, member=task)
    yield Item(index, end=True)


def retried_members(index: int, source: Source, task: MemberRange, next_member: int, max_bytes: int) -> Iterator[Item]:
    """The members of a range whose worker failed (timed out, died, ran out of memory), from
    `next_member` (where its first starts) on, one at a time, each with its own deadline;
    `unread` where the members cannot be found."""
    for found in range_members(source.path, max_bytes, next_member, task.end):
        if found is None:
            yield Item(index, unread=True)
            return
        yield Item(index, member=found[0])
