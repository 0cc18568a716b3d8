"""What extraction returns: `Block`, `Metadata`, `Document`, and the `Analysis` behind them.

Plain frozen dataclasses with explicit fields, so results compare, print and serialise
predictably. A `Document` keeps its page's `Analysis` (the blocks as walked, the page evidence,
the parsed JSON-LD, the feature matrix) so that the page scorer and the explain view never parse
the page a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dom import PageInfo, RawBlock


@dataclass(frozen=True, slots=True)
class Block:
    """One text block of the page, in reading order, with the model's verdict."""

    index: int
    text: str
    tag: str
    path: str
    probability: float
    is_content: bool  # main content (the title, captions or comments asked for besides are not)
    role: str | None = None  # `roles.ROLES`; None when the model has no role model


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
class Analysis:
    """Everything known about a page before the model runs."""

    blocks: list[RawBlock]
    page: PageInfo
    json_ld: list[dict[str, Any]]
    metadata: Metadata
    title: str | None
    features: np.ndarray  # one row per block, columns `features.STAGE_ONE_NAMES`
    paths: np.ndarray  # the blocks' DOM path numbers (`dom.BlockColumns.path_ids`)
    tokens: np.ndarray  # the blocks' word tokens (`\w+`), as counted for the features


@dataclass(frozen=True)
class Document:
    """The result of `extract()`: main text, title, every block and the page metadata.

    `threshold` is the probability cut used on this page. Score it with
    `classifier.score(document)`, which reads `analysis` instead of parsing the page again.
    """

    text: str
    title: str | None
    blocks: tuple[Block, ...]
    metadata: Metadata
    threshold: float
    analysis: Analysis | None = field(default=None, compare=False, repr=False)

    @property
    def content_blocks(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.is_content)

    @property
    def content_share(self) -> float:
        """The share of the page's block characters that is main content (0 with no text)."""
        total = sum(len(block.text) for block in self.blocks)
        content = sum(len(block.text) for block in self.blocks if block.is_content)
        return content / total if total else 0.0

    @property
    def boilerplate_share(self) -> float:
        """The share of the page's block characters that is not main content (0 to 1; 0
        with no text)."""
        total = sum(len(block.text) for block in self.blocks)
        content = sum(len(block.text) for block in self.blocks if block.is_content)
        return 1.0 - content / total if total else 0.0
