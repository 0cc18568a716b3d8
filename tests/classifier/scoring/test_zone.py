"""The story zone: headline, lead, paragraphs and closing lines found from the text; side boxes out."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction.dom import blocks_from_html
from classifier.scoring.zone import is_caption, main_segment, shared_path, story_zone

PARAGRAPH = "Paragraph {} of the story, with enough words in it to be read as a real paragraph of text here."


def _zone(html: str, content=None):
    blocks, page = blocks_from_html(html)
    is_content = [content(b) if content else len(b.text) > 60 for b in blocks]
    return blocks, story_zone(blocks, is_content, page.title)


def _index(blocks, needle: str) -> int:
    return next(i for i, b in enumerate(blocks) if needle in b.text)


def test_main_segment_ignores_a_stray_content_block() -> None:
    blocks, _ = blocks_from_html(
        "<p>Cookie notice that is long enough to be taken for content by a model.</p>"
        + "<div>menu</div>" * 10
        + "".join(f"<p>Story paragraph {i} with a good number of words in it.</p>" for i in range(6))
    )
    is_content = [i == 0 or i >= 11 for i in range(len(blocks))]
    assert main_segment(blocks, is_content) == (11, len(blocks) - 1)


def test_headline_byline_paragraphs_and_closing_lines() -> None:
    body = "".join(f"<p>{PARAGRAPH.format(i)}</p>" for i in range(5))
    html = (
        "<html><head><title>Budget passes in the Senate | Daily</title></head><body><h1>Budget passes in the Senate</h1>"
        f"<p>By Jane Doe</p><p>Updated May 1, 2024</p>{body}<p>— AFP</p></body></html>"
    )
    blocks, zone = _zone(html)
    assert blocks[zone.anchor].text == "Budget passes in the Senate"
    assert _index(blocks, "By Jane Doe") in zone.lead
    assert zone.first == _index(blocks, "Paragraph 0")
    assert zone.last == _index(blocks, "Paragraph 4")
    assert _index(blocks, "— AFP") in zone.end


def test_the_headline_named_by_the_title_moves_the_story_past_a_ticker() -> None:
    ticker = "".join(
        f"<li>Ticker item {i}: WASHINGTON (AP) — another story that is long enough to look like content</li>" for i in range(8)
    )
    body = "".join(f"<p>{PARAGRAPH.format(i)}</p>" for i in range(3))
    head = "<html><head><title>Deportees return home | Post</title></head>"
    html = f"{head}<body><ul>{ticker}</ul><h2>Deportees return home</h2>{body}</body></html>"
    blocks, zone = _zone(html, content=lambda b: b.tag == "li")
    assert zone.first == _index(blocks, "Paragraph 0")
    assert not any("Ticker" in blocks[i].text for i in zone.body)


def test_related_boxes_figures_and_link_lists_are_excluded() -> None:
    body = "".join(f"<p>{PARAGRAPH.format(i)}</p>" for i in range(4))
    html = (
        "<h1>Headline of the story here</h1>"
        f"{body[:200]}<figure><img src=a.jpg><figcaption>A caption (AP Photo/Jane Doe)</figcaption></figure>{body[200:]}"
        "<div class='related'><p>WASHINGTON (AP) — A related story that is long enough to be read as a paragraph of text.</p></div>"
    )
    blocks, zone = _zone(html)
    caption, related = _index(blocks, "A caption"), _index(blocks, "A related story")
    assert caption not in zone.blocks and related not in zone.blocks


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["h1", "h2", "p", "li", "div", "figure"]), max_size=30), st.integers(0, 200))
def test_any_page_gives_a_zone_inside_the_page(tags, length) -> None:
    html = "".join(f"<{tag}>{'word ' * ((length + k) % 40)}</{tag}>" for k, tag in enumerate(tags))
    blocks, zone = _zone(html)
    for i in zone.blocks:
        assert 0 <= i < len(blocks) and i not in zone.excluded


def _segments_shared(paths: list[str]) -> str:
    """The longest prefix of whole segments the paths share, segment by segment (the reference
    for `shared_path`)."""
    if not paths:
        return ""
    shared = paths[0].split(">")
    for path in paths[1:]:
        parts = path.split(">")
        n = 0
        while n < min(len(shared), len(parts)) and shared[n] == parts[n]:
            n += 1
        shared = shared[:n]
    return ">".join(shared)


_SEGMENT = st.sampled_from(["", "html", "body", "div", "div.a", "div.ab", "article", "p", "main#x", "a"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_SEGMENT, max_size=6).map(">".join), max_size=6))
def test_shared_path_is_the_longest_prefix_of_whole_segments(paths: list[str]) -> None:
    assert shared_path(paths) == _segments_shared(paths)


def test_shared_path_cuts_back_to_a_whole_segment() -> None:
    assert shared_path(["a>bc", "a>b"]) == "a"
    assert shared_path(["a>b>c", "a>b>d", "a>b"]) == "a>b"
    assert shared_path(["a>b", "a>b"]) == "a>b"
    assert shared_path(["x", "y"]) == ""


_ONE_CAPTION_PATTERN = re.compile(
    r"^\s*(?:file\s+)?(?:photos?|images?|pictures?|fotos?|bild|video)\s*[:|]|\((?:[A-Z]{2,6}\s)?(?:photo|foto)\b[^()]{0,80}\)\s*\.?\s*$",
    re.IGNORECASE,
)
_CAPTION_WORDS = st.sampled_from(
    ["FILE PHOTO:", "Photo |", " images:", "(AP Photo/Jane Doe)", "(Photo: X)", "(foto)", "(AFP photo)", ".", " ", "\n", "(", ")",
     "video", "Bild:", "text of a story", "photographer", "file  photos :", "(EPA Photo / Name) ."]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_CAPTION_WORDS, max_size=12).map("".join))
def test_is_caption_reads_a_block_as_the_one_pattern_did(text: str) -> None:
    assert is_caption(text) == bool(_ONE_CAPTION_PATTERN.search(text[:40] + " " + text[-120:]))
