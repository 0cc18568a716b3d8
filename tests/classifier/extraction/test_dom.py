"""`classifier.extraction.dom`: HTML -> text blocks in reading order, and the page evidence for metadata."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction.dom import (
    IN_ARTICLE,
    IN_HIDDEN,
    IN_LIST,
    IN_NAV,
    IN_NOSCRIPT,
    IN_PRE,
    IN_TABLE,
    KEYWORD_NAMES,
    AttributeFacts,
    PageInfo,
    RawBlock,
    blocks_from_html,
    parse,
)
from tests.classifier.strategies import BLOCK_TREES, tree_html


def blocks(html: str) -> list[RawBlock]:
    return blocks_from_html(html)[0]


def texts(html: str) -> list[str]:
    return [block.text for block in blocks(html)]


def page(html: str) -> PageInfo:
    return blocks_from_html(html)[1]


# ----------------------------------------------------------------------------- block boundaries


def test_every_block_level_element_ends_a_block() -> None:
    html = (
        "<body><h1>Title</h1><p>One <b>bold</b> paragraph.</p>"
        "<div>Loose text<p>inner para</p>tail text</div>"
        "<ul><li>first</li><li>second</li></ul><blockquote>quoted</blockquote></body>"
    )
    found = blocks(html)
    assert [b.text for b in found] == [
        "Title", "One bold paragraph.", "Loose text", "inner para", "tail text", "first", "second",
        "quoted",
    ]  # fmt: skip
    assert [b.tag for b in found] == ["h1", "p", "div", "p", "div", "li", "li", "blockquote"]
    assert [b.index for b in found] == list(range(len(found)))


def test_inline_elements_do_not_split_blocks() -> None:
    assert texts("<p>A <em>very</em> <a href='#'>short</a> <span>sentence</span>.</p>") == [
        "A very short sentence."
    ]


def test_whitespace_is_collapsed_and_empty_blocks_dropped() -> None:
    assert texts("<div>  \n </div><p>  many \t\n  spaces\u00a0here  </p><p> </p>") == [
        "many spaces here"
    ]


def test_text_directly_in_body_is_a_block() -> None:
    assert texts("just text") == ["just text"]
    assert blocks("just text")[0].tag == "body"


def test_paths_carry_tags_ids_and_classes() -> None:
    (block,) = blocks('<div id="main" class="post entry extra"><p class="lead">x</p></div>')
    assert block.path.endswith("div#main.post.entry>p.lead")
    assert block.depth >= 3


@settings(max_examples=200, deadline=None)
@given(
    tag=st.sampled_from(["div", "li", "h2", "h3", "section", "td"]),
    element_id=st.none() | st.text(alphabet="ab-_019 ", max_size=12),
    classes=st.none() | st.text(alphabet="xy-_27 ", max_size=20),
)
def test_a_path_key_is_the_segment_without_the_digits_of_id_and_classes(tag: str, element_id, classes) -> None:
    from classifier.extraction.dom import _path_segment

    segment, key = _path_segment(tag, element_id, classes)
    assert segment.startswith(tag) and key.startswith(tag)
    assert key == tag + re.sub(r"\d", "", segment[len(tag) :])
    # Ids and classes that differ only in their digits give one key.
    renumbered = _path_segment(
        tag,
        None if element_id is None else element_id.replace("1", "7"),
        None if classes is None else classes.replace("2", "5"),
    )
    assert renumbered[1] == key


def test_numbered_items_share_a_path_key() -> None:
    first, second, heading, subheading = blocks(
        '<ul class="list-2"><li id="post-1204" class="item item-1">A</li>'
        '<li id="post-1209" class="item item-2">B</li></ul><h2 class="t">C</h2><h3 class="t">D</h3>'
    )
    assert first.path.endswith("ul.list-2>li#post-1204.item.item-1")
    assert first.path != second.path
    assert first.path_key == second.path_key and first.path_key.endswith("ul.list->li#post-.item.item-")
    # Tag names keep their digits: headings of two levels are two structures.
    assert heading.path_key.endswith("h2.t") and subheading.path_key.endswith("h3.t")


# ----------------------------------------------------------------------------- what is read


def test_noscript_content_is_kept_unwrapped() -> None:
    found = blocks(
        "<body><p>intro</p><noscript><div class='thread'><p>Forum post inside noscript</p>"
        "</div></noscript><p>after</p></body>"
    )
    assert [b.text for b in found] == ["intro", "Forum post inside noscript", "after"]
    assert found[1].flags & IN_NOSCRIPT
    assert found[1].tag == "p"  # parsed as markup, not as raw text
    assert not found[2].flags & IN_NOSCRIPT


def test_self_closing_iframe_does_not_swallow_what_follows() -> None:
    # Lexbor reads <iframe/> as an open iframe whose raw-text content runs to </iframe>.
    assert texts('<p>before</p><iframe src="https://x.example/embed"/><p>after iframe</p>') == [
        "before",
        "after iframe",
    ]
    assert texts('<p>x</p><IFRAME src="y" / ><p>upper case</p>') == ["x", "upper case"]
    assert texts("<iframe src='a'/>Text after iframe") == ["Text after iframe"]


def test_iframe_content_is_skipped() -> None:
    assert texts("<p>a</p><iframe>fallback <b>text</b></iframe><p>b</p>") == ["a", "b"]


def test_adjacent_inline_siblings_are_separated() -> None:
    html = '<div class="tags"><a href="/t/1">Open World</a><a href="/t/2">Sexual Content</a></div>'
    assert texts(html) == ["Open World Sexual Content"]
    assert texts("<div><span>a</span><span>b</span></div>") == ["a b"]


def test_text_continuing_an_inline_element_is_not_split() -> None:
    assert texts("<p><b>W</b>ord and <i>it</i>alic</p>") == ["Word and italic"]
    assert texts("<p>foo<i>bar</i>baz</p>") == ["foobarbaz"]


def test_invisible_characters_are_removed_and_joiners_kept() -> None:
    # Soft hyphens and zero-width spaces would split words for a search index.
    assert texts("<p>co\u00adoperate &shy;x\u200dy &#8203;z\u2060w\ufeff</p>") == ["cooperate x\u200dy zw"]
    # Whitespace around a removed character collapses; a block of them alone is no block.
    assert texts("<p>a \u00ad b</p><p>&#8203;</p><ul><li>\u200b<br>c</li></ul>") == ["a b", "c"]
    assert texts("<pre>x\u00ad\n  y</pre>") == ["x\n  y"]
    # Inside <pre>, removed before the line rules: no blank, whitespace-only or edge lines left.
    assert texts("<pre>\u200b\n\u200b</pre><pre>  \u200b</pre><pre>\u200b\ncode \u00ad\n</pre>") == ["code"]
    # Zero-width (non-)joiners change how Persian, Indic and emoji text renders: kept.
    assert texts("<p>\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645</p>") == ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"]


def test_pre_keeps_line_breaks_and_indentation() -> None:
    (block,) = blocks("<pre>def f():\n    return 1\n\n\nprint(f())   \n</pre>")
    assert block.text == "def f():\n    return 1\n\n\nprint(f())"
    assert block.flags & IN_PRE


def test_pre_with_markup_inside() -> None:
    (block,) = blocks(
        '<pre><code class="go"><span>func</span> main() {\n\tfmt.Println("hi")\n}</code></pre>'
    )
    assert block.text == 'func main() {\n\tfmt.Println("hi")\n}'


def test_br_splits_lines_of_one_block() -> None:
    assert texts("<p>Line one<br>Line two<br/><br>  Line three  </p>") == [
        "Line one\nLine two\nLine three"
    ]
    assert texts("<address>1 Main St<br>Springfield</address>") == ["1 Main St\nSpringfield"]


def test_screen_reader_only_text_is_dropped() -> None:
    html = (
        '<p>Visible <span class="sr-only">for screen readers</span>text '
        '<span class="visually-hidden">more hidden</span>'
        '<span class="screen-reader-text">Skip</span>end</p>'
    )
    assert texts(html) == ["Visible text end"]


def test_non_content_subtrees_are_skipped() -> None:
    html = (
        "<body><script>var secret = 'script';</script><style>p { color: red }</style>"
        "<template><p>template</p></template><svg><text>svg text</text></svg>"
        "<math><mi>x</mi></math><select><option>choice</option></select>"
        "<textarea>typed</textarea><p>visible</p></body>"
    )
    assert texts(html) == ["visible"]


def test_hidden_elements_are_flagged() -> None:
    found = blocks(
        '<div style="display: none"><p>styled</p></div><p aria-hidden="true">aria</p>'
        "<p hidden>attr</p><p>shown</p>"
    )
    assert [bool(b.flags & IN_HIDDEN) for b in found] == [True, True, True, False]


def test_structure_flags_and_keywords() -> None:
    found = blocks(
        '<nav class="menu"><ul><li><a href="/">Home</a></li></ul></nav>'
        '<article><div class="entry-content"><p>Body text.</p></div></article>'
    )
    home, body = found
    assert home.flags & IN_NAV and home.flags & IN_LIST and not home.flags & IN_ARTICLE
    assert body.flags & IN_ARTICLE and not body.flags & IN_NAV
    assert body.keywords_all & (1 << KEYWORD_NAMES.index("content"))
    assert home.keywords_all & (1 << KEYWORD_NAMES.index("nav"))


# ----------------------------------------------------------------------------- links and tables


def test_link_characters_are_counted() -> None:
    (block,) = blocks('<p>Read <a href="/a">the first</a> and <a href="/b">second</a> story</p>')
    assert block.text == "Read the first and second story"
    assert block.n_links == 2
    assert block.link_chars == len("the first") + len("second")
    (plain,) = blocks("<p>no links here</p>")
    assert plain.link_chars == 0 and plain.n_links == 0
    (nav,) = blocks('<div><a href="/x">all link</a></div>')
    assert nav.link_chars == len(nav.text)


def test_a_link_around_blocks_is_counted_in_none_whatever_the_whitespace() -> None:
    compact = '<div><a href="/x"><div><h3>Card title</h3><p>Card text</p></div></a>x <a>y</a></div>'
    spaced = (
        '<div>\n  <a href="/x">\n    <div>\n      <h3>Card title</h3>\n      <p>Card text</p>\n'
        "    </div>\n  </a>x <a>y</a>\n</div>"
    )
    for html in (compact, spaced):
        title, text, tail = blocks(html)
        assert (title.n_links, text.n_links, tail.n_links) == (0, 0, 1), html
        assert title.link_chars == len("Card title") and tail.link_chars == 1


def test_pretty_printing_does_not_change_the_blocks() -> None:
    """A page re-serialised with indentation (an archive, a sanitiser) gives the same blocks."""
    compact = (
        '<html><body><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li>'
        '</ul></nav><main><article><h1>Title</h1><p>First <b>bold</b> <i>words</i> here.</p>'
        "<span></span><pre><code>x = 1\n  y = 2</code></pre><p>Last.</p></article></main></body></html>"
    )
    pretty = compact.replace("><", ">\n    <").replace("<code>x", "<code>x").replace(
        ">\n    <code>", "><code>"
    ).replace("</code>\n    </pre>", "</code></pre>").replace("<b>bold</b>\n    <i>", "<b>bold</b> <i>")

    def summary(html: str) -> list[tuple]:
        return [(b.text, b.tag, b.path, b.n_links, b.link_chars, b.flags) for b in blocks(html)]

    assert summary(pretty) == summary(compact)
    assert ("x = 1\n  y = 2", "pre") in [(t, tag) for t, tag, *_ in summary(compact)]


def test_keyword_groups_read_camel_case_and_squashed_classes() -> None:
    facts = AttributeFacts()
    _keyword_bits, _class_facts = facts.keyword_bits, facts.class_facts

    def bit(name: str) -> int:
        return 1 << KEYWORD_NAMES.index(name)

    assert _keyword_bits("mainContent") & bit("content")
    assert _keyword_bits("site-NAV x1") & bit("nav")
    assert _keyword_bits("entry-content") & bit("platform_content")  # squashed
    assert not _keyword_bits("navigate contentious") & (bit("nav") | bit("content"))
    assert _class_facts("btn sr-only")[1] and not _class_facts("btn srs-only")[1]
    # Customer reviews are a group of their own, apart from the product's description.
    assert _keyword_bits("reviewText") & bit("review") and not _keyword_bits("reviewText") & bit("product")
    assert _keyword_bits("product-description") & bit("product") and not _keyword_bits("product-description") & bit("review")


def _facts_word_by_word(value: str) -> tuple[int, bool]:
    """The definition, one class word at a time: its camel-case parts and its squashed form."""
    from classifier.extraction.dom import _ASSISTIVE_ONLY, _KEYWORD_BITS

    bits, assistive = 0, False
    for whole in value.split():
        for part in re.split(r"[^a-zA-Z]+|(?<=[a-z])(?=[A-Z])", whole):
            if len(part) > 1:
                bits |= _KEYWORD_BITS.get(part.lower(), 0)
        squashed = re.sub(r"[^a-zA-Z]+", "", whole).lower()
        bits |= _KEYWORD_BITS.get(squashed, 0)
        assistive = assistive or squashed in _ASSISTIVE_ONLY
    return bits, assistive


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["nav", "Bar", "main", "Content", "entry", "sr", "only", "visually", "hidden", "x", "A", "é"]),
        max_size=6,
    ).flatmap(lambda parts: st.tuples(st.just(parts), st.lists(st.sampled_from(["", "-", "_", " ", "1", "\t", "\x1c", "\x0b", "."]), min_size=len(parts), max_size=len(parts))))
)
def test_class_facts_equal_the_word_by_word_definition(parts_and_joints) -> None:
    from classifier.extraction.dom import _attribute_facts

    parts, joints = parts_and_joints
    value = "".join(part + joint for part, joint in zip(parts, joints))
    assert _attribute_facts(value) == _facts_word_by_word(value)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("navbrmcontesrlyhid-_ 1.\t\x1c\x1f\x0b\x85é")), max_size=40))
def test_lower_case_ascii_values_take_the_bytes_path_to_the_same_facts(value: str) -> None:
    # Lower-case ASCII values go through bytes tables, the rest through regular expressions:
    # both must give what the definition gives (whitespace as str.split() knows it included).
    from classifier.extraction.dom import _attribute_facts

    assert _attribute_facts(value) == _facts_word_by_word(value)


def test_table_cells_are_grouped_by_row() -> None:
    found = blocks(
        "<table><thead><tr><th>Name</th><th>Value</th></tr></thead>"
        "<tbody><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></tbody></table>"
        "<p>after</p>"
    )
    assert [b.text for b in found] == ["Name", "Value", "a", "1", "b", "2", "after"]
    rows = [b.row for b in found]
    assert rows[0] == rows[1] != rows[2] == rows[3] != rows[4] == rows[5]
    assert len({rows[0], rows[2], rows[4]}) == 3
    assert rows[6] == -1
    assert all(b.flags & IN_TABLE for b in found[:6]) and not found[6].flags & IN_TABLE


def test_element_totals_describe_containers() -> None:
    found, info = blocks_from_html('<div><p>abc</p><p>de <a href="#">fg</a></p></div>')
    first, second = found
    assert first.parent_element == second.parent_element
    container = first.parent_element
    assert info.elements.chars[container] == len("abc") + len("de fg")
    assert info.elements.link_chars[container] == 2
    assert info.elements.blocks[container] == 2


# ----------------------------------------------------------------------------- page evidence


def test_head_metadata_is_read() -> None:
    info = page(
        '<html lang="fr-CA"><head><title>  My\n Page  </title>'
        '<meta name="Author" content=" Ann Author ">'
        '<meta property="og:title" content="OG Title">'
        '<meta http-equiv="content-language" content="fr">'
        '<link rel="canonical" href=" https://example.com/a ">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H"}</script>'
        "</head><body><p>Hi</p></body></html>"
    )
    assert info.title == "My Page"
    assert info.language == "fr-CA"
    assert info.meta["author"] == "Ann Author"  # keys lower-cased, values stripped
    assert info.meta["og:title"] == "OG Title"
    assert info.meta["http-equiv:content-language"] == "fr"
    assert info.canonical == "https://example.com/a"
    assert info.json_ld == ['{"@type": "NewsArticle", "headline": "H"}']


def test_json_ld_in_body_is_read_and_other_scripts_are_not() -> None:
    info = page(
        '<body><p>x</p><script type="application/ld+json">{"@type": "Person"}</script>'
        '<script type="text/javascript">{"@type": "Nope"}</script></body>'
    )
    assert info.json_ld == ['{"@type": "Person"}']


def test_first_title_and_canonical_win() -> None:
    info = page(
        '<head><title>First</title><link rel="canonical" href="/one">'
        '<link rel="canonical" href="/two"></head><body><svg><title>Icon</title></svg></body>'
    )
    assert info.title == "First"
    assert info.canonical == "/one"


def test_page_counters() -> None:
    info = page(
        '<body><a href="/1">a</a><a href="/2">b</a><img src="x.png"><form><input></form>'
        '<time datetime="2024-05-01T10:00:00Z">May 1</time></body>'
    )
    assert info.n_links == 2
    assert info.n_images == 1
    assert info.n_forms == 1
    assert info.time_datetime == "2024-05-01T10:00:00Z"


def test_empty_page() -> None:
    assert parse("").root is not None
    found, info = blocks_from_html("")
    assert found == []
    assert info.title == "" and info.json_ld == [] and info.n_links == 0


def test_blocks_and_page_evidence_pickle_whole() -> None:
    import pickle

    walked = blocks_from_html(
        '<html lang="en"><head><title>T</title><meta name="author" content="A"></head>'
        '<body><nav><a href="/">Home</a></nav><p class="lead">Body text.</p></body></html>'
    )
    again = pickle.loads(pickle.dumps(walked))
    assert again == walked and again[1].elements == walked[1].elements and again[1].meta == {"author": "A"}


_CODE_PIECES = st.lists(
    st.tuples(st.sampled_from(["", "span", "b", "a"]), st.text(alphabet="fx().=, \t", min_size=1, max_size=4)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(_CODE_PIECES, st.sampled_from(["pre", "p>code"]))
def test_syntax_highlighted_code_reads_as_written(pieces, container: str) -> None:
    """Highlighters wrap each token of code in a span ("f", "(", "x", ")"): the block reads
    exactly the code, with no space between spans that the source does not have."""
    inner = "".join(f"<{tag}>{text}</{tag}>" if tag else text for tag, text in pieces)
    written = "".join(text for _, text in pieces)
    if container == "pre":
        found = texts(f"<pre>{inner}</pre>")
        expected = written.rstrip()
    else:
        found = texts(f"<p><code>{inner}</code></p>")
        expected = " ".join(written.split())
    assert found == ([expected] if expected.strip() else [])


# ----------------------------------------------------------------------------- serialisation


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCK_TREES, min_size=1, max_size=3), st.sampled_from(["  ", "\t", " \n "]))
def test_indenting_between_block_tags_changes_no_block(tree, indent: str) -> None:
    """What an archive or a sanitiser does to a page, re-serialising it with indentation
    between block tags, changes neither the blocks nor what the features read from them."""
    compact = "<html><body>" + "".join(tree_html(node, None) for node in tree) + "</body></html>"
    indented = "<html>\n<body>" + "".join(tree_html(node, indent) for node in tree) + "\n</body>\n</html>"

    def summary(html: str) -> list[tuple]:
        return [
            (b.text, b.tag, b.path, b.depth, b.n_links, b.link_chars, b.flags, b.keywords_all, b.row)
            for b in blocks(html)
        ]

    assert summary(indented) == summary(compact)


def test_the_attribute_facts_kept_between_pages_change_no_block() -> None:
    html = (
        '<div class="entry-content post-12"><p class="Lead sr-only">hidden</p>'
        '<ul class="nav"><li id="item-1">One</li><li id="item-2">Two</li></ul>'
        '<p class="mainContent">Body text.</p></div>'
    )
    facts = AttributeFacts()
    first, _ = blocks_from_html(html, facts)
    assert facts.classes and facts.segments and facts.keywords
    again, _ = blocks_from_html(html, facts)  # read from what was kept
    fresh, _ = blocks_from_html(html)
    assert first == again == fresh


def test_the_attribute_facts_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AttributeFacts, "MAX_ENTRIES", 3)
    facts = AttributeFacts()
    pages = [f'<div class="c{i} nav"><p id="x{i}">Text {i}.</p></div>' for i in range(10)]
    kept = [blocks_from_html(page, facts)[0] for page in pages]
    assert len(facts.classes) <= 3 and len(facts.keywords) <= 3 and len(facts.segments) <= 3
    assert kept == [blocks_from_html(page)[0] for page in pages]


def test_parse_reads_text_of_any_script_and_drops_lone_surrogates() -> None:
    # parse() encodes the page to UTF-8 itself (and counts the guards' '=' and '<' in those
    # bytes): text in other scripts comes through whole, lone surrogates are dropped as
    # selectolax drops them.
    html = "<p>" + "Привет 😀 " * 5_000 + "</p>" + '<b class="x">=</b>' * 100
    assert texts(html)[0].startswith("Привет 😀 Привет")
    assert parse("<p>lone \ud800 surrogate</p>").body.text() == "lone  surrogate"
