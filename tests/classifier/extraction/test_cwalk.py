"""The Cython walker (`classifier.extraction._cwalk`, which reads Lexbor's structs) gives the
same blocks and page evidence as the plain Python walker (`dom`, the reference) on every page in
data/ and on generated tag soup; it is used only after its self-check (`cwalk_check`), and a
failed check or PAGESIEVE_PURE_PYTHON gives another walker."""

from __future__ import annotations

import dataclasses
import gc
import gzip
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

import classifier.extraction.dom as dom
from classifier.extraction import compiled, cwalk_check, walk
from classifier.extraction.decode import decode_html
from tests.classifier.extraction.compiled_parts import unavailable
from tests.classifier.strategies import BLOCK_TREES, HOSTILE_PAGES, tree_html

DATA = Path(__file__).resolve().parents[3] / "data"
PAGE_SETS = {
    "wcxb-dev": sorted((DATA / "wcxb-dev" / "html").glob("*.html.gz")),
    "aeb": sorted((DATA / "aeb" / "html").glob("*.html.gz")),
    "farm": sorted((DATA / "farm" / "pages").glob("*.html.gz")),
    "examples": sorted((DATA / "examples").glob("*.html")),
}
# Under .ci/run a Cython walker that is not built (or stale) is a failure (`unavailable`); one
# that fails its self-check on the installed selectolax is skipped, as users then get another walker.


@pytest.fixture(scope="module")
def built() -> Any:
    """The built Cython walker's module, checked or not (else the test skips, or fails in CI)."""
    if importlib.util.find_spec("classifier.extraction._cwalk") is None:
        unavailable("the Cython walker is not built here (pip install -e . with a C compiler builds it)")
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    if not cwalk_check.built_from_these_sources(_cwalk):
        unavailable("the Cython walker was built from other sources (stale): pip install -e . builds it again")
    return _cwalk


@pytest.fixture(scope="module")
def cython(built: Any) -> Any:
    """The checked Cython walker (else the test skips, or fails in CI)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        walker = cwalk_check.checked_walker()
    if walker is None:
        import selectolax

        said = "; ".join(str(each.message) for each in caught)
        # Not a failure even in CI: a selectolax release whose structs differ gets the next
        # walker and a warning, which is what users get (CI runs the newest release).
        pytest.skip(f"the Cython walker is built but failed its self-check on selectolax {selectolax.__version__}: {said}")
    return walker


def _read(path: Path) -> str:
    raw = path.read_bytes()
    return decode_html(gzip.decompress(raw) if path.suffix == ".gz" else raw)


@pytest.mark.parametrize("name", sorted(PAGE_SETS))
def test_the_same_blocks_and_page_on_every_page_in_data(cython: Any, name: str) -> None:
    paths = PAGE_SETS[name]
    if not paths:
        pytest.skip(f"no pages of {name} in data/")
    differing = [path.name for path in paths if not _walked_alike(cython, _read(path))]
    assert not differing, f"{len(differing)} of {len(paths)} pages differ: {differing[:10]}"


def _walked_alike(cython: Any, html: str) -> bool:
    """The same blocks and page from both walkers, and the Cython walker's columns those that
    `dom.BlockColumns.of` reads from the blocks."""
    blocks, page, columns = cython.blocks_and_columns_from_html(html)
    expected = dom.BlockColumns.of(blocks)
    return (
        (blocks, page) == dom.blocks_from_html(html)
        and columns.numbers.tolist() == expected.numbers.tolist()
        and columns.path_ids.tolist() == expected.path_ids.tolist()
        and columns.path_keys == expected.path_keys
        and columns.numbers.flags.c_contiguous
        and columns.path_ids.flags.c_contiguous
    )


@pytest.mark.parametrize("kind", ["plain", "in use"])
def test_the_same_walk_with_shared_attribute_facts(cython: Any, kind: str) -> None:
    """One table of attribute facts kept across pages (as an Extractor keeps it), of dom's
    class or of the one `walk` gives (mypyc's when it is built)."""
    facts_compiled = dom.AttributeFacts() if kind == "plain" else walk.AttributeFacts()
    facts_plain = dom.AttributeFacts()
    for path in PAGE_SETS["wcxb-dev"][:40]:
        html = _read(path)
        assert cython.blocks_from_html(html, facts_compiled) == dom.blocks_from_html(html, facts_plain), path.name


def _same(cython: Any, html: str) -> None:
    assert repr(cython.blocks_from_html(html)) == repr(dom.blocks_from_html(html))
    assert _walked_alike(cython, html)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(BLOCK_TREES, min_size=1, max_size=3),
    st.sampled_from([None, " ", "\n\t"]),
    st.sampled_from(["", "<noscript>", '<div class="sr-only">', '<table><tr><td class="mainContent">', "<pre>"]),
)
def test_the_same_on_trees_of_blocks(cython: Any, tree: list, indent: str | None, opener: str) -> None:
    _same(cython, "<html><body>" + opener + "".join(tree_html(node, indent) for node in tree) + "</body></html>")


# Tag soup: start and end tags of every kind the walker treats apart (and custom ones, with
# short and long names), in any order and unbalanced, attributes in any case and with or
# without values, text with entities, invisible and non-ASCII characters, comments, raw "<".
_NAMES = st.sampled_from(
    (
        "p div span a li ul ol td tr th table tbody h1 h3 pre code br wbr img picture time meta link title "
        "script style noscript iframe svg math template form input select textarea button label nav footer "
        "aside article main header html head body b em q figure figcaption details summary address "
        "dialog noembed frameset frame base search listing plaintext xmp x-card my-custom-element-long-name Div P"
    ).split()
)
_ATTRIBUTES = st.lists(
    st.tuples(
        st.sampled_from(
            "class id href lang name property content rel datetime type hidden style aria-hidden role "
            "itemprop http-equiv CLASS Id data-x x-custom-attribute-long-name".split()
        ),
        st.none()
        | st.sampled_from(["", " ", "nav", "sr-only", "canonical", "main-content post-12", "application/ld+json"])
        | st.sampled_from(["display:none", "true", "navigation", "og:title", "a#b", "Main Content", "ünï"]),
    ),
    max_size=4,
)
_TOKENS = st.one_of(
    st.tuples(_NAMES, _ATTRIBUTES).map(
        lambda tag: "<" + tag[0] + "".join(f" {name}" if value is None else f' {name}="{value}"' for name, value in tag[1]) + ">"
    ),
    _NAMES.map(lambda name: f"</{name}>"),
    st.text(alphabet="ab é中 \n\t\u00ad\u200b&;<>#\"'", max_size=12),
    # Whitespace str.split() knows beyond ASCII, the other invisible characters, lone surrogates.
    st.text(alphabet="a \u00a0\u2003\u3000\x85\x1c\u200a\u2028\u205f\u1680\u202f\u2060\ufeff\ud800", max_size=8),
    st.sampled_from(["&amp;", "&nbsp;", "&lt;p&gt;", "<!-- c -->", "<!DOCTYPE html>", "<br/>", "<iframe/>", "\x00"]),
    st.sampled_from(['{"@type": "Article"}', "</script>", "<script type=application/ld+json>", "<title>T"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=30))
def test_the_same_on_tag_soup(cython: Any, tokens: list[str]) -> None:
    _same(cython, "".join(tokens))


# Values of the attributes the Cython walker reads from their bytes when they are ASCII (style,
# aria-hidden, id, itemprop, class), near and far from what they are tested for, in any case,
# and with characters that are not ASCII (which `re.IGNORECASE` may fold into ASCII letters: "ſ").


_CASES = st.sampled_from([str.lower, str.upper, str.capitalize, str.title])


def _cased(words: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(words), _CASES | st.just(lambda word: word[:2].upper() + word[2:])).map(lambda pair: pair[1](pair[0]))


_STYLES = st.tuples(
    _cased(["display", "visibility", "color", "di\u017fplay"]),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from([":", "", "="]),
    st.sampled_from(["", " ", "\u00a0"]),
    _cased(["none", "hidden", "block", "non", "hidde", "é"]),
    st.sampled_from(["", ";", "; color: red"]),
).map("".join)
_KEYWORD_VALUES = st.lists(
    st.tuples(st.sampled_from(["nav", "mainContent", "sr-only", "footer", "sidebar", "comment", "articleBody", "x", "é", "中"]), _CASES),
    max_size=4,
).flatmap(
    lambda words: st.sampled_from([" ", "-", "_", "2", "\u00a0"]).map(lambda separator: separator.join(case(word) for word, case in words))
)
# Link targets: the part before "#", stripped of whitespace, ASCII or not.
_HREFS = st.tuples(
    st.sampled_from(["", " ", "\t", "\x1c", "\u00a0", "\u3000", "\u2003 "]),
    st.sampled_from(["", "/a", "https://x.example/\u00e9t\u00e9", "\u4e2d", "a b"]),
    st.sampled_from(["", "#", "#top", " #x", "\u00a0#y"]),
    st.sampled_from(["", " ", "\n", "\u00a0", "\u2003"]),
).map("".join)
_READ_ATTRIBUTES = st.lists(
    st.tuples(st.just("style"), _STYLES)
    | st.tuples(st.just("href"), _HREFS)
    | st.tuples(st.just("aria-hidden"), st.sampled_from(["true", "True", "TRUE", " true", "true ", "tru", ""]))
    | st.tuples(st.sampled_from(["id", "itemprop", "class", "role"]), _KEYWORD_VALUES),
    min_size=1,
    max_size=4,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["div", "p", "li", "span", "a", "section"]), _READ_ATTRIBUTES), min_size=1, max_size=4))
def test_the_same_on_attribute_values_read_as_bytes(cython: Any, elements: list[tuple[str, list[tuple[str, str]]]]) -> None:
    html = "".join(
        f"<{tag}" + "".join(f' {name}="{value}"' for name, value in attributes) + f">text of {tag} {k}</{tag}>"
        for k, (tag, attributes) in enumerate(elements)
    )
    _same(cython, f"<div>{html}<p>after</p></div>")


@pytest.mark.parametrize("html", [*HOSTILE_PAGES, pytest.param(cwalk_check.PROBE_PAGE, id="probe")])
def test_the_same_on_bad_input(cython: Any, html: str) -> None:
    _same(cython, html)


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<p " + " ".join(f"a{i}=x" for i in range(25_000)) + ">a giant tag</p><p>after it</p>", id="giant-tag"),
        pytest.param("<p>" + "<b>" * 21_000 + "deep</p><p>after it</p>", id="deep"),
        pytest.param("<p>" + "a=b " * 30_000 + "</p>", id="many-equals-in-text"),
    ],
)
def test_pages_past_the_parse_guards_are_repaired_as_dom_repairs_them(cython: Any, html: str) -> None:
    _same(cython, html)


# Runs of ASCII of every length around the encoder's blocks (16, 8, 4 and 2 characters), and
# characters of every UTF-8 length, lone surrogates (dropped) and the edges of each range.
_ASCII_RUNS = st.text(st.characters(max_codepoint=0x7F), max_size=40)
_OTHER_CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x80, max_codepoint=0xFF),
    st.characters(min_codepoint=0x100, max_codepoint=0xFFFF, blacklist_categories=()),
    st.characters(min_codepoint=0x10000, blacklist_categories=()),
    st.sampled_from(["\x7f", "\x80", "\xff", "\u07ff", "\u0800", "\ud7ff", "\ud800", "\udfff", "\ue000", "\uffff", "\U00010000", "\U0010ffff"]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(_ASCII_RUNS, st.text(_OTHER_CHARACTERS, max_size=3)), max_size=8), _ASCII_RUNS)
def test_pages_are_encoded_as_str_encodes_them(built: Any, pieces: list[tuple[str, str]], tail: str) -> None:
    # Not through the checked walker: a wrong encoder fails the self-check, and the tests of
    # the walker are then skipped; this one fails.
    text = "".join(ascii_run + other for ascii_run, other in pieces) + tail
    assert built.utf8_of(text) == text.encode("utf-8", "ignore")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<", b"=", b"a", b"\xff", b"<" * 300, b"=" * 4100, b"x" * 17]), max_size=40))
def test_the_guards_count_bytes_as_bytes_count_does(built: Any, pieces: list[bytes]) -> None:
    # Runs of 300 and 4,100: past a byte-wide counter and past 255 blocks of sixteen bytes.
    data = b"".join(pieces)
    assert built.count_bytes(data, ord("="), ord("<")) == (data.count(b"="), data.count(b"<"))


@pytest.mark.parametrize(
    "html",
    ["<p>plain</p>", "<p>caf\u00e9 \u2019quoted\u2019 \U0001f600 \ud800</p>", "<p " + " ".join(f"a{i}=x" for i in range(25_000)) + ">giant</p>"],
)
def test_the_parse_gives_the_tree_dom_gives(cython: Any, html: str) -> None:
    assert cython.parse(html).html == dom.parse(html).html
    utf8 = html.encode("utf-8", "ignore")
    assert cython.parse(html, utf8).html == dom.parse(html, utf8).html


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=12), st.sampled_from(["p", "pre", "a href=x"]))
def test_the_same_on_text_that_is_not_utf8(cython: Any, octets: bytes, opener: str) -> None:
    # Lexbor keeps bytes that are not UTF-8 in its text nodes (a page parsed from bytes): the
    # Cython walker, which lays text out as bytes, must read them as selectolax decodes them.
    raw = b"<div><" + opener.encode() + b">a" + octets + b"\xed\xa0\x80 \xe2\x80\x83b\xc3</" + opener.split()[0].encode() + b"> c</div>"
    assert repr(cython.walk(LexborHTMLParser(raw))) == repr(dom.walk(LexborHTMLParser(raw)))
    link = b"<a href='" + octets + b" /x" + octets + b"#" + octets + b"'>link</a>"  # an href of bytes that may not be UTF-8
    assert repr(cython.walk(LexborHTMLParser(link))) == repr(dom.walk(LexborHTMLParser(link)))


def test_a_tree_of_another_parser_is_walked_by_dom(cython: Any) -> None:
    """Only a LexborHTMLParser's nodes are read as Lexbor's structs; anything else goes to dom."""
    from types import SimpleNamespace

    tree = SimpleNamespace(root=None)  # an empty tree of no Lexbor parser: never read as structs
    assert repr(cython.walk(tree)) == repr(dom.walk(tree)) == repr(([], dom.PageInfo()))


def test_the_walker_in_use_is_the_cython_one(cython: Any) -> None:
    if os.environ.get(walk.PURE_PYTHON_VARIABLE):
        assert walk.KIND == walk.PYTHON and walk.blocks_from_html is dom.blocks_from_html
    elif os.environ.get(walk.WALKER_VARIABLE):
        pytest.skip(f"{walk.WALKER_VARIABLE} chose the walker")
    else:
        assert walk.KIND == walk.CYTHON and walk.COMPILED
        assert walk.RawBlock is dom.RawBlock


def test_the_variable_turns_the_cython_walker_off(cython: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(walk.PURE_PYTHON_VARIABLE, "1")
    assert walk.cython_walker() is None
    assert walk.choose(None) == (walk.PYTHON, dom)
    assert walk.choose(walk.CYTHON) == (walk.PYTHON, dom)


def test_a_layout_that_does_not_fit_falls_back_with_a_warning(cython: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    def mismatch(probe: str) -> None:
        raise _cwalk.LayoutMismatch("next of '-text'")

    monkeypatch.setattr(_cwalk, "learn_layout", mismatch)
    with pytest.warns(UserWarning, match="does not fit this selectolax"):
        assert cwalk_check.checked_walker() is None
    monkeypatch.delenv(walk.PURE_PYTHON_VARIABLE, raising=False)
    monkeypatch.delenv(walk.WALKER_VARIABLE, raising=False)
    with pytest.warns(UserWarning):
        assert walk.choose(walk.CYTHON) == (walk.PYTHON, dom)


def test_blocks_are_made_by_writing_their_fields(cython: Any) -> None:
    """The walker makes `dom.RawBlock`s without running their `__init__` (on this CPython and
    this `dom`): whole objects, which the garbage collector tracks, held by the list alone."""
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    assert _cwalk.learn_layout(cwalk_check.PROBE_PAGE).writes_blocks
    blocks, _ = cython.blocks_from_html('<p class="x">one</p><div>two</div><li id="y">three</li>')
    assert [type(block) for block in blocks] == [dom.RawBlock] * 3
    assert [block.text for block in blocks] == ["one", "two", "three"]
    assert all(gc.is_tracked(block) for block in blocks)
    made_by_the_class, _ = dom.blocks_from_html('<p class="x">one</p><div>two</div><li id="y">three</li>')
    # Held by the list alone, as a block the class made (counted outside the assert, where
    # pytest would hold one more).
    references, expected = sys.getrefcount(blocks[1]), sys.getrefcount(made_by_the_class[1])
    assert references == expected


@pytest.mark.parametrize("change", ["code after __init__", "an __init__ of its own"])
def test_a_block_class_that_is_not_only_its_fields_is_called(cython: Any, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    names = [each.name for each in dataclasses.fields(dom.RawBlock)]
    if change == "code after __init__":
        block_class = dataclasses.make_dataclass("RawBlock", names, slots=True, namespace={"__post_init__": lambda self: None})
    else:
        block_class = dataclasses.make_dataclass("RawBlock", names, slots=True, init=False)

        def __init__(self: Any, *values: Any) -> None:
            for name, value in zip(names, values):
                setattr(self, name, str(value).upper())

        block_class.__init__ = __init__  # type: ignore[misc]
    monkeypatch.setattr(_cwalk, "RawBlock", block_class)
    assert not _cwalk.learn_layout(cwalk_check.PROBE_PAGE).writes_blocks


def test_a_walker_that_walks_the_probe_otherwise_falls_back_with_a_warning(cython: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cwalk_check, "_walked", lambda walker, html: "dom" if walker is dom else "something else")
    with pytest.warns(UserWarning, match="walks the probe page differently"):
        assert cwalk_check.checked_walker() is None


def test_a_build_of_other_sources_is_not_used(cython: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: "0" * 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # silently, as a stale mypyc build
        assert cwalk_check.checked_walker() is None
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: None)  # no sources beside it
    assert cwalk_check.checked_walker() is not None


def test_the_layout_check_wants_every_attribute_on_the_probe(cython: Any) -> None:
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    with pytest.raises(_cwalk.LayoutMismatch, match="no attribute"):
        _cwalk.learn_layout("<p class=x>text</p>")


@pytest.fixture(scope="module")
def keywords(cython: Any) -> Any:
    """The Cython walker's table of keyword facts (`_attribute_facts.pxi`)."""
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    return _cwalk.learn_layout(cwalk_check.PROBE_PAGE).keywords


_WORDS = sorted(dom._KEYWORD_WORDS | dom._ASSISTIVE_ONLY)
_SEPARATORS = st.sampled_from([" ", "-", "_", "--", "2", " \t", "\n", "\x1c", "\x0b", ":", "é", "A", ""])


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_WORDS) | st.text(alphabet="abcsronlyxHTML", max_size=6), _CASES, _SEPARATORS),
        max_size=6,
    )
    | st.lists(st.tuples(st.text(alphabet="aBb -_\t\x1f1Zé", max_size=5), _CASES, _SEPARATORS), max_size=4)
)
def test_keyword_facts_of_values_as_dom_computes_them(keywords: Any, parts: list[tuple[str, Any, str]]) -> None:
    value = "".join(case(word) + separator for word, case, separator in parts)
    found = keywords.facts(value)
    if value.isascii():
        assert found == dom._attribute_facts(value), repr(value)
    else:
        assert found is None  # the walker asks dom for these


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["div", "li", "search", "x-custom", "a-custom-element-with-a-much-longer-name"]),
    st.none() | st.text(alphabet="ab1 2-\t\x1c\u00a0é", max_size=50) | st.text(alphabet="aB9 \t\n\x0b\x1f#.", max_size=90),
    st.none() | st.text(alphabet="ab1 2-_\t\n\u2003é", max_size=60) | st.text(alphabet="aB9 \t\n\x0b\x1f#.", max_size=120),
)
def test_path_segments_as_dom_makes_them(cython: Any, tag: str, element_id: str | None, classes: str | None) -> None:
    from classifier.extraction import _cwalk  # type: ignore[attr-defined]

    expected = dom._path_segment(tag, element_id, classes)
    assert _cwalk.path_segment(tag, element_id, classes) == expected
    in_c = _cwalk.ascii_path_segment(tag, element_id, classes)
    assert in_c == (expected if all((text or "").isascii() for text in (tag, element_id, classes)) else None)
