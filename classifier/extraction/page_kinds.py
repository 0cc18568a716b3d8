"""What kind of page a page says it is: schema.org `@type`, `og:type` and words of its URL.

`page_kind_cues` gives one flag per declared kind and per URL cue (`PAGE_KIND_NAMES`), which
the block features repeat on every block of the page: what is content differs by page kind (a
product's description, a forum's posts, an article's body).
"""

from __future__ import annotations

import re
from typing import Any

from ..hosts import url_path
from .dom import PageInfo
from .metadata import types_of

# Page kinds the page declares (schema.org @type, og:type) or its URL suggests. The order is
# part of FEATURE_VERSION (`features`).
_KIND_TYPES = {
    "article": {
        "article", "newsarticle", "blogposting", "report", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "liveblogposting", "scholarlyarticle"
    },
    "product": {"product", "productgroup", "itempage", "offer", "product.item", "ebay-objects:item", "og:product"},
    "collection": {"itemlist", "collectionpage", "offercatalog", "searchresultspage", "product.group", "og:product.group"},
    "forum": {"discussionforumposting", "qapage", "question", "answer", "comment", "socialmediaposting"},
    "docs": {"techarticle", "apireference", "softwaresourcecode", "howto"},
    "faq": {"faqpage"},
}  # fmt: skip
_URL_KINDS = {
    "article": {"blog", "news", "article", "articles", "post", "posts", "story", "stories", "pulse"},
    "product": {"product", "products", "p", "dp", "item", "itm", "shop", "buy", "sku"},
    "collection": {
        "collections", "collection", "category", "categories", "c", "tag", "tags", "search", "list",
        "lists", "catalog", "bestsellers", "browse", "s"
    },
    "forum": {
        "forum", "forums", "thread", "threads", "t", "topic", "topics", "questions", "community",
        "discussion", "discussions", "r", "comments", "showthread"
    },
    "docs": {"docs", "doc", "documentation", "api", "reference", "guide", "guides", "manual", "learn", "wiki", "developer", "developers"},
}  # fmt: skip
PAGE_KIND_NAMES = tuple(f"declares_{kind}" for kind in _KIND_TYPES) + tuple(
    f"url_{kind}" for kind in _URL_KINDS
) + ("url_depth", "url_has_year", "url_has_long_number")
_URL_WORD = re.compile(r"[a-z]+")
_URL_YEAR = re.compile(r"(?:^|[/_-])(?:19|20)\d\d(?:[/_-]|$)")
_URL_NUMBER = re.compile(r"\d{5,}")


def page_kind_cues(page: PageInfo, objects: list[dict[str, Any]], url: str | None) -> list[float]:
    """Flags for what kind of page this says it is (`PAGE_KIND_NAMES`), from metadata and URL."""
    declared = {value.lower() for obj in objects for value in types_of(obj)}
    og_type = page.meta.get("og:type", "").strip().lower()
    if og_type:
        declared.add(og_type)
        declared.add("og:" + og_type)
    cues = [float(bool(declared & types)) for types in _KIND_TYPES.values()]
    address = url or page.canonical or page.meta.get("og:url") or ""
    path = url_path(address).lower()
    words = set(_URL_WORD.findall(path))
    cues.extend(float(bool(words & kinds)) for kinds in _URL_KINDS.values())
    cues.append(float(len([part for part in path.split("/") if part])))
    cues.append(float(bool(_URL_YEAR.search(path))))
    cues.append(float(bool(_URL_NUMBER.search(path))))
    return cues
