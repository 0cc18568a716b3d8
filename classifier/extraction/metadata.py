"""Page metadata: JSON-LD, OpenGraph and `<meta>` tags -> `Metadata` and structured-data text.

JSON-LD is parsed once per page (`parse_json_ld`); the parsed objects serve the metadata, the
block features (overlap of a block with the page's own structured description of itself) and
the page scorer (author, publisher, isBasedOn, sourceOrganization).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from itertools import pairwise
from typing import Any

from ..hosts import host_labels, url_path
from .document import Metadata
from .dom import PageInfo

_MAX_OBJECTS = 200
# JSON-LD keys whose text describes the page's main content.
STRUCTURED_TEXT_KEYS = ("articleBody", "text", "description", "reviewBody", "abstract", "headline", "name")
_META_TEXT_KEYS = ("description", "og:description", "twitter:description", "og:title", "twitter:title")


def parse_json_ld(scripts: list[str]) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, `@graph` and lists flattened; bad JSON is skipped."""
    objects: list[dict[str, Any]] = []
    for script in scripts:
        try:
            data = json.loads(script.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < _MAX_OBJECTS:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item[:_MAX_OBJECTS]))
            elif isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph[:_MAX_OBJECTS]))
                if "@type" in item or graph is None:
                    objects.append(item)
    return objects


def types_of(obj: dict[str, Any]) -> tuple[str, ...]:
    """The `@type` values of a JSON-LD object, as strings."""
    value = obj.get("@type")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def names_of(value: Any) -> Iterator[str]:
    """Names in a JSON-LD person/organisation value (a string, an object or a list of them)."""
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and name.strip():
            yield name.strip()
        elif isinstance(name, list):
            yield from (item.strip() for item in name if isinstance(item, str) and item.strip())
    elif isinstance(value, list):
        for item in value[:20]:
            yield from names_of(item)


def structured_text(page: PageInfo, objects: list[dict[str, Any]]) -> str:
    """The text the page gives about its main content in JSON-LD and description meta tags."""
    parts: list[str] = []
    for obj in objects:
        for key in STRUCTURED_TEXT_KEYS:
            value = obj.get(key)
            if isinstance(value, str):
                parts.append(value)
    for key in _META_TEXT_KEYS:
        value = page.meta.get(key)
        if value:
            parts.append(value)
    return "\n".join(parts)


def _first(objects: list[dict[str, Any]], key: str) -> Any:
    for obj in objects:
        if key in obj and obj[key]:
            return obj[key]
    return None


# Where a page names its authors, after JSON-LD (which lists all of them): the first of these
# that holds a name, not a profile URL or a handle.
_AUTHOR_META_KEYS = (
    "author", "article:author", "byl", "dc.creator", "citation_author", "parsely-author",
    "sailthru.author",
)  # fmt: skip
# "By Jane Doe", "By: Jane Doe". Other languages' "by" are also surnames (von, di, van): left.
_BYLINE_PREFIX = re.compile(r"^by\b:?\s*", re.IGNORECASE)
_ORGANISATION_TYPES = frozenset(
    "organization newsmediaorganization corporation organisation brand".split()
)
_PUBLISHED_META_KEYS = (
    "article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date",
    "dc.date.issued", "citation_publication_date", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_DATE_IN_TEXT = re.compile(r"((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DATE_IN_URL = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:[/_-]|$)")
# Between a headline and the site's name. Not " : ", which French puts before every colon.
_TITLE_SEPARATOR = re.compile(r" (?:[|\-\u2013\u2014\u00b7\u00bb]|::) ")
_NOT_LETTERS = re.compile(r"[\W_]+")
_MAX_TITLE_CHARS = 1_000
_GENERIC_HOST_LABELS = frozenset("www m mobile amp en de fr es it".split())


def _is_name(value: str) -> bool:
    """A person's or organisation's name, not a URL, a path or a social-media handle."""
    return (
        0 < len(value) <= 200 and "://" not in value and not value.startswith(("www.", "/", "@"))
    )


def _is_article(obj: dict[str, Any]) -> bool:
    """Whether a JSON-LD object is a piece of writing whose author is the page's author: any
    Article or Posting type, TechArticle and DiscussionForumPosting included. Wider on purpose
    than the "article" page-kind cue (`_KIND_TYPES`), which tells news from docs and forums."""
    return any("article" in kind.lower() or "posting" in kind.lower() for kind in types_of(obj))


def _author_names(value: Any) -> tuple[list[str], bool]:
    """The names in a JSON-LD `author` value, and whether any of them is a person (a plain
    string counts as one)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    person = False
    for item in items[:20]:
        is_organisation = isinstance(item, dict) and bool(
            {kind.lower() for kind in types_of(item)} & _ORGANISATION_TYPES
        )
        for name in names_of(item):
            name = _BYLINE_PREFIX.sub("", name).strip()
            if _is_name(name) and name not in names:
                names.append(name)
                person = person or not is_organisation
    return names, person


def _authors(page: PageInfo, objects: list[dict[str, Any]]) -> str | None:
    """Every author the article's JSON-LD names, joined by "; "; a person named in `<meta>`
    wins over JSON-LD that names only organisations (often the publisher again)."""
    with_author = [obj for obj in objects if obj.get("author")]
    # The article's own object first: a WebPage or WebSite object may name the site as author.
    with_author.sort(key=lambda obj: not _is_article(obj))
    names, person = _author_names(with_author[0]["author"]) if with_author else ([], False)
    if names and person:
        return "; ".join(names)
    for key in _AUTHOR_META_KEYS:
        value = _BYLINE_PREFIX.sub("", page.meta.get(key, "")).strip()
        if _is_name(value):
            return value
    return "; ".join(names) or None


def normalise_date(value: str) -> str | None:
    """A date as ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[+HH:MM]` when it has a time.

    Reads ISO 8601 in its extended and basic forms ("2023-11-02", "20231102",
    "2009-05-02 00:01:21Z", "...T13:34:06+0000"), RFC 2822 ("Tue, 02 Jan 2020 10:21:00 +0100")
    and a year-month-day at the start of other text; None for anything else or a year outside
    1900-2100.
    """
    value = value.strip()
    if not value or len(value) > 100:
        return None
    parsed: date | datetime | None = None
    try:
        parsed = date.fromisoformat(value) if len(value) <= 10 else datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            match = _DATE_IN_TEXT.match(value)
            if match:
                try:
                    parsed = date(*map(int, match.groups()))
                except ValueError:
                    parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    if isinstance(parsed, datetime):
        return parsed.isoformat(timespec="seconds")
    return parsed.isoformat()


def _published(page: PageInfo, objects: list[dict[str, Any]], url: str | None) -> str | None:
    candidates = [page.meta.get(key) for key in _PUBLISHED_META_KEYS]
    candidates += [_first(objects, "datePublished"), page.time_datetime]
    for candidate in candidates:
        if isinstance(candidate, str) and (found := normalise_date(candidate)):
            return found
    for address in (url, page.canonical):
        match = _DATE_IN_URL.search(url_path(address))
        if match:
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                pass
    return None


def read_metadata(page: PageInfo, objects: list[dict[str, Any]], url: str | None) -> Metadata:
    """Metadata from `<meta>`, `<link rel=canonical>`, `<html lang>`, JSON-LD and the URL."""
    meta = page.meta
    site_name = meta.get("og:site_name") or meta.get("application-name")
    if not site_name:
        site_name = next(names_of(_first(objects, "publisher")), None)
    in_language = _first(objects, "inLanguage")
    language = (
        page.language
        or meta.get("og:locale")
        or meta.get("http-equiv:content-language")
        or meta.get("language")
        or meta.get("dc.language")
        or (in_language if isinstance(in_language, str) else None)
    )
    description = meta.get("description") or meta.get("og:description")
    return Metadata(
        url=url,
        canonical_url=page.canonical or meta.get("og:url") or None,
        language=language or None,
        author=_authors(page, objects),
        published=_published(page, objects, url),
        site_name=site_name or None,
        description=description or None,
    )


def page_title(page: PageInfo) -> str | None:
    """The page's title: OpenGraph title first (no site-name suffix), then `<title>`."""
    return page.meta.get("og:title") or page.title or None


def display_title(title: str | None, site_name: str | None, url: str | None) -> str | None:
    """The title with its whitespace collapsed and without the site's name beside it
    ("Headline | Site", "Site - Headline"): a part is dropped when it is the site's name or
    names the host ("INTERNET Watch" on internet.watch.impress.co.jp, "Ergotron" on
    www.ergotron.com), never when it is all there is."""
    if not title:
        return title
    title = " ".join(title.split())
    separators = list(_TITLE_SEPARATOR.finditer(title)) if len(title) <= _MAX_TITLE_CHARS else []
    if not separators:
        return title
    names = {_NOT_LETTERS.sub("", site_name or "").lower()}
    if url:
        labels = [label for label in host_labels(url) if label not in _GENERIC_HOST_LABELS]
        names.update(labels)
        names.update(first + second for first, second in pairwise(labels))
    names.discard("")
    last, first = separators[-1], separators[0]
    if _NOT_LETTERS.sub("", title[last.end() :]).lower() in names:
        return title[: last.start()]
    if _NOT_LETTERS.sub("", title[: first.start()]).lower() in names:
        return title[first.end() :]
    return title
