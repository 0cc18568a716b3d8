"""Page metadata as `extract()` reports it: title, canonical URL, language, author, published
date, site name, description; from `<meta>`, `<link>`, `<html lang>`, `<time>` and JSON-LD."""

from __future__ import annotations

import gzip
import html
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from classifier import Metadata, extract
from classifier.extraction.dom import blocks_from_html
from classifier.extraction.metadata import (
    display_title,
    normalise_date,
    page_title,
    parse_json_ld,
    read_metadata,
    structured_text,
)
from tests.classifier.strategies import json_values

GO_BLOG = Path(__file__).resolve().parents[2] / "fixtures" / "go-blog-defer-panic-recover.html.gz"
BODY = "<body><article><p>Some article text that is long enough to be a paragraph.</p></article></body>"


def page(head: str = "", html_attributes: str = "", body: str = BODY) -> str:
    return f"<!doctype html><html{html_attributes}><head>{head}</head>{body}</html>"


def json_ld(value: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


def metadata(html: str, url: str | None = None) -> Metadata:
    return extract(html, url).metadata


# ----------------------------------------------------------------------------- title


def test_title_from_title_tag() -> None:
    document = extract(page("<title>\n  A   Plain Title \n</title>"))
    assert document.title == "A Plain Title"


def test_og_title_wins_over_title_tag() -> None:
    html = page(
        '<title>Story headline | Example News</title><meta property="og:title" content="Story headline">'
    )
    assert extract(html).title == "Story headline"


def test_no_title() -> None:
    assert extract(page()).title is None
    assert extract("").title is None


# ----------------------------------------------------------------------------- canonical URL


def test_canonical_link_and_url_argument() -> None:
    html = page('<link rel="canonical" href="https://example.com/story?id=1">')
    found = metadata(html, "https://example.com/story?id=1&utm_source=x")
    assert found.canonical_url == "https://example.com/story?id=1"
    assert found.url == "https://example.com/story?id=1&utm_source=x"


def test_canonical_falls_back_to_og_url() -> None:
    assert metadata(
        page('<meta property="og:url" content="https://example.com/og">')
    ).canonical_url == ("https://example.com/og")
    both = page('<link rel="alternate canonical" href="/c"><meta property="og:url" content="/og">')
    assert metadata(both).canonical_url == "/c"
    assert metadata(page()).canonical_url is None
    assert metadata(page()).url is None


# ----------------------------------------------------------------------------- language


def test_language_from_html_lang() -> None:
    assert metadata(page(html_attributes=' lang="de-AT"')).language == "de-AT"


def test_language_fallbacks() -> None:
    assert metadata(page('<meta property="og:locale" content="fr_FR">')).language == "fr_FR"
    assert metadata(page('<meta http-equiv="Content-Language" content="es">')).language == "es"
    assert (
        metadata(page('<meta property="og:locale" content="fr_FR">', ' lang="en"')).language == "en"
    )
    assert metadata(page('<meta name="language" content="de">')).language == "de"
    assert metadata(page('<meta name="DC.language" content="it">')).language == "it"
    assert metadata(page(json_ld({"@type": "NewsArticle", "inLanguage": "pt-BR"}))).language == "pt-BR"
    assert metadata(page()).language is None


# ----------------------------------------------------------------------------- author


def test_author_from_meta() -> None:
    assert metadata(page('<meta name="author" content="Jane Doe">')).author == "Jane Doe"
    assert (
        metadata(page('<meta property="article:author" content="John Roe">')).author == "John Roe"
    )


def test_author_from_json_ld_person_object_string_and_list() -> None:
    person = json_ld({"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Person", "name": "Ada Lovelace"}})  # fmt: skip
    assert metadata(page(person)).author == "Ada Lovelace"
    plain = json_ld({"@type": "BlogPosting", "author": "Grace Hopper"})
    assert metadata(page(plain)).author == "Grace Hopper"
    several = json_ld({"@type": "Article", "author": [{"@type": "Person", "name": "First Author"}, {"name": "Second"}, "First Author"]})  # fmt: skip
    assert metadata(page(several)).author == "First Author; Second"


def test_author_from_json_ld_graph() -> None:
    graph = json_ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": "Site"},
                {
                    "@type": "Article",
                    "author": {"name": "Graph Author"},
                    "datePublished": "2023-02-03",
                },
            ],
        }
    )
    found = metadata(page(graph))
    assert found.author == "Graph Author"
    assert found.published == "2023-02-03"


@pytest.mark.parametrize("kind", ["NewsArticle", "TechArticle", "DiscussionForumPosting", "BlogPosting"])
def test_the_writing_names_the_author_not_the_web_page(kind: str) -> None:
    # A WebPage object listed first may name the site as its author; any Article or Posting
    # type is the writing itself, docs and forum posts included.
    objects = [
        {"@type": "WebPage", "author": {"@type": "Organization", "name": "Site Team"}},
        {"@type": kind, "author": {"@type": "Person", "name": "Real Writer"}},
    ]
    assert metadata(page(json_ld(objects))).author == "Real Writer"


def test_json_ld_authors_win_over_meta() -> None:
    # JSON-LD lists every author; a <meta> author is often the first one or the site.
    head = '<meta name="author" content="Meta Name">' + json_ld(
        {"@type": "Article", "author": ["LD Name", "Other Name"]}
    )
    assert metadata(page(head)).author == "LD Name; Other Name"


def test_a_person_in_meta_wins_over_organisations_in_json_ld() -> None:
    organisation = {"@type": "NewsMediaOrganization", "name": "Example News"}
    head = '<meta name="author" content="Jane Doe">' + json_ld({"@type": "NewsArticle", "author": organisation})
    assert metadata(page(head)).author == "Jane Doe"
    assert metadata(page(json_ld({"@type": "NewsArticle", "author": [organisation, {"@type": "Organization", "name": "Wire"}]}))).author == "Example News; Wire"
    # The article's own object, not the WebPage's, names the authors.
    graph = json_ld({"@graph": [{"@type": "WebPage", "author": {"@type": "Organization", "name": "Site"}}, {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane"}}]})
    assert metadata(page(graph)).author == "Jane"


def test_author_urls_and_handles_are_not_names() -> None:
    # article:author is often a profile URL (Facebook, the site's author page).
    head = '<meta property="article:author" content="https://www.facebook.com/profile.php?id=x">'
    assert metadata(page(head)).author is None
    head += '<meta name="author" content="@handle"><meta name="byl" content="By: Jane Roe">'
    assert metadata(page(head)).author == "Jane Roe"
    assert metadata(page('<meta name="author" content="by"><meta name="byl" content="BY ANN LEE">')).author == "ANN LEE"
    url_only = json_ld({"@type": "Article", "author": {"name": "https://example.com/authors/x"}})
    assert metadata(page(url_only + '<meta name="dc.creator" content="Doe, Jane">')).author == "Doe, Jane"


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "Article", "author": </script>'
    head += json_ld({"@type": "Article", "author": "Survivor"})
    assert metadata(page(head)).author == "Survivor"
    assert metadata(page('<script type="application/ld+json">[[[</script>')).author is None


# ----------------------------------------------------------------------------- published date


def test_published_from_meta() -> None:
    html = page('<meta property="article:published_time" content="2024-03-01T08:00:00+00:00">')
    assert metadata(html).published == "2024-03-01T08:00:00+00:00"


def test_published_from_json_ld_then_time_element() -> None:
    head = json_ld({"@type": "NewsArticle", "datePublished": "2022-12-24T10:00:00Z"})
    body = '<body><time datetime="2001-01-01">long ago</time><p>text</p></body>'
    assert metadata(page(head, body=body)).published == "2022-12-24T10:00:00+00:00"
    assert metadata(page(body=body)).published == "2001-01-01"
    assert metadata(page()).published is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-11-02", "2023-11-02"),
        ("20231102", "2023-11-02"),
        ("2009-05-02 00:01:21Z", "2009-05-02T00:01:21+00:00"),
        ("2010-02-20T13:34:06+0000", "2010-02-20T13:34:06+00:00"),
        ("2024-03-01T08:00:00.123", "2024-03-01T08:00:00"),
        ("Thu, 02 Jan 2020 10:21:00 +0100", "2020-01-02T10:21:00+01:00"),
        ("2019/02/22 at noon", "2019-02-22"),
        (" 2017-12-01 ", "2017-12-01"),
        ("yesterday", None),
        ("2023-02-30", None),
        ("0001-01-01", None),
        ("", None),
    ],
)
def test_dates_are_normalised_to_iso_8601(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[0-9 ,:+TZ/.-]{1,40}|\w{3}, \d{1,3} \w{3} \d{1,12}( \d\d:\d\d(:\d\d)?)?( [+-]\d{4})?", fullmatch=True))
@example("Mon, 1 Jan 99999999999 10:00")  # a year that overflows C's int
@example("Thu, 31 Dec 9999 23:59:59 -2359")
def test_normalise_date_never_raises_and_returns_iso_or_none(value: str) -> None:
    found = normalise_date(value)
    assert found is None or normalise_date(found) == found  # ISO 8601 reads back as itself


def test_an_unparsable_url_or_canonical_link_is_no_error() -> None:
    bad = "http://[::1"
    assert metadata(page(f'<link rel="canonical" href="{bad}">')).canonical_url == bad
    assert metadata(page(), bad).published is None


def test_published_skips_unreadable_dates_and_falls_back_to_the_url() -> None:
    head = '<meta name="date" content="soon"><meta name="dc.date" content="20200226">'
    assert metadata(page(head)).published == "2020-02-26"
    assert metadata(page(), "https://news.example/2019/02/22/story.html").published == "2019-02-22"
    assert metadata(page(), "https://news.example/2019/13/45/story.html").published is None
    assert metadata(page(), "https://shop.example/item/2019").published is None


# ----------------------------------------------------------------------------- title without the site's name


@pytest.mark.parametrize(
    ("title", "site_name", "url", "expected"),
    [
        ("Big news today | The Daily Example", "The Daily Example", None, "Big news today"),
        ("The Daily Example - Big news today", "The Daily Example", None, "Big news today"),
        ("Ergonomic arms | Ergotron", None, "https://www.ergotron.com/en-us/x", "Ergonomic arms"),
        ("九州大の計画 - INTERNET Watch", None, "https://internet.watch.impress.co.jp/docs", "九州大の計画"),
        ("Part one - Part two | Site", "Site", None, "Part one - Part two"),
        ("Cats - Dogs", "Site", "https://site.example", "Cats - Dogs"),
        ("Storm warning - UK", None, "https://www.bbc.co.uk/news/x", "Storm warning - UK"),
        ("Paris : la mairie ferme les quais", None, "https://www.paris.fr/x", "Paris : la mairie ferme les quais"),
        ("Headline |\xa0Site", "Site", None, "Headline"),
        ("  Spaced\n  headline |  Site ", "Site", None, "Spaced headline"),
        ("a" + " " * 20_000 + "b | Site", "Site", None, "a b"),  # linear in the whitespace
        ("Ergotron", "Ergotron", None, "Ergotron"),
        (None, "Site", None, None),
    ],
)
def test_display_title_drops_the_site_name(title, site_name, url, expected) -> None:
    assert display_title(title, site_name, url) == expected


_JSON = json_values(
    ["Person", "Organization", "NewsArticle", "WebPage", "2023-11-02", "https://x.example/a"],
    ["@type", "@graph", "author", "name", "datePublished", "inLanguage", "publisher", "headline"],
)
_META_NAMES = st.sampled_from(["author", "article:author", "byl", "date", "dc.date", "language", "og:title", "og:site_name"])


@settings(max_examples=200, deadline=None)
@given(
    _JSON,
    st.lists(st.tuples(_META_NAMES, st.text(max_size=40)), max_size=4),
    st.text(max_size=80),
    st.sampled_from([None, "https://www.example.co.uk/2020/01/02/x", "not a url", "http://[::1"]),
)
@example(None, [], "", "http://[::1")  # urlsplit raises ValueError on it
def test_any_json_ld_meta_and_title_give_metadata(value, metas, title: str, url) -> None:
    head = json_ld(value) + "".join(f'<meta name="{name}" content="{html.escape(content)}">' for name, content in metas)
    head += f"<title>{html.escape(title)}</title>"
    found = extract(page(head), url)
    assert found.metadata.author is None or isinstance(found.metadata.author, str)
    assert found.metadata.published is None or normalise_date(found.metadata.published) == found.metadata.published
    assert found.title is None or found.title == " ".join(found.title.split())


def test_document_title_has_no_site_suffix_but_features_keep_the_page_title() -> None:
    html = page('<title>Storm breaks records | Weather Desk</title><meta property="og:site_name" content="Weather Desk">')
    document = extract(html)
    assert document.title == "Storm breaks records"
    assert document.analysis.title == "Storm breaks records | Weather Desk"


# ----------------------------------------------------------------------------- site name, description


def test_site_name_from_og_then_json_ld_publisher() -> None:
    assert metadata(
        page('<meta property="og:site_name" content="The Daily Example">')
    ).site_name == ("The Daily Example")
    publisher = json_ld({"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Example Media"}})  # fmt: skip
    assert metadata(page(publisher)).site_name == "Example Media"
    assert (
        metadata(page('<meta name="application-name" content="App Site">')).site_name == "App Site"
    )
    assert metadata(page()).site_name is None


def test_description() -> None:
    assert metadata(
        page('<meta name="description" content="What the page is about.">')
    ).description == ("What the page is about.")
    assert (
        metadata(page('<meta property="og:description" content="OG about.">')).description
        == "OG about."
    )


# ----------------------------------------------------------------------------- a real page and the helpers


def test_real_page_metadata() -> None:
    document = extract(
        gzip.decompress(GO_BLOG.read_bytes()), "https://go.dev/blog/defer-panic-and-recover"
    )
    assert document.title == "Defer, Panic, and Recover - The Go Programming Language"
    assert document.metadata.canonical_url == "https://go.dev/blog/defer-panic-and-recover"
    assert document.metadata.language == "en"
    assert (
        document.metadata.description
        and "defer, panic, and recover" in document.metadata.description
    )


def test_helpers_agree_with_extract() -> None:
    head = (
        '<meta property="og:title" content="T"><meta name="description" content="About cats.">'
        + json_ld({"@type": "Article", "headline": "Cats", "articleBody": "Cats are great."})
    )
    html = page(head, ' lang="en"')
    _, info = blocks_from_html(html)
    objects = parse_json_ld(info.json_ld)
    assert page_title(info) == "T"
    assert read_metadata(info, objects, None) == extract(html).metadata
    text = structured_text(info, objects)
    assert "Cats are great." in text and "About cats." in text and "Cats" in text
