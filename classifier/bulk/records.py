"""Inputs and their records: the user's INPUT arguments -> `Source`s -> `Record`s.

* `expand_inputs()` turns files, folders, globs and ``-`` into an ordered list of `Source`s;
* `iter_records()` reads one `Source` into `Record`s: WARC (`classifier.bulk.warc`), JSONL
  (``.jsonl``, ``.jsonl.gz``, or stdin) and single HTML files (``.html``, ``.htm``,
  ``.html.gz``). Records that are not HTML pages carry a `skip` reason; damaged input becomes a
  record with an `error` that names the offset, after everything readable before it.

Nothing here parses HTML or scores anything, and nothing here keeps state between calls.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import IO

from .rows import DEFAULT_MAX_RECORD_BYTES, STDIN, ReadOptions, Record, Source, SourceKind
from .warc import WARC_SUFFIXES, describe, read_warc

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def source_kind(path: str) -> SourceKind:
    """The reader for `path`, from its name (``-`` is JSONL on stdin)."""
    if path == STDIN:
        return "stdin"
    lower = path.lower()
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    return "unknown"


def expand_inputs(inputs: Sequence[str]) -> list[Source]:
    """Expand INPUT arguments into sources, in a deterministic order.

    Arguments keep their order; a folder expands to its ``*.html``, ``*.htm`` and ``*.html.gz``
    files (recursively, sorted), a glob to its sorted matches. A path that does not exist (or a
    glob that matches nothing) becomes a ``missing`` source, and a folder with no page in it an
    ``empty`` one, so that they are reported, not lost. A file named more than once is read
    once.
    """
    sources: list[Source] = []
    seen: set[str] = set()

    def add(path: str, kind: SourceKind) -> None:
        key = path if kind in ("stdin", "missing") else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            sources.append(Source(path, kind))

    def add_folder(folder: str) -> None:
        pages = _walk_html(folder)
        for path in pages:
            add(path, "html")
        if not pages:
            add(folder, "empty")

    for arg in inputs:
        if arg == STDIN:
            add(arg, "stdin")
        elif os.path.isdir(arg):
            add_folder(arg)
        elif os.path.exists(arg):
            add(arg, source_kind(arg))
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                add(arg, "missing")
            for match in matches:
                if os.path.isdir(match):
                    add_folder(match)
                else:
                    add(match, source_kind(match))
        else:
            add(arg, "missing")
    return sources


def _walk_html(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            if name.lower().endswith(HTML_SUFFIXES):
                found.append(os.path.join(root, name))
    return sorted(found)


def iter_records(source: Source, options: ReadOptions = ReadOptions(), *, stdin: IO[bytes] | None = None) -> Iterator[Record]:
    """Every record of `source`, in file order, read as `options` say; never raises on damaged
    input. A record of more than `options.max_record_bytes` (an HTML file, a JSONL line, a WARC
    record's block) becomes an error record without being read whole. `stdin` replaces
    ``sys.stdin.buffer`` for the ``-`` source (for tests).
    """
    if source.kind == "warc":
        yield from read_warc(source.path, options)
    elif source.kind == "jsonl":
        yield from read_jsonl(source.path, options)
    elif source.kind == "stdin":
        yield from read_jsonl_stream(stdin if stdin is not None else sys.stdin.buffer, source=STDIN, options=options)
    elif source.kind == "html":
        yield read_html_file(source.path, max_record_bytes=options.max_record_bytes)
    elif source.kind == "missing":
        yield Record(source.path, 0, error="input not found", input_incomplete=True)
    elif source.kind == "empty":
        yield Record(source.path, 0, error="folder holds no .html, .htm, .html.gz or .htm.gz file", input_incomplete=True)
    else:
        yield Record(
            source.path,
            0,
            error="unsupported input format (expected .warc[.gz], .jsonl[.gz], .html[.gz] or a folder)",
            input_incomplete=True,
        )


def read_html_file(path: str, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Record:
    """One HTML file as a page record at offset 0. A ``.gz`` file's bytes are sent as they
    are, for the worker to inflate (bounded: a gzip bomb never reaches this process, and a file
    cut short is an error row). A file larger than `max_record_bytes` is an error record, not
    read."""
    try:
        size = os.stat(path).st_size
        if size > max_record_bytes:
            return Record(path, 0, error=_too_large(size, max_record_bytes))
        with open(path, "rb") as handle:
            data = handle.read(max_record_bytes + 1)
    except OSError as exc:
        return Record(path, 0, error=f"unreadable file: {describe(exc)}", input_incomplete=True)
    if len(data) > max_record_bytes:  # it grew while being read
        return Record(path, 0, error=_too_large(len(data), max_record_bytes))
    return Record(path, 0, url=None, body=data, gzip_file=path.lower().endswith(".gz"), position=len(data))


def _too_large(size: int, limit: int) -> str:
    return f"record too large: {size:,} bytes or more, over the limit of {limit:,} (--max-record-bytes)"


def _read_line(stream: IO[bytes], limit: int) -> tuple[bytes, bool]:
    """The next line of `stream` (b"" at its end) and whether it fit in `limit` bytes; a
    longer line is read past in chunks, never held whole."""
    line = stream.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, True
    while True:  # the rest of the long line, dropped as it is read
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return line[:0], False


def read_jsonl(path: str, options: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Records of a JSONL file (gzip-compressed when the name ends in ``.gz``)."""
    try:
        handle: IO[bytes] = (
            gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        )
    except OSError as exc:
        yield Record(path, 0, error=f"unreadable file: {describe(exc)}", input_incomplete=True)
        return
    with handle:
        raw = getattr(handle, "fileobj", handle)  # a gzip file's position in its compressed bytes
        yield from read_jsonl_stream(handle, source=path, options=options, position=raw.tell)


def read_jsonl_stream(
    stream: IO[bytes], *, source: str, options: ReadOptions = ReadOptions(), position: Callable[[], int] | None = None
) -> Iterator[Record]:
    """Records of a JSONL byte stream; `offset` is the 1-based line number.

    A blank line is skipped (``blank_line``); a line that is not a JSON object, or has no string
    in `options.html_field`, or is longer than `options.max_record_bytes`, is an error record; a
    stream that breaks (truncated gzip) ends with an error record at the next line number. A
    line whose HTML field is null is skipped (``no_html``). `position` tells how far the input
    has been read (for progress).
    """
    html_field, url_field, max_record_bytes = options.html_field, options.url_field, options.max_record_bytes
    line_no = 0
    while True:
        try:
            line, fits = _read_line(stream, max_record_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            yield Record(source, line_no + 1, error=f"damaged input after line {line_no}: {describe(exc)}", input_incomplete=True)
            return
        if fits and not line:
            return
        line_no += 1
        if not fits:
            yield Record(source, line_no, error=_too_large(max_record_bytes + 1, max_record_bytes))
            continue
        if not line.strip():
            yield Record(source, line_no, skip="blank_line")
            continue
        try:
            obj = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            yield Record(source, line_no, error=f"invalid JSON line: {describe(exc)}")
            continue
        if not isinstance(obj, dict):
            yield Record(source, line_no, error="JSON line is not an object")
            continue
        url = obj.get(url_field)
        html = obj.get(html_field)
        if url is not None and not isinstance(url, str):
            yield Record(source, line_no, error=f"field {url_field!r} is not a string")
        elif html is None and html_field in obj:  # null: no page was fetched, like a non-HTML record
            yield Record(source, line_no, url=url, skip="no_html")
        elif not isinstance(html, str):
            yield Record(source, line_no, url=url, error=f"line has no string field {html_field!r}")
        else:
            yield Record(source, line_no, url=url, body=html, position=position() if position else None)
