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
from collections.abc import Iterator, Sequence
from typing import IO, Literal

from ..extraction.decode import gunzip_bounded
from .rows import STDIN, Record, Source, SourceKind
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
    glob that matches nothing) becomes a ``missing`` source so that it is reported, not lost. A
    file named more than once is read once.
    """
    sources: list[Source] = []
    seen: set[str] = set()

    def add(path: str, kind: SourceKind) -> None:
        key = path if kind in ("stdin", "missing") else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            sources.append(Source(path, kind))

    for arg in inputs:
        if arg == STDIN:
            add(arg, "stdin")
        elif os.path.isdir(arg):
            for path in _walk_html(arg):
                add(path, "html")
        elif os.path.exists(arg):
            add(arg, source_kind(arg))
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                add(arg, "missing")
            for match in matches:
                if os.path.isdir(match):
                    for path in _walk_html(match):
                        add(path, "html")
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


def iter_records(
    source: Source,
    *,
    html_field: str = "html",
    url_field: str = "url",
    warc_reader: Literal["auto", "fastwarc", "warcio"] = "auto",
    stdin: IO[bytes] | None = None,
) -> Iterator[Record]:
    """Every record of `source`, in file order; never raises on damaged input.

    `html_field` / `url_field` name the JSONL fields (defaults ``html`` and ``url``).
    `warc_reader` picks the WARC library: ``auto`` (default) uses fastwarc and falls back to
    warcio when fastwarc cannot read the file at all. `stdin` replaces ``sys.stdin.buffer`` for
    the ``-`` source (for tests).
    """
    if source.kind == "warc":
        yield from read_warc(source.path, reader=warc_reader)
    elif source.kind == "jsonl":
        yield from read_jsonl(source.path, html_field=html_field, url_field=url_field)
    elif source.kind == "stdin":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from read_jsonl_stream(
            stream, source=STDIN, html_field=html_field, url_field=url_field
        )
    elif source.kind == "html":
        yield read_html_file(source.path)
    elif source.kind == "missing":
        yield Record(source.path, 0, error="input not found", ends_input=True)
    else:
        yield Record(
            source.path,
            0,
            error="unsupported input format (expected .warc[.gz], .jsonl[.gz], .html[.gz] or a folder)",
            ends_input=True,
        )


def read_html_file(path: str) -> Record:
    """One HTML file (``.html.gz`` decompressed) as a page record at offset 0."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return Record(path, 0, error=f"unreadable file: {describe(exc)}", ends_input=True)
    if path.lower().endswith(".gz"):
        unpacked = gunzip_bounded(data)  # at most MAX_UNCOMPRESSED_BYTES: a gzip bomb stops there
        if unpacked is None:
            return Record(path, 0, error="unreadable file: not gzip data", ends_input=True)
        data = unpacked
    return Record(path, 0, url=None, body=data)


def read_jsonl(
    path: str, *, html_field: str = "html", url_field: str = "url"
) -> Iterator[Record]:
    """Records of a JSONL file (gzip-compressed when the name ends in ``.gz``)."""
    try:
        handle: IO[bytes] = (
            gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        )
    except OSError as exc:
        yield Record(path, 0, error=f"unreadable file: {describe(exc)}", ends_input=True)
        return
    with handle:
        yield from read_jsonl_stream(handle, source=path, html_field=html_field, url_field=url_field)


def read_jsonl_stream(
    stream: IO[bytes],
    *,
    source: str,
    html_field: str = "html",
    url_field: str = "url",
) -> Iterator[Record]:
    """Records of a JSONL byte stream; `offset` is the 1-based line number.

    A blank line is skipped (``blank_line``); a line that is not a JSON object, or has no string
    in `html_field`, is an error record; a stream that breaks (truncated gzip) ends with an error
    record at the next line number. A line whose `html_field` is null is skipped (``no_html``).
    """
    line_no = 0
    while True:
        try:
            line = stream.readline()
        except (OSError, EOFError, zlib.error) as exc:
            yield Record(source, line_no + 1, error=f"damaged input after line {line_no}: {describe(exc)}", ends_input=True)
            return
        if not line:
            return
        line_no += 1
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
            yield Record(source, line_no, url=url, body=html)
