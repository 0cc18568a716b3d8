"""Where the explain view's marks go: which blocks a gold text calls content, and where a
reason's evidence snippet sits in the blocks.

* `gold_verdicts()`: per block, whether the page's true main text calls it content, by the
  alignment the training labels use (`classifier.extraction.align`);
* `locate_evidence()`: where a reason's evidence sits in the block texts, so the view can wrap
  it in `<mark data-reason="code">` and link the reason to its block (`anchor_block`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..extraction.align import align_labels
from ..scoring.page_score import Reason

# Reasons read from the page's metadata, the URL or the crawl, or counted over the page: their
# evidence is not a text that sits in one block, so they are shown in the header, never marked.
METADATA_CODES = frozenset(
    {
        "agency_author",
        "staff_byline",
        "cross_domain_canonical",
        "syndication_meta",
        "based_on_other_source",
        "same_text_on_N_domains",
        "template_across_pages",
        "agency_own_site",
        "datelined_teasers",
    }
)
_TRAILING_NAME = re.compile(r"^(?P<body>.*\S)\s*\([^()]*\)\s*$", re.DOTALL)
_LEFT_CONTEXT = 60  # characters of context the signals keep before a match
Span = tuple[int, int, int]  # (block position, start, end) in that block's text


def gold_verdicts(block_texts: Sequence[str], gold_text: str) -> list[bool | None]:
    """Per block: True when the gold text calls it content, False when not, None (no tokens),
    by the alignment of the training labels (`classifier.extraction.align`)."""
    labels, counts = align_labels(block_texts, gold_text)
    return [None if count == 0 else bool(label) for label, count in zip(labels, counts)]


def _find_joined(texts: Sequence[str], needle: str) -> list[Span]:
    """`needle` in the block texts joined by newlines (as the signals read them), as spans."""
    joined = "\n".join(texts)
    start = joined.find(needle)
    if start < 0:
        return []
    end = start + len(needle)
    spans: list[Span] = []
    offset = 0
    for i, text in enumerate(texts):
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            spans.append((i, low - offset, high - offset))
        offset += len(text) + 1
        if offset > end:
            break
    return spans


def _find_words(texts: Sequence[str], needle: str) -> list[Span]:
    """`needle`'s words, with any whitespace between them, in the first block that has them."""
    words = needle.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    for position, text in enumerate(texts):
        found = pattern.search(text)
        if found:
            return [(position, found.start(), found.end())]
    return []


def _find_pieces(texts: Sequence[str], needle: str) -> list[Span]:
    """Each line of `needle` in some block, in reading order (for snippets that span blocks
    that are not neighbours on the page, such as the kept blocks joined)."""
    pieces = [piece.strip() for piece in needle.split("\n")]
    pieces = [piece for piece in pieces if piece]
    spans: list[Span] = []
    first = 0
    for piece in pieces:
        for i in range(first, len(texts)):
            at = texts[i].find(piece)
            if at >= 0:
                spans.append((i, at, at + len(piece)))
                first = i + 1 if len(pieces) > 1 else i
                break
        else:
            return []
    return spans


def locate_evidence(texts: Sequence[str], reason: Reason) -> list[Span]:
    """Where `reason`'s evidence sits in the block texts ([] for metadata or when not found).

    The evidence itself (`Reason.match`) is found in one block, whatever the whitespace; a
    reason without it (made by older code) falls back to its snippet as the signals cut it
    (from the blocks joined by newlines), then line by line, then without the agency name
    appended in parentheses ("REUTERS (Reuters)").
    """
    evidence = reason.evidence.strip()
    if reason.code in METADATA_CODES or not (evidence or reason.match):
        return []
    if reason.match:
        return _find_words(texts, reason.match)
    candidates = [evidence]
    trailing = _TRAILING_NAME.match(evidence)
    if trailing:
        candidates.append(trailing.group("body"))
    for candidate in candidates:
        spans = _find_joined(texts, candidate) or _find_pieces(texts, candidate)
        if spans:
            return spans
    return []


def anchor_block(spans: Sequence[Span]) -> int | None:
    """The block a reason links to: where the match itself sits in a snippet that spans blocks.

    The signals cut a snippet with up to `_LEFT_CONTEXT` characters before the match (see
    `classifier.scoring.signals._snippet`), so the block holding that offset holds the match.
    """
    if not spans:
        return None
    offset = 0
    for position, start, end in spans:
        offset += end - start
        if offset > _LEFT_CONTEXT:
            return position
        offset += 1  # the newline between two blocks
    return spans[-1][0] if len(spans) > 1 else spans[0][0]
