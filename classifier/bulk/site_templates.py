"""Template text across the pages of one site in a bulk run (``--site-templates``).

Each row of a run with ``--site-templates`` carries the skeletons of its story's sentences
(`classifier.scoring.template.story_skeletons`: a stable hash of the skeleton, a stable hash of
the page's filling of it, that sentence). `SiteSkeletons`, made for one run by the assembly
(`classifier.bulk.output`, like the `SyndicationIndex`), counts per registered domain how many
pages share each skeleton *with other fillings*: for a skeleton, the number of distinct URLs
that carry it and the number of distinct fillings they put in it, whichever is smaller. So a
sentence a site repeats word for word on every page (a newsletter call with the site's name,
"Copyright 2024 X", a fixed disclaimer) counts once however many pages show it, and the same
page crawled twice counts once. `shared()` then tells a row the skeleton of its story that the
most pages of its site share. Rows without a URL belong to no site and are not counted.

Counts stop at `MAX_COUNTED` pages per skeleton (ln 1000 is worth enough), which bounds what a
skeleton holds; a skeleton seen on one page holds one pair of hashes. Every count is a set, so
the result does not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ..hosts import registered_domain
from ..scoring.template import MAX_SKELETONS, stable_hash

#: Pages (and fillings) counted per skeleton of a site, at most.
MAX_COUNTED = 1000


@dataclass(slots=True)
class _Shared:
    """The distinct fillings and pages (URL hashes) of one skeleton of one site."""

    fillings: set[int]
    pages: set[int]

    def add(self, filling: int, page: int) -> None:
        if len(self.fillings) < MAX_COUNTED:
            self.fillings.add(filling)
        if len(self.pages) < MAX_COUNTED:
            self.pages.add(page)

    @property
    def count(self) -> int:
        return min(len(self.fillings), len(self.pages))


# A skeleton seen once: (filling, page); promoted to `_Shared` when seen again.
_Entry = tuple[int, int] | _Shared


@dataclass(frozen=True, slots=True)
class SharedTemplate:
    """The skeleton of a page's story that the most pages of its site share: how many
    (`pages`), the site (`domain`) and the page's own sentence in that mould."""

    pages: int
    domain: str
    sentence: str


@dataclass
class SiteSkeletons:
    """Per registered domain, the skeletons of a run's pages (see the module docstring).

    `add()` every row, then `shared()` for each of them.
    """

    sites: dict[str, dict[int, _Entry]] = field(default_factory=dict)

    def add(self, host: str | None, url: str | None, skeletons: Iterable[Sequence[Any]] | None) -> None:
        """Count one row's skeletons (``[key, filling, sentence]`` each) for its site."""
        domain = registered_domain(host)
        if not domain or not url or not skeletons:
            return
        page = stable_hash(url)
        site = self.sites.setdefault(domain, {})
        for key, filling, _ in _well_formed(skeletons):
            entry = site.get(key)
            if entry is None:
                site[key] = (filling, page)
            elif isinstance(entry, _Shared):
                entry.add(filling, page)
            elif entry != (filling, page):
                site[key] = _Shared({entry[0], filling}, {entry[1], page})

    def pages(self, host: str | None, key: int) -> int:
        """How many pages of the site share skeleton `key` with other fillings (0: unknown)."""
        return _count(self.sites.get(registered_domain(host), {}), key)

    def shared(self, host: str | None, url: str | None, skeletons: Iterable[Sequence[Any]] | None) -> SharedTemplate | None:
        """The skeleton of this row's story that the most pages of its site share (the first in
        the story among equals), or None for a row of no site or without skeletons."""
        domain = registered_domain(host)
        if not domain or not url or not skeletons:
            return None
        site = self.sites.get(domain, {})
        best: SharedTemplate | None = None
        for key, _, sentence in _well_formed(skeletons):
            count = _count(site, key)
            if best is None or count > best.pages:
                best = SharedTemplate(count, domain, str(sentence))
        return best


def _well_formed(skeletons: Iterable[Sequence[Any]]) -> Iterator[tuple[int, int, str]]:
    """The ``[key, filling, sentence]`` entries of a row, the first `MAX_SKELETONS` (a page
    function of one's own may put anything there: what is not such an entry is left out, never
    an error)."""
    for entry in islice(skeletons, MAX_SKELETONS) if isinstance(skeletons, (list, tuple)) else ():
        if isinstance(entry, (list, tuple)) and len(entry) == 3 and all(isinstance(x, int) and not isinstance(x, bool) for x in entry[:2]):
            yield entry[0], entry[1], str(entry[2])


def _count(site: dict[int, _Entry], key: int) -> int:
    entry = site.get(key)
    if entry is None:
        return 0
    return entry.count if isinstance(entry, _Shared) else 1
