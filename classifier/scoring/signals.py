"""Page evidence of unreviewed auto-publication: the labelled blocks -> `Signal`s and a feature row.

Reads the page's blocks (content or boilerplate, from the block model) and its metadata, and
finds what a reader would point at: the site's own provenance statement, an agency dateline,
byline, signature or copyright line attached to the story, press-release wire boilerplate,
chatbot strings, metadata that names another source (canonical URL, JSON-LD, syndication meta
tags), and counter-evidence (the agency's own site, "with inputs from agencies", agency names
only in photo credits). Each signal carries the snippet it was found in.

`find_signals` locates the story on the page (`Story`), then runs one detector per kind of
evidence over it; the phrases and agencies come from the pattern tables
(`classifier.scoring.patterns`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ..extraction.dom import IN_FIGURE, IN_FOOTER, IN_HEADER, IN_NAV, RawBlock
from ..extraction.metadata import names_of
from ..hosts import registered_domain
from .patterns import Agency, Patterns, Phrase, fold, phrases_in

EVIDENCE_CODES = (
    "disclaimer",
    "agency_dateline",
    "agency_byline",
    "agency_signature",
    "agency_copyright",
    "agency_author",
    "press_release",
    "machine_text",
    "cross_domain_canonical",
    "syndication_meta",
    "based_on_other_source",
    "same_text_on_N_domains",
)
COUNTER_EVIDENCE_CODES = (
    "agency_own_site",
    "with_agency_inputs",
    "agency_in_credit_only",
    "staff_byline",
    "datelined_teasers",
)
# Stable codes of `PageScore.reasons`: evidence (positive weights) and counter-evidence.
REASON_CODES = EVIDENCE_CODES + COUNTER_EVIDENCE_CODES
AGENCY_KINDS = ("agency_dateline", "agency_byline", "agency_signature", "agency_copyright", "agency_author")
# The scorer's features: every reason (the cross-crawl one as ln N), plus aggregates.
SIGNAL_NAMES = (
    *(code for code in EVIDENCE_CODES if code != "same_text_on_N_domains"),
    "agency_evidence",
    "log_dup_domains",
    *COUNTER_EVIDENCE_CODES,
    "press_release_weak",
    "agency_mentions",
    "content_share",
)
_SEGMENT_GAP = 4
_DATELINE_REACH = 120
_DATELINE_PARAGRAPHS = 25  # paragraphs read for datelines (several: a list of teasers)
_MENTION_REACH = 2_500
_CREDIT_HINT = re.compile(r"photo|image|picture|foto|bild|credit|getty|file|pic|scanpix|via |/")  # in lower case
_DATELINE_CITY = re.compile(r"[^\W\d_][^\n()]{0,60}?\s*")
_DATELINE_WORDS = 5  # "SANTA FE, N.M.", "WASHINGTON, Aug. 20": a city and a date, no sentence
_NOTE_CHARS = 600
_COPYRIGHT_LINE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:[-–,]\s*)?(?P<who>[^\n.;|]{2,60})", re.IGNORECASE
)
_EVIDENCE_CHARS = 200
_CONTEXT_BEFORE, _CONTEXT_AFTER = 60, 100
_CREDIT_WORDS = re.compile(
    r"\b(?:photo|image|picture|foto|bild|credits?|getty|file|pic|scanpix)\b", re.IGNORECASE
)
_CREDIT = re.compile(_CREDIT_WORDS.pattern + r"|\bvia\s|/\s*(?:AP|AFP|Reuters|dpa|EPA)\b", re.IGNORECASE)
_EXPLICIT_SIGNATURE = re.compile(
    r"^\s*(?:\(?\s*(?:Quelle|Source|Fuente|Fonte|Bron|Kilde|Kaynak)\s*:|(?:by|von|par|por|di|af|av|door)\s)",
    re.IGNORECASE,
)
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|af|av|door|de)\s+", re.IGNORECASE)


def find_dateline(text: str, patterns: Patterns) -> re.Match[str] | None:
    """An agency dateline opening `text`: "INDIANAPOLIS (AP) —", "WASHINGTON, Aug. 20
    (Yonhap) --", "(ANSA) - ROMA": the marker within the first characters, with nothing
    but a city and date before it. (Searching for the marker first keeps it fast: most
    positions cannot start a marker.)"""
    match = patterns.dateline.search(text, 0, _DATELINE_REACH)
    if match is None or match.start() == 0:
        return match
    prefix = text[: match.start()]
    if len(prefix.split()) > _DATELINE_WORDS or not _DATELINE_CITY.fullmatch(prefix):
        return None
    return match


def _snippet(text: str, start: int, end: int) -> str:
    """The evidence at `text[start:end]` in its context: the rest of its line (block), at most
    `_CONTEXT_BEFORE` characters before it and `_CONTEXT_AFTER` after, cut at word boundaries
    ("…" where cut), on one line."""
    end = max(end, start)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left, right = max(line_start, start - _CONTEXT_BEFORE), min(line_end, end + _CONTEXT_AFTER)
    if left > line_start and not text[left - 1].isspace():
        space = text.find(" ", left, start)
        left = start if space < 0 else space + 1
    if right < line_end and not text[right].isspace():
        space = text.rfind(" ", end, right)
        right = end if space < 0 else space
    snippet = " ".join(text[left:right].split())
    if len(snippet) > _EVIDENCE_CHARS:
        space = snippet.rfind(" ", 0, _EVIDENCE_CHARS)
        snippet = snippet[: space if space > 0 else _EVIDENCE_CHARS]
        right = line_end - 1  # cut: mark it
    return ("…" if left > line_start else "") + snippet + ("…" if right < line_end else "")


def _found(code: str, text: str, start: int, end: int, value: float = 1.0) -> Signal:
    """A signal whose evidence is `text[start:end]`, shown in its context."""
    return Signal(code, _snippet(text, start, end), value, match=" ".join(text[start:end].split()))


def _is_chrome(block: RawBlock) -> bool:
    return bool(block.flags & (IN_NAV | IN_FOOTER | IN_HEADER))


def _agency_in(text: str, patterns: Patterns) -> Agency | None:
    match = patterns.alias_search.search(text)
    return patterns.alias_exact.get(match.group(0).lower()) if match else None


def _only_agencies(text: str, patterns: Patterns) -> Agency | None:
    """The agency when every "/"-separated part of `text` is one ("APA/sda/dpa"); None for
    a credit or a shared byline that names someone else too ("dpa/Spektrum", "AFP/The Local")."""
    parts = [part.strip(" .,;:()") for part in re.split(r"\s*/\s*", text.strip())]
    agencies = [patterns.alias_exact.get(part.lower()) for part in parts if part]
    return agencies[0] if agencies and all(agencies) else None


def _byline_agency(text: str, patterns: Patterns, *, bare_short: bool = True) -> Agency | None:
    """An agency named as the author of a short byline ("By Associated Press", "Reuters",
    "PTI, Washington, Nov 20", "Reuters March 16, 2020", "Gary B. Graves, AP Sports Writer",
    "Af Ritzau")."""
    prefixed = bool(_BYLINE_PREFIX.match(text))
    head = _BYLINE_PREFIX.sub("", text.strip())
    head = re.split(r"[|•·\n]|\s[-–—]\s", head, maxsplit=1)[0].strip(" ,.-–—")
    if "/" in head:
        return _only_agencies(head, patterns)
    agency = patterns.alias_exact.get(head.lower())
    if agency:
        # A bare two-letter block ("AA", "AP") is as often a font-size button as a byline.
        return agency if prefixed or bare_short or len(head) > 2 else None
    # An alias at the start, followed by nothing a name would continue with.
    match = re.match(
        r"(?P<alias>[^\W\d_][\w.&' -]{0,40}?)"
        r"(?:\s*(?:[,;/|–—-]|\(|$)|\s+(?:in|aus|en|a|staff|\d|"
        r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b))",
        head,
    )
    if match:
        agency = patterns.alias_exact.get(match.group("alias").strip().lower())
        if agency:
            return agency
    writer = re.search(
        r",\s*(\w[\w-]*)\s+(?:[A-Z]\w+\s+){0,2}(?:Writer|Correspondent|Reporter)\b", head
    )
    if writer:
        return patterns.alias_exact.get(writer.group(1).lower())
    return None


def _signature_agency(text: str, patterns: Patterns) -> tuple[Agency, str] | None:
    """An agency signing off the story: "— AFP", "(ANSA).", "PTI", "(Quelle: APA/sda/dpa)"."""
    tail = text.strip()[-80:]
    if _CREDIT_WORDS.search(tail):
        return None
    if len(tail) <= 40 and _BYLINE_PREFIX.match(tail) and (agency := _byline_agency(tail, patterns)):
        return agency, tail  # "Af Ritzau", "By Reuters" closing the story
    match = re.search(
        r"(?:^|[\s(—–-])\(?(?:(?:Quelle|Source|Fuente|Fonte|Bron|Kilde|Kaynak)\s*:\s*)?"
        r"([\w/ .-]{2,40}?)\)?\s*\.?\s*$",
        tail,
    )
    if not match:
        return None
    preceding = tail[: match.start(1)]
    if not re.search(r"(?:[—–-]|\(|:)\s*\(?$|^\s*\(?$|[.!?\"”]\s*\(?$", preceding):
        return None
    # "APA/sda/dpa" is a signature; "Nathan Ellgren/AP" or "Reuters/Corbis" is a photo credit.
    parts = re.split(r"\s*/\s*", match.group(1).strip(" ./"))
    agencies = [patterns.alias_exact.get(part.lower()) for part in parts]
    agency = agencies[0]
    if agency is None or not all(agencies):
        return None
    part = parts[0]
    if part.isupper() or len(part) > 3 or part.lower() in ("dpa", "sda", "ats", "epd"):
        return agency, tail
    return None


def _is_credit(text: str) -> bool:
    return bool(_CREDIT_HINT.search(text.lower()) and _CREDIT.search(text))


def main_segment(blocks: Sequence[RawBlock], is_content: Sequence[bool]) -> tuple[int, int]:
    """First and last block of the page's main run of content: consecutive content blocks
    (gaps of up to `_SEGMENT_GAP` others allowed) with the most text. Robust to a stray
    content block elsewhere (a cookie notice, a teaser)."""
    best, best_chars = (0, len(blocks) - 1), -1
    start = previous = -1
    chars = 0
    for i, keep in enumerate(is_content):
        if not keep:
            continue
        if start < 0 or i - previous > _SEGMENT_GAP + 1:
            start, chars = i, 0
        chars += len(blocks[i].text)
        previous = i
        if chars > best_chars:
            best, best_chars = (start, i), chars
    if best_chars < 0 and blocks:
        longest = max(range(len(blocks)), key=lambda i: len(blocks[i].text))
        return longest, longest
    return best


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding: a reason code, the text it was found in, and its strength (feature value)."""

    code: str
    evidence: str
    value: float = 1.0
    match: str = ""  # the evidence itself, as it stands on the page ("" for metadata and counts)


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What the signals read of one page: its blocks, which are content, and its metadata."""

    blocks: Sequence[RawBlock]
    is_content: Sequence[bool]
    meta: dict[str, str]
    canonical: str
    json_ld: list[dict[str, Any]]
    url: str | None


@dataclass(frozen=True, slots=True)
class Story:
    """Where the story sits on the page, and the texts the detectors read."""

    first: int  # first and last block of the main run of content (`main_segment`)
    last: int
    blocks: list[int]  # its content blocks
    anchor: int  # the headline (the first <h1> outside page chrome), else `first`
    lead_start: int  # where its lead (dateline, byline) may start
    text: str  # its blocks' texts joined
    around: list[int]  # it and what sits right around it: bylines above, signatures below
    around_text: str
    page_folded: str  # the whole page's text, `fold`ed
    phrases: list[Phrase]  # the provenance phrases whose literals are on the page
    page_domain: str
    own_site: Agency | None  # the agency whose own site this is

    @classmethod
    def of(cls, page: PageEvidence, patterns: Patterns) -> Story:
        blocks, is_content = page.blocks, page.is_content
        first, last = main_segment(blocks, is_content)
        story = [i for i in range(first, last + 1) if is_content[i] or first == last]
        # News stories start under their headline: the first <h1> outside page chrome anchors
        # the lead (dateline, byline) even where the content labels start too late or too early.
        anchor = next((i for i, b in enumerate(blocks) if b.tag == "h1" and not _is_chrome(b)), first)
        around = [i for i in range(max(0, first - 10), min(len(blocks), last + 7)) if not _is_chrome(blocks[i])]
        page_folded = fold("\n".join(block.text for block in blocks))
        page_domain = registered_domain(page.url) if page.url else ""
        return cls(
            first=first,
            last=last,
            blocks=story,
            anchor=anchor,
            lead_start=min(anchor, first),
            text="\n".join(blocks[i].text for i in story),
            around=around,
            around_text="\n".join(blocks[i].text for i in around),
            page_folded=page_folded,
            phrases=phrases_in(page_folded, patterns),
            page_domain=page_domain,
            own_site=patterns.own_domains.get(page_domain) if page_domain else None,
        )


def find_signals(page: PageEvidence, patterns: Patterns) -> list[Signal]:
    """Every piece of evidence on the page (see the module docstring)."""
    if not page.blocks:
        return []
    story = Story.of(page, patterns)
    signals = _provenance_notes(page, story)
    agency_signals, mentioned = _agency_evidence(page, story, patterns, signals)
    if story.own_site:
        # An agency's own marks on its own site are not evidence of republication.
        signals.append(Signal("agency_own_site", f"{story.page_domain} ({story.own_site.name})"))
    else:
        signals.extend(agency_signals)
    signals.extend(_press_release(story, patterns))
    signals.extend(_other_sources(page, story))
    signals.extend(_counter_evidence(page, story, patterns, mentioned))
    return signals


def _provenance_notes(page: PageEvidence, story: Story) -> list[Signal]:
    """Provenance notes (short paragraphs of their own anywhere outside the page chrome) and
    machine text (in the story)."""
    signals = []
    notes_text = (
        "\n".join(block.text for block in page.blocks if len(block.text) <= _NOTE_CHARS and not _is_chrome(block))
        if any(phrase.code == "disclaimer" for phrase in story.phrases)
        else ""
    )
    for phrase in story.phrases:
        if phrase.code in ("disclaimer", "machine_text"):
            source = notes_text if phrase.code == "disclaimer" else story.text
            match = phrase.pattern.search(source)
            if match:
                signals.append(_found(phrase.code, source, match.start(), match.end()))
    return signals


def _agency_evidence(
    page: PageEvidence, story: Story, patterns: Patterns, signals: list[Signal]
) -> tuple[list[Signal], bool]:
    """The agency's marks on the story (dateline, byline, signature, copyright, metadata
    author, mentions), and whether the story mentions an agency at all. A list of datelined
    teasers and a human author go to `signals`."""
    found: list[Signal] = []
    found.extend(_dateline(page, story, patterns, signals))
    found.extend(_byline(page, story, patterns))
    found.extend(_signature(page, story, patterns))
    found.extend(_copyright(story, patterns))
    found.extend(_author(page, patterns, signals))
    mentions = list(patterns.alias_search.finditer(story.text, 0, _MENTION_REACH))
    if mentions:
        found.append(Signal("agency_mentions", mentions[0].group(0), math.log1p(len(mentions)), mentions[0].group(0)))
    return found, bool(mentions)


def _dateline(page: PageEvidence, story: Story, patterns: Patterns, signals: list[Signal]) -> list[Signal]:
    """A dateline at the start of one of the story's first paragraphs; several datelined
    paragraphs are a list of teasers (a topic page), whose first dateline is not the story's."""
    blocks = page.blocks
    paragraphs = islice(
        (
            i
            for i in range(story.lead_start, len(blocks))
            if len(blocks[i].text) >= 60
            and blocks[i].tag not in ("li", "td")
            and not _is_chrome(blocks[i])
            and blocks[i].link_chars < 0.5 * len(blocks[i].text)
        ),
        _DATELINE_PARAGRAPHS,
    )
    datelines = [
        (rank, blocks[i].text, match)
        for rank, i in enumerate(paragraphs)
        if (match := find_dateline(blocks[i].text, patterns))
    ]
    if len(datelines) >= 2:
        signals.append(Signal("datelined_teasers", f"{len(datelines)} paragraphs start with a dateline", float(len(datelines))))
        return []
    if datelines and datelines[0][0] < 6:
        _, text, match = datelines[0]
        return [_found("agency_dateline", text, 0, match.end())]  # the city (and date) and the marker
    return []


def _byline(page: PageEvidence, story: Story, patterns: Patterns) -> list[Signal]:
    """A short block just above or at the top of the story that names an agency."""
    blocks = page.blocks
    for i in range(max(0, story.lead_start - 3), min(len(blocks), max(story.first, story.anchor) + 6)):
        block = blocks[i]
        if len(block.text) <= 90 and not _is_chrome(block) and not block.flags & IN_FIGURE:
            agency = _byline_agency(block.text, patterns, bare_short=False)
            if agency:
                line = " ".join(block.text.split())
                return [Signal("agency_byline", f"{line[:120]} ({agency.name})", match=line)]
    return []


def _signature(page: PageEvidence, story: Story, patterns: Patterns) -> list[Signal]:
    """An agency signing off the story, in its last blocks or a short explicit one."""
    blocks = page.blocks
    closing = [j for j in story.around if j >= story.last - 3][:10]
    explicit = [j for j in story.blocks if len(blocks[j].text) <= 40 and _EXPLICIT_SIGNATURE.match(blocks[j].text)]
    for i in closing + explicit:
        if blocks[i].flags & IN_FIGURE:
            continue
        found = _signature_agency(blocks[i].text, patterns)
        if found:
            line = " ".join(found[1].split())
            return [Signal("agency_signature", f"{line} ({found[0].name})", match=line)]
    return []


def _copyright(story: Story, patterns: Patterns) -> list[Signal]:
    """An agency's copyright line attached to the story."""
    for match in _COPYRIGHT_LINE.finditer(story.around_text):
        holder = match.group("who").strip()
        agency = _only_agencies(holder, patterns) if "/" in holder else _agency_in(holder, patterns)
        if agency:
            return [_found("agency_copyright", story.around_text, match.start(), match.end())]
    return []


def _author(page: PageEvidence, patterns: Patterns, signals: list[Signal]) -> list[Signal]:
    """An agency named as the author in the metadata; else a human author goes to `signals`
    as counter-evidence."""
    authors = [page.meta.get("author", ""), page.meta.get("article:author", "")]
    for obj in page.json_ld:
        authors.extend(names_of(obj.get("author")))
    human = None
    for name in authors:
        agency = _byline_agency(name, patterns) if name else None
        if agency:
            return [Signal("agency_author", f"author: {name[:80]} ({agency.name})")]
        if name and human is None and not name.startswith("http") and not _agency_in(name, patterns):
            human = name
    if human:
        signals.append(Signal("staff_byline", f"author: {human[:80]}"))
    return []


def _press_release(story: Story, patterns: Patterns) -> list[Signal]:
    """Press-release wires (strong) and press-release boilerplate (weak, counted)."""
    signals = []
    for phrase in story.phrases:
        if phrase.code == "press_release_wire" and (wire := phrase.pattern.search(story.text)):
            signals.append(_found("press_release", story.text, wire.start(), wire.end()))
            break
    weak = [m for phrase in story.phrases if phrase.code == "press_release" and (m := phrase.pattern.search(story.around_text))]
    if weak:
        signals.append(
            _found("press_release_weak", story.around_text, weak[0].start(), weak[0].end(), float(len(weak)))
        )
    return signals


def _other_sources(page: PageEvidence, story: Story) -> list[Signal]:
    """Metadata that names another source: a canonical URL on another domain, syndication
    meta tags, JSON-LD `isBasedOn` / `sourceOrganization`."""
    signals = []
    page_domain, canonical = story.page_domain, page.canonical
    if page.url and canonical.startswith(("http://", "https://")):
        canonical_domain = registered_domain(canonical)
        if canonical_domain and page_domain and canonical_domain != page_domain:
            signals.append(Signal("cross_domain_canonical", f"canonical: {canonical[:150]}"))
    for key in ("syndication-source", "original-source"):
        value = page.meta.get(key) or ""
        if value.startswith(("http://", "https://")) and registered_domain(value) != page_domain:
            signals.append(Signal("syndication_meta", f'<meta name="{key}" content="{value[:120]}">'))
            break
    if story.own_site:
        return signals
    for obj in page.json_ld:
        for key in ("isBasedOn", "sourceOrganization", "isBasedOnUrl"):
            source = obj.get(key)
            names = [str(n) for n in names_of(source)] if source else []
            if isinstance(source, dict) and not names and isinstance(source.get("url"), str):
                names = [source["url"]]
            others = [n for n in names if not page_domain or registered_domain(n) != page_domain]
            if others:
                signals.append(Signal("based_on_other_source", f"{key}: {', '.join(others)[:120]}"))
                break
    return signals


def _counter_evidence(page: PageEvidence, story: Story, patterns: Patterns, mentioned: bool) -> list[Signal]:
    """"With inputs from agencies" near the story; agency names only in photo credits."""
    signals = []
    for phrase in story.phrases:
        if phrase.code == "with_agency_inputs" and (inputs := phrase.pattern.search(story.around_text)):
            signals.append(_found("with_agency_inputs", story.around_text, inputs.start(), inputs.end()))
            break
    if not mentioned:
        credited = [
            block.text
            for block in page.blocks
            if (block.flags & IN_FIGURE or (len(block.text) <= 200 and _is_credit(block.text)))
            and patterns.alias_search.search(block.text)
        ]
        if credited:
            line = " ".join(credited[0].split())
            signals.append(Signal("agency_in_credit_only", line[:120], match=line))
    return signals


def signal_vector(signals: Iterable[Signal], *, content_share: float, dup_domains: int = 0) -> list[float]:
    """The scorer's feature row (`SIGNAL_NAMES`) from the page's signals."""
    values = dict.fromkeys(SIGNAL_NAMES, 0.0)
    for signal in signals:
        if signal.code in values:
            values[signal.code] = max(values[signal.code], signal.value)
    values["agency_evidence"] = float(sum(values[kind] > 0 for kind in AGENCY_KINDS))
    values["log_dup_domains"] = math.log(dup_domains) if dup_domains >= 2 else 0.0
    values["content_share"] = content_share
    return [values[name] for name in SIGNAL_NAMES]
