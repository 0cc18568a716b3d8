"""The public result types: `Block`, `Metadata`, `Document`, `Reason`, `PageScore`.

They are plain frozen dataclasses with explicit fields, so results compare, print and serialise
predictably. `Document` keeps the parsed page evidence (`page`) and the block feature matrix so
that `score()` and the explain view never parse the page a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    from .extract import Analysis


@dataclass(frozen=True, slots=True)
class Block:
    """One text block of the page, in reading order, with the model's verdict."""

    index: int
    text: str
    tag: str
    path: str
    probability: float
    is_content: bool


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page says about itself (None where it does not say)."""

    url: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence that a page was published without review.

    `code` is a stable identifier (see `classifier.signals.REASON_CODES`), `evidence` the text
    or attribute it was found in, `weight` how much it moved the page score (log-odds).
    """

    code: str
    evidence: str
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class PageScore:
    """The probability that a page is unreviewed auto-published copy, with its reasons."""

    probability: float
    flagged: bool
    threshold: float
    reasons: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class Document:
    """The result of `extract()`: main text, title, every block and the page metadata."""

    text: str
    title: str | None
    blocks: tuple[Block, ...]
    metadata: Metadata
    threshold: float
    # The parsed page and its feature matrix, kept so that score() and the explain view never
    # parse the page again; not part of equality.
    analysis: Analysis | None = field(default=None, compare=False, repr=False)

    @property
    def content_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.is_content)

    def score(self, **options: Any) -> PageScore:
        """Score this page for unreviewed auto-publication (see `classifier.score`)."""
        from .score import score

        return score(self, **options)
