"""`classifier.extraction.decode`: bytes -> str as a browser would decode them, and never an exception."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction.decode import (
    _sniff,
    charset_from_content_type,
    codec_for_label,
    decode_html,
    decode_page,
    sniff_encoding,
)

RUSSIAN = (
    "<html><head><title>Новости</title></head><body><h1>Москва</h1><p>"
    + "Москва — столица России, крупнейший по численности населения город страны "
    "и её экономический центр. Здесь работают театры, музеи и университеты. "
    * 4
    + "</p></body></html>"
)
JAPANESE = (
    "<html><head><title>ニュース</title></head><body><h1>東京</h1><p>"
    + "東京は日本の首都であり、世界有数の大都市です。多くの人々がここで働き、学び、暮らしています。"
    * 4
    + "</p></body></html>"
)


# ----------------------------------------------------------------------------- byte-order marks


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_decides_the_encoding_and_is_removed(bom: bytes, encoding: str) -> None:
    page = "<p>Grüße, café ✓</p>"
    text = decode_html(bom + page.encode(encoding))
    assert text == page  # no U+FEFF left at the start


def test_bom_wins_over_http_charset_and_meta() -> None:
    page = '<meta charset="windows-1252"><p>naïve — ok</p>'
    data = codecs.BOM_UTF8 + page.encode("utf-8")
    assert decode_html(data, "text/html; charset=ISO-8859-1") == page


# ----------------------------------------------------------------------------- declarations


def test_meta_charset() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    assert decode_html(page.encode("cp1251")) == page


def test_meta_http_equiv_content_type() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        "</head><body><p>Привет, мир</p></body></html>"
    )
    assert decode_html(page.encode("koi8-r")) == page


def test_http_charset_wins_over_meta() -> None:
    page = '<meta charset="utf-8"><p>café crème</p>'
    data = page.encode("latin-1")  # the server is right, the page's declaration is wrong
    assert decode_html(data, "ISO-8859-1") == page
    assert decode_html(data, "text/html; charset=ISO-8859-1") == page
    # Without the header, the page's own declaration is followed (and é is not valid UTF-8).
    assert "café" not in decode_html(data)


def test_valid_utf8_wins_over_a_declared_legacy_charset() -> None:
    # A Danish news page declared iso-8859-1 in its <meta> and was served as UTF-8.
    page = '<meta http-equiv="content-type" content="text/html; charset=iso-8859-1"><p>Forstærket håb</p>'
    assert decode_html(page.encode("utf-8")) == page
    cut = page.encode("utf-8")[:-6]  # truncated inside "å": still UTF-8
    assert decode_html(cut).endswith("Forstærket h\ufffd")
    # Bytes that are really windows-1252 are not valid UTF-8: the declaration is followed.
    assert decode_html(page.encode("cp1252")) == page
    # A Cyrillic page in its declared encoding is left alone, as is an all-ASCII page.
    assert decode_html(RUSSIAN.replace("<head>", '<head><meta charset="windows-1251">').encode("cp1251")).count("Москва") == 5
    assert sniff_encoding(b'<meta charset="windows-1251"><p>plain</p>') == "cp1251"
    # A legacy page whose one non-ASCII byte is its last is not UTF-8 cut short.
    assert sniff_encoding(b'<meta charset="iso-8859-1"><p>Bienvenue au caf\xe9') == "cp1252"


def test_unknown_http_charset_falls_back_to_the_page() -> None:
    page = '<meta charset="windows-1251"><p>Привет</p>'
    assert decode_html(page.encode("cp1251"), "text/html; charset=no-such-thing") == page


def test_content_type_parsing() -> None:
    assert charset_from_content_type('text/html; charset="UTF-8"') == "UTF-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


# ----------------------------------------------------------------------------- WHATWG labels


def test_iso_8859_1_decodes_as_windows_1252() -> None:
    data = b'<meta charset="iso-8859-1"><p>\x93quoted\x94 caf\xe9 \x80</p>'
    text = decode_html(data)
    assert "\u201cquoted\u201d" in text  # 0x93/0x94 are curly quotes, not C1 controls
    assert "café €" in text
    assert "\x93" not in text


@pytest.mark.parametrize(("label", "codec"), [("ISO-8859-1", "cp1252"), ("ascii", "cp1252"), ("latin1", "cp1252"), ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-sjis", "cp932"), ("bogus", None), ("", None), (None, None)])  # fmt: skip
def test_codec_for_label_follows_whatwg(label: str | None, codec: str | None) -> None:
    assert codec_for_label(label) == codec


def test_gb2312_label_decodes_gb18030_characters() -> None:
    # "€" and "𠀀" do not exist in GB2312 but do in GB18030, which browsers use for the label.
    page = '<meta charset="gb2312"><p>中文 € 𠀀</p>'
    assert decode_html(page.encode("gb18030")) == page


def test_utf16_declared_in_ascii_bytes_means_utf8() -> None:
    page = '<meta charset="utf-16"><p>café</p>'
    assert decode_html(page.encode("utf-8")) == page


# ----------------------------------------------------------------------------- detection


def test_undeclared_cyrillic_windows_1251_is_detected() -> None:
    data = RUSSIAN.encode("cp1251")
    assert decode_html(data) == RUSSIAN


def test_undeclared_shift_jis_is_detected() -> None:
    data = JAPANESE.encode("shift_jis")
    assert sniff_encoding(data) in ("shift_jis", "cp932", "shift_jis_2004")
    assert decode_html(data) == JAPANESE


def test_undeclared_utf8_is_utf8() -> None:
    assert decode_html(RUSSIAN.encode("utf-8")) == RUSSIAN


@pytest.mark.parametrize("head", [b"", b'<meta charset="windows-1252">', b'<meta charset="koi8-r">'])
def test_a_page_found_to_be_utf8_by_decoding_it_keeps_that_text(head: bytes) -> None:
    # Undeclared, or declaring a charset its bytes are not: the check that finds UTF-8 decodes
    # the whole page, and that text is the page's (decode_page does not decode it again).
    data = head + RUSSIAN.encode("utf-8")
    assert _sniff(data, None) == ("utf-8", head.decode("ascii") + RUSSIAN)
    assert decode_page(data) == (head.decode("ascii") + RUSSIAN, data)
    cut = data + "Москва".encode()[:-1]  # its last character cut short
    assert _sniff(cut, None) == ("utf-8", None)  # decoded again, with a replacement character
    assert decode_page(cut)[0] == head.decode("ascii") + RUSSIAN + "Москв\ufffd"


def test_truncated_utf8_stays_utf8() -> None:
    page = "<p>Привет, café — " + "текст " * 50 + "€"
    data = page.encode("utf-8")[:-1]  # cut in the middle of the last character
    assert sniff_encoding(data) == "utf-8"
    text = decode_html(data)
    assert text.startswith("<p>Привет, café — текст")
    assert text.endswith("\ufffd")
    assert text.count("\ufffd") == 1


# ----------------------------------------------------------------------------- robustness


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000), st.sampled_from([None, "utf-8", "latin-1", "bogus", "text/html; charset=gbk"]))  # fmt: skip
def test_never_raises_on_random_bytes(data: bytes, http_charset: str | None) -> None:
    assert isinstance(decode_html(data, http_charset), str)


def test_accepts_bytearray_and_memoryview() -> None:
    assert decode_html(bytearray(b"<p>x</p>")) == "<p>x</p>"
    assert decode_html(memoryview(b"<p>x</p>")) == "<p>x</p>"
    assert decode_html(b"") == ""


@pytest.mark.parametrize("value", ["<p>a str</p>", None, 42, ["<p>"]])
def test_type_error_on_non_bytes(value: object) -> None:
    with pytest.raises(TypeError):
        decode_html(value)  # type: ignore[arg-type]


# ------------------------------------------------------- compressed, BOM-less UTF-16, not text


def test_a_gzip_compressed_page_is_uncompressed_first() -> None:
    import gzip

    page = RUSSIAN.encode("utf-8")
    assert decode_html(gzip.compress(page)) == RUSSIAN
    cut = gzip.compress(page)[:-40]  # a stream cut short gives what it holds
    assert RUSSIAN.startswith(decode_html(cut)) and len(decode_html(cut)) > 100


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    import gzip

    from classifier.extraction.decode import MAX_UNCOMPRESSED_BYTES, gunzip_bounded

    bomb = gzip.compress(b"<p>" + b"a" * (4 * MAX_UNCOMPRESSED_BYTES), compresslevel=9)
    assert len(bomb) < MAX_UNCOMPRESSED_BYTES // 100
    assert len(gunzip_bounded(bomb) or b"") == MAX_UNCOMPRESSED_BYTES
    assert gunzip_bounded(b"\x1f\x8b not gzip at all") is None
    assert gunzip_bounded(gzip.compress(b"one ") + gzip.compress(b"two") + b"\x00junk") == b"one two"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("page", [RUSSIAN, JAPANESE], ids=["russian", "japanese"])
def test_utf16_without_a_bom_is_recognised_by_its_zero_bytes(codec: str, page: str) -> None:
    assert sniff_encoding(page.encode(codec)) == codec
    assert decode_html(page.encode(codec)) == page


def test_utf16_with_characters_whose_low_byte_is_zero() -> None:
    # 一 (U+4E00) is one of the commonest Chinese characters, and its low byte is zero.
    page = '<html><body><div class="story">' + "<p>这是一个测试页面，用来检查中文文本是否被保留下来。</p>" * 40 + "</div></body></html>"
    for codec in ("utf-16-le", "utf-16-be"):
        assert sniff_encoding(page.encode(codec)) == codec and decode_html(page.encode(codec)) == page


def test_zero_bytes_that_are_not_utf16_are_not_taken_for_it() -> None:
    assert sniff_encoding(b"\x00" * 2_000 + b"<p>after NULs</p>") != "utf-16-le"
    assert sniff_encoding(b"<p>" + b"\x00\x01" * 10 + b"</p>" * 100) == "utf-8"


def test_pdfs_images_and_random_bytes_look_binary() -> None:
    import gzip
    import random

    from classifier.extraction.decode import looks_binary

    rng = random.Random(0)
    noise = bytes(rng.randrange(256) for _ in range(3_000))
    for data in (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + noise,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + noise,
        noise,
        gzip.compress(noise),
    ):
        assert looks_binary(decode_html(data)), data[:12]


def test_real_pages_do_not_look_binary() -> None:
    import gzip
    from pathlib import Path

    from classifier.extraction.decode import looks_binary

    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "go-blog-defer-panic-recover.html.gz"
    for text in (decode_html(gzip.decompress(fixture.read_bytes())), RUSSIAN, JAPANESE, "<p>NUL\x00inside</p>\x00"):
        assert not looks_binary(text)


def test_no_page_of_the_bundled_corpora_comes_near_looking_binary() -> None:
    import gzip
    import re
    from pathlib import Path

    from classifier.extraction.decode import BINARY_SAMPLE_CHARS, BINARY_SHARE, looks_binary

    data = Path(__file__).resolve().parents[3] / "data"
    files = sorted((data / "wcxb-dev" / "html").glob("*.html.gz")) + sorted((data / "farm" / "pages").glob("*.htm*"))
    assert len(files) > 1_600
    not_text = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # control characters and U+FFFD
    for path in files:
        raw = path.read_bytes()
        text = decode_html(gzip.decompress(raw) if path.suffix == ".gz" else raw)
        sample = text[:BINARY_SAMPLE_CHARS]
        assert not looks_binary(text), path.name
        assert len(not_text.findall(sample)) <= BINARY_SHARE / 50 * len(sample), path.name  # 0.1%


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffd"), max_size=3_000))
def test_text_without_control_characters_never_looks_binary(text: str) -> None:
    from classifier.extraction.decode import looks_binary

    assert not looks_binary(text) or text.lstrip().startswith("%PDF-")


# ----------------------------------------------------------------------------- the UTF-8 bytes


def test_a_utf8_page_gives_its_own_bytes_for_the_parser() -> None:
    import gzip

    page = RUSSIAN.encode("utf-8")
    assert decode_page(page) == (RUSSIAN, page) and decode_page(page)[1] is page  # not a copy
    assert decode_page(codecs.BOM_UTF8 + page) == (RUSSIAN, page)
    assert decode_page(gzip.compress(page)) == (RUSSIAN, page)
    assert decode_page(RUSSIAN.encode("cp1251"), "windows-1251") == (RUSSIAN, None)  # other bytes
    cut = (RUSSIAN + "ё").encode("utf-8")[:-1]  # a character cut short: U+FFFD, which the bytes do not hold
    assert decode_page(cut)[1] is None and decode_page(cut)[0] == decode_html(cut)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000) | st.text(max_size=500).map(lambda text: text.encode("utf-8", "surrogatepass")),
       st.sampled_from([None, "utf-8", "latin-1"]))  # fmt: skip
def test_the_bytes_given_for_the_parser_are_the_text_in_utf8(data: bytes, http_charset: str | None) -> None:
    text, utf8 = decode_page(data, http_charset)
    assert text == decode_html(data, http_charset)
    assert utf8 is None or utf8 == text.encode("utf-8")
