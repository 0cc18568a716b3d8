"""Bytes to text: the character encoding of an HTML page.

Order of evidence, as the WHATWG Encoding Standard has browsers do it: a byte-order mark, then
the HTTP `Content-Type` charset when the caller has one, then a `<meta>` charset declaration
near the top of the page, then strict UTF-8, then a statistical detector (charset-normalizer)
over the start and end of the page. Every label goes through the WHATWG Encoding Standard's
label table (`webencodings`), so `iso-8859-1` and `ascii` decode as windows-1252 and `gb2312`
as GB18030, exactly like a browser. Decoding never raises: undecodable bytes become U+FFFD.

Before that, a gzip stream (a body stored with its `Content-Encoding` undone by nobody) is
uncompressed, up to `MAX_UNCOMPRESSED_BYTES`; and UTF-16 without a byte-order mark is recognised by
its zero bytes, as ASCII markup in UTF-16 is every other byte zero. After decoding,
`looks_binary` tells text from what is not a page at all (a PDF, an image, an archive, random
bytes), which the extractor turns into an empty result instead of garbage.

One departure from browsers: a page whose `<meta>` declares a legacy encoding but whose bytes
are valid UTF-8 with non-ASCII characters in them is read as UTF-8. Browsers get the charset of
such pages from the HTTP header, which a crawl often does not keep; text in a legacy encoding is
almost never valid UTF-8 by chance (it would take sequences such as "Ã©"), so the bytes are the
better evidence.
"""

from __future__ import annotations

import codecs
import re
import zlib
from types import ModuleType

import charset_normalizer
import webencodings

from .textstats import count_not_text

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{1,40})""", re.IGNORECASE)
# WHATWG: "gbk" decodes with the gb18030 decoder; "x-user-defined" has no Python codec.
_CODEC_OVERRIDES = {"gbk": "gb18030"}
_DETECTOR_SAMPLE = 32_768
_META_SCAN_BYTES = 4_096
_GZIP_MAGIC = b"\x1f\x8b"
MAX_UNCOMPRESSED_BYTES = 64 * 2**20  # past this, the rest of a compressed page is dropped
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_UTF16_SNIFF_BYTES = 1_024
# What text documents do not hold (`textstats.NOT_TEXT`), at most this share of the sample:
BINARY_SAMPLE_CHARS = 8_192
BINARY_SHARE = 0.05  # real pages: under 0.1% (tests/classifier/test_decode.py, the pages of data/)
BINARY_MIN_CHARS = 32  # a short page with a few stray NULs is still a page


def codec_for_label(label: str | None) -> str | None:
    """The Python codec for a WHATWG encoding label, or None if the label is unknown.

    >>> codec_for_label("ISO-8859-1")
    'cp1252'
    """
    if not label:
        return None
    encoding = webencodings.lookup(label.strip().strip("\"'"))
    if encoding is None:
        return None
    name = _CODEC_OVERRIDES.get(encoding.name, encoding.codec_info.name)
    if name in ("utf-16-le", "utf-16-be") or encoding.name == "replacement":
        # A page cannot declare UTF-16 in ASCII-compatible bytes: WHATWG treats it as UTF-8.
        return "utf-8"
    if encoding.name == "x-user-defined":
        return "cp1252"
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _utf8_text(data: bytes) -> tuple[bool, str | None]:
    """Whether `data` is UTF-8, allowing a character cut off at the very end (truncated pages),
    and its text when it decodes whole (the check is the decode: the caller keeps it)."""
    try:
        return True, data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 3 and error.reason == "unexpected end of data", None


def inflate_bounded(
    data: bytes, wbits: int, limit: int = MAX_UNCOMPRESSED_BYTES, *, inflater: ModuleType = zlib
) -> tuple[bytes, bool, bytes] | None:
    """The zlib, gzip or raw deflate stream (`wbits` as in `zlib`) at the start of `data`:
    its first `limit` uncompressed bytes (a zip bomb stops there), whether the stream ended
    (not when cut short or stopped at the limit) and the bytes after it; None when `data` does
    not start as such a stream. `inflater` is `zlib` or a module with its interface (isal's
    `isal_zlib`)."""
    decompressor = inflater.decompressobj(wbits)
    try:
        unpacked = decompressor.decompress(data, limit)
    except (zlib.error, inflater.error):
        return None
    return unpacked, decompressor.eof, decompressor.unused_data


def gunzip_bounded(data: bytes, limit: int = MAX_UNCOMPRESSED_BYTES) -> bytes | None:
    """The first `limit` uncompressed bytes of gzip data, member after member (a truncated
    stream gives what it holds; bytes after the last member are ignored), or None when `data`
    does not start as gzip."""
    pieces: list[bytes] = []
    size, rest, ended = 0, data, True
    while ended and rest and size < limit:
        member = inflate_bounded(rest, _GZIP_WBITS, limit - size)
        if member is None:
            break  # not (another) member: trailing bytes
        piece, ended, rest = member
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces) if pieces else None


class CompressedDataError(ValueError):
    """Compressed data that cannot be read whole: not what it says, cut short, or too large."""


class TooLargeError(CompressedDataError):
    """Data that would inflate past the bound it is read with."""


def gunzip_whole(data: bytes, limit: int = MAX_UNCOMPRESSED_BYTES, *, allow_cut: bool = False) -> bytes:
    """All of gzip `data`, member after member, for readers that must report damage instead of
    hiding it: `TooLargeError` past `limit` uncompressed bytes, `CompressedDataError` for data
    that is not gzip or (unless `allow_cut`) is cut short; bytes after the last member are
    ignored, as gzip does."""
    pieces: list[bytes] = []
    size, rest, ended = 0, data, True
    while ended and rest and size <= limit:
        member = inflate_bounded(rest, _GZIP_WBITS, limit + 1 - size)
        if member is None:
            if not pieces:
                raise CompressedDataError("not gzip data")
            break  # trailing bytes after the last member
        piece, ended, rest = member
        pieces.append(piece)
        size += len(piece)
    if size > limit:
        raise TooLargeError(f"larger than {limit / 2**20:.0f} MiB when uncompressed")
    if not ended and not allow_cut:
        raise CompressedDataError("gzip data cut short")
    return b"".join(pieces)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the zero bytes of the page's start say so, else None."""
    head = data[:_UTF16_SNIFF_BYTES]
    if len(head) < 16 or head.count(0) * 10 < len(head):
        return None
    # ASCII characters (the markup, at least) have a zero high byte: on one side of each pair,
    # and hardly ever on the other (only characters such as U+4E00 have a zero low byte).
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])
    if odd >= 0.2 and even <= 0.05:
        return "utf-16-le"
    if even >= 0.2 and odd <= 0.05:
        return "utf-16-be"
    return None


def looks_binary(text: str) -> bool:
    """Whether decoded `text` is something other than a text document: a PDF, or a start of
    more than `BINARY_SHARE` control characters and U+FFFD (images, archives, compressed or
    random bytes)."""
    sample = text[:BINARY_SAMPLE_CHARS]
    if sample.lstrip()[:5] == "%PDF-":
        return True
    bad = count_not_text(sample)
    return bad >= BINARY_MIN_CHARS and bad > BINARY_SHARE * len(sample)


def sniff_encoding(data: bytes, http_charset: str | None = None) -> str:
    """The Python codec to decode `data` with (see the module docstring for the order)."""
    return _sniff(data, http_charset)[0]


def _sniff(data: bytes, http_charset: str | None) -> tuple[str, str | None]:
    """`sniff_encoding`'s codec, and the page's text when finding it meant decoding the whole
    page as UTF-8 (a page declaring another charset or none), so that it is not decoded twice."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16, None
    from_header = codec_for_label(http_charset)
    if from_header:
        return from_header, None
    match = _META_CHARSET.search(data, 0, _META_SCAN_BYTES)
    if match:
        declared = codec_for_label(match.group(1).decode("ascii", "replace"))
        if declared:
            # Non-ASCII before the last 4 bytes: a complete character, not one cut short (the
            # whole-page test first: it needs no copy).
            if declared != "utf-8" and not data.isascii() and not data[:-4].isascii():
                is_utf8, text = _utf8_text(data)
                if is_utf8:
                    return "utf-8", text
            return declared, None
    is_utf8, text = _utf8_text(data)
    if is_utf8:
        return "utf-8", text
    sample = data[:_DETECTOR_SAMPLE]
    if len(data) > _DETECTOR_SAMPLE:
        sample += b"\n" + data[-_DETECTOR_SAMPLE // 4 :]
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        return codec_for_label(best.encoding) or best.encoding, None
    return "cp1252", None


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode an HTML page; never raises for any bytes (bad sequences become U+FFFD).

    `http_charset` is the charset from the HTTP response header (a label such as
    "ISO-8859-1" or a whole Content-Type value), which wins over what the page declares; only
    a byte-order mark wins over it.
    """
    return decode_page(data, http_charset)[0]


def decode_page(data: bytes, http_charset: str | None = None) -> tuple[str, bytes | None]:
    """`decode_html`'s text, and its UTF-8 bytes when the page's own bytes are those (a page in
    UTF-8 with no bad sequence): the parser takes them as they are instead of the text encoded
    again. None for any other page."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"a page to decode is bytes, not {type(data).__name__}")
    data = bytes(data)
    if data.startswith(_GZIP_MAGIC):
        data = gunzip_bounded(data) or data
    if http_charset and "=" in http_charset:
        http_charset = charset_from_content_type(http_charset)
    codec, text = _sniff(data, http_charset)
    if text is not None:
        return text, data
    for bom, bom_codec in _BOMS:
        if codec == bom_codec and data.startswith(bom):
            data = data[len(bom) :]
            break
    if codec == "utf-8":
        try:
            return data.decode("utf-8"), data
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), None
    try:
        return data.decode(codec, errors="replace"), None
    except LookupError:
        return data.decode("utf-8", errors="replace"), None
