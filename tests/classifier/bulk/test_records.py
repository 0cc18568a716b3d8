"""Readers and writers of bulk runs (`classifier.bulk.records`, `warc`, `writers`): every record
accounted for, damage reported."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.bulk.records import expand_inputs, iter_records, read_jsonl_stream
from classifier.bulk.rows import ReadOptions, Record, Source
from classifier.bulk.warc import decode_content_encoding, read_warc
from classifier.bulk.writers import JsonlWriter, ParquetWriter, atomic_path
from tests.classifier.bulk.helpers import html, write_jsonl, write_warc

PAGES = [(f"http://site{i}.example/p{i}", html(i)) for i in range(4)]


# ----------------------------------------------------------------------------- inputs


def test_expand_inputs_order_folders_globs_missing_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "site" / "b").mkdir(parents=True)
    (tmp_path / "site" / "a.html").write_text("x")
    (tmp_path / "site" / "b" / "c.htm").write_text("x")
    (tmp_path / "site" / "b" / "d.html.gz").write_bytes(gzip.compress(b"x"))
    (tmp_path / "site" / "b" / "notes.txt").write_text("x")
    (tmp_path / "x.warc.gz").write_bytes(b"")
    (tmp_path / "y.jsonl").write_text("")
    sources = expand_inputs(
        [str(tmp_path / "y.jsonl"), str(tmp_path / "site"), str(tmp_path / "*.warc.gz"), "-", str(tmp_path / "nope.warc"), str(tmp_path / "y.jsonl"), str(tmp_path / "zz*.jsonl")]
    )
    assert [(Path(s.path).name if s.path != "-" else "-", s.kind) for s in sources] == [
        ("y.jsonl", "jsonl"),
        ("a.html", "html"),
        ("c.htm", "html"),
        ("d.html.gz", "html"),
        ("x.warc.gz", "warc"),
        ("-", "stdin"),
        ("nope.warc", "missing"),
        ("zz*.jsonl", "missing"),
    ]


def test_missing_and_unknown_inputs_become_error_records(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b")
    records = list(iter_records(Source(str(tmp_path / "data.csv"), "unknown")))
    assert len(records) == 1 and records[0].error and "unsupported" in records[0].error
    assert list(iter_records(Source("gone.warc", "missing")))[0].error == "input not found"


# ----------------------------------------------------------------------------- WARC


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("reader", ["fastwarc", "warcio"])
def test_warc_pages_skips_and_charset(tmp_path: Path, gz: bool, reader: str) -> None:
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    offsets = write_warc(path, PAGES, gz=gz, charset="iso-8859-1")
    records = list(read_warc(str(path), ReadOptions(warc_reader=reader)))
    pages = [r for r in records if r.is_page]
    assert [r.offset for r in pages] == offsets
    assert [r.url for r in pages] == [url for url, _ in PAGES]
    assert all(r.http_charset == "iso-8859-1" for r in pages)
    assert pages[0].body == PAGES[0][1].encode("iso-8859-1")
    skips = sorted(r.skip for r in records if r.skip)
    assert skips == sorted(["warc_warcinfo", *["warc_request"] * 4, "not_html:image/png", "not_html:application/pdf", "http_301"])
    assert not any(r.error for r in records)


def test_fastwarc_and_warcio_agree(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_warc(path, PAGES)
    fast = list(read_warc(str(path), ReadOptions(warc_reader="fastwarc")))
    slow = list(read_warc(str(path), ReadOptions(warc_reader="warcio")))
    assert fast == slow


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("reader", ["auto", "warcio"])
def test_truncated_last_record_gives_rows_before_and_error_at_its_offset(tmp_path: Path, gz: bool, reader: str) -> None:
    path = tmp_path / ("t.warc.gz" if gz else "t.warc")
    offsets = write_warc(path, PAGES, gz=gz, extras=False)
    data = path.read_bytes()
    path.write_bytes(data[: offsets[-1] + (len(data) - offsets[-1]) // 2])
    records = list(read_warc(str(path), ReadOptions(warc_reader=reader)))
    assert [r.offset for r in records if r.is_page] == offsets[:-1]
    assert records[-1].error is not None and records[-1].offset == offsets[-1]
    assert "shorter than its Content-Length" in records[-1].error or "damaged" in records[-1].error


def test_corrupt_gzip_member_mid_file(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    offsets = write_warc(path, PAGES, extras=False)
    data = bytearray(path.read_bytes())
    start = offsets[2] + 20
    data[start : start + 40] = b"\x00" * 40  # inside the third response's gzip member
    path.write_bytes(bytes(data))
    records = list(read_warc(str(path)))
    assert [r.offset for r in records if r.is_page] == offsets[:2]
    assert records[-1].error is not None and records[-1].error.startswith("damaged WARC")
    assert records[-1].source == str(path)


def test_corrupt_from_the_start_is_one_error_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    records = list(read_warc(str(path)))
    assert len(records) == 1 and records[0].error and records[0].offset == 0


def test_gzip_content_encoding_is_undone() -> None:
    body = b"<html>hello</html>"
    assert decode_content_encoding(gzip.compress(body), "gzip") == body
    assert decode_content_encoding(body, "gzip") == body  # header lies: keep the bytes
    import zlib

    assert decode_content_encoding(zlib.compress(body), "deflate") == body
    assert decode_content_encoding(body, None) == body


def test_content_encoding_is_bounded_and_gzip_reads_every_member() -> None:
    import zlib

    from classifier.extraction.decode import MAX_UNCOMPRESSED_BYTES, TooLargeError

    bomb = gzip.compress(b"a" * (2 * MAX_UNCOMPRESSED_BYTES), compresslevel=9)
    with pytest.raises(TooLargeError):  # a bomb stops at the bound, and is reported
        decode_content_encoding(bomb, "gzip")
    exactly = gzip.compress(b"a" * MAX_UNCOMPRESSED_BYTES, compresslevel=9)
    assert len(decode_content_encoding(exactly, "gzip")) == MAX_UNCOMPRESSED_BYTES
    members = gzip.compress(b"<html><p>one</p>") + gzip.compress(b"<p>two</p></html>")
    assert decode_content_encoding(members, "gzip") == b"<html><p>one</p><p>two</p></html>"
    deflate_bomb = zlib.compress(b"a" * (2 * MAX_UNCOMPRESSED_BYTES), 9)
    with pytest.raises(TooLargeError):
        decode_content_encoding(deflate_bomb, "deflate")
    with pytest.raises(TooLargeError):
        decode_content_encoding(deflate_bomb[2:], "deflate")  # raw
    assert decode_content_encoding(b"<p>already plain</p>", "gzip") == b"<p>already plain</p>"
    story = b"<p>" + b" ".join(b"line %d of the story" % i for i in range(2_000))
    cut = gzip.compress(story)[:-100]  # a body cut short by the crawler
    assert 1_000 < len(decode_content_encoding(cut, "gzip")) < len(story)
    assert story.startswith(decode_content_encoding(cut, "gzip"))


# ----------------------------------------------------------------------------- JSONL


def test_jsonl_good_bad_and_custom_fields(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl.gz"
    write_jsonl(
        path,
        [
            {"content": "<p>a</p>", "link": "http://a.example/"},
            "{not json",
            "",
            [1, 2],
            {"link": "http://b.example/"},
            {"content": None, "link": "http://c.example/"},
            {"content": 5},
            {"content": "<p>b</p>"},
            {"content": "<p>c</p>", "link": 123},
            {"content": "<p>d</p>", "link": None},
        ],
        gz=True,
    )
    records = list(iter_records(Source(str(path), "jsonl"), ReadOptions(html_field="content", url_field="link")))
    assert [r.offset for r in records] == list(range(1, 11))
    kinds = [("page" if r.is_page else r.skip or "error") for r in records]
    assert kinds == ["page", "error", "blank_line", "error", "error", "no_html", "error", "page", "error", "page"]
    assert records[0].url == "http://a.example/" and records[0].body == "<p>a</p>"
    assert "invalid JSON" in records[1].error
    assert "'link' is not a string" in records[8].error and records[9].url is None


def test_truncated_jsonl_gz_ends_with_error_after_readable_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl.gz"
    lines = [{"html": html(i) * 20, "url": f"http://s{i}.example/"} for i in range(50)]
    write_jsonl(path, lines, gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    records = list(iter_records(Source(str(path), "jsonl")))
    pages = [r for r in records if r.is_page]
    assert 0 < len(pages) < 50
    assert [r.offset for r in pages] == list(range(1, len(pages) + 1))
    assert records[-1].error is not None and records[-1].offset == len(pages) + 1


def test_stdin_source_reads_the_given_stream() -> None:
    stream = io.BytesIO(b'{"html": "<p>x</p>", "url": "http://x.example/"}\n')
    records = list(iter_records(Source("-", "stdin"), stdin=stream))
    assert records == [Record("-", 1, url="http://x.example/", body="<p>x</p>")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40).filter(lambda b: b"\n" not in b),
            st.dictionaries(st.sampled_from(["html", "url", "x"]), st.one_of(st.none(), st.text(max_size=10), st.integers())).map(
                lambda d: json.dumps(d).encode()
            ),
        ),
        max_size=20,
    )
)
def test_every_jsonl_line_is_exactly_one_record(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + (b"\n" if lines else b"")
    records = list(read_jsonl_stream(io.BytesIO(data), source="s"))
    assert [r.offset for r in records] == list(range(1, len(lines) + 1))
    for record in records:
        assert sum([record.is_page, record.skip is not None, record.error is not None]) == 1
        if record.is_page:
            assert isinstance(record.body, str)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_warc_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("w") / "x.warc.gz"
    path.write_bytes(data)
    records = list(read_warc(str(path)))
    assert all(isinstance(r, Record) for r in records)


def test_html_files_plain_and_gz_and_corrupt(tmp_path: Path) -> None:
    """A .gz file's bytes go to the worker as they are (the worker inflates them, bounded);
    one that is not gzip, or is cut short, becomes an error row there."""
    from classifier.bulk.pages import score_records
    from tests.classifier.bulk.helpers import fake_page

    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(b"<p>b</p>"))
    (tmp_path / "c.html.gz").write_bytes(b"not gzip")
    (tmp_path / "d.html.gz").write_bytes(gzip.compress(b"<p>" + b"d " * 5000 + b"</p>")[:-30])
    records = [r for s in expand_inputs([str(tmp_path)]) for r in iter_records(s)]
    assert [r.body for r in records[:1]] == [b"<p>a</p>"] and not records[0].gzip_file
    assert records[1].gzip_file and gzip.decompress(records[1].body) == b"<p>b</p>"
    rows = [row for _, row in score_records(records, page_fn=fake_page)]
    assert rows[0].error is None and rows[1].error is None
    assert "not gzip" in rows[2].error and "cut short" in rows[3].error


# ----------------------------------------------------------------------------- writers


def test_atomic_path_publishes_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        tmp.write_text("done")
    assert target.read_text() == "done" and list(tmp_path.iterdir()) == [target]


def test_jsonl_and_parquet_writers_round_trip(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    rows = [
        {"source": "s", "offset": 1, "url": "u", "host": "h", "farm_probability": 0.5, "flagged": True,
         "reasons": [{"code": "c", "evidence": "é", "weight": 1.5}], "content_chars": 3,
         "boilerplate_share": 0.1, "title": "T", "published": "2023-11-02", "author": "A; B",
         "language": "de", "canonical_url": "https://x.example/a", "error": None, "dup_domains": None},
        {"source": "s", "offset": 2, "url": None, "host": None, "farm_probability": None, "flagged": None,
         "reasons": [], "content_chars": None, "boilerplate_share": None, "title": None, "published": None,
         "author": None, "language": None, "canonical_url": None, "error": "boom", "dup_domains": 2},
    ]
    stream = io.BytesIO()
    writer = JsonlWriter(stream)
    for row in rows:
        writer.write(row)
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == rows
    pwriter = ParquetWriter(str(tmp_path / "o.parquet"), batch_size=1)
    for row in rows:
        pwriter.write(row)
    pwriter.close()
    back = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [{k: r[k] for k in rows[0]} for r in back] == rows
