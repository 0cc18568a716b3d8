"""Bytes to text: the character encoding of an HTML page.

Order of evidence, as the WHATWG Encoding Standard has browsers do it: a byte-order mark, then
the HTTP `Content-Type` charset when the caller has one, then a `<meta>` charset declaration
near the top of the page, then strict UTF-8, then a statistical detector (charset-normalizer)
over the start and end of the page. Every label goes through the WHATWG Encoding Standard's
label table (`webencodings`), so `iso-8859-1` and `ascii` decode as windows-1252 and `gb2312`
as GB18030, exactly like a browser. Decoding never raises: undecodable bytes become U+FFFD.

One departure from browsers: a page whose `<meta>` declares a legacy encoding but whose bytes
are valid UTF-8 with non-ASCII characters in them is read as UTF-8. Browsers get the charset of
such pages from the HTTP header, which a crawl often does not keep; text in a legacy encoding is
almost never valid UTF-8 by chance (it would take sequences such as "Ã©"), so the bytes are the
better evidence.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import webencodings

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


def _is_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8, allowing a character cut off at the very end (truncated pages)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 3 and error.reason == "unexpected end of data"
    return True


def sniff_encoding(data: bytes, http_charset: str | None = None) -> str:
    """The Python codec to decode `data` with (see the module docstring for the order)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    codec = codec_for_label(http_charset)
    if codec:
        return codec
    match = _META_CHARSET.search(data, 0, _META_SCAN_BYTES)
    if match:
        codec = codec_for_label(match.group(1).decode("ascii", "replace"))
        if codec:
            # Non-ASCII before the last 4 bytes: a complete character, not one cut short (the
            # whole-page test first: it needs no copy).
            if (
                codec != "utf-8"
                and not data.isascii()
                and not data[:-4].isascii()
                and _is_utf8(data)
            ):
                return "utf-8"
            return codec
    if _is_utf8(data):
        return "utf-8"
    sample = data[:_DETECTOR_SAMPLE]
    if len(data) > _DETECTOR_SAMPLE:
        sample += b"\n" + data[-_DETECTOR_SAMPLE // 4 :]
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        return codec_for_label(best.encoding) or best.encoding
    return "cp1252"


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode an HTML page; never raises for any bytes (bad sequences become U+FFFD).

    `http_charset` is the charset from the HTTP response header (a label such as
    "ISO-8859-1" or a whole Content-Type value), which wins over what the page declares; only
    a byte-order mark wins over it.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"decode_html() takes bytes, not {type(data).__name__}")
    data = bytes(data)
    if http_charset and "=" in http_charset:
        http_charset = charset_from_content_type(http_charset)
    codec = sniff_encoding(data, http_charset)
    for bom, bom_codec in _BOMS:
        if codec == bom_codec and data.startswith(bom):
            data = data[len(bom) :]
            break
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
