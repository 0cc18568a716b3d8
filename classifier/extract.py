"""`clean()` and `extract()`: HTML -> blocks -> probabilities -> main text.

`analyse()` runs the stages that do not need a model (decode, parse and walk, metadata, block
features); the model labels the blocks; `assemble()` joins the kept blocks into text with the
layout users expect: paragraphs separated by a blank line, also before a heading that follows
text (inside a list of cards too), headings and list items on their own lines (a list item's
paragraphs under its bullet), the cells of a table row on one line, code blocks with their line
breaks (also when each line is an element of its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

import numpy as np

from .decode import decode_html, looks_binary
from .dom import HEADING_TAGS, IN_LIST, IN_PRE, IN_TABLE, PageInfo, RawBlock, blocks_from_html
from .features import STAGE_ONE_NAMES, block_features, path_ids
from .metadata import (
    display_title,
    page_kind_cues,
    page_title,
    parse_json_ld,
    read_metadata,
    structured_text,
)
from .model import LoadedModel, get_model
from .types import Block, Document, Metadata

TOKEN_COLUMN = STAGE_ONE_NAMES.index("log_tokens")

Favor = Literal["precision", "balanced", "recall"]
# The per-page cut maximises the expected F-beta: beta 0.5 weighs precision twice as much as
# recall, beta 2 the other way round (the usual choices).
FAVOR_BETAS: dict[str, float] = {"precision": 0.5, "balanced": 1.0, "recall": 2.0}


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything known about a page before the model runs."""

    blocks: list[RawBlock]
    page: PageInfo
    json_ld: list[dict[str, Any]]
    metadata: Metadata
    title: str | None
    features: np.ndarray
    paths: np.ndarray  # the blocks' DOM path numbers (`classifier.features.path_ids`)


def to_text(html: str | bytes, http_charset: str | None = None) -> str:
    """Check the input type and decode bytes (with the HTTP header's charset, when known);
    the one door every public function uses. What is not a text document (a PDF, an image,
    random bytes: `classifier.decode.looks_binary`) becomes "", a page with nothing in it."""
    if isinstance(html, str):
        text = html
    elif isinstance(html, (bytes, bytearray, memoryview)):
        text = decode_html(bytes(html), http_charset)
    else:
        raise TypeError(f"expected HTML as str or bytes, got {type(html).__name__}")
    return "" if looks_binary(text) else text


def analyse(html: str | bytes, url: str | None = None, *, http_charset: str | None = None) -> Analysis:
    """Decode, parse, walk and compute the stage-one features of one page."""
    text = to_text(html, http_charset)
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be a str or None, got {type(url).__name__}")
    blocks, page = blocks_from_html(text)
    objects = parse_json_ld(page.json_ld)
    title = page_title(page)
    paths = path_ids(blocks)
    features = block_features(
        blocks,
        page,
        title=title or "",
        structured=structured_text(page, objects),
        page_kinds=page_kind_cues(page, objects, url),
        paths=paths,
    )
    return Analysis(
        blocks=blocks,
        page=page,
        json_ld=objects,
        metadata=read_metadata(page, objects, url),
        title=title,
        features=features,
        paths=paths,
    )


MIN_DUPLICATE_CHARS = 10
# Draws of the per-page cut's expectation with correlated labels (`page_threshold`): a prime.
CORRELATED_DRAWS = 31
_LINE_NUMBERS = re.compile(r"[\d\s]+")


def page_threshold(
    probabilities: np.ndarray, weights: np.ndarray, groups: np.ndarray | None = None, *, beta: float = 1.0
) -> float:
    """The cut that maximises the page's expected F1 (F-beta) under the model's probabilities.

    Blocks are taken in order of probability and the top k are kept; the k with the best
    expected F1 sets the cut, so a page whose blocks are all doubtful (a product grid) keeps
    its likeliest ones and a clear article keeps just its body. `beta` below 1 favours
    precision, above 1 recall. `weights` are the blocks' tokens.

    `groups` numbers (from 0) the blocks whose labels go together: the blocks of one DOM path
    (a list's items, a body's paragraphs) are nearly always all content or all boilerplate.
    Within a group the labels are drawn together (one uniform draw u per group: block i is
    content when u < p_i, which keeps every block's own probability), between groups
    independently, and the expectation is taken over a fixed lattice of
    `CORRELATED_DRAWS` draws (deterministic, no random numbers). This matters on a short
    article beside a long, doubtful list of teasers: with independent labels, keeping the list
    looks safe (about a third of it would be content, give or take little), while in truth it
    is all or nothing. With `groups` None every label is independent, and the expectation is
    the closed form: expected precision sum(p w) / sum(w) over the kept blocks, expected recall
    sum(p w) over them divided by sum(p w) over the page.

    Keeping nothing is the other choice: it is right (F1 1) exactly when no block is content,
    which the model gives probability prod(1 - p) (with groups, the product over groups of 1
    minus the group's highest p). When that beats every k, as on an error or sold-out page
    where nothing looks like content, the cut lies above every block.
    """
    if len(probabilities) == 0:
        return 1.0
    p = np.asarray(probabilities, dtype=np.float64)
    w = np.maximum(np.asarray(weights, dtype=np.float64), 1.0)
    order = np.argsort(-p, kind="stable")
    kept = np.cumsum(w[order])
    squared = beta * beta
    never = np.log1p(-np.minimum(p, 1.0 - 1e-12))  # log P(block is not content)
    if groups is None:
        expected_true = np.cumsum(p[order] * w[order])
        expected_score = (1 + squared) * expected_true / (kept + squared * (p * w).sum())
        nothing_is_content = float(np.exp(never.sum()))
    else:
        groups = np.asarray(groups, dtype=np.int64)
        n_groups = int(groups.max()) + 1
        draws = np.arange(CORRELATED_DRAWS)
        # A rank-1 lattice: each group's draws are the CORRELATED_DRAWS strata of (0, 1), in
        # an order of its own (multiplier 1 + g mod (draws - 1), the draw count being prime).
        multipliers = 1 + np.arange(n_groups) % (CORRELATED_DRAWS - 1)
        uniform = ((draws[:, None] * multipliers[None, :]) % CORRELATED_DRAWS + 0.5) / CORRELATED_DRAWS
        content = (uniform[:, groups[order]] < p[order]) * w[order]  # draws x blocks, kept order
        true = np.cumsum(content, axis=1)
        expected_score = ((1 + squared) * true / (kept + squared * true[:, -1:])).mean(axis=0)
        group_never = np.zeros(n_groups)
        np.minimum.at(group_never, groups, never)  # log(1 - the group's highest p)
        nothing_is_content = float(np.exp(group_never.sum()))
    best = int(np.argmax(expected_score))
    if nothing_is_content > expected_score[best]:
        return float(np.nextafter(p[order[0]], np.inf))
    return float(p[order[best]])


def decide(blocks: list[RawBlock], probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """Which blocks are kept: probability at or above `threshold`, each text once, no line
    numbers.

    A page often carries the same text twice (desktop and mobile copies, carousels); the
    second copy of a kept block of `MIN_DUPLICATE_CHARS` or more is dropped. So is the gutter
    of a code listing laid out as a table (a cell of code holding only line numbers, beside the
    cell of code): kept, it would run into the code's first line.
    """
    keep = np.asarray(probabilities) >= threshold
    seen: set[str] = set()
    for i in np.flatnonzero(keep):
        block = blocks[i]
        text = block.text
        if block.row >= 0 and block.flags & IN_PRE and _LINE_NUMBERS.fullmatch(text):
            keep[i] = False
        elif len(text) >= MIN_DUPLICATE_CHARS:
            if text in seen:
                keep[i] = False
            seen.add(text)
    return keep


def token_counts(features: np.ndarray) -> np.ndarray:
    """Tokens per block, from the feature matrix."""
    return np.expm1(features[:, TOKEN_COLUMN].astype(np.float64)) if len(features) else np.zeros(0)


def choose_cut(
    probabilities: np.ndarray,
    features: np.ndarray,
    paths: np.ndarray,
    threshold: float | None,
    favor: Favor = "balanced",
) -> float:
    """The cut for one page: `threshold` when given, else the page's expected F-beta cut
    (`paths`: the blocks' DOM path numbers, `classifier.features.path_ids`)."""
    if threshold is None:
        return page_threshold(probabilities, token_counts(features), paths, beta=FAVOR_BETAS[favor])
    return float(threshold)


def check_decision(threshold: float | None, favor: str) -> None:
    """Refuse a `threshold` that is not a probability (0 to 1), a `favor` that is not one of
    `FAVOR_BETAS`, or both given."""
    if threshold is not None and (
        isinstance(threshold, bool) or not (isinstance(threshold, Real) and 0.0 <= threshold <= 1.0)
    ):
        raise ValueError(f"threshold must be a probability from 0 to 1 (or None), got {threshold!r}")
    if favor not in FAVOR_BETAS:
        raise ValueError(f"favor must be one of {', '.join(FAVOR_BETAS)}, got {favor!r}")
    if threshold is not None and favor != "balanced":
        raise ValueError("give a threshold or favor, not both: favor chooses the cut per page")


def _label(
    analysis: Analysis, model: LoadedModel | str | None, threshold: float | None, favor: Favor
) -> tuple[np.ndarray, np.ndarray, float]:
    """Probabilities, kept blocks and the cut used (given, the card's, or per page)."""
    block_model = get_model(model)
    paths = analysis.paths
    probabilities = block_model.page_probabilities(analysis.features, analysis.blocks, paths)
    if threshold is None and favor == "balanced":
        threshold = block_model.threshold
    cut = choose_cut(probabilities, analysis.features, paths, threshold, favor)
    return probabilities, decide(analysis.blocks, probabilities, cut), cut


def _in_list_item(block: RawBlock) -> bool:
    """A paragraph (not a heading) directly inside a list item: `<li><p>`, as documentation
    generators write every item."""
    if block.tag == "li" or block.tag in HEADING_TAGS or not block.flags & IN_LIST:
        return False
    container = block.path.rsplit(">", 2)[-2] if ">" in block.path else ""
    return container == "li" or container.startswith(("li.", "li#"))


def assemble(blocks: list[RawBlock], keep: np.ndarray) -> str:
    """Join the kept blocks into plain text (see the module docstring for the layout)."""
    parts: list[str] = []
    previous: RawBlock | None = None
    bulleted_item = -1  # the list item whose first paragraph took the bullet
    for index, (block, kept) in enumerate(zip(blocks, keep)):
        if not kept:
            continue
        text = block.text
        bullet = block.tag == "li" or bool(block.flags & IN_LIST and block.tag in ("dd", "dt"))
        if block.tag == "li":
            bulleted_item = block.own_element
        elif not bullet and _in_list_item(block):
            item = block.parent_element
            before = blocks[index - 1] if index else None
            if item == bulleted_item:
                text = "  " + text.replace("\n", "\n  ")  # the item's next paragraph
            elif before is None or item not in (before.own_element, before.parent_element):
                bullet, bulleted_item = True, item  # the item's first paragraph
        if bullet:
            text = "- " + text.replace("\n", "\n  ")
        if previous is not None:
            if block.row >= 0 and block.row == previous.row and not (block.flags | previous.flags) & IN_PRE:
                separator = " | "
            elif block.flags & IN_PRE and previous.flags & IN_PRE and block.tag == previous.tag == "pre":
                separator = "\n\n"
            elif (
                block.flags & IN_PRE
                and previous.flags & IN_PRE
                and block.parent_element == previous.parent_element
            ):
                separator = "\n"  # code whose lines are elements (<div class="line">): one block of code
            elif block.tag in HEADING_TAGS and previous.tag not in HEADING_TAGS:
                separator = "\n\n"  # a heading opens a section, also inside a list (cards)
            elif (
                (block.flags & IN_LIST and previous.flags & IN_LIST)
                or (block.flags & IN_TABLE and previous.flags & IN_TABLE)
                or previous.tag in HEADING_TAGS
            ):
                separator = "\n"
            else:
                separator = "\n\n"
            parts.append(separator)
        parts.append(text)
        previous = block
    return "".join(parts)


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    threshold: float | None = None,
    favor: Favor = "balanced",
    model: LoadedModel | str | None = None,
    http_charset: str | None = None,
) -> Document:
    """Every block of the page with its content probability, the main text and metadata.

    `threshold`: blocks at or above this content probability are kept; lower keeps more
    (recall), higher keeps less (precision). The default (None) uses the model card's choice:
    for the shipped model, a cut per page that maximises the page's expected F1
    (`page_threshold`), which is what cross-validation chose. `favor` ("balanced", default;
    "precision"; "recall") keeps the cut per page but maximises the expected F0.5 or F2
    instead; it cannot be combined with `threshold` (ValueError). `Document.threshold` is the
    cut used. `model` is a `LoadedModel` (from `load_model`), a path to a model file you trust,
    or None for the `CLASSIFIER_MODEL` environment variable or else the shipped model.

    `html` is a `str`, or bytes (any bytes-like object) decoded by `decode_html`: a byte-order
    mark, else `http_charset` (the HTTP response's charset or whole Content-Type value, when
    you have it), else the page's `<meta>` charset, UTF-8 or a detector. Anything else raises
    `TypeError`.
    """
    check_decision(threshold, favor)
    analysis = analyse(html, url, http_charset=http_charset)
    probabilities, keep, cut = _label(analysis, model, threshold, favor)
    blocks = tuple(
        Block(
            index=raw.index,
            text=raw.text,
            tag=raw.tag,
            path=raw.path,
            probability=float(probability),
            is_content=bool(kept),
        )
        for raw, probability, kept in zip(analysis.blocks, probabilities, keep)
    )
    return Document(
        text=assemble(analysis.blocks, keep),
        title=display_title(
            analysis.title,
            analysis.metadata.site_name,
            analysis.metadata.canonical_url or analysis.metadata.url,
        ),
        blocks=blocks,
        metadata=analysis.metadata,
        threshold=cut,
        analysis=analysis,
    )


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    threshold: float | None = None,
    favor: Favor = "balanced",
    model: LoadedModel | str | None = None,
    http_charset: str | None = None,
) -> str:
    """The main content of a page as plain text ("" when it has none).

    Paragraphs are separated by a blank line; headings, list items and table rows stand on
    their own lines; code blocks keep their line breaks. Options as in `extract()`.
    """
    check_decision(threshold, favor)
    analysis = analyse(html, url, http_charset=http_charset)
    _, keep, _ = _label(analysis, model, threshold, favor)
    return assemble(analysis.blocks, keep)
