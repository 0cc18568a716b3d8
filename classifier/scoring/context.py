"""What the evidence detectors read of one page: `PageEvidence` (the blocks, which are content,
the metadata) and `PageContext` (that, with the story zone, the compiled tables and grammar, the
page's registered domain and its own brand names)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any

from ..extraction.dom import IN_NAV, RawBlock
from ..hosts import registered_domain
from .attribution import Grammar
from .patterns import Agency, Patterns, Phrase, fold, phrases_in
from .template import story_sentences
from .zone import StoryZone, story_zone

_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s*[|»]\s*")
_NOT_WORDS = re.compile(r"[^\w]+")
_BRAND_CHARS = 40
_BRAND_WORDS = 4
NOTE_CHARS = 600  # a provenance note is a short block of its own


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What the signals read of one page: its blocks, which are content, and its metadata."""

    blocks: Sequence[RawBlock]
    is_content: Sequence[bool]
    meta: dict[str, str]
    canonical: str
    json_ld: list[dict[str, Any]]
    url: str | None
    title: str = ""


def brand_names(page: PageEvidence, domain: str) -> frozenset[str]:
    """The page's own names, folded: `og:site_name`, `application-name`, the title's short
    parts beside the headline (" - Site", "Site | "), the first label of its registered
    domain; and each of their words."""
    # (Not the JSON-LD publisher: sites name the agency there on agency copy.)
    names = {page.meta.get("og:site_name", ""), page.meta.get("application-name", "")}
    parts = _TITLE_PARTS.split(page.title or page.meta.get("og:title", ""))
    if len(parts) > 1:
        # A short part beside the headline is the site's name ("Headline | Site", "Site - Headline").
        names.update(part for part in (parts[0], parts[-1]) if len(part) <= _BRAND_CHARS and len(part.split()) <= _BRAND_WORDS)
    if domain:
        names.add(domain.split(".")[0])
    folded = {" ".join(_NOT_WORDS.sub(" ", str(name).lower()).split()) for name in names}
    words = {word for name in folded for word in name.split() if len(word) >= 2}
    return frozenset((folded | words) - {""})


@dataclass(frozen=True, slots=True)
class JoinedText:
    """Blocks' texts joined by newlines (`text`): the blocks (`indices`), where each starts in
    it (`starts`), and the first match of each pattern searched in it so far (the detectors of
    several codes search the same text with the same phrases; each search is made once)."""

    indices: tuple[int, ...]
    text: str
    starts: tuple[int, ...]
    _found: dict[re.Pattern[str], re.Match[str] | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, blocks: Sequence[RawBlock], indices: Sequence[int]) -> JoinedText:
        texts = [blocks[i].text for i in indices]
        return cls(tuple(indices), "\n".join(texts), tuple(accumulate((len(text) + 1 for text in texts[:-1]), initial=0)))

    def search(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """`pattern.search(self.text)`, searched once."""
        if pattern not in self._found:
            self._found[pattern] = pattern.search(self.text)
        return self._found[pattern]


@dataclass(frozen=True)
class PageContext:
    """One page as the detectors read it (see the module docstring)."""

    page: PageEvidence
    zone: StoryZone
    zone_text: JoinedText  # the zone's blocks
    patterns: Patterns
    grammar: Grammar
    domain: str
    own_site: Agency | None  # the agency whose own site this is
    brand: frozenset[str]
    phrases: tuple[Phrase, ...]  # the provenance phrases whose literals are in the text searched
    outside_text: JoinedText  # the notes outside the zone (`outside_notes`), joined

    @classmethod
    def of(cls, page: PageEvidence, patterns: Patterns, grammar: Grammar) -> PageContext:
        domain = registered_domain(page.url) if page.url else ""
        zone = story_zone(page.blocks, page.is_content, page.title or page.meta.get("og:title", ""))
        zone_text = JoinedText.of(page.blocks, zone.blocks)
        outside_text = JoinedText.of(page.blocks, outside_notes(page.blocks, zone_text.indices))
        return cls(
            page=page,
            zone=zone,
            zone_text=zone_text,
            patterns=patterns,
            grammar=grammar,
            domain=domain,
            own_site=patterns.own_domains.get(domain) if domain else None,
            brand=brand_names(page, domain),
            phrases=tuple(phrases_in(searched_fold(zone_text, outside_text), patterns)),
            outside_text=outside_text,
        )

    @cached_property
    def story_sentences(self) -> list[tuple[int, str]]:
        """The sentences of the story's paragraphs (the zone's body: not its lead, its closing
        lines or anything outside the story) that could be a filled-in mould
        (`template.story_sentences`), with their blocks; split when first needed, once."""
        return story_sentences((i, self.text(i)) for i in self.zone.body)

    def text(self, index: int) -> str:
        return self.page.blocks[index].text

    def joined(self, indices: Sequence[int]) -> str:
        return "\n".join(self.page.blocks[i].text for i in indices)

    def where(self, index: int) -> str:
        """ "lead", "body", "end" of the story zone, or "page"."""
        zone = self.zone
        return "lead" if index in zone.lead else "body" if index in zone.body else "end" if index in zone.end else "page"

    def is_own_brand(self, agency: Agency | None) -> bool:
        """Whether the agency's name is the page's own brand (or a word of it): "CNA" on
        channelnewsasia.com, a station's own name."""
        if agency is None:
            return False
        return any(alias.lower() in self.brand for alias in agency.aliases) or agency.name.lower() in self.brand

    def phrases_of(self, code: str) -> list[Phrase]:
        return [phrase for phrase in self.phrases if phrase.code == code]


def outside_notes(blocks: Sequence[RawBlock], inside: Sequence[int]) -> list[int]:
    """The notes outside the story zone `inside` (`is_note`: blocks of at most `NOTE_CHARS`,
    not in navigation)."""
    zone = set(inside)
    return [i for i, b in enumerate(blocks) if i not in zone and is_note(b)]


def searched_fold(zone_text: JoinedText, outside_text: JoinedText) -> str:
    """The `fold` of all the text a provenance phrase is ever searched in: the story zone, and
    the notes outside it (`outside_notes`; the disclaimers' notes inside the zone are in it).
    Not the navigation and long blocks outside the story (about a sixth of a page's text). The
    two are folded apart and joined by a line break between spaces: a literal (folded: no line
    break) does not run from one into the other, and its edge space still stands for whitespace
    at either end of each. A phrase can match in these texts only if its literals are all in it."""
    return f"{fold(zone_text.text)} \n {fold(outside_text.text)}"


def is_note(block: RawBlock) -> bool:
    """A block a provenance note may stand in: at most `NOTE_CHARS`, not in navigation."""
    return len(block.text) <= NOTE_CHARS and not block.flags & IN_NAV
