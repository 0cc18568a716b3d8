"""`classifier.extraction.features`: the feature matrix of small pages, the patterns it reads, and
the compiled kernel against the numpy groups."""

from __future__ import annotations

import dataclasses
import gzip
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction import features
from classifier.extraction.decode import decode_html
from classifier.extraction.dom import (
    BLOCK_NUMBER_FIELDS,
    FLAG_NAMES,
    KEYWORD_NAMES,
    BlockColumns,
    ElementTotals,
    PageInfo,
    RawBlock,
    blocks_from_html,
)
from classifier.extraction.features import STAGE_ONE_NAMES, block_features
from classifier.extraction.page_kinds import PAGE_KIND_NAMES
from classifier.extraction.textstats import DATE_LIKE
from classifier.extraction.walk import blocks_and_columns_from_html
from tests.classifier.extraction.compiled_parts import unavailable

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "go-blog-defer-panic-recover.html.gz"
READABLE_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789./-a _\n١")), max_size=30))
def test_fast_date_pattern_matches_like_the_readable_one(text: str) -> None:
    assert [m.span() for m in DATE_LIKE.finditer(text)] == [m.span() for m in READABLE_DATE.finditer(text)]


def test_feature_matrix_of_a_small_page() -> None:
    blocks, page = blocks_from_html(
        "<html><body><nav><a href='/'>Home</a> | <a href='/n'>News</a></nav>"
        "<article><h1>Rain at last</h1><p>The drought ended on Monday, officials said. Rivers rose.</p>"
        "<p>The drought ended on Monday, officials said. Rivers rose.</p></article></body></html>"
    )
    features = block_features(blocks, page, title="Rain at last | Example News")
    matrix = features.matrix
    assert features.tokens.tolist() == [2, 3, 9, 9]  # \w+ tokens, as the gold alignment counts them
    assert matrix.shape == (len(blocks), len(STAGE_ONE_NAMES)) and matrix.dtype == np.float32
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    nav, title, first, second = range(4)
    assert column["link_density"][nav] > 0.5 and column["link_density"][first] == 0
    assert column["in_title"][title] == 1 and column["title_overlap"][title] == 1
    assert column["log_duplicates"][first] == column["log_duplicates"][second] > 0
    assert column["log_sentence_ends"][first] == np.float32(np.log1p(2))
    assert np.isfinite(matrix).all()


def test_columns_given_by_the_walker_give_the_same_matrix() -> None:
    # analyse() passes the walker's columns in; alone, block_features reads them from the blocks.
    blocks, page, columns = blocks_and_columns_from_html(decode_html(gzip.decompress(FIXTURE.read_bytes())))
    assert len(set(columns.path_ids.tolist())) > 1 and len(columns.path_keys) == columns.path_ids.max() + 1
    alone = block_features(blocks, page, title="Defer, Panic, and Recover")
    given = block_features(blocks, page, title="Defer, Panic, and Recover", columns=columns)
    assert np.array_equal(alone.matrix, given.matrix) and np.array_equal(alone.tokens, given.tokens)


def test_block_columns_are_the_blocks_numbers_and_their_paths_by_first_appearance() -> None:
    blocks, _ = blocks_from_html('<nav><a href="/a">A</a></nav><ul><li>x</li><li>y</li></ul><nav><a href="/b">B</a></nav>')
    columns = BlockColumns.of(blocks)
    assert columns.numbers.shape == (len(blocks), len(BLOCK_NUMBER_FIELDS)) == (4, 10)
    for k, name in enumerate(BLOCK_NUMBER_FIELDS):
        assert columns.numbers[:, k].tolist() == [getattr(block, name) for block in blocks]
    assert columns.path_ids.tolist() == [0, 1, 1, 0]
    assert columns.path_keys == [blocks[0].path_key, blocks[1].path_key]
    assert BlockColumns.of([]).numbers.shape == (0, 10)


def test_bit_neighbour_and_window_columns_follow_their_definitions() -> None:
    blocks, page = blocks_from_html(decode_html(gzip.decompress(FIXTURE.read_bytes())))
    matrix = block_features(blocks, page).matrix
    column = {name: matrix[:, i].astype(np.float64) for i, name in enumerate(STAGE_ONE_NAMES)}
    n = len(blocks)
    for bit, name in enumerate(FLAG_NAMES):
        assert [int(v) for v in column[f"in_{name}"]] == [(b.flags >> bit) & 1 for b in blocks]
    for bit, name in enumerate(KEYWORD_NAMES):
        assert [int(v) for v in column[f"kw_all_{name}"]] == [(b.keywords_all >> bit) & 1 for b in blocks]
        assert [int(v) for v in column[f"kw_near_{name}"]] == [(b.keywords_near >> bit) & 1 for b in blocks]
    for name in ("log_chars", "link_density", "ends_with_punctuation", "path_char_share"):
        fill = 1.0 if name == "link_density" else 0.0
        for offset in (-2, -1, 1, 2):
            expected = [column[name][i + offset] if 0 <= i + offset < n else fill for i in range(n)]
            assert list(column[f"{name}@{offset:+d}"]) == expected
    for name in ("log_chars", "link_density", "ends_with_punctuation"):
        for window in (3, 10):
            expected = [column[name][max(i - window, 0) : i + window + 1].mean() for i in range(n)]
            assert np.allclose(column[f"{name}~{window}"], expected, rtol=1e-5, atol=1e-6)


def _story_page(cards: int) -> str:
    """A news page: a menu, a story of four paragraphs, and a rail of `cards` teaser cards
    (a linked picture and a linked headline to one story, and a line of text)."""
    paragraph = "The council voted on Tuesday to close the old bridge for repairs, officials said, after an inspection. "
    rail = "".join(
        f"<div class='card'><a href='/story/{k}'><img src='p.jpg'></a><h3><a href='/story/{k}#top'>Headline {k}</a></h3>"
        f"<p>A line about story {k}.</p></div>"
        for k in range(cards)
    )
    return (
        "<html><body><ul class='menu'><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li></ul>"
        "<div id='main'><h1>Bridge to close</h1><div class='story'>"
        + "".join(f"<p>{paragraph * 2}</p>" for _ in range(4))
        + f"</div><aside>{rail}</aside></div></body></html>"
    )


def test_cards_and_the_main_text_cluster() -> None:
    blocks, page = blocks_from_html(_story_page(cards=5))
    matrix = block_features(blocks, page, title="Bridge to close").matrix
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    texts = [block.text for block in blocks]
    story = [i for i, text in enumerate(texts) if text.startswith("The council")]
    headlines = [i for i, text in enumerate(texts) if text.startswith("Headline")]
    lines = [i for i, text in enumerate(texts) if text.startswith("A line")]
    menu = texts.index("Home")
    assert len(story) == 4 and len(headlines) == 5
    # The story's paragraphs are the cluster; the menu comes before it, the rail after.
    assert all(column["in_cluster"][i] == 1 and column["levels_to_cluster"][i] == 0 for i in story)
    assert column["before_cluster"][menu] == 1 and all(column["after_cluster"][i] == 1 for i in headlines + lines)
    assert column["log_cluster_distance"][lines[-1]] > column["log_cluster_distance"][headlines[0]] > 0
    # Up from <h3>: the card, the rail, then div#main that holds the story; from <li>: <ul>, <body>.
    assert column["levels_to_cluster"][headlines[0]] == 3 and column["levels_to_cluster"][menu] == 2
    assert column["cluster_long_share"][0] == 1.0 and column["cluster_link_density"][0] == 0.0
    # A card's picture and headline link to one story (the fragment aside): one target, two anchors.
    line = lines[0]
    assert column["parent_log_anchors"][line] == np.float32(np.log1p(2))
    assert column["parent_log_targets"][line] == np.float32(np.log1p(1))
    assert column["parent_log_headings"][line] == np.float32(np.log1p(1))
    assert column["grandparent_log_targets"][line] == np.float32(np.log1p(5))
    # The rail's text follows a linked headline; the story follows the unlinked <h1>.
    assert column["heading_before_link_density"][line] == 1.0 and column["heading_before_link_density"][story[0]] == 0.0
    assert column["parent_path_linked_heading_share"][line] > 0


def test_a_page_without_long_paragraphs_has_no_cluster() -> None:
    blocks, page = blocks_from_html("<ul><li><a href='/a'>A</a></li><li><a href='/b'>B</a></li></ul><p>Short.</p>")
    matrix = block_features(blocks, page).matrix
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    assert not column["in_cluster"].any() and not column["before_cluster"].any() and not column["after_cluster"].any()
    assert (column["levels_to_cluster"] == 16).all() and np.isfinite(matrix).all()


def test_table_rows_of_short_linked_cells() -> None:
    blocks, page = blocks_from_html(
        "<table><tr><td><a href='/a'>Top Stories</a></td><td><a href='/b'>National</a></td><td><a href='/c'>Sport</a></td></tr>"
        "<tr><td>The plant will employ two hundred people when it opens next spring, the company said.</td></tr></table>"
    )
    matrix = block_features(blocks, page).matrix
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    assert column["row_link_density"][:3].tolist() == [1.0, 1.0, 1.0] and column["row_link_density"][3] == 0.0
    assert column["row_log_cells"][0] == np.float32(np.log1p(3)) and column["row_mean_log_chars"][0] < column["row_mean_log_chars"][3]


# The compiled kernel (`features.KERNEL`) against the numpy groups, the reference: identical
# matrices, to the last bit, on generated pages and on the pages that skip a group.
SENTENCE = "The council voted on Tuesday, 12.03.2024, to close the old bridge (c) for repairs. "


def _kernel_or_skip() -> None:
    if features.KERNEL is None:
        unavailable("the feature kernel is not built here")


def _both_paths(blocks: list[RawBlock], page: PageInfo, **options: Any) -> tuple[np.ndarray, np.ndarray]:
    """The matrix of the compiled path and of the numpy path."""
    _kernel_or_skip()
    kernel = features.KERNEL
    compiled_matrix = block_features(blocks, page, **options).matrix
    try:
        features.KERNEL = None
        reference = block_features(blocks, page, **options).matrix
    finally:
        features.KERNEL = kernel
    return compiled_matrix, reference


def _assert_identical(blocks: list[RawBlock], page: PageInfo, **options: Any) -> np.ndarray:
    compiled_matrix, reference = _both_paths(blocks, page, **options)
    differ = sorted({STAGE_ONE_NAMES[c] for c in np.nonzero(compiled_matrix.view(np.uint32) != reference.view(np.uint32))[1]})
    assert not differ, f"the kernel differs from numpy in {differ}"
    return reference


_TEXTS = st.sampled_from(
    ["Home", "News", "2019", "Read more »", "© 2024 Example", "¿Qué pasó?", "东京 消息。", "a | b | c", "x\ny", SENTENCE, SENTENCE * 3]
    + ["https://example.com/a-long-address-of-one-word", ""]
)


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    """A small page fragment: text, links, headings, lists, tables, cards and long paragraphs."""
    kind = draw(st.sampled_from(["text", "link", "element", "table", "list"] if depth < 4 else ["text", "link"]))
    if kind == "text":
        return draw(_TEXTS)
    if kind == "link":
        target = draw(st.sampled_from(["/a", "/a#top", "/b", "/c"]))
        return f"<a href='{target}'>{draw(_TEXTS)}</a>"
    if kind == "table":
        rows = draw(st.lists(st.lists(_html(depth + 1), min_size=1, max_size=3), min_size=1, max_size=3))
        return "<table>" + "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows) + "</table>"
    if kind == "list":
        items = draw(st.lists(_html(depth + 1), min_size=1, max_size=4))
        return "<ul class='menu'>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    tag = draw(st.sampled_from(["p", "div", "article", "main", "section", "aside", "nav", "h1", "h2", "h3", "pre", "span", "figure"]))
    css = draw(st.sampled_from(["", " class='story'", " class='card'", " id='footer'", " class='content'"]))
    children = draw(st.lists(_html(depth + 1), min_size=1, max_size=4))
    return f"<{tag}{css}>{''.join(children)}</{tag}>"


@settings(max_examples=150, deadline=None)
@given(st.lists(_html(), min_size=1, max_size=6), st.booleans(), st.text(max_size=20))
def test_the_kernel_gives_the_numpy_matrix_on_generated_pages(parts: list[str], kinds: bool, title: str) -> None:
    blocks, page = blocks_from_html("<html><body>" + "".join(parts) + "</body></html>")
    if not blocks:
        return
    page_kinds = [0.25 * k for k in range(len(PAGE_KIND_NAMES))] if kinds else ()
    _assert_identical(blocks, page, title=title, structured=SENTENCE if kinds else "", page_kinds=page_kinds)


def test_the_kernel_on_pages_that_skip_a_group() -> None:
    one_block = blocks_from_html("<p>Only this.</p>")
    no_links = blocks_from_html(f"<div><h2>Title</h2><p>{SENTENCE * 3}</p><p>Short.</p></div>")
    no_long_blocks_or_rows = blocks_from_html("<ul><li><a href='/a'>A</a></li><li><a href='/a'>A again</a></li></ul><p>Short.</p>")
    rows = blocks_from_html("<table><tr><td><a href='/a'>One</a></td><td>Two</td></tr><tr><td>" + SENTENCE * 4 + "</td></tr></table>")
    for blocks, page in (one_block, no_links, no_long_blocks_or_rows, rows):
        assert blocks
        _assert_identical(blocks, page, title="Title")
    assert len(one_block[0]) == 1 and not no_links[1].link_targets
    assert all(block.row < 0 for block in no_long_blocks_or_rows[0]) and any(block.row >= 0 for block in rows[0])


def test_the_kernel_on_a_page_without_elements() -> None:
    blocks, page = blocks_from_html(f"<p>{SENTENCE * 3}</p><p><a href='/x'>Next</a></p>")
    page.elements = ElementTotals()  # as a page whose walker recorded no block-level elements
    matrix = _assert_identical(blocks, page)
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    assert not column["parent_char_share"].any() and not column["levels_to_cluster"].any()


@pytest.mark.parametrize("words", [1023, 1024])  # the last whole number of the kernel's tables, and the first past them
def test_the_kernel_takes_logarithms_in_and_past_its_tables_as_numpy_does(words: int) -> None:
    assert features._LOG_TABLE_SIZE == 1024
    links = "".join(f"<a href='/{k}'>link {k}</a> " for k in range(words // 2))  # log_links near the edge too
    repeated = "<p>Share this</p>" * words  # log_duplicates near the edge
    blocks, page = blocks_from_html(f"<div><p>{'word ' * words}</p><p>{links}</p><p>{SENTENCE}</p>{repeated}</div>")
    matrix = _assert_identical(blocks, page, title="Title")
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    assert column["log_words"][0] == np.float32(np.log1p(words))
    assert column["log_duplicates"][-1] == np.float32(np.log(words))


def test_the_kernel_on_a_news_page_and_the_fixture() -> None:
    for html in (_story_page(cards=7), decode_html(gzip.decompress(FIXTURE.read_bytes()))):
        blocks, page = blocks_from_html(html)
        _assert_identical(blocks, page, title="Bridge to close", structured="bridge repairs council")


@pytest.mark.parametrize("extra", ["", "<p>Harbour bridge</p>"])  # an even and an odd number of blocks
def test_the_kernel_ranks_repeats_and_finds_the_title_as_numpy_does(extra: str) -> None:
    # Blocks of equal length (ties in the rank), repeated texts, blocks the title contains,
    # and tokens of the title and of the structured text in other blocks.
    html = (
        "<h1>Harbour bridge to close</h1><p>Harbour bridge</p><p>Harbour bridge</p>"
        f"<ul><li>Home</li><li>News</li><li>Home</li></ul>{extra}<p>{SENTENCE * 2}</p><p>The bridge will close.</p>"
    )
    blocks, page = blocks_from_html(html)
    matrix = _assert_identical(blocks, page, title="Harbour bridge to close | City", structured="bridge repairs council")
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    assert column["in_title"][:3].tolist() == [1.0, 1.0, 1.0] and column["log_duplicates"][1] == np.float32(np.log(2 + bool(extra)))
    assert column["title_overlap"][0] == 1.0 and 0 < column["structured_overlap"][-2] < 1


def test_the_overlap_kernel_refuses_a_token_of_no_block() -> None:
    _kernel_or_skip()
    assert features.KERNEL is not None
    module, layout = features.KERNEL
    blocks, page = blocks_from_html("<p>One block</p><p>Two blocks</p>")
    arrays = features._PageArrays.of(blocks, BlockColumns.of(blocks))
    matrix = np.zeros((len(blocks), len(STAGE_ONE_NAMES)), dtype=np.float32)
    owners, counts, hashes = arrays.tokens.block, arrays.tokens.counts, arrays.tokens.hashes
    with pytest.raises(ValueError, match="names a block"):
        module.overlap(layout, matrix, arrays, owners + 1, hashes, counts, np.log1p(arrays.chars), 0.0, "one", hashes[:1], hashes[:0])


def test_the_kernel_refuses_arrays_of_another_shape() -> None:
    _kernel_or_skip()
    assert features.KERNEL is not None
    module, layout = features.KERNEL
    blocks, page = blocks_from_html(_story_page(cards=2))
    matrix = np.zeros((len(blocks), len(STAGE_ONE_NAMES) - 1), dtype=np.float32)
    with pytest.raises(ValueError, match="rows"):
        _fill_into(module, layout, matrix, blocks, page)


def _fill_into(module: Any, layout: Any, matrix: np.ndarray, blocks: list[RawBlock], page: PageInfo) -> None:
    """The kernel's call as `features` makes it, into `matrix`."""
    arrays = features._PageArrays.of(blocks, BlockColumns.of(blocks))
    module.fill(layout, matrix, arrays, np.ones(len(blocks)), np.log1p(arrays.chars), page, (), False)


@pytest.mark.parametrize("aside", ["", "<p>Photo: the bridge at dawn.</p>"])
def test_the_kernel_grows_the_story_as_numpy_does(aside: str) -> None:
    # A story cut in two by a caption: whether its container grows to the element above turns
    # on the caption's length against the story's other text and the paragraphs it adds.
    for caption_words in range(0, 120, 3):
        caption = " ".join(["word"] * caption_words)
        html = (
            f"<div id='outer'><div class='first'><p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p>{aside}</div>"
            f"<figure><figcaption>{caption or 'Photo'}</figcaption></figure><div class='second'><p>{SENTENCE * 2}</p></div></div>"
        )
        blocks, page = blocks_from_html(html)
        _assert_identical(blocks, page)


def test_the_kernel_reads_texts_and_tags_as_python_does() -> None:
    _kernel_or_skip()
    walked, _ = blocks_from_html("<h2>Title</h2><p>Text.</p>Loose text<button>Buy</button><ul><li>Item</li></ul>")
    blocks = [*walked, dataclasses.replace(walked[0], tag="x-widget")]  # a tag of no group
    assert {block.tag for block in blocks} >= {"h2", "p", "li", "button", "body"}
    assert features.KERNEL is not None
    texts, tag_index, heading = features.KERNEL[0].texts_and_tags(blocks, features._TAG_INDEX, features.HEADING_TAGS)
    assert texts == [block.text for block in blocks]
    assert tag_index.dtype == np.int64 and tag_index.tolist() == [features._TAG_INDEX.get(block.tag, -1) for block in blocks]
    assert heading.dtype == np.float64 and heading.tolist() == [float(block.tag in features.HEADING_TAGS) for block in blocks]
    assert -1 in tag_index.tolist() and 1.0 in heading.tolist()
