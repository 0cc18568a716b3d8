"""Gzip WARCs read member by member: the same records as `read_warc`, whatever the damage, and
the same rows and accounts from the engine with two workers as with none."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.bulk.engine import LocalExecutor, run, run_with
from classifier.bulk.items import Reading, range_fits, range_rows, retried_members
from classifier.bulk.members import (
    TAIL_RANGES,
    MemberRange,
    MemberResult,
    RangeResult,
    WarcMember,
    error_of_task,
    iter_members,
    member_ranges,
    reads_by_members,
    record_of_bytes,
    record_of_member,
    score_range,
    score_task,
    starts_record,
)
from classifier.bulk.rows import BulkOptions, PageOptions, ReadOptions, Record, Row, Source
from classifier.bulk.warc import read_warc
from tests.classifier.bulk.helpers import fake_page, html, read_rows, write_warc

pytest.importorskip("fastwarc")


def by_members(path: Path, options: ReadOptions = ReadOptions()) -> list[Record]:
    """What the engine reads with workers, in one process: member by member, then, from the
    first member that is not one whole record, `read_warc`'s records after those read (which
    must be the ones `read_warc` begins with)."""
    records = []
    for member in iter_members(str(path), options.max_record_bytes):
        record = None if member is None else record_of_member(member, options)
        if record is None:
            rest = list(read_warc(str(path), options))
            assert rest[: len(records)] == records
            return records + rest[len(records) :]
        records.append(record)
    return records


def by_ranges(path: Path, range_bytes: int, options: ReadOptions = ReadOptions()) -> tuple[list[Record], bool]:
    """The same, range by range as the workers read them (`score_range`), and as the engine
    puts their results together (`range_rows`, `range_fits`); whether `read_warc` had to
    continue. The records come without their bodies."""
    records: list[Record] = []
    reading = Reading()
    for task in member_ranges(str(path), path.stat().st_size, range_bytes):
        result = score_range(fake_page, options, task, model=None, options=PageOptions())
        records += [item.record for item, _ in range_rows(0, result, reading) if item.record is not None]
        if not range_fits(task, result, reading.next_member):
            rest = [replace(record, body=None) for record in read_warc(str(path), options)]
            assert rest[: len(records)] == records and [r.offset for r in records] == reading.offsets
            return records + rest[len(records) :], True
        reading.next_member = reading.next_member if result.stop is None else result.stop
    return records, False


def compressed(member: WarcMember) -> bytes:
    """The compressed bytes of `member`, read from its file."""
    with open(member.source, "rb") as handle:
        handle.seek(member.offset)
        return handle.read(member.length)


@pytest.fixture(scope="module")
def warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("members") / "a.warc.gz"
    write_warc(path, [(f"http://a{i}.example/p", html(i)) for i in range(6)])  # with an image, a PDF, a redirect
    return path


def test_every_record_is_found_and_read_as_read_warc_reads_it(warc: Path) -> None:
    members = list(iter_members(str(warc), 2**20))
    expected = list(read_warc(str(warc)))
    assert [m.offset for m in members if m is not None] == [r.offset for r in expected]
    assert [record_of_member(m, ReadOptions()) for m in members if m is not None] == expected
    assert sum(m.length for m in members if m is not None) == warc.stat().st_size


def test_a_gzip_warc_is_read_by_members_and_other_inputs_are_not(warc: Path, tmp_path: Path) -> None:
    plain = tmp_path / "b.warc"
    write_warc(plain, [("http://b.example/", html(1))], gz=False)
    other = tmp_path / "c.warc.gz"
    other.write_bytes(gzip.compress(b"<html>not a WARC</html>"))
    assert reads_by_members(Source(str(warc), "warc"), ReadOptions())
    assert not reads_by_members(Source(str(warc), "warc"), ReadOptions(warc_reader="warcio"))
    assert not reads_by_members(Source(str(plain), "warc"), ReadOptions())
    assert not reads_by_members(Source(str(other), "warc"), ReadOptions())
    assert not reads_by_members(Source(str(tmp_path / "missing.warc.gz"), "warc"), ReadOptions())


def test_a_member_start_is_checked_by_inflating_it() -> None:
    assert starts_record(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n"))
    assert starts_record(gzip.compress(b"\r\nWARC/1.0\r\n"))
    assert not starts_record(gzip.compress(b"HTTP/1.1 200 OK\r\n"))
    assert not starts_record(b"\x1f\x8b\x08" + bytes(64))  # the magic, then no gzip member
    assert not starts_record(b"WARC/1.0\r\n")


def test_a_member_larger_than_the_limit_ends_the_members(warc: Path) -> None:
    members = list(iter_members(str(warc), 100))
    assert members[-1] is None
    assert all(m.length <= 100 for m in members[:-1] if m is not None)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data, cut: data[:cut], id="cut short"),
        pytest.param(lambda data, cut: data[:cut] + b"garbage!" + data[cut:], id="bytes between"),
        pytest.param(lambda data, cut: data[: cut - 4] + data[cut:], id="gzip trailer lost"),
    ],
)
def test_a_damaged_member_gives_no_record(warc: Path, damage) -> None:
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    member = members[3]
    data = compressed(member)
    assert record_of_member(member, ReadOptions()) is not None
    assert record_of_bytes(member.source, member.offset, data, ReadOptions()) is not None
    assert record_of_bytes(member.source, member.offset, damage(data, len(data) - 2), ReadOptions()) is None


def test_two_records_in_one_member_give_no_record(warc: Path) -> None:
    records = list(read_warc(str(warc)))
    raw = b"".join(gzip.decompress(compressed(m)) for m in iter_members(str(warc), 2**20) if m is not None)
    assert len(records) > 2 and record_of_bytes(str(warc), 0, gzip.compress(raw), ReadOptions()) is None


def test_a_member_whose_bytes_are_gone_gives_no_record(warc: Path, tmp_path: Path) -> None:
    copy = tmp_path / "a.warc.gz"
    copy.write_bytes(warc.read_bytes())
    member = [m for m in iter_members(str(copy), 2**20) if m is not None][-1]
    assert record_of_member(member, ReadOptions()) is not None
    copy.write_bytes(warc.read_bytes()[:-5])  # the file was cut after the members were found
    assert record_of_member(member, ReadOptions()) is None
    copy.unlink()
    assert record_of_member(member, ReadOptions()) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["cut", "insert", "flip", "delete"]),
    where=st.floats(0, 1, exclude_max=True),
    junk=st.binary(min_size=1, max_size=40),
)
def test_damage_anywhere_gives_the_records_read_warc_gives(warc: Path, tmp_path: Path, kind: str, where: float, junk: bytes) -> None:
    data = warc.read_bytes()
    at = int(where * len(data))
    damaged = {
        "cut": data[:at],
        "insert": data[:at] + junk + data[at:],
        "flip": data[:at] + bytes([data[at] ^ (junk[0] | 1)]) + data[at + 1 :],
        "delete": data[:at] + data[at + len(junk) :],
    }[kind]
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(damaged)
    expected = list(read_warc(str(path)))
    assert by_members(path) == expected
    range_bytes = max(1, int(where * 7919) % max(1, len(damaged)))
    assert by_ranges(path, range_bytes)[0] == [replace(record, body=None) for record in expected]


def test_a_worker_scores_a_member_and_names_it_on_failure(warc: Path) -> None:
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    records = list(read_warc(str(warc)))
    page = next(i for i, r in enumerate(records) if r.is_page)
    skipped = next(i for i, r in enumerate(records) if r.skip)
    result = score_task(fake_page, ReadOptions(), members[page], model=None, options=PageOptions())
    assert result.record.url == records[page].url and result.record.body is None
    assert result.row == fake_page(records[page], model=None, options=PageOptions())
    assert score_task(fake_page, ReadOptions(), members[skipped], model=None, options=PageOptions()) == MemberResult(
        records[skipped], None
    )
    failed = error_of_task(ReadOptions(), members[page], "timeout: page took longer than 1 s")
    assert (failed.row.url, failed.row.offset, failed.row.error) == (records[page].url, records[page].offset, "timeout: page took longer than 1 s")
    cut = WarcMember(members[page].source, members[page].offset, members[page].length - 9)
    assert error_of_task(ReadOptions(), cut, "timeout") == MemberResult(None)


def test_with_two_workers_the_engine_hands_out_ranges_of_the_file(warc: Path) -> None:
    todo = [(0, Source(str(warc), "warc"))]
    executor = LocalExecutor(BulkOptions(workers=2, progress=False), fake_page, range_bytes=4000)
    items = list(executor._items(todo, by_members=True))
    assert [item.member for item in items[1:-1]] == member_ranges(str(warc), warc.stat().st_size, 4000)
    assert all(item.record is None for item in items) and items[-1].end
    assert all(item.member is None for item in executor._items(todo, by_members=False))


def test_ranges_cover_the_file_and_get_smaller_at_its_end() -> None:
    size = (TAIL_RANGES + 10) * 2**20 + 5
    ranges = member_ranges("a.warc.gz", size, 2**20)
    assert ranges[0].start == 0 and ranges[-1].end == size
    assert all(a.end == b.start for a, b in zip(ranges, ranges[1:]))
    lengths = [r.end - r.start for r in ranges]
    assert lengths[:10] == [2**20] * 10 and max(lengths[11:]) == 2**18
    assert member_ranges("a.warc.gz", 1, 2**20) == [MemberRange("a.warc.gz", 0, 1)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(range_bytes=st.integers(1, 40_000))
def test_ranges_of_any_size_give_every_record_once(warc: Path, range_bytes: int) -> None:
    records, continued = by_ranges(warc, range_bytes)
    assert records == [replace(record, body=None) for record in read_warc(str(warc))] and not continued


def test_a_range_is_kept_only_if_it_follows_the_one_before(warc: Path) -> None:
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    task = MemberRange(str(warc), members[2].offset - 10, members[4].offset - 10)
    result = score_range(fake_page, ReadOptions(), task, model=None, options=PageOptions())
    assert (result.first, result.stop, len(result.members), result.complete) == (members[2].offset, members[4].offset, 2, True)
    assert range_fits(task, result, members[2].offset)
    assert not range_fits(task, result, members[1].offset)  # a member between them went unread
    assert list(range_rows(0, result, Reading(next_member=members[1].offset))) == []
    inside = MemberRange(str(warc), members[3].offset + 5, members[3].offset + 9)  # inside a member
    nothing = score_range(fake_page, ReadOptions(), inside, model=None, options=PageOptions())
    assert (nothing.first, nothing.members, nothing.complete) == (None, (), True)
    assert range_fits(inside, nothing, members[4].offset) and not range_fits(inside, nothing, members[3].offset + 7)
    failed = error_of_task(ReadOptions(), task, "timeout: page took longer than 1 s")
    assert failed == RangeResult(None, (), None, complete=False, retry=True) and not range_fits(task, failed, members[2].offset)


def test_a_range_whose_worker_failed_is_read_again_member_by_member(warc: Path) -> None:
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    failed = MemberRange(str(warc), members[2].offset - 10, members[4].offset - 10)
    items = list(retried_members(0, Source(str(warc), "warc"), failed, members[2].offset, 2**20))
    assert [item.member for item in items] == members[2:4]  # one at a time, each with its own deadline
    gone = list(retried_members(0, Source(str(warc) + ".gone", "warc"), failed, members[2].offset, 2**20))
    assert len(gone) == 1 and gone[0].unread


def test_pages_that_time_out_or_kill_their_worker_in_a_range_are_named_and_the_others_scored_once(tmp_path: Path) -> None:
    pages = [(f"http://e{i}.example/", html(i, "SLEEP" if i == 5 else "CRASH" if i == 14 else "")) for i in range(24)]
    write_warc(tmp_path / "e.warc.gz", pages, extras=False)
    log = tmp_path / "scored.log"
    options = BulkOptions(progress=False, resume=False, timeout=1.0, workers=2)
    executor = LocalExecutor(options, counted_page, functools.partial(log_path, str(log)), range_bytes=300)
    run_with(executor, [str(tmp_path / "e.warc.gz")], str(tmp_path / "o.jsonl"), options)
    rows = read_rows(tmp_path / "o.jsonl")
    assert [row["url"] for row in rows] == [url for url, _ in pages]
    assert "timeout" in rows[5]["error"] and "worker died" in rows[14]["error"]
    assert [i for i, row in enumerate(rows) if row["error"]] == [5, 14]
    assert executor.stats.tasks_retried >= 2 and (executor.stats.timeouts, executor.stats.worker_deaths) == (1, 1)
    # The pages of the two ranges whose worker failed are scored again, one by one (ranges of
    # 300 bytes hold one or two of these pages); the ranges after them are not read again.
    times = Counter(map(int, log.read_text().split()))
    assert set(times) == {row["offset"] for row in rows}
    assert sum(count - 1 for count in times.values()) <= 6
    assert rows == _run_plain(tmp_path / "e.warc.gz", tmp_path, options)


def test_a_range_of_slow_pages_each_within_the_deadline_is_scored_once(tmp_path: Path) -> None:
    pages = [(f"http://e{i}.example/", html(i, "DOZE" if i % 2 else "")) for i in range(10)]
    write_warc(tmp_path / "e.warc.gz", pages, extras=False)
    log = tmp_path / "scored.log"
    options = BulkOptions(progress=False, resume=False, timeout=1.0, workers=2)
    # One range holds every page: 2 s in all, 0.4 s at most a page.
    executor = LocalExecutor(options, counted_page, functools.partial(log_path, str(log)))
    run_with(executor, [str(tmp_path / "e.warc.gz")], str(tmp_path / "o.jsonl"), options)
    rows = read_rows(tmp_path / "o.jsonl")
    assert [row["url"] for row in rows] == [url for url, _ in pages] and not any(row["error"] for row in rows)
    assert (executor.stats.tasks_retried, executor.stats.timeouts) == (0, 0)
    assert sorted(map(int, log.read_text().split())) == [row["offset"] for row in rows]  # each once


def counted_page(record: Record, *, model: str, options: PageOptions) -> Row:
    """`fake_page`, logging each page it scores to the file `model` names."""
    with open(model, "a", encoding="utf-8") as log:
        log.write(f"{record.offset}\n")
    return fake_page(record, model=None, options=options)


def log_path(path: str) -> str:
    return path


def test_the_pages_before_damage_are_scored_once(warc: Path, tmp_path: Path) -> None:
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[: members[7].offset + 20])
    log = tmp_path / "scored.log"
    options = BulkOptions(progress=False, resume=False, timeout=None, workers=2)
    run([str(cut), str(warc)], str(tmp_path / "o.jsonl"), options, page_fn=counted_page, model_loader=functools.partial(log_path, str(log)))
    rows = read_rows(tmp_path / "o.jsonl")
    assert any(row["error"] for row in rows)  # the cut is reported
    # Every page once: none of the cut file's pages before the damage a second time.
    assert sorted(map(int, log.read_text().split())) == sorted(row["offset"] for row in rows if row["error"] is None)
    assert rows == _run([cut, warc], tmp_path, 0)[0]


def _run_plain(path: Path, tmp_path: Path, options: BulkOptions) -> list[dict]:
    """The rows of one worker, which reads the WARC with the engine's own reader."""
    out = tmp_path / "plain.jsonl"
    run([str(path)], str(out), dataclasses.replace(options, workers=1), page_fn=fake_page, model_loader=None)
    return read_rows(out)


def _run(inputs: list[Path], tmp_path: Path, workers: int, range_bytes: int = 2**20) -> tuple[list[dict], dict]:
    out, summary = tmp_path / f"o{workers}.jsonl", tmp_path / f"s{workers}.json"
    options = BulkOptions(progress=False, resume=False, timeout=None, workers=workers, summary_path=str(summary))
    run_with(LocalExecutor(options, fake_page, range_bytes=range_bytes), [str(p) for p in inputs], str(out), options)
    account = json.loads(summary.read_text())
    return read_rows(out), {k: v for k, v in account.items() if k not in ("elapsed_s", "pages_per_s", "workers", "output")}


def test_two_workers_reading_members_give_what_one_process_gives(warc: Path, tmp_path: Path) -> None:
    data = warc.read_bytes()
    members = [m for m in iter_members(str(warc), 2**20) if m is not None]
    at = members[5].offset + 7
    inputs = [warc, tmp_path / "cut.warc.gz", tmp_path / "garbage.warc.gz", tmp_path / "last.warc.gz"]
    inputs[1].write_bytes(data[:at])
    inputs[2].write_bytes(data[:at] + b"garbage" + data[at:])
    write_warc(inputs[3], [(f"http://d{i}.example/", html(i)) for i in range(3)], extras=False)
    rows, account = _run(inputs, tmp_path, 0)
    assert account["inputs_completed"] == 4 and account["records_read"] > 30
    assert any(row["error"] for row in rows)  # the damage is reported
    assert _run(inputs, tmp_path, 2) == (rows, account)
    assert _run(inputs, tmp_path, 2, range_bytes=3000) == (rows, account)  # ranges ending inside members


def test_pages_past_the_deadline_or_killing_their_worker_are_named_as_without_members(tmp_path: Path) -> None:
    pages = [(f"http://e{i}.example/", html(i, word)) for i, word in enumerate(["", "SLEEP", "", "CRASH", ""])]
    write_warc(tmp_path / "e.warc.gz", pages, extras=False)

    def rows_with(workers: int) -> list[dict]:
        out = tmp_path / f"o{workers}.jsonl"
        options = BulkOptions(progress=False, resume=False, timeout=1.0, workers=workers)
        run([str(tmp_path / "e.warc.gz")], str(out), options, page_fn=fake_page, model_loader=None)
        return read_rows(out)

    rows = rows_with(2)
    assert [row["url"] for row in rows] == [url for url, _ in pages]
    assert "timeout" in rows[1]["error"] and "worker died" in rows[3]["error"]
    assert rows[1]["host"] == "e1.example" and rows[0]["error"] is None
    assert rows == rows_with(1)  # one worker: the engine reads the WARC itself


def test_plain_zlib_inflates_members_as_isal_does(warc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    import classifier.bulk.members as members

    found = [m for m in iter_members(str(warc), 2**20) if m is not None]
    cut = WarcMember(found[2].source, found[2].offset, found[2].length - 3)
    expected = [record_of_member(m, ReadOptions()) for m in (*found, cut)]
    monkeypatch.setattr(members, "_inflater", zlib)
    assert [record_of_member(m, ReadOptions()) for m in (*found, cut)] == expected
    assert expected[-1] is None and None not in expected[:-1]


def test_a_range_reads_its_members_bytes_once(warc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    import classifier.bulk.members as members

    found = [m for m in iter_members(str(warc), 2**20) if m is not None]
    opened: list[str] = []

    def counting_open(path: str, *args: object) -> object:
        opened.append(path)
        return builtins.open(path, *args)  # type: ignore[call-overload]

    task = MemberRange(str(warc), 0, warc.stat().st_size)
    monkeypatch.setattr(members, "open", counting_open, raising=False)
    result = score_range(fake_page, ReadOptions(), task, model=None, options=PageOptions())
    assert opened == [str(warc)]  # the search's read: no second read of any member
    monkeypatch.undo()
    assert result.members == tuple(score_task(fake_page, ReadOptions(), m, model=None, options=PageOptions()) for m in found)

