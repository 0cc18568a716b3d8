"""Host names and registered domains (eTLD+1) of URLs, offline.

Uses the public-suffix snapshot bundled with tldextract: no network access, no disk cache.
The one extractor instance is built on first use and never changes afterwards; tldextract (and
the HTTP library it imports, a third of `import classifier`'s time) is imported then too, so
that extracting pages without URLs never pays for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    import tldextract  # here, not at the top: see the module docstring

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url_or_host: str | None) -> str:
    """The lower-cased host name of a URL or bare host ("" if there is none)."""
    text = (url_or_host or "").strip().lower()
    if not text:
        return ""
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        return urlsplit(text).hostname or ""
    except ValueError:
        return ""


def registered_domain(url_or_host: str | None) -> str:
    """Registered domain of a URL or host (``https://news.bbc.co.uk/x`` -> ``bbc.co.uk``).

    Hosts without a public suffix (``localhost``, IP addresses) return the host itself; an
    empty or unparsable input returns "".
    """
    host = host_of(url_or_host)
    if not host:
        return ""
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def host_labels(url_or_host: str | None) -> list[str]:
    """The labels of a host name before its public suffix (``https://news.bbc.co.uk/x`` ->
    ``["news", "bbc"]``)."""
    host = host_of(url_or_host)
    if not host:
        return []
    suffix = _extractor()(host).suffix
    return [label for label in host.removesuffix(suffix).split(".") if label]


def url_path(url: str | None) -> str:
    """The path of a URL ("" if there is none or the URL cannot be parsed, e.g. "http://[::1")."""
    try:
        return urlsplit(url).path if url else ""
    except ValueError:
        return ""
