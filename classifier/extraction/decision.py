"""The per-page decision: which blocks are kept, given their content probabilities.

The default cut is chosen per page to maximise the page's expected F1 (`page_threshold`), or
F0.5 / F2 when the caller favours precision or recall; a fixed `threshold` replaces it. `decide`
then keeps the blocks at or above the cut, each text once, without the gutter of a code listing.

The per-page cut with correlated labels (the blocks' order, their expected scores and the
best of them; numpy takes the logarithms) and `decide` run in the compiled kernel `_decision`
(Cython, built by setup.py) when it is installed and built from the source beside this file
(`KERNEL`), else in numpy and Python, the reference; the scores and cuts are the same to the
last bit and the decisions the same (tests compare them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from numbers import Real
from types import ModuleType
from typing import Literal

import numpy as np

from . import compiled
from .dom import IN_PRE, RawBlock

Favor = Literal["precision", "balanced", "recall"]
# The per-page cut maximises the expected F-beta: beta 0.5 weighs precision twice as much as
# recall, beta 2 the other way round (the usual choices).
FAVOR_BETAS: dict[str, float] = {"precision": 0.5, "balanced": 1.0, "recall": 2.0}
MIN_DUPLICATE_CHARS = 10
# Draws of the per-page cut's expectation with correlated labels (`page_threshold`): a prime.
CORRELATED_DRAWS = 31
_LINE_NUMBERS = re.compile(r"[\d\s]+")
KERNEL_SOURCES = ("_decision.pyx",)  # what setup.py stamps the kernel with
KERNEL: ModuleType | None = compiled.load("_decision", KERNEL_SOURCES)


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


def _log_not_content(p: np.ndarray) -> np.ndarray:
    """log P(block is not content) for each block, finite at p = 1."""
    return np.log1p(-np.minimum(p, 1.0 - 1e-12))


def _expected_scores_independent(p: np.ndarray, w: np.ndarray, order: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
    """Expected F-beta of keeping the top k blocks, for every k, and P(no block is content),
    with every label independent (the closed form)."""
    squared = beta * beta
    kept = np.cumsum(w[order])
    expected_true = np.cumsum(p[order] * w[order])
    scores = (1 + squared) * expected_true / (kept + squared * (p * w).sum())
    return scores, float(np.exp(_log_not_content(p).sum()))


def _expected_scores_grouped(
    p: np.ndarray, w: np.ndarray, order: np.ndarray, groups: np.ndarray, beta: float
) -> tuple[np.ndarray, float]:
    """The same with the labels of a group drawn together (see `page_threshold`): the numpy
    reference of `KERNEL.grouped_cut`, and what a page the kernel leaves to numpy gets."""
    n_groups = int(groups.max()) + 1
    scores = _numpy_grouped_scores(p[order], w[order], groups[order], n_groups, beta * beta)
    group_never = np.zeros(n_groups)
    np.minimum.at(group_never, groups, _log_not_content(p))  # log(1 - the group's highest p)
    return scores, float(np.exp(group_never.sum()))


def _numpy_grouped_scores(p: np.ndarray, w: np.ndarray, groups: np.ndarray, n_groups: int, squared: float) -> np.ndarray:
    """The expected F-beta of keeping the first k blocks (`p`, `w`, `groups` in kept order),
    over the lattice of draws: the reference of `KERNEL.grouped_scores`."""
    kept = np.cumsum(w)
    draws = np.arange(CORRELATED_DRAWS)
    # A rank-1 lattice: each group's draws are the CORRELATED_DRAWS strata of (0, 1), in an
    # order of its own (multiplier 1 + g mod (draws - 1), the draw count being prime).
    multipliers = 1 + np.arange(n_groups) % (CORRELATED_DRAWS - 1)
    uniform = ((draws[:, None] * multipliers[None, :]) % CORRELATED_DRAWS + 0.5) / CORRELATED_DRAWS
    content = (uniform[:, groups] < p) * w  # draws x blocks
    true = np.cumsum(content, axis=1)
    return ((1 + squared) * true / (kept + squared * true[:, -1:])).mean(axis=0)


def page_threshold(
    probabilities: np.ndarray, weights: np.ndarray, groups: np.ndarray | None = None, *, beta: float = 1.0
) -> float:
    """The cut that maximises the page's expected F1 (F-beta) under the model's probabilities.

    Blocks are taken in order of probability and the top k are kept; the k with the best
    expected F1 sets the cut, so a page whose blocks are all doubtful (a product grid) keeps
    its likeliest ones and a clear article keeps just its body. `beta` below 1 favours
    precision, above 1 recall: with independent labels a larger beta never raises the cut;
    with `groups` that is not guaranteed (keeping a group is all or nothing). `weights` are
    the blocks' tokens.

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
    p = np.ascontiguousarray(probabilities, dtype=np.float64)
    if KERNEL is not None and groups is not None:
        found = _compiled_cut(p, weights, groups, beta)
        if found is not None:
            return found
    w = np.maximum(np.asarray(weights, dtype=np.float64), 1.0)
    order = np.argsort(-p, kind="stable")
    if groups is None:
        scores, nothing_is_content = _expected_scores_independent(p, w, order, beta)
    else:
        scores, nothing_is_content = _expected_scores_grouped(p, w, order, np.ascontiguousarray(groups, dtype=np.int64), beta)
    best = int(np.argmax(scores))
    if nothing_is_content > scores[best]:
        return float(np.nextafter(p[order[0]], np.inf))
    return float(p[order[best]])


def _compiled_cut(p: np.ndarray, weights: np.ndarray, groups: np.ndarray, beta: float) -> float | None:
    """`page_threshold` with groups, the kernel doing all but the logarithms, exponential and
    sum that numpy takes (`KERNEL.grouped_cut`); None when the kernel leaves the page to numpy
    (a NaN)."""
    assert KERNEL is not None
    found = KERNEL.grouped_cut(
        p, np.ascontiguousarray(weights, dtype=np.float64), np.ascontiguousarray(groups, dtype=np.int64), _log_not_content(p),
        beta * beta, CORRELATED_DRAWS,
    )  # fmt: skip
    if found is None:
        return None
    best, at_best, highest, group_never = found
    if float(np.exp(group_never.sum())) > best:  # nothing is content: the cut above every block
        return float(np.nextafter(highest, np.inf))
    return float(at_best)


def choose_cut(
    probabilities: np.ndarray,
    tokens: np.ndarray,
    paths: np.ndarray,
    threshold: float | None,
    favor: Favor = "balanced",
) -> float:
    """The cut for one page: `threshold` when given, else the page's expected F-beta cut
    (`tokens`: the blocks' token counts; `paths`: their DOM path numbers)."""
    if threshold is None:
        return page_threshold(probabilities, tokens, paths, beta=FAVOR_BETAS[favor])
    return float(threshold)


def decide(blocks: Sequence[RawBlock], probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """Which blocks are kept: probability at or above `threshold`, each text once, no line
    numbers.

    A page often carries the same text twice (desktop and mobile copies, carousels); the
    second copy of a kept block of `MIN_DUPLICATE_CHARS` or more is dropped, unless it sits in
    the same container as the first (the same DOM path): a recipe's repeated line, an
    interview's repeated question, a table's repeated cell are the text, not a copy of it. So
    is dropped the gutter of a code listing laid out as a table (a cell of code holding only
    line numbers, beside the cell of code): kept, it would run into the code's first line.
    """
    p = np.asarray(probabilities)
    if KERNEL is not None and p.dtype == np.float64:  # float32 would be compared in float32
        decided: np.ndarray = KERNEL.decide(
            blocks, np.ascontiguousarray(p), threshold, _LINE_NUMBERS.fullmatch, MIN_DUPLICATE_CHARS, IN_PRE
        )
        return decided
    keep = p >= threshold
    first_path: dict[str, str] = {}
    for i in np.flatnonzero(keep).tolist():
        block = blocks[i]
        text = block.text
        if block.row >= 0 and block.flags & IN_PRE and _LINE_NUMBERS.fullmatch(text):
            keep[i] = False
        elif len(text) >= MIN_DUPLICATE_CHARS:
            path = first_path.setdefault(text, block.path_key)
            keep[i] = path == block.path_key
    return keep
