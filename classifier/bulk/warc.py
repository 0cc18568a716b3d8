"""WARC files -> `Record`s, with fastwarc (warcio where fastwarc cannot read a file).

Only response and resource records of HTML (by Content-Type, or sniffed when there is none)
are pages; other records carry a `skip` reason. Damage (a record shorter than its
Content-Length, a header cut off, corrupt compression, a gzip member cut short after the last
record) ends the file with an error record at the damaged record's offset, after everything
readable before it. `decode_content_encoding`
undoes an HTTP Content-Encoding left on a payload, bounded as every decompression is.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..extraction.decode import MAX_UNCOMPRESSED_BYTES, TooLargeError, charset_from_content_type, gunzip_whole, inflate_bounded
from .rows import ReadOptions, Record

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
#: MIME types taken as HTML pages; a response without a Content-Type is sniffed instead.
HTML_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml+html"})


def read_warc(path: str, options: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """Records of a WARC file (plain or gzip), fastwarc first, warcio as the fallback.

    fastwarc reads strictly, so that nothing is skipped in silence. Where it meets bytes that
    are not a WARC record (garbage, a garbled header), the file has an error record there, and
    the records after the damage are read on (by fastwarc's lenient mode, which skips what it
    cannot read). A file with no readable record at all is one error record. A record shorter
    than its Content-Length, corrupt compression, or bytes after the gzip member of a gzip
    WARC's last record (white space aside: a member cut in its first bytes, which fastwarc
    passes over) end the file with an error record at the damaged (or last) record's offset,
    everything before it yielded. All of these mark the input as not read whole. A record
    larger than `options.max_record_bytes` is an error record, not read; a response whose HTTP
    status is not 2xx is skipped (``http_404``) unless `options.http_errors`.
    `options.warc_reader` picks the library.
    """
    reader = options.warc_reader
    start = _sniff(path)
    if start is None:
        yield Record(path, 0, error="not a WARC or ARC file: it does not start with a WARC record", input_incomplete=True)
        return
    if reader == "warcio" or (reader == "auto" and (start == "arc" or not has_fastwarc())):
        yield from _read_warc_warcio(path, options)
        return
    last: int | None = None
    damaged = False  # the reading ended at damage it reported
    try:
        for record in _read_warc_fastwarc(path, options, strict=True):
            yield record
            last, damaged = record.offset, record.input_incomplete
        if not damaged and _gzip_tail_unread(path, last or 0):
            yield _cut_short(path, last)
        return
    except (OSError, ValueError, RuntimeError) as exc:
        failure = exc
    if last is None and reader == "auto":
        # fastwarc could not read the first record (an odd header): try warcio.
        fallback = _read_warc_warcio(path, options)
        first = next(fallback, None)
        if first is not None and not (first.error is not None and first.offset == 0):
            yield first
            yield from fallback
            return
    yield from _resume_after_damage(path, last, failure, options)


def _sniff(path: str) -> str | None:
    """"warc" or "arc" by how the file (or its first gzip member) starts; None for anything
    else (random bytes, zeros), which no reader is asked to scan; "warc" for an empty file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return "warc"  # the reader reports it
    if head.startswith(b"\x1f\x8b"):
        inflated = inflate_bounded(head, 16 + zlib.MAX_WBITS, 64)
        head = inflated[0] if inflated is not None else b""
    head = head.lstrip(b"\r\n")
    if not head or head.startswith(b"WARC/"):
        return "warc"
    return "arc" if head.startswith(b"filedesc://") else None


def _gzip_tail_unread(path: str, start: int) -> bool:
    """Whether a gzip WARC that fastwarc read to its end without an error holds bytes it read
    no record from: the member at `start` (the last record's) cut short, corrupt, or followed
    by bytes other than white space (a member cut in its first bytes, which fastwarc passes
    over in silence)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as handle:
        handle.seek(start)
        if handle.read(2) != b"\x1f\x8b":
            return False  # not gzip (or empty): fastwarc checked it to its end
        handle.seek(start)
        while not decompressor.eof:
            data = decompressor.unconsumed_tail or handle.read(2**20)
            if not data:
                return True  # cut short
            try:
                decompressor.decompress(data, 2**20)  # (the output is dropped as it comes)
            except zlib.error:
                return True
        return bool((decompressor.unused_data + handle.read(2**16)).strip())  # (white space is no record)


def _cut_short(path: str, last: int | None) -> Record:
    if last is None:
        return Record(path, 0, error="not a WARC file: no record could be read (a gzip member cut short)", input_incomplete=True)
    error = f"damaged WARC: unreadable bytes after the record at offset {last} (a gzip member cut short, or not one)"
    return Record(path, last, error=error, input_incomplete=True)


def has_fastwarc() -> bool:
    """Whether fastwarc is installed (else warcio reads every WARC)."""
    try:
        import fastwarc  # noqa: F401
    except ImportError:
        return False
    return True


def _resume_after_damage(path: str, last: int | None, failure: BaseException, options: ReadOptions) -> Iterator[Record]:
    """The damage record after the last record read (`last`, None: none), then the records
    after the damage, read leniently."""
    if last is None:
        where, message = 0, f"not a WARC file: no record could be read ({describe(failure)})"
    else:
        where, message = last, f"damaged WARC: unreadable bytes after the record at offset {last} ({describe(failure)})"
    yield Record(path, where, error=message, input_incomplete=True)
    try:
        for record in _read_warc_fastwarc(path, options, strict=False):
            if last is None or record.offset > last:
                yield record
    except (OSError, ValueError, RuntimeError):
        return  # the same damage again (corrupt compression): already reported


def _archive_iterator(stream: Any, strict: bool) -> Any:
    from fastwarc.warc import ArchiveIterator

    # HTTP is parsed here (`_split_http`) so that the whole block can be checked against the
    # WARC Content-Length first.
    try:
        return ArchiveIterator(stream, parse_http=False, quirks_mode=not strict)
    except TypeError:  # fastwarc < 2 names it strict_mode
        return ArchiveIterator(stream, parse_http=False, strict_mode=strict)


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


def _read_warc_fastwarc(path: str, options: ReadOptions, *, strict: bool) -> Iterator[Record]:
    with open(path, "rb") as stream:
        yield from read_fastwarc_stream(path, stream, options, strict=strict)


def read_fastwarc_stream(source: str, stream: Any, options: ReadOptions, *, strict: bool, base: int = 0) -> Iterator[Record]:
    """The records of a WARC byte stream read by fastwarc, at offsets from `base` (where the
    stream starts in `source`); damage ends it with an error record, as `read_warc` says, and
    bytes fastwarc cannot read raise."""
    from fastwarc.warc import WarcRecordType

    for rec in _archive_iterator(stream, strict):
        offset = base + int(rec.stream_pos)
        url = rec.headers.get("WARC-Target-URI")
        if rec.headers.get("Content-Length") is None:  # the header itself was cut off
            error = f"damaged WARC: record at offset {offset} has an incomplete header"
            yield Record(source, offset, url=url, error=error, input_incomplete=True)
            return
        expected = int(rec.content_length)
        if expected > options.max_record_bytes:
            yield Record(source, offset, url=url, error=_too_large(expected, options.max_record_bytes))
            continue  # its block is never read: the iterator skips it
        block = rec.reader.read()
        if len(block) < expected:
            error = f"damaged WARC: record at offset {offset} is shorter than its Content-Length ({len(block)} of {expected} bytes)"
            yield Record(source, offset, url=url, error=error, input_incomplete=True)
            return
        yield replace(_record_of_block(source, offset, url, rec, block, WarcRecordType, options), position=offset)


def _record_of_block(path: str, offset: int, url: str | None, rec: Any, block: bytes, types: Any, options: ReadOptions) -> Record:
    """The page (or skip) of one fastwarc record whose block was read whole."""
    rtype = rec.record_type
    if rtype not in (types.response, types.resource):
        name = getattr(rtype, "name", str(rtype)).split(".")[-1]
        return Record(path, offset, url=url, skip=f"warc_{name}")
    warc_type = (rec.headers.get("Content-Type") or "").lower()
    if rtype == types.response and "application/http" in warc_type:
        status, http, body = _split_http(block)
        ctype = http.get("content-type", "")
        encoding = http.get("content-encoding")
    else:
        status, body, ctype, encoding = None, block, rec.headers.get("Content-Type") or "", None
    mime = ctype.split(";")[0].strip().lower() or None
    response = _Response(status, mime, charset_from_content_type(ctype), encoding)
    return _page_or_skip(path, offset, url, body, response, options)


def _too_large(size: int, limit: int) -> str:
    return f"record too large: {size:,} bytes, over the limit of {limit:,} (--max-record-bytes)"


def _read_warc_warcio(path: str, options: ReadOptions) -> Iterator[Record]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    offset = 0
    try:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, arc2warc=True)
            for rec in iterator:
                url = rec.rec_headers.get_header("WARC-Target-URI")
                length = int(rec.rec_headers.get_header("Content-Length") or 0)
                if length > options.max_record_bytes:
                    offset = iterator.get_record_offset()  # (consumes the record, unread)
                    yield Record(path, offset, url=url, error=_too_large(length, options.max_record_bytes))
                    continue
                # warcio: read the content before asking for the offset (asking first consumes
                # it). The payload as stored: its Content-Encoding is undone in the worker,
                # bounded, as fastwarc's are.
                body = rec.raw_stream.read()
                missing = getattr(rec.raw_stream, "limit", 0)
                offset = iterator.get_record_offset()
                rtype = rec.rec_type
                if missing:
                    yield Record(
                        path,
                        offset,
                        url=url,
                        error=f"damaged WARC: record at offset {offset} is shorter than its "
                        f"Content-Length ({missing} bytes missing)",
                        input_incomplete=True,
                    )
                    return
                if rtype not in ("response", "resource"):
                    yield Record(path, offset, url=url, skip=f"warc_{rtype}", position=offset)
                    continue
                encoding = None
                if rec.http_headers is not None and rtype == "response":
                    status = int((rec.http_headers.get_statuscode() or "0")[:3] or 0)
                    ctype = rec.http_headers.get_header("Content-Type") or ""
                    encoding = rec.http_headers.get_header("Content-Encoding")
                else:
                    status = None
                    ctype = rec.rec_headers.get_header("Content-Type") or ""
                mime = ctype.split(";")[0].strip().lower() or None
                response = _Response(status, mime, charset_from_content_type(ctype), encoding)
                yield replace(_page_or_skip(path, offset, url, body, response, options), position=offset)
            end = int(getattr(iterator, "offset", 0) or 0)
            stream.seek(end)
            if end and stream.read(64).strip():
                # warcio stops quietly at a record whose header was cut off
                yield Record(path, end, error=f"damaged WARC: record at offset {end} has an incomplete header", input_incomplete=True)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        yield Record(path, offset, error=f"damaged WARC after offset {offset}: {describe(exc)}", input_incomplete=True)


@dataclass(frozen=True, slots=True)
class _Response:
    """What a record says of its payload: HTTP status, MIME type, charset, content encoding."""

    status: int | None
    mime: str | None
    charset: str | None
    encoding: str | None


def _page_or_skip(path: str, offset: int, url: str | None, body: bytes, response: _Response, options: ReadOptions) -> Record:
    """A page record, or a skip: an HTTP status that is not 2xx (``http_404``; scored with
    `options.http_errors`), a payload that is not HTML (``not_html:image/png``)."""
    status, mime = response.status, response.mime
    if status is not None and not 200 <= status < 300 and not options.http_errors:
        return Record(path, offset, url=url, status=status, skip=f"http_{status}")
    if mime is None:
        if not _looks_like_html(body):
            return Record(path, offset, url=url, status=status, skip="not_html:unknown")
    elif mime not in HTML_MIME_TYPES:
        return Record(path, offset, url=url, status=status, skip=f"not_html:{mime}")
    return Record(path, offset, url=url, status=status, body=body, http_charset=response.charset, content_encoding=response.encoding)


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title"))


def decode_content_encoding(body: bytes, encoding: str | None, limit: int = MAX_UNCOMPRESSED_BYTES) -> bytes:
    """Undo an HTTP Content-Encoding (gzip, deflate) left on a payload; else unchanged. A
    payload that would inflate past `limit` raises `TooLargeError`: the page becomes an error
    row (a zip bomb stops at the bound, and is reported). A body cut short (a crawler's size
    limit) gives what it holds."""
    enc = (encoding or "").strip().lower()
    if enc in ("gzip", "x-gzip"):
        if not body.startswith(b"\x1f\x8b"):
            return body  # already decoded, despite the header
        return gunzip_whole(body, limit, allow_cut=True)
    if enc == "deflate":
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):  # zlib-wrapped, as the RFC says, or raw
            stream = inflate_bounded(body, wbits, limit + 1)
            if stream is not None and len(stream[0]) > limit:
                raise TooLargeError(f"larger than {limit / 2**20:.0f} MiB when uncompressed")
            # Only a whole stream counts: raw deflate reads the start of almost any bytes
            # without an error, so an already-decoded body stays as it is.
            if stream is not None and stream[1]:
                return stream[0]
    return body


def describe(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
