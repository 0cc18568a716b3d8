"""Parse and walk: HTML text -> text blocks (`RawBlock`) and page evidence (`PageInfo`).

One pass over the Lexbor tree (selectolax), iterative so any nesting depth is safe. Subtrees that
are never content (script, style, template, svg, ...) are skipped without being entered, except
that JSON-LD scripts and `<head>` tags are read for metadata on the way. `<noscript>` is unwrapped,
not removed: some forums put the whole thread inside it (see docs/block-oracle.md).

A block ends at every block-level boundary. Each block carries its text, tag, DOM path with
class/id tokens, depth, position, link text and flags for the structures it sits in; each
block-level element's subtree totals (characters, link characters, blocks) are recorded so the
features can describe a block's containers without a second scan. The features read the
blocks' numbers as arrays (`BlockColumns`).

Facts read off class, id and itemprop values are computed once per distinct value and kept in
an `AttributeFacts` that the caller holds (one per `classifier.Extractor`), so a crawl's
repeated class names cost one look-up each; they are pure functions of the value, so the
output never depends on what was kept.

This module is also compiled by mypyc when the package is installed (setup.py);
`classifier.extraction.walk` chooses the compiled copy when it was built from this very file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
from selectolax.lexbor import LexborHTMLParser

# Never content: not entered at all.
SKIPPED_TAGS = frozenset(
    {
        "script", "style", "template", "svg", "math", "iframe", "frame", "frameset", "canvas",
        "object", "embed", "select", "textarea", "audio", "video", "map", "head", "title",
        "meta", "link", "base", "input", "img", "picture", "source", "track", "param", "area",
        "noembed", "noframes", "dialog",
    }
)  # fmt: skip
BLOCK_TAGS = frozenset(
    {
        "html", "body", "address", "article", "aside", "blockquote", "caption", "center", "dd",
        "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li",
        "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead",
        "tfoot", "td", "th", "tr", "ul", "noscript", "button", "option", "optgroup", "output",
        "search", "listing", "plaintext", "xmp",
    }
)  # fmt: skip
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_PATH_SEGMENTS = 8
_MAX_JSON_LD_CHARS = 1_000_000
_MAX_META_ENTRIES = 400

# Structural flags: what a block sits in (bit positions are part of FEATURE_VERSION).
IN_LIST = 1 << 0
IN_TABLE = 1 << 1
IN_HEADING = 1 << 2
IN_FORM = 1 << 3
IN_ARTICLE = 1 << 4
IN_MAIN = 1 << 5
IN_NAV = 1 << 6
IN_HEADER = 1 << 7
IN_FOOTER = 1 << 8
IN_ASIDE = 1 << 9
IN_PRE = 1 << 10
IN_BLOCKQUOTE = 1 << 11
IN_FIGURE = 1 << 12
IN_BUTTON = 1 << 13
IN_HIDDEN = 1 << 14
IN_NOSCRIPT = 1 << 15
IN_DETAILS = 1 << 16
IN_ADDRESS = 1 << 17
IN_TIME = 1 << 18
IN_CODE = 1 << 19
IN_EMPHASIS = 1 << 20
FLAG_NAMES = (
    "list", "table", "heading", "form", "article", "main", "nav", "header", "footer", "aside",
    "pre", "blockquote", "figure", "button", "hidden", "noscript", "details", "address", "time",
    "code", "emphasis",
)  # fmt: skip

_TAG_FLAGS = {
    "li": IN_LIST, "ul": IN_LIST, "ol": IN_LIST, "dl": IN_LIST, "dd": IN_LIST, "dt": IN_LIST,
    "menu": IN_LIST | IN_NAV, "table": IN_TABLE, "h1": IN_HEADING, "h2": IN_HEADING,
    "h3": IN_HEADING, "h4": IN_HEADING, "h5": IN_HEADING, "h6": IN_HEADING, "form": IN_FORM,
    "fieldset": IN_FORM, "label": IN_FORM, "article": IN_ARTICLE, "main": IN_MAIN,
    "nav": IN_NAV, "header": IN_HEADER, "footer": IN_FOOTER, "aside": IN_ASIDE, "pre": IN_PRE,
    "blockquote": IN_BLOCKQUOTE, "q": IN_BLOCKQUOTE, "figure": IN_FIGURE,
    "figcaption": IN_FIGURE, "button": IN_BUTTON, "noscript": IN_NOSCRIPT,
    "details": IN_DETAILS, "summary": IN_DETAILS, "address": IN_ADDRESS, "time": IN_TIME,
    "code": IN_CODE, "kbd": IN_CODE, "samp": IN_CODE, "tt": IN_CODE, "strong": IN_EMPHASIS,
    "b": IN_EMPHASIS, "em": IN_EMPHASIS, "i": IN_EMPHASIS, "listing": IN_PRE,
    "plaintext": IN_PRE, "xmp": IN_PRE,
}  # fmt: skip
_ROLE_FLAGS = {
    "navigation": IN_NAV, "menu": IN_NAV, "menubar": IN_NAV, "banner": IN_HEADER,
    "contentinfo": IN_FOOTER, "complementary": IN_ASIDE, "main": IN_MAIN, "article": IN_ARTICLE,
    "search": IN_FORM, "form": IN_FORM, "button": IN_BUTTON, "dialog": IN_HIDDEN,
    "alertdialog": IN_HIDDEN, "tablist": IN_NAV, "list": IN_LIST, "listitem": IN_LIST,
}  # fmt: skip

# Keyword groups over class/id/role/itemprop tokens. The bit order is part of FEATURE_VERSION.
KEYWORD_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("nav", frozenset((
        "nav navbar navigation menu menus submenu megamenu breadcrumb breadcrumbs crumbs pagination "
        "pager paging toc tabs tab skip jump dropdown"
    ).split())),
    ("header", frozenset("header masthead topbar banner branding logo brand head".split())),
    ("footer", frozenset("footer foot bottom copyright colophon legal imprint".split())),
    ("sidebar", frozenset("sidebar aside widget widgets rail side secondary sidenav sidecol complementary".split())),
    ("comment", frozenset("comment comments reply replies respond discussion disqus feedback".split())),
    ("social", frozenset("share sharing social follow facebook twitter linkedin whatsapp pinterest reddit sharethis addthis".split())),
    ("ad", frozenset((
        "ad ads adv advert adverts advertisement advertising adsense adslot sponsor sponsored promo "
        "promoted promotion dfp gpt outbrain taboola affiliate"
    ).split())),
    ("related", frozenset((
        "related recommended recommendation recommendations popular trending more suggested also "
        "latest recent teaser teasers readmore upnext"
    ).split())),
    ("content", frozenset((
        "content contents article post entry story body text main blog prose rte richtext wysiwyg "
        "paragraph copy articlebody postbody entrycontent maincontent"
    ).split())),
    ("meta", frozenset((
        "meta byline author authors date time timestamp published updated tag tags category "
        "categories info dateline posted"
    ).split())),
    ("popup", frozenset((
        "cookie cookies consent gdpr newsletter subscribe subscription signup modal popup overlay "
        "notice alert paywall banner lightbox"
    ).split())),
    ("hidden", frozenset((
        "hidden hide invisible offscreen sronly screenreader visuallyhidden screenreadertext dnone "
        "collapsed clipped"
    ).split())),
    ("product", frozenset((
        "product products price pricing description details detail specs specification "
        "specifications features feature attributes"
    ).split())),
    # Customer reviews are not the product's description: a group of their own.
    ("review", frozenset("review reviews reviewer rating ratings testimonial testimonials stars".split())),
    ("forum", frozenset("message messages thread topic bbcode quote signature user username avatar profile postmessage forum".split())),
    ("card", frozenset("card cards tile tiles grid item items list listing thumb thumbnail excerpt summary teaser collection".split())),
    ("title", frozenset("title headline heading hero subtitle".split())),
    ("media", frozenset("caption credit figure image img photo gallery media video slider carousel".split())),
    ("docs", frozenset("doc docs documentation markdown api reference code highlight syntax language".split())),
    ("form", frozenset("form search login signin input field button btn cta newsletter searchbox".split())),
    ("faq", frozenset("faq faqs accordion question answer answers questions".split())),
    # Headline tickers and "most read" boxes of news portals.
    ("ticker", frozenset((
        "ticker newsticker breaking breakingnews marquee mostread mostpopular mostviewed mostshared "
        "mostcommented topstories headlines newsfeed livefeed latestnews morenews moreheadlines"
    ).split())),
    # Whole class names (squashed: "entry-content" -> entrycontent) of common publishing
    # platforms and themes: WordPress, Drupal, Shopify, BigCommerce, WooCommerce, Discourse,
    # XenForo, vBulletin, phpBB, MediaWiki, Sphinx, MkDocs, Docusaurus, GitHub, Stack Exchange.
    ("platform_content", frozenset(
        "entrycontent postcontent articlecontent articlebody storybody postbody blogpostbody "
        "singlecontent thecontent tdpostcontent wpblockpostcontent markdownbody mdcontent "
        "mwparseroutput bbwrapper messagebody cooked postmessage postcontent messagetext "
        "contentbody fieldnamebody fieldnamebody nodecontent productdescription "
        "productdescriptioncontent productviewdescription productsingledescription "
        "woocommerceproductdetailsshortdescription woocommercetabspaneldescription rte prose "
        "articlebodytext carticlebody articletext storytext richtext bodycopy doccontent "
        "themedocmarkdown rstcontent sprose jspostbody postcell answercell postbodytext "
        "entrybody articlepage mainarticle maincontent contentarea pagecontent bodytext "
        "wysiwygcontent textcontent sectioncontent documentcontent".split())),
    ("platform_chrome", frozenset(
        "sharedaddy jprelatedposts yarpprelated relatedposts wpblocklatestposts widgetarea "
        "sitefooter siteheader cookienotice ccwindow onetrust newslettersignup breadcrumbs "
        "breadcrumb pagination postnavigation navlinks commentrespond commentsarea sharebuttons "
        "socialshare addtoany akit elementornavmenu menuitem navbar megamenu skiplink "
        "sitebranding widgetrecententries tagcloud tagslinks catlinks postmeta entrymeta "
        "entryfooter sitenav mainnav primarymenu footerwidgets footernav headernav topbar "
        "cookiebanner cookieconsent gdprbanner adcontainer adslot adwrapper sidebarwidget "
        "relatedarticles relatedstories morestories readmore recommended trendingposts "
        "socialicons sociallinks shareicons authorbox aboutauthor commentlist".split())),
)  # fmt: skip
KEYWORD_NAMES = tuple(name for name, _ in KEYWORD_GROUPS)
_KEYWORD_BITS: dict[str, int] = {}
for _bit, (_name, _words) in enumerate(KEYWORD_GROUPS):
    for _word in _words:
        _KEYWORD_BITS[_word] = _KEYWORD_BITS.get(_word, 0) | (1 << _bit)
_KEYWORD_WORDS = frozenset(_KEYWORD_BITS)
_ASSISTIVE_ONLY = frozenset(
    "sronly visuallyhidden screenreadertext screenreaderonly screenreader readeronly "
    "assistivetext hiddenaccessible accessiblehidden ahiddenvisually clipped offscreen "
    "visuallyhiddenfocusable srtext a11yhidden uiaccessible hiddenvisually elementinvisible".split()
)
# The words of class/id text: runs of ASCII letters, cut where a lower-case letter meets an
# upper-case one ("mainContent" -> main, Content; "HTMLParser" stays whole), and each
# whitespace-separated class with its non-letters removed ("sr-only" -> sronly).
_CAMEL_TOKEN = re.compile(r"[A-Z]*[a-z]+|[A-Z]+")
_NON_LETTERS_OR_SPACE = re.compile(r"[^a-zA-Z\s]+")
# The same for lower-case ASCII values, as bytes: the characters to delete (neither letters
# nor whitespace, as str.split() and re's \s know it), a table for the whitespace that
# str.split() knows and bytes.split() does not (\x1c-\x1f), and one turning non-letters into
# spaces.
_ASCII_NON_LETTERS_OR_SPACE = bytes(c for c in range(128) if not (chr(c).isalpha() or chr(c).isspace()))
_ASCII_SEPARATORS_TO_SPACE = bytes(32 if c < 128 and chr(c).isspace() else c for c in range(256))
_ASCII_NON_LETTERS_TO_SPACE = bytes(c if c < 128 and chr(c).isalpha() else 32 for c in range(256))
_KEYWORD_WORDS_ASCII = frozenset(word.encode() for word in _KEYWORD_WORDS)
_KEYWORD_BITS_ASCII = {word.encode(): bits for word, bits in _KEYWORD_BITS.items()}
_ASSISTIVE_ONLY_ASCII = frozenset(word.encode() for word in _ASSISTIVE_ONLY)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# Characters that are never seen: soft hyphen, zero-width space, word joiner, zero-width
# no-break space. Left in, they split words for search ("Geschlechts\xadeintrag"). Zero-width
# (non-)joiners stay: they change how Persian, Indic and emoji text renders.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
MAX_TAG_CHARS = 32_768
MAX_UNCLOSED_TAGS = 20_000
_EQUALS, _LESS_THAN = ord("="), ord("<")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9:-]{0,40}")
# The patterns over raw HTML never scan across a "<" for a tag's ">", and an unclosed script
# runs to the end of the page (as in HTML): each match attempt is then bounded, so a page of
# unclosed tags costs linear time, not quadratic (30,000 of them took minutes).
_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style)\b[^<>]*>.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_SELF_CLOSING_IFRAME = re.compile(r"<iframe\b([^<>]*?)/\s*>", re.IGNORECASE)
# The name is possessive (`*+`): the attributes' `[^<>]*` could otherwise take any share of a
# long unclosed name, and every split would be tried. The rare "<" inside an attribute value
# costs this estimate of the nesting depth a miscount.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*+)([^<>]*)>")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|h[1-6]|br|tr|td|th|table|section|article|header|footer|nav|aside|"
    r"blockquote|pre|main|form|dd|dt|dl)\b[^<>]*>",
    re.IGNORECASE,
)
MAX_DEPTH = 2_000
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


class _PickledByFields:
    """Pickled as a call of its class with its fields, not as its memory layout (the compiled
    walker's classes keep their fields in a layout of their own): what the plain walker
    pickled loads anywhere, as the plain classes, and reads the same."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, each.name) for each in fields(self))  # type: ignore[arg-type]


@dataclass(slots=True)
class RawBlock(_PickledByFields):
    """A block as the walker emits it: text and where it sits; no model verdict yet."""

    index: int
    text: str
    tag: str
    path: str  # the tags, ids and first two classes of its last 8 block-level ancestors
    path_key: str  # the path without the digits of ids and classes: what repeated items share
    depth: int
    link_chars: int
    n_links: int
    flags: int  # IN_* bits of all ancestors
    keywords_all: int  # keyword-group bits of all ancestors' class/id tokens
    keywords_near: int  # keyword-group bits of the block element and its two parents
    own_element: int  # sequence number of the block-level element that holds the text
    parent_element: int
    grandparent_element: int
    row: int  # sequence number of the enclosing <tr>, or -1


# The numbers of a block that the features read, in the order of `BlockColumns.numbers`.
BLOCK_NUMBER_FIELDS = (
    "n_links", "link_chars", "depth", "flags", "keywords_all", "keywords_near", "own_element",
    "parent_element", "grandparent_element", "row",
)  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class BlockColumns:
    """A page's blocks' numbers as arrays, for the features: `numbers[b, k]` is block b's
    `BLOCK_NUMBER_FIELDS[k]`, `path_ids[b]` the number of its `path_key` (by first appearance)
    and `path_keys` the distinct keys in that order. The compiled walker fills them as it makes
    the blocks; `of` reads them back from the blocks."""

    numbers: np.ndarray  # int64, (n_blocks, len(BLOCK_NUMBER_FIELDS))
    path_ids: np.ndarray  # int64
    path_keys: list[str]

    @classmethod
    def of(cls, blocks: Sequence[RawBlock]) -> BlockColumns:
        width = len(BLOCK_NUMBER_FIELDS)
        numbers_of = attrgetter(*BLOCK_NUMBER_FIELDS)
        numbers = np.fromiter(chain.from_iterable(map(numbers_of, blocks)), np.int64, len(blocks) * width)
        lookup: dict[str, int] = {}
        path_ids = np.fromiter((lookup.setdefault(block.path_key, len(lookup)) for block in blocks), np.int64, len(blocks))
        return cls(numbers.reshape(len(blocks), width), path_ids, list(lookup))


@dataclass(slots=True)
class ElementTotals(_PickledByFields):
    """Subtree totals of every block-level element, indexed by its sequence number."""

    chars: list[int] = field(default_factory=list)
    link_chars: list[int] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)  # enclosing block-level element, or -1
    anchors: list[int] = field(default_factory=list)  # <a> elements in the subtree
    headings: list[int] = field(default_factory=list)  # heading blocks in the subtree
    first_block: list[int] = field(default_factory=list)  # index of the first block in the subtree


@dataclass(slots=True)
class PageInfo(_PickledByFields):
    """Page-level evidence gathered during the walk (for metadata, features and the scorer)."""

    title: str = ""
    language: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased name/property -> content
    canonical: str = ""
    json_ld: list[str] = field(default_factory=list)  # raw JSON-LD script texts
    time_datetime: str = ""
    n_links: int = 0
    n_images: int = 0
    n_forms: int = 0
    elements: ElementTotals = field(default_factory=ElementTotals)
    # Every <a href>: its target (without the fragment) and the index of the block its text
    # starts in, in document order.
    link_targets: list[str] = field(default_factory=list)
    link_blocks: list[int] = field(default_factory=list)


def _cap_long_tags(html: str) -> str:
    """Drop the attributes of start tags longer than `MAX_TAG_CHARS` (Lexbor is quadratic in
    the number of attributes of one tag: 50,000 of them take half a minute). Linear: one split
    on ">" and one `rfind` per long piece."""
    pieces = html.split(">")
    changed = False
    for i, piece in enumerate(pieces):
        if len(piece) > MAX_TAG_CHARS:
            start = piece.rfind("<")
            if start >= 0 and len(piece) - start > MAX_TAG_CHARS:
                name = _TAG_NAME.match(piece, start + 1)
                if name:
                    pieces[i] = piece[:start] + "<" + name.group(0)
                    changed = True
    return ">".join(pieces) if changed else html


def _max_depth(html: str) -> int:
    """How deep the page's elements nest, from its tags alone (stray end tags close nothing;
    void elements never open). Linear; only run on pages with very many tags."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    deepest = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if open_count.get(name):
                while stack:
                    popped = stack.pop()
                    open_count[popped] -= 1
                    if popped == name:
                        break
        elif name not in _VOID_TAGS and not match.group(3).endswith("/"):
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            deepest = max(deepest, len(stack))
    return deepest


def _flatten(html: str) -> str:
    """Paragraphs of text only, for pages nested deeper than any real page (Lexbor's tree
    builder is quadratic in nesting depth: 100,000 open <div> take over a minute)."""
    text = _SCRIPT_OR_STYLE.sub(" ", html)
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", text))
    lines = (" ".join(line.split()) for line in text.replace("<", "&lt;").split("\n"))
    return "".join(f"<p>{line}</p>" for line in lines if line)


def parse(html: str, utf8: bytes | None = None) -> LexborHTMLParser:
    """Parse HTML with Lexbor after defusing inputs that would make it slow (giant tags,
    extreme nesting). `utf8`: the text's UTF-8 bytes, when the caller has them (a page read
    from UTF-8 bytes: `decode.decode_page`). `blocks_from_html` also repairs self-closed
    iframes."""
    # The UTF-8 bytes selectolax would make of the text (it encodes a str this very way), made
    # here so the guards count bytes with numpy: '=' and '<' are single bytes in UTF-8, and
    # str.count on a page of non-Latin-1 text costs six times as much.
    raw = html.encode("utf-8", "ignore") if utf8 is None else utf8
    octets = np.frombuffer(raw, dtype=np.uint8)
    repaired = html
    if np.count_nonzero(octets == _EQUALS) > MAX_UNCLOSED_TAGS:
        # only a page with that many attributes can hide a giant tag
        repaired = _cap_long_tags(repaired)
    if np.count_nonzero(octets == _LESS_THAN) > MAX_UNCLOSED_TAGS and _max_depth(repaired) > MAX_DEPTH:
        repaired = _flatten(repaired)
    if repaired is not html:
        raw = repaired.encode("utf-8", "ignore")
    return LexborHTMLParser(raw)


def _close_self_closed_iframes(html: str) -> str:
    """`<iframe .../>` as `<iframe ...></iframe>`: Lexbor (like the HTML standard) ignores the
    slash and reads the rest of the page as the iframe's raw text, where authors meant an
    empty iframe."""
    return _SELF_CLOSING_IFRAME.sub(r"<iframe\1></iframe>", html)


class AttributeFacts:
    """What the walker reads off attribute values, each computed once per distinct value: the
    keyword-group bits of class/id/itemprop text, whether a class marks screen-reader-only text,
    and an element's path segment. Bounded: each table is emptied when it reaches
    `MAX_ENTRIES` (the values are pure functions of their keys, so nothing else changes)."""

    MAX_ENTRIES = 65_536

    def __init__(self) -> None:
        self.keywords: dict[str, int] = {}
        self.classes: dict[str, tuple[int, bool]] = {}
        self.segments: dict[tuple[str, str | None, str | None], tuple[str, str]] = {}

    def keyword_bits(self, value: str) -> int:
        """Keyword-group bits of class/id text: each word ("mainContent" -> main, content) and
        each whole class squashed ("sr-only" -> sronly)."""
        bits = self.keywords.get(value)
        if bits is None:
            if len(self.keywords) >= self.MAX_ENTRIES:
                self.keywords.clear()
            bits = _attribute_facts(value)[0]
            self.keywords[value] = bits
        return bits

    def class_facts(self, classes: str) -> tuple[int, bool]:
        """The class attribute's keyword bits, and whether it marks text for screen readers
        only ("sr-only", "visually-hidden", ...), which is never shown."""
        facts = self.classes.get(classes)
        if facts is None:
            if len(self.classes) >= self.MAX_ENTRIES:
                self.classes.clear()
            facts = _attribute_facts(classes)
            self.classes[classes] = facts
        return facts

    def path_segment(self, tag: str, element_id: str | None, classes: str | None) -> tuple[str, str]:
        """`_path_segment` of an element, kept."""
        key = (tag, element_id, classes)
        found = self.segments.get(key)
        if found is None:
            if len(self.segments) >= self.MAX_ENTRIES:
                self.segments.clear()
            found = _path_segment(tag, element_id, classes)
            self.segments[key] = found
        return found


def _attribute_facts(value: str) -> tuple[int, bool]:
    # Set operations in C, then a loop over the few words that are keywords (all of two
    # letters or more, so one-letter words need no filtering). Most values are lower-case
    # ASCII ("entry-content post-123"): their words are their letter runs, found with bytes
    # tables, about twice as fast as the regular expressions the rest take.
    if value.isascii() and value.islower():
        raw = value.encode()
        squashed_bytes = raw.translate(_ASCII_SEPARATORS_TO_SPACE, _ASCII_NON_LETTERS_OR_SPACE).split()
        word_bytes = raw.translate(_ASCII_NON_LETTERS_TO_SPACE).split()
        found_bytes = _KEYWORD_WORDS_ASCII.intersection(word_bytes + squashed_bytes)
        bits = 0
        for keyword in found_bytes:
            bits |= _KEYWORD_BITS_ASCII[keyword]
        return bits, not _ASSISTIVE_ONLY_ASCII.isdisjoint(squashed_bytes)
    words = _CAMEL_TOKEN.findall(value)
    squashed = _NON_LETTERS_OR_SPACE.sub("", value).lower().split()
    found = _KEYWORD_WORDS.intersection(" ".join(words).lower().split() + squashed)
    bits = 0
    for word in found:
        bits |= _KEYWORD_BITS[word]
    return bits, not _ASSISTIVE_ONLY.isdisjoint(squashed)


_DIGITS = str.maketrans("", "", "0123456789")
_ASCII_DIGITS = b"0123456789"


def _path_segment(tag: str, element_id: str | None, classes: str | None) -> tuple[str, str]:
    """The element's path segment ("li#post-123.item") and its key: the same without the
    digits of the id and class tokens ("li#post-.item"). A list's items are often numbered
    one by one ("post-123", "post-124"); with the digits their paths all differ, without them
    the items share one path, as they share one structure."""
    segment = tag
    if element_id:
        segment += "#" + element_id.strip().split(" ", 1)[0][:40]
    if classes:
        for token in classes.split()[:2]:
            segment += "." + token[:40]
    rest = segment[len(tag) :]
    if rest.isascii():  # bytes.translate: a fifth of the time of str.translate's mapping
        return segment, tag + rest.encode().translate(None, _ASCII_DIGITS).decode()
    return segment, tag + rest.translate(_DIGITS)


class _Walker:
    """The state of one walk; `run()` returns the blocks. Not reused across pages."""

    def __init__(self, facts: AttributeFacts) -> None:
        self.facts = facts
        self.page = PageInfo()
        self.blocks: list[RawBlock] = []
        self.lines: list[str] = []
        self.pieces: list[str] = []
        self.link_chars = 0
        self.n_links = 0
        self.pending_space = False
        self.total_chars = 0
        self.total_link_chars = 0
        # Open block-level elements: (tag, sequence number, keyword bits, and the text
        # characters, link characters, blocks, anchors and headings before it, for its subtree
        # totals), and their path segments ("div#main.content") and segment keys in lists of
        # their own, joined for each block's path and path key.
        self.block_stack: list[tuple[str, int, int, int, int, int, int, int]] = []
        self.total_headings = 0
        self.iframe_with_content = False  # raw text in an iframe: maybe a self-closed one
        self.segments: list[str] = []
        self.segment_keys: list[str] = []
        # What the walk is inside of, and the same for each open element (frames): its tag,
        # the flags, keyword bits and row around it, and whether it is a block or a link.
        self.frames: list[tuple[str, int, int, bool, bool, int]] = []
        self.flags = 0
        self.keywords = 0
        self.row = -1
        self.link_depth = 0

    def flush(self, flags: int, keywords: int, row: int, depth: int) -> None:
        if not self.pieces and not self.lines:
            return
        last_line = "".join(self.pieces)
        lines = self.lines
        # (Invisible characters are not ASCII: str.isascii() is a flag check.)
        if (not last_line.isascii() and _INVISIBLE.search(last_line)) or (
            lines and _INVISIBLE.search("".join(lines))
        ):
            last_line = _INVISIBLE.sub("", last_line)
            lines = [_INVISIBLE.sub("", line) for line in lines]
        if flags & IN_PRE:
            lines.append(last_line)
            text = "\n".join(line.rstrip() for line in lines).strip("\n")
            if not text.strip():
                text = ""
        elif lines:
            # str.split() and re's \s agree on what whitespace is (Py_UNICODE_ISSPACE).
            lines.append(last_line)
            text = "\n".join(collapsed for line in lines if (collapsed := " ".join(line.split())))
        else:
            text = " ".join(last_line.split())
        self.lines = []
        self.pieces = []
        self.pending_space = False
        link_chars, n_links = self.link_chars, self.n_links
        self.link_chars = 0
        self.n_links = 0
        if not text:
            return
        n_chars = len(text)
        link_chars = min(link_chars, n_chars)
        self.total_chars += n_chars
        self.total_link_chars += link_chars
        stack = self.block_stack
        tag = stack[-1][0] if stack else "body"
        if tag in HEADING_TAGS:
            self.total_headings += 1
        own = stack[-1][1] if stack else -1
        parent = stack[-2][1] if len(stack) > 1 else own
        grandparent = stack[-3][1] if len(stack) > 2 else parent
        near = 0
        for entry in stack[-3:]:
            near |= entry[2]
        self.blocks.append(
            RawBlock(  # positional, in field order: the walk's hottest call
                len(self.blocks),  # index
                text,
                tag,
                ">".join(self.segments[-_MAX_PATH_SEGMENTS:]),  # path
                ">".join(self.segment_keys[-_MAX_PATH_SEGMENTS:]),  # path_key
                depth,
                link_chars,
                n_links,
                flags,
                keywords,  # keywords_all
                near,  # keywords_near
                own,  # own_element
                parent,  # parent_element
                grandparent,  # grandparent_element
                row,
            )
        )

    def read_special(self, tag: str, node, attributes: dict) -> None:
        """Metadata from elements that are skipped as content."""
        page = self.page
        if tag == "head" or tag == "noembed":
            # <head> holds <title>, <meta>, <link> and scripts: read those children only.
            child = node.first_child
            while child is not None:
                child_tag = child.tag
                if child_tag in ("title", "meta", "link", "script", "base"):
                    self.read_special(child_tag, child, child.attributes)
                child = child.next
        elif tag == "title":
            if not page.title:
                page.title = _WHITESPACE.sub(" ", node.text(deep=True)).strip()
        elif tag == "meta":
            key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
            content = attributes.get("content")
            if key and content and len(page.meta) < _MAX_META_ENTRIES:
                page.meta.setdefault(key.strip().lower(), content.strip())
            elif attributes.get("http-equiv") and content:
                page.meta.setdefault("http-equiv:" + attributes["http-equiv"].lower(), content)
        elif tag == "link":
            rel = (attributes.get("rel") or "").lower().split()
            if "canonical" in rel and not page.canonical:
                page.canonical = (attributes.get("href") or "").strip()
        elif tag == "script":
            if (attributes.get("type") or "").strip().lower() == "application/ld+json":
                text = node.text(deep=True)
                if text and sum(map(len, page.json_ld)) + len(text) <= _MAX_JSON_LD_CHARS:
                    page.json_ld.append(text)
        elif tag == "img" or tag == "picture":
            page.n_images += 1

    def run(self, tree: LexborHTMLParser) -> list[RawBlock]:
        """Walk the tree in document order (iteratively: any depth) and return the blocks."""
        root = tree.root
        if root is None:
            return self.blocks
        language = root.attributes.get("lang") if root.tag == "html" else None
        self.page.language = (language or "").strip()
        node: Any = root  # a LexborNode, None once the walk is over
        while node is not None:
            child = self._visit(node)
            node = child if child is not None else self._leave(node)
        self.flush(self.flags, self.keywords, self.row, 0)
        return self.blocks

    def _visit(self, node: Any) -> Any:
        """Read one node; return its first child when the walk goes into it, else None."""
        tag = node.tag
        if tag == "-text":
            self._add_text(node.text_content)
            return None
        if tag is None or tag[0] in "-_!":
            return None  # comments, doctype
        if tag in SKIPPED_TAGS:
            self._skip(tag, node)
            return None
        if tag == "br" or tag == "wbr":
            if tag == "br":
                self.lines.append("".join(self.pieces))
                self.pieces = []
                self.pending_space = False
            return None
        attributes = node.attributes
        class_value = attributes.get("class") if attributes else None
        class_keywords = 0
        if class_value:
            class_keywords, assistive_only = self.facts.class_facts(class_value)
            if assistive_only:
                return None  # screen-reader-only text, never shown
        return self._open(tag, node, attributes, class_value, class_keywords)

    def _add_text(self, text: str | None) -> None:
        if not text:
            return
        # Text right after an inline element continues it: "<b>W</b>ord" is "Word".
        self.pending_space = False
        # Whitespace before any text of a block would be stripped (outside <pre>): not kept,
        # so blank markup between block tags flushes nothing.
        if self.pieces or self.lines or self.flags & IN_PRE or not text.isspace():
            self.pieces.append(text)
            if self.link_depth:
                self.link_chars += len(text.strip())

    def _skip(self, tag: str, node: Any) -> None:
        """A subtree that is never content: read what metadata it holds, and go past it."""
        if tag in ("head", "title", "meta", "link", "script", "img", "picture", "noembed"):
            self.read_special(tag, node, node.attributes)
        elif tag in ("select", "textarea") and self.pieces:
            self.pending_space = True
        elif tag == "iframe" and node.first_child is not None:
            self.iframe_with_content = True

    def _open(self, tag: str, node: Any, attributes: dict, class_value: str | None, class_keywords: int) -> Any:
        """An element that may hold content: its flags and keywords, a block boundary when it
        is block-level, and its first child to go into (None when it has none)."""
        own_flags, own_keywords, id_value = self._own_marks(tag, attributes, class_keywords)
        is_block = tag in BLOCK_TAGS
        is_link = tag == "a"
        self._count(tag, attributes, is_link)
        sequence = -1
        if is_block:
            sequence = self._open_block(tag, own_keywords, id_value, class_value, bool(attributes))
        elif self.pending_space:
            # One inline element ends and the next begins with no text between: a space, as
            # cards lay such spans out apart. Not in code, where syntax highlighting puts
            # "f", "(" and "x" in spans that read "f(x)".
            if not self.flags & (IN_PRE | IN_CODE):
                self.pieces.append(" ")
            self.pending_space = False
        child = node.first_child
        if child is None:
            if is_block:
                self._close_block()
            return None
        self.frames.append((tag, self.flags, self.keywords, is_block, is_link, self.row))
        self.flags |= own_flags
        self.keywords |= own_keywords
        if tag == "tr":
            self.row = sequence
        if is_link:
            self.link_depth += 1
        return child

    def _own_marks(self, tag: str, attributes: dict, class_keywords: int) -> tuple[int, int, str | None]:
        """The element's own structural flags and keyword bits (from its tag, role, class,
        id, itemprop, hidden-ness), and its id."""
        own_flags = _TAG_FLAGS.get(tag, 0)
        if not attributes:
            return own_flags, 0, None
        own_keywords = class_keywords
        id_value = attributes.get("id")
        if id_value:
            own_keywords |= self.facts.keyword_bits(id_value)
        role = attributes.get("role")
        if role:
            own_flags |= _ROLE_FLAGS.get(role.strip().lower(), 0)
        if (
            "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or ((style := attributes.get("style")) and _HIDDEN_STYLE.search(style))
        ):
            own_flags |= IN_HIDDEN
        itemprop = attributes.get("itemprop")
        if itemprop:
            own_keywords |= self.facts.keyword_bits(itemprop)
        return own_flags, own_keywords, id_value

    def _count(self, tag: str, attributes: dict, is_link: bool) -> None:
        """Page-level counts (links, forms) and the first `<time datetime>`."""
        page = self.page
        if is_link:
            self.n_links += 1
            page.n_links += 1
            target = attributes.get("href")
            if target:
                page.link_targets.append(target.partition("#")[0].strip())
                page.link_blocks.append(len(self.blocks))
        elif tag == "form":
            page.n_forms += 1
        elif tag == "time" and not page.time_datetime:
            page.time_datetime = (attributes.get("datetime") or "").strip()

    def _open_block(self, tag: str, own_keywords: int, id_value: str | None, class_value: str | None, has_attributes: bool) -> int:
        """A block boundary: flush the text so far, and open the element's subtree totals and
        path segment. Returns its sequence number."""
        if self.pieces or self.lines:
            self.flush(self.flags, self.keywords, self.row, len(self.frames))
        # A block boundary ends the run of inline elements, and a link opened before it
        # belongs to no block's count.
        self.pending_space = False
        self.n_links = 0
        totals = self.page.elements
        block_stack = self.block_stack
        sequence = len(totals.chars)
        totals.chars.append(0)
        totals.link_chars.append(0)
        totals.blocks.append(0)
        totals.parent.append(block_stack[-1][1] if block_stack else -1)
        totals.anchors.append(0)
        totals.headings.append(0)
        totals.first_block.append(len(self.blocks))
        block_stack.append(
            (tag, sequence, own_keywords, self.total_chars, self.total_link_chars, len(self.blocks),
             self.page.n_links, self.total_headings)
        )  # fmt: skip
        if has_attributes:
            segment, key = self.facts.path_segment(tag, id_value, class_value)
        else:
            segment, key = tag, tag
        self.segments.append(segment)
        self.segment_keys.append(key)
        return sequence

    def _leave(self, node: Any) -> Any:
        """Go to the next node after `node`'s subtree: its next sibling, closing finished
        ancestors on the way up; None at the end of the document."""
        while True:
            following = node.next
            if following is not None:
                return following
            if not self.frames:
                return None
            _, parent_flags, parent_keywords, is_block, is_link, parent_row = self.frames.pop()
            if is_block:
                if self.pieces or self.lines:
                    self.flush(self.flags, self.keywords, self.row, len(self.frames) + 1)
                self._close_block()
            else:
                self.pending_space = True
            self.flags, self.keywords, self.row = parent_flags, parent_keywords, parent_row
            if is_link:
                self.link_depth -= 1
            node = node.parent

    def _close_block(self) -> None:
        self.pending_space = False  # a block boundary, as where a block element opens
        self.n_links = 0
        _, sequence, _, start_chars, start_links, start_blocks, start_anchors, start_headings = self.block_stack.pop()
        self.segments.pop()
        self.segment_keys.pop()
        totals = self.page.elements
        totals.chars[sequence] = self.total_chars - start_chars
        totals.link_chars[sequence] = self.total_link_chars - start_links
        totals.blocks[sequence] = len(self.blocks) - start_blocks
        totals.anchors[sequence] = self.page.n_links - start_anchors
        totals.headings[sequence] = self.total_headings - start_headings


def walk(tree: LexborHTMLParser, facts: AttributeFacts | None = None) -> tuple[list[RawBlock], PageInfo]:
    """Blocks in document order and the page evidence, from one pass over the tree (`facts`:
    the attribute facts to read and keep, a fresh table when None)."""
    walker = _Walker(facts if facts is not None else AttributeFacts())
    blocks = walker.run(tree)
    return blocks, walker.page


def blocks_from_html(
    html: str, facts: AttributeFacts | None = None, utf8: bytes | None = None
) -> tuple[list[RawBlock], PageInfo]:
    """Parse (`utf8` as in `parse`) and walk in one call. A page whose iframes hold text is
    checked for self-closed iframes, and parsed again with them closed if it has any (rare:
    looking only then saves scanning every page for them)."""
    facts = facts if facts is not None else AttributeFacts()
    walker = _Walker(facts)
    blocks = walker.run(parse(html, utf8))
    if walker.iframe_with_content:
        repaired = _close_self_closed_iframes(html)
        if repaired != html:
            return walk(parse(repaired), facts)
    return blocks, walker.page


def walk_with_columns(
    tree: LexborHTMLParser, facts: AttributeFacts | None = None
) -> tuple[list[RawBlock], PageInfo, BlockColumns]:
    """`walk`, and the blocks' numbers as arrays (`BlockColumns`)."""
    blocks, page = walk(tree, facts)
    return blocks, page, BlockColumns.of(blocks)


def blocks_and_columns_from_html(
    html: str, facts: AttributeFacts | None = None, utf8: bytes | None = None
) -> tuple[list[RawBlock], PageInfo, BlockColumns]:
    """`blocks_from_html`, and the blocks' numbers as arrays (`BlockColumns`)."""
    blocks, page = blocks_from_html(html, facts, utf8)
    return blocks, page, BlockColumns.of(blocks)


# The SHA-256 of the dom.py a compiled copy was built from (setup.py writes it into the copy);
# None in the plain module. `classifier.extraction.walk` compares it with this file.
COMPILED_FROM: str | None = None
