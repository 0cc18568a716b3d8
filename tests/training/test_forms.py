"""The page forms of `training.forms`, and what they do (and do not do) to the blocks."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from classifier.extraction.decode import decode_html
from classifier.extraction.dom import blocks_from_html
from training.corpus import LabelledPage, load_wcxb
from training.forms import (
    SCRIPTS,
    body_only,
    content_only,
    form_score,
    html_in_script,
    in_script,
    out_of_fold_texts,
    reserialised,
    transform,
    truncated,
    without_scripts,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "go-blog-defer-panic-recover.html.gz"
WCXB = Path(__file__).resolve().parents[2] / "data" / "wcxb-dev"


@pytest.fixture(scope="module")
def page_html() -> str:
    return decode_html(gzip.decompress(FIXTURE.read_bytes()))


def block_texts(html: str) -> list[str]:
    return [block.text for block in blocks_from_html(html)[0]]


def test_without_scripts_drops_scripts_styles_and_json_ld_only() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"headline": "x"}</script>'
        "<style>p{color:red}</style></head><body><p>Kept text.</p>"
        "<SCRIPT>var a = '</p>';</SCRIPT><p>Also kept.</p></body></html>"
    )
    stripped = without_scripts(html)
    assert "ld+json" not in stripped and "color:red" not in stripped and "var a" not in stripped
    assert "<p>Kept text.</p>" in stripped and "<p>Also kept.</p>" in stripped


def test_body_only_and_first_half() -> None:
    html = "<html><head><title>T</title></head><body class='x'><p>Body.</p></body></html>"
    assert body_only(html) == "<p>Body.</p></body></html>"
    assert body_only("<p>no body tag</p>") == "<p>no body tag</p>"
    assert truncated("abcdef") == "abc"


def test_a_real_page_keeps_its_blocks_without_scripts_or_head(page_html: str) -> None:
    blocks = block_texts(page_html)
    assert len(blocks) > 20
    assert block_texts(without_scripts(page_html)) == blocks
    assert block_texts(body_only(page_html)) == blocks


def test_a_real_page_keeps_its_blocks_when_another_parser_rewrites_it(page_html: str) -> None:
    pytest.importorskip("lxml.html")
    assert block_texts(reserialised(page_html)) == block_texts(page_html)


@pytest.mark.parametrize("script", ["Cyrillic", "Arabic"])
def test_in_script_maps_the_text_and_nothing_else(page_html: str, script: str) -> None:
    pytest.importorskip("lxml.html")
    latin = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    # The same blocks as the page re-serialised by lxml, in the same paths, with no Latin
    # letter left in their text.
    before = blocks_from_html(reserialised(page_html))[0]
    after = blocks_from_html(html_in_script(page_html, script))[0]
    assert [(b.tag, b.path) for b in after] == [(b.tag, b.path) for b in before]
    assert all(b.text == b.text.translate(latin) for b in after)
    assert sum(len(b.text) for b in after) == sum(len(b.text) for b in before)


def test_in_chinese_the_words_lose_their_spaces_and_the_blocks_stay(page_html: str) -> None:
    pytest.importorskip("lxml.html")
    before = blocks_from_html(reserialised(page_html))[0]
    after = blocks_from_html(html_in_script(page_html, "Chinese"))[0]
    assert [(b.tag, b.path) for b in after] == [(b.tag, b.path) for b in before]
    assert all(not any("a" <= c.lower() <= "z" for c in b.text) for b in after)
    assert sum(len(b.text.split()) for b in after) < sum(len(b.text.split()) for b in before) / 2
    # Only letters, spaces and punctuation change: the non-space characters still correspond.
    assert sum(len("".join(b.text.split())) for b in after) == sum(len("".join(b.text.split())) for b in before)


def test_chinese_is_written_without_spaces_between_words_and_full_width_punctuation() -> None:
    to_chinese = SCRIPTS["Chinese"]
    # m a i n -> 大 的 有 来, t e x t -> 们 了 你 们 (one character a letter, upper or lower case)
    assert to_chinese("Main text, all of it.") == "大的有来们了你们，的中中上人有们。"
    assert to_chinese("MAIN TEXT") == to_chinese("main text") == "大的有来们了你们"
    assert to_chinese("Sold 3 items: 4.5 stars") == "说上中不 3 有们了大说： 4.5 说们的到说"  # numbers keep spaces
    assert to_chinese("e.g. x") == "了.我。你"  # a full stop inside an abbreviation stays


def test_in_script_maps_the_gold_too_and_arabic_has_no_case() -> None:
    pytest.importorskip("lxml.html")
    page = LabelledPage(page_id="1", url="", domain="", page_type="article", html=b"<p>Main text</p>", main_text="Main text")
    moved = in_script(page, "Cyrillic")
    assert moved.main_text == "Маин удчу" and "Маин удчу" in decode_html(moved.html)
    assert in_script(page, "Arabic").main_text == in_script(dataclasses.replace(page, main_text="MAIN TEXT"), "Arabic").main_text


def test_in_script_maps_json_ld_values_not_keys_or_addresses() -> None:
    pytest.importorskip("lxml.html")
    html = html_in_script(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Big news",'
        ' "url": "https://example.org/a"}</script><script>var text = "code";</script></head><body></body></html>'
    )
    assert '"@type": "NewsArticle"' in html and '"headline": "Биж ндцт"' in html
    assert '"url": "https://example.org/a"' in html and 'var text = "code"' in html


def test_transform_re_encodes_so_a_stale_charset_cannot_misdecode() -> None:
    html = '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode("latin-1")
    page = LabelledPage(page_id="1", url="", domain="", page_type="article", html=html, main_text="")
    (moved,) = transform([page], without_scripts)
    assert "Grüße aus Köln" in decode_html(moved.html)
    assert transform([page], None) == [page]


def test_content_only_is_the_gold_text_as_paragraphs() -> None:
    page = LabelledPage(page_id="1", url="", domain="", page_type="article", html=b"<p>ignored</p>",
                        main_text="Fish & chips\n\nFirst line.\nSecond line.\n")  # fmt: skip
    html = decode_html(content_only(page).html)
    assert html == "<p>Fish &amp; chips</p>\n<p>First line.</p>\n<p>Second line.</p>"
    assert block_texts(html) == ["Fish & chips", "First line.", "Second line."]


def test_out_of_fold_texts_and_scores_for_every_form() -> None:
    pages = [page for _, page in zip(range(15), load_wcxb(WCXB))]
    forms = {"raw": pages, "body only": transform(pages, body_only)}
    forms["body only, by characters"] = forms["body only"]
    texts = out_of_fold_texts(pages, forms, folds=3)
    assert set(texts) == set(forms) and all(len(texts[name]) == len(pages) for name in forms)
    assert texts["body only"] == texts["body only, by characters"]  # analysed once, predicted once
    for name, form_pages in forms.items():
        assert 0.0 < form_score(form_pages, texts[name], "wcxb") <= 1.0
        assert 0.0 < form_score(form_pages, texts[name], "wcxb", by_characters=True) <= 1.0
    gold = [page.main_text for page in pages]
    assert form_score(pages, gold, "wcxb") == form_score(pages, gold, "wcxb", by_characters=True) == 1.0
    assert form_score(pages, [""] * len(pages), "aeb") == 0.0
