"""Record readers and row writers for bulk scoring.

This module owns the edges of `classifier.bulk`:

* `expand_inputs()` turns the user's INPUT arguments (files, folders, globs, ``-``) into an
  ordered list of `Source`s;
* `iter_records()` reads one `Source` into `Record`s: WARC (``.warc``, ``.warc.gz``; fastwarc,
  warcio where fastwarc cannot read the file), JSONL (``.jsonl``, ``.jsonl.gz``, or stdin) and
  single HTML files (``.html``, ``.htm``, ``.html.gz``). Records that are not HTML pages carry a
  `skip` reason; damaged input becomes a record with an `error` that names the offset, after
  everything readable before it;
* `read_page_file()` reads the one page of the single-page commands (`clean`, `explain`);
* `JsonlWriter` / `ParquetWriter` write row dicts, and `atomic_path()` makes a file appear only
  once it is complete.

Nothing here parses HTML or scores anything, and nothing here keeps state between calls.
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from .decode import MAX_UNCOMPRESSED_BYTES, gunzip_bounded, inflate_bounded

SourceKind = Literal["warc", "jsonl", "html", "stdin", "missing", "unknown"]

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
#: MIME types taken as HTML pages; a response without a Content-Type is sniffed instead.
HTML_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml+html"})
STDIN = "-"


class NotAPageError(ValueError):
    """A single-page command was given a crawl file (WARC or JSONL) instead of one page."""


def read_page_file(name: str) -> bytes:
    """The bytes of one page: a file (gunzipped when it is gzip, whatever its name) or stdin
    for ``-``. A WARC or JSONL file is refused (`NotAPageError`): its first record is not
    "the page", and `score INPUT -o OUT --text` reads them all."""
    refusal = NotAPageError(
        f"{name} is a crawl file, not one page: `python -m classifier score {name} -o OUT --text` "
        "extracts every page in it"
    )
    if name.lower().endswith(WARC_SUFFIXES + JSONL_SUFFIXES):  # before reading a crawl's gigabytes
        raise refusal
    raw = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:64].lstrip().startswith((b"WARC/", b"filedesc://")):
        raise refusal
    return raw


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a path (or ``-`` for stdin) and how to read it."""

    path: str
    kind: SourceKind


@dataclass(frozen=True, slots=True)
class Record:
    """One record read from an input.

    Exactly one of three things: a page (`body` set), a record that is not a page (`skip` is the
    reason, e.g. ``warc_request`` or ``not_html:image/png``), or damaged input (`error` says
    what went wrong at `offset`). `offset` is the WARC record's byte offset, the JSONL line
    number (1-based), or 0 for a single HTML file. `ends_input` marks damage that stopped the
    reading of the input (truncation, corrupt compression, a missing file), as opposed to a bad
    line that was skipped over.
    """

    source: str
    offset: int
    url: str | None = None
    body: bytes | str | None = None
    http_charset: str | None = None
    content_encoding: str | None = None
    skip: str | None = None
    error: str | None = None
    ends_input: bool = False

    @property
    def is_page(self) -> bool:
        return self.skip is None and self.error is None


# --------------------------------------------------------------------------- inputs


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


# --------------------------------------------------------------------------- readers


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
        if path.lower().endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        return Record(path, 0, error=f"unreadable file: {_describe(exc)}", ends_input=True)
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
        yield Record(path, 0, error=f"unreadable file: {_describe(exc)}", ends_input=True)
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
            yield Record(source, line_no + 1, error=f"damaged input after line {line_no}: {_describe(exc)}", ends_input=True)
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
            yield Record(source, line_no, error=f"invalid JSON line: {_describe(exc)}")
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


def read_warc(path: str, *, reader: Literal["auto", "fastwarc", "warcio"] = "auto") -> Iterator[Record]:
    """Records of a WARC file (plain or gzip), fastwarc first, warcio as the fallback.

    A record shorter than its Content-Length, or a decompression / parse error, ends the file
    with an error record at the damaged record's offset (everything before it is yielded).
    """
    if reader == "warcio":
        yield from _read_warc_warcio(path)
        return
    yielded = 0
    last_offset = 0
    failure: BaseException | None = None
    try:
        for record in _read_warc_fastwarc(path):
            yielded += 1
            last_offset = record.offset
            yield record
    except ImportError:
        if reader == "fastwarc":
            raise
        failure = None
        yielded = 0
        yield from _read_warc_warcio(path)
        return
    except (OSError, ValueError, RuntimeError) as exc:
        failure = exc
    if failure is None:
        return
    if yielded == 0 and reader == "auto":
        # fastwarc could not read this file at all (an ARC file, an odd header): try warcio.
        fallback = _read_warc_warcio(path)
        first = next(fallback, None)
        if first is not None and first.error is not None and first.offset == 0:
            # warcio cannot read it either: report fastwarc's (shorter) diagnosis
            yield Record(path, 0, error=f"damaged WARC at offset 0: {_describe(failure)}", ends_input=True)
            return
        if first is not None:
            yield first
            yield from fallback
        return
    yield Record(
        path, last_offset, error=f"damaged WARC after offset {last_offset}: {_describe(failure)}",
        ends_input=True,
    )


def _open_fastwarc(path: str) -> Any:
    from fastwarc.warc import ArchiveIterator

    stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
    # HTTP is parsed here (`_split_http`) so that the whole block can be checked against the
    # WARC Content-Length first.
    try:
        return stream, ArchiveIterator(stream, parse_http=False, quirks_mode=True)
    except TypeError:  # fastwarc < 2 names it strict_mode
        return stream, ArchiveIterator(stream, parse_http=False, strict_mode=False)


def _split_http(block: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """Status code, headers (lower-case names) and payload of an HTTP response block."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0:
        return None, {}, block
    lines = block[:end].decode("latin-1").splitlines()
    status = None
    if lines and lines[0].startswith("HTTP/"):
        parts = lines[0].split()
        if len(parts) > 1 and parts[1][:3].isdigit():
            status = int(parts[1][:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if value:
            headers.setdefault(name.strip().lower(), value.strip())
    return status, headers, block[end + sep :]


def _read_warc_fastwarc(path: str) -> Iterator[Record]:
    from fastwarc.warc import WarcRecordType

    stream, iterator = _open_fastwarc(path)
    with stream:
        for rec in iterator:
            offset = int(rec.stream_pos)
            rtype = rec.record_type
            url = rec.headers.get("WARC-Target-URI")
            block = rec.reader.read()
            declared = rec.headers.get("Content-Length")
            if declared is None:  # the header itself was cut off
                yield Record(path, offset, url=url, error=f"damaged WARC: record at offset {offset} has an incomplete header", ends_input=True)
                return
            expected = int(rec.content_length)
            if len(block) < expected:
                yield Record(
                    path,
                    offset,
                    url=url,
                    error=f"damaged WARC: record at offset {offset} is shorter than its "
                    f"Content-Length ({len(block)} of {expected} bytes)",
                    ends_input=True,
                )
                return
            if rtype not in (WarcRecordType.response, WarcRecordType.resource):
                name = getattr(rtype, "name", str(rtype)).split(".")[-1]
                yield Record(path, offset, url=url, skip=f"warc_{name}")
                continue
            warc_type = (rec.headers.get("Content-Type") or "").lower()
            if rtype == WarcRecordType.response and "application/http" in warc_type:
                status, http, body = _split_http(block)
                ctype = http.get("content-type", "")
                encoding = http.get("content-encoding")
            else:
                status, body, ctype, encoding = None, block, rec.headers.get("Content-Type") or "", None
            mime = ctype.split(";")[0].strip().lower() or None
            yield _page_or_skip(path, offset, url, body, status, mime, _charset_of(ctype), encoding)


def _read_warc_warcio(path: str) -> Iterator[Record]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    offset = 0
    try:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, arc2warc=True)
            for rec in iterator:
                # warcio: read the content before asking for the offset (asking first consumes it)
                body = rec.content_stream().read()
                missing = getattr(rec.raw_stream, "limit", 0)
                offset = iterator.get_record_offset()
                url = rec.rec_headers.get_header("WARC-Target-URI")
                rtype = rec.rec_type
                if missing:
                    yield Record(
                        path,
                        offset,
                        url=url,
                        error=f"damaged WARC: record at offset {offset} is shorter than its "
                        f"Content-Length ({missing} bytes missing)",
                        ends_input=True,
                    )
                    return
                if rtype not in ("response", "resource"):
                    yield Record(path, offset, url=url, skip=f"warc_{rtype}")
                    continue
                if rec.http_headers is not None and rtype == "response":
                    status = int((rec.http_headers.get_statuscode() or "0")[:3] or 0)
                    ctype = rec.http_headers.get_header("Content-Type") or ""
                else:
                    status = None
                    ctype = rec.rec_headers.get_header("Content-Type") or ""
                mime = ctype.split(";")[0].strip().lower() or None
                # content_stream() has already undone any Content-Encoding
                yield _page_or_skip(path, offset, url, body, status, mime, _charset_of(ctype), None)
            end = int(getattr(iterator, "offset", 0) or 0)
            stream.seek(end)
            if end and stream.read(64).strip():
                # warcio stops quietly at a record whose header was cut off
                yield Record(path, end, error=f"damaged WARC: record at offset {end} has an incomplete header", ends_input=True)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        yield Record(path, offset, error=f"damaged WARC after offset {offset}: {_describe(exc)}", ends_input=True)


def _page_or_skip(
    path: str,
    offset: int,
    url: str | None,
    body: bytes,
    status: int | None,
    mime: str | None,
    charset: str | None,
    encoding: str | None,
) -> Record:
    if status is not None and 300 <= status < 400:
        return Record(path, offset, url=url, skip="http_redirect")
    if mime is None:
        if not _looks_like_html(body):
            return Record(path, offset, url=url, skip="not_html:unknown")
    elif mime not in HTML_MIME_TYPES:
        return Record(path, offset, url=url, skip=f"not_html:{mime}")
    return Record(path, offset, url=url, body=body, http_charset=charset, content_encoding=encoding)


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title"))


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def decode_content_encoding(body: bytes, encoding: str | None) -> bytes:
    """Undo an HTTP Content-Encoding (gzip, deflate) left on a WARC payload; else unchanged."""
    enc = (encoding or "").strip().lower()
    if enc in ("gzip", "x-gzip"):
        unpacked = gunzip_bounded(body)  # at most MAX_UNCOMPRESSED_BYTES: a zip bomb stops there
        return body if unpacked is None else unpacked  # None: already decoded despite the header
    if enc == "deflate":
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):  # zlib-wrapped, as the RFC says, or raw
            stream = inflate_bounded(body, wbits)
            # Only a whole stream (or one past the cap) counts: raw deflate reads the start of
            # almost any bytes without an error, so an already-decoded body stays as it is.
            if stream is not None and (stream[1] or len(stream[0]) == MAX_UNCOMPRESSED_BYTES):
                return stream[0]
    return body


def _describe(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------- writers


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class JsonlWriter:
    """Write row dicts as JSON lines to a binary stream (one object per line, UTF-8)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, row: dict[str, Any]) -> None:
        self.stream.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        self.stream.write(b"\n")

    def close(self) -> None:
        self.stream.flush()


def _require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "--format parquet needs pyarrow: pip install 'pagesieve[parquet]'"
        ) from exc
    return pyarrow


def parquet_schema() -> Any:
    """The Parquet schema of a row (see `classifier.bulk.Row`)."""
    pa = _require_pyarrow()
    return pa.schema(
        [
            ("source", pa.string()),
            ("offset", pa.int64()),
            ("url", pa.string()),
            ("host", pa.string()),
            ("farm_probability", pa.float64()),
            ("flagged", pa.bool_()),
            ("reasons", pa.list_(pa.struct([("code", pa.string()), ("evidence", pa.string()), ("weight", pa.float64())]))),
            ("content_chars", pa.int64()),
            ("boilerplate_share", pa.float64()),
            ("title", pa.string()),
            ("published", pa.string()),
            ("author", pa.string()),
            ("language", pa.string()),
            ("canonical_url", pa.string()),
            ("error", pa.string()),
            ("dup_domains", pa.int64()),
            ("text", pa.string()),
        ]
    )


class ParquetWriter:
    """Write row dicts to a Parquet file in row groups of `batch_size` rows (default 10,000)."""

    def __init__(self, sink: str | os.PathLike[str] | IO[bytes], *, batch_size: int = 10_000) -> None:
        pa = _require_pyarrow()
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = parquet_schema()
        self.batch_size = batch_size
        self._rows: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(sink, self.schema)

    def write(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            names = self.schema.names
            table = self._pa.Table.from_pylist(
                [{name: row.get(name) for name in names} for row in self._rows], schema=self.schema
            )
            self._writer.write_table(table)
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def open_stdout() -> IO[bytes]:
    """The process's binary stdout (a BytesIO stand-in when stdout has no buffer)."""
    return getattr(sys.stdout, "buffer", None) or io.BytesIO()
