"""Where the story is on a page: its headline, lead, paragraphs and closing lines, found from the text.

Attribution sits around the story, not anywhere on the page: bylines and datelines between the
headline and the first paragraphs, sign-offs and copyright lines after the last paragraph. A
`StoryZone` says which blocks those are:

- `anchor`: the headline: the `<h1>` (else `<h2>`) outside page chrome whose text the page's
  title holds, else the first such `<h1>` before the story, else the story's first block;
- `lead`: the short blocks from the headline down to the first real paragraph (a sentence of
  some length, mostly not links), and that paragraph;
- `body`: the story's paragraphs: the main run of content blocks (`main_segment`) from the first
  paragraph on;
- `end`: the short blocks after the last paragraph, to the end of the article container (the
  longest DOM path the paragraphs share), at most `END_BLOCKS`;
- `excluded`: the blocks inside the zone that are not the story: figures, captions and credits,
  table sources, teaser and related boxes, navigation, ads, share tools. No evidence is read
  from them (`signals`), and only the story's paragraphs count for the many-datelines rule.

The zone depends only on the blocks and the page title; it reads no pattern table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

from ..extraction.dom import (
    IN_ASIDE,
    IN_BUTTON,
    IN_FIGURE,
    IN_FOOTER,
    IN_FORM,
    IN_HEADER,
    IN_HIDDEN,
    IN_NAV,
    KEYWORD_GROUPS,
    RawBlock,
)

KEYWORD_BIT = {name: 1 << bit for bit, (name, _) in enumerate(KEYWORD_GROUPS)}
# Class/id words of boxes that are not the story: related and teaser lists, ads, share tools,
# comments, captions and credits, sidebars.
_SIDE_BOX = sum(KEYWORD_BIT[name] for name in ("related", "ad", "social", "comment", "media", "platform_chrome"))
# Words that mark a side box unless the same elements are also named as the content ("card",
# "sidebar" and "paywall" classes also wrap stories: "card-content").
_MAYBE_SIDE_BOX = sum(KEYWORD_BIT[name] for name in ("sidebar", "card", "popup"))
_CONTENT_WORDS = KEYWORD_BIT["content"] | KEYWORD_BIT["platform_content"]
_CHROME = IN_NAV | IN_FOOTER | IN_ASIDE | IN_BUTTON | IN_HIDDEN | IN_FORM
SEGMENT_GAP = 4  # other blocks allowed inside the main run of content
LEAD_BLOCKS = 25  # blocks read between the headline and the first paragraph
END_BLOCKS = 10  # blocks read after the last paragraph
SHORT_BLOCK = 300  # longer blocks in the lead or end are text, not attribution lines
_PARAGRAPH_CHARS = 80
_PARAGRAPH_WORDS = 10
_LINK_SHARE = 0.5
_BYLINE_CHARS = 120
_WORD = re.compile(r"\w+")
# A caption: "FILE PHOTO: ...", "Photo: ...", or closing with "(AP Photo/Name)", "(Photo: X)".
_CAPTION_START = re.compile(r"\s*(?:file\s+)?(?:photos?|images?|pictures?|fotos?|bild|video)\s*[:|]", re.IGNORECASE)
_CAPTION_END = re.compile(r"\((?:[A-Z]{2,6}\s)?(?:photo|foto)\b[^()]{0,80}\)\s*\.?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StoryZone:
    """The story's blocks on a page (see the module docstring); indices into the page's blocks."""

    anchor: int
    first: int  # the first real paragraph
    last: int  # the last paragraph
    lead: tuple[int, ...]
    body: tuple[int, ...]
    end: tuple[int, ...]
    excluded: frozenset[int]
    paragraphs: tuple[int, ...] = ()  # the body's real paragraphs (`is_paragraph`)

    @property
    def blocks(self) -> tuple[int, ...]:
        """The zone's blocks in page order: lead, body and end (the excluded ones left out)."""
        return tuple(sorted(set(self.lead) | set(self.body) | set(self.end)))

    def inside(self, index: int) -> bool:
        return index in self.lead or index in self.body or index in self.end


def main_segment(blocks: Sequence[RawBlock], is_content: Sequence[bool]) -> tuple[int, int]:
    """First and last block of the page's main run of content: consecutive content blocks
    (gaps of up to `SEGMENT_GAP` others allowed) with the most text; the longest block when
    no block is content."""
    best, best_chars = (0, len(blocks) - 1), -1
    start = previous = -1
    chars = 0
    for i in compress(range(len(is_content)), is_content):
        if start < 0 or i - previous > SEGMENT_GAP + 1:
            start, chars = i, 0
        chars += len(blocks[i].text)
        previous = i
        if chars > best_chars:
            best, best_chars = (start, i), chars
    if best_chars < 0 and blocks:
        longest = max(range(len(blocks)), key=lambda i: len(blocks[i].text))
        return longest, longest
    return best


def is_side_box(block: RawBlock, *, ignore: int = 0) -> bool:
    """Whether a block sits in something that is not the story: navigation, footer, sidebar,
    forms and buttons, figures and captions, teaser, related, ad, share or comment boxes.
    `ignore` (default none) are structural flags not to count (the page's story sits in them)."""
    if block.flags & (_CHROME | IN_FIGURE) & ~ignore:
        return True
    near = block.keywords_near
    return bool(near & _SIDE_BOX or (near & _MAYBE_SIDE_BOX and not near & _CONTENT_WORDS))


def _link_share(block: RawBlock) -> float:
    return block.link_chars / max(len(block.text), 1)


def is_paragraph(block: RawBlock, *, ignore: int = 0) -> bool:
    """A real paragraph: a sentence of some length, mostly not links, not a heading, not a
    caption, not in a side box (`is_side_box`, with `ignore`)."""
    text = block.text
    return (
        len(text) >= _PARAGRAPH_CHARS
        and text.count(" ") >= _PARAGRAPH_WORDS
        and not block.tag.startswith("h")
        and _link_share(block) < _LINK_SHARE
        and not is_side_box(block, ignore=ignore)
        and not is_caption(text)
    )


def is_caption(text: str) -> bool:
    """Whether a text opens or closes as a caption does (`_CAPTION_START`, `_CAPTION_END`)."""
    ends = text[:40] + " " + text[-120:]
    return bool(_CAPTION_START.match(ends) or ("(" in ends and _CAPTION_END.search(ends)))


def _folded(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def find_headline(blocks: Sequence[RawBlock], first: int, title: str) -> tuple[int, bool]:
    """The headline's block and whether the page's title holds its text: an `<h1>` (else an
    `<h2>`) outside chrome whose text the title holds, else the last `<h1>` before `first`
    (or the first one shortly after it), else `first`."""
    title_words = _folded(title)
    candidates = [i for i, b in enumerate(blocks) if b.tag in ("h1", "h2") and b.text.strip() and not b.flags & (IN_NAV | IN_FOOTER)]
    if title_words:
        for tag in ("h1", "h2"):
            for i in candidates:
                if blocks[i].tag == tag and len(folded := _folded(blocks[i].text)) >= 12 and folded in title_words:
                    return i, True
    h1 = [i for i in candidates if blocks[i].tag == "h1"]
    before = [i for i in h1 if i <= first]
    if before:
        return before[-1], False
    if h1 and h1[0] - first <= LEAD_BLOCKS:
        return h1[0], False
    return first, False


def _run_from(blocks: Sequence[RawBlock], is_content: Sequence[bool], first: int, ignore: int) -> int:
    """The last block of the run of story blocks from `first`: content blocks and paragraphs,
    with gaps of up to `SEGMENT_GAP` others."""
    last = gap = first
    for i in range(first + 1, len(blocks)):
        if (is_content[i] and not is_side_box(blocks[i], ignore=ignore)) or is_paragraph(blocks[i], ignore=ignore):
            last = gap = i
        elif i - gap > SEGMENT_GAP or (blocks[i].tag in ("h2", "h3") and blocks[i].keywords_near & _SIDE_BOX):
            break
    return last


def _excluded(blocks: Sequence[RawBlock], indices: Sequence[int], paragraphs: Sequence[int], container: str, ignore: int) -> set[int]:
    """Blocks among `indices` that are not the story's (`is_side_box`), and lists of links. A
    footer inside the article container (where sign-offs and copyright lines sit) stays."""
    story = set(paragraphs)
    out = set()
    for i in set(indices) - story:
        block = blocks[i]
        if is_side_box(block, ignore=ignore) and not _own_footer(block, container, ignore):
            out.add(i)
            continue
        share = _link_share(block)
        if (block.flags & IN_HEADER and share > _LINK_SHARE) or (share >= _LINK_SHARE and len(block.text) > 20):
            out.add(i)  # a header of links, a teaser or a related link
    return out


def _own_footer(block: RawBlock, container: str, ignore: int) -> bool:
    """Whether a block is a footer inside the article container, in no side box by class words
    and in no figure (sign-offs and copyright lines sit there)."""
    return (
        bool(container)
        and block.path.startswith(container)
        and not block.flags & (_CHROME & ~IN_FOOTER & ~ignore)
        and not block.keywords_near & _SIDE_BOX
        and not block.flags & IN_FIGURE
    )


def _container(blocks: Sequence[RawBlock], paragraphs: Sequence[int], body: Sequence[int]) -> str:
    """The longest DOM path prefix (whole segments) the story's paragraphs share."""
    return shared_path([blocks[i].path for i in paragraphs] or [blocks[i].path for i in body])


def shared_path(paths: Sequence[str]) -> str:
    """The longest prefix of whole ">"-separated segments that all `paths` share ("" for none)."""
    if not paths:
        return ""
    # The paths' common prefix in characters is that of the first and last in sorted order;
    # it is whole segments where every path ends there or goes on with ">", else it is cut
    # back to its last ">".
    low, high = min(paths), max(paths)
    n = 0
    while n < len(low) and low[n] == high[n]:
        n += 1
    if all(len(path) == n or path[n] == ">" for path in paths):
        return low[:n]
    return low[: max(low.rfind(">", 0, n), 0)]


def story_zone(blocks: Sequence[RawBlock], is_content: Sequence[bool], title: str = "") -> StoryZone:
    """The story zone of a page (see the module docstring). `title` is the page's title
    (metadata), which tells the headline from other headings."""
    if not blocks:
        return StoryZone(0, 0, -1, (), (), (), frozenset(), ())
    start, stop = main_segment(blocks, is_content)
    anchor, titled = find_headline(blocks, start, title)
    # A story whose headline sits in an <aside> (some sites wrap the article in one): the aside
    # is its container, not a side box.
    ignore = blocks[anchor].flags & IN_ASIDE if titled else 0
    known: dict[int, bool] = {}

    def paragraph(i: int) -> bool:  # is_paragraph, each block read once, only where needed
        if i not in known:
            known[i] = is_paragraph(blocks[i], ignore=ignore)
        return known[i]

    if titled and not start <= anchor <= stop:
        # The headline is elsewhere than the main run of content (a ticker or a teaser list
        # taken for it): the story is what follows the headline.
        first = next((i for i in range(anchor + 1, min(len(blocks), anchor + 1 + LEAD_BLOCKS)) if paragraph(i)), -1)
        if first >= 0:
            start, stop = first, _run_from(blocks, is_content, first, ignore)
    search_from = anchor + 1 if start <= anchor < stop else min(anchor + 1, start) if anchor < start else start
    first = next((i for i in range(search_from, min(len(blocks), stop + 1)) if paragraph(i)), -1)
    if first < 0:
        # No paragraph in the main run (a headline and a caption taken for content): the story
        # is the run of paragraphs that follows.
        first = next((i for i in range(search_from, min(len(blocks), search_from + LEAD_BLOCKS)) if paragraph(i)), start)
        stop = max(stop, _run_from(blocks, is_content, first, ignore))
    if anchor < first and first - anchor > LEAD_BLOCKS:
        anchor = first - LEAD_BLOCKS
    last = max(first, stop)
    body = [i for i in range(first, last + 1) if is_content[i] or i == first or first == last or paragraph(i)]
    lead_range = range(min(anchor, first), first + 1)
    lead = [i for i in lead_range if i == first or len(blocks[i].text) <= SHORT_BLOCK]
    # Bylines also sit under a standfirst: the short blocks after the first paragraph, up to the next.
    for i in range(first + 1, min(last + 1, first + 1 + SEGMENT_GAP)):
        if paragraph(i) or len(blocks[i].text) > _BYLINE_CHARS:
            break
        lead.append(i)
    container = _container(blocks, [i for i in body if paragraph(i)], body)
    end = []
    for i in range(last + 1, min(len(blocks), last + 1 + END_BLOCKS)):
        block = blocks[i]
        if block.tag.startswith("h") and i > last + 1:
            break  # "Related stories", "More from ..."
        if len(block.text) <= SHORT_BLOCK * 2 and (not container or block.path.startswith(container) or i <= last + 3):
            end.append(i)
    excluded = _excluded(blocks, [*lead, *body, *end], [first], container, ignore)
    return StoryZone(
        anchor=anchor,
        first=first,
        last=last,
        lead=tuple(i for i in lead if i not in excluded),
        body=tuple(i for i in body if i not in excluded),
        end=tuple(i for i in end if i not in excluded),
        excluded=frozenset(excluded),
        paragraphs=tuple(i for i in body if paragraph(i) and i not in excluded),
    )
