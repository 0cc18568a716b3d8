"""WARC files -> `Record`s, with fastwarc (warcio where fastwarc cannot read a file).

Only response and resource records of HTML (by Content-Type, or sniffed when there is none)
are pages; other records carry a `skip` reason. Damage (a record shorter than its
Content-Length, a header cut off, corrupt compression) ends the file with an error record at
the damaged record's offset, after everything readable before it. `decode_content_encoding`
undoes an HTTP Content-Encoding left on a payload, bounded as every decompression is.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Literal

from ..extraction.decode import MAX_UNCOMPRESSED_BYTES, charset_from_content_type, gunzip_bounded, inflate_bounded
from .rows import Record

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
#: MIME types taken as HTML pages; a response without a Content-Type is sniffed instead.
HTML_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml+html"})


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
            yield Record(path, 0, error=f"damaged WARC at offset 0: {describe(failure)}", ends_input=True)
            return
        if first is not None:
            yield first
            yield from fallback
        return
    yield Record(
        path, last_offset, error=f"damaged WARC after offset {last_offset}: {describe(failure)}",
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
                error = f"damaged WARC: record at offset {offset} has an incomplete header"
                yield Record(path, offset, url=url, error=error, ends_input=True)
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
            yield _page_or_skip(path, offset, url, body, status, mime, charset_from_content_type(ctype), encoding)


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
                yield _page_or_skip(path, offset, url, body, status, mime, charset_from_content_type(ctype), None)
            end = int(getattr(iterator, "offset", 0) or 0)
            stream.seek(end)
            if end and stream.read(64).strip():
                # warcio stops quietly at a record whose header was cut off
                yield Record(path, end, error=f"damaged WARC: record at offset {end} has an incomplete header", ends_input=True)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        yield Record(path, offset, error=f"damaged WARC after offset {offset}: {describe(exc)}", ends_input=True)


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


def describe(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
