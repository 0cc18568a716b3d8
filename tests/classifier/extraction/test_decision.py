"""`classifier.extraction.decision`: which blocks are kept at a cut, each text once unless its
copies share one container; the compiled kernel of the per-page cut's scores against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction import decision
from classifier.extraction.decision import CORRELATED_DRAWS, decide, page_threshold
from classifier.extraction.dom import blocks_from_html
from tests.classifier.extraction.compiled_parts import unavailable


def _kept(html: str) -> list[str]:
    blocks, _ = blocks_from_html(html)
    return [block.text for block, kept in zip(blocks, decide(blocks, np.ones(len(blocks)), 0.5)) if kept]


def test_repeated_lines_of_one_container_are_all_kept() -> None:
    # An interview's repeated question and a recipe's repeated step are the text, not copies.
    kept = _kept(
        "<div class='interview'><p>What happened next, in your words?</p><p>We walked home.</p>"
        "<p>What happened next, in your words?</p><p>We slept.</p></div>"
    )
    assert kept.count("What happened next, in your words?") == 2


def test_a_copy_in_another_container_is_dropped() -> None:
    # A mobile copy of the story, in a wrapper of its own.
    story = "<p>The bridge will close on Monday for repairs, the council said.</p>"
    kept = _kept(f"<div class='desktop'>{story}</div><div class='mobile'>{story}</div>")
    assert kept == ["The bridge will close on Monday for repairs, the council said."]


def test_short_repeats_and_blocks_below_the_cut_follow_their_own_rules() -> None:
    blocks, _ = blocks_from_html("<p>Yes.</p><p>Yes.</p><div><p>Another paragraph of the page.</p></div>")
    keep = decide(blocks, np.array([0.9, 0.9, 0.1]), 0.5)
    assert keep.tolist() == [True, True, False]  # under MIN_DUPLICATE_CHARS: never a copy


def _kernel() -> object:
    if decision.KERNEL is None:
        unavailable("the decision kernel is not built here")
    return decision.KERNEL


# Probabilities on and beside the lattice's strata ((r + 0.5) / draws: where `uniform < p`
# turns), and anywhere in [0, 1]; weights are token counts of at least 1.
_LATTICE = [(r + 0.5) / CORRELATED_DRAWS for r in range(CORRELATED_DRAWS)]
_PROBABILITIES = st.one_of(
    st.sampled_from(_LATTICE + [0.0, 1.0]),
    st.sampled_from(_LATTICE).map(lambda x: float(np.nextafter(x, 2.0))),
    st.floats(0.0, 1.0),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PROBABILITIES, st.integers(1, 500), st.integers(0, 80)), min_size=1, max_size=60),
    st.sampled_from([0.5, 1.0, 2.0]),
)
def test_the_kernel_gives_the_numpy_scores_to_the_bit(blocks: list[tuple[float, int, int]], beta: float) -> None:
    kernel = _kernel()
    p, w = np.array([b[0] for b in blocks]), np.array([float(b[1]) for b in blocks])
    groups = np.unique([b[2] for b in blocks], return_inverse=True)[1].astype(np.int64)  # numbered from 0
    squared = beta * beta
    compiled_scores = kernel.grouped_scores(p, w, groups, squared, CORRELATED_DRAWS)  # type: ignore[attr-defined]
    reference = decision._numpy_grouped_scores(p, w, groups, int(groups.max()) + 1, squared)
    assert compiled_scores.tobytes() == reference.tobytes()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-800.0, 0.0), st.integers(0, 9)), min_size=1, max_size=40))
def test_the_kernel_takes_group_minima_as_numpy_minimum_at(values: list[tuple[float, int]]) -> None:
    kernel = _kernel()
    numbers, groups = np.array([v for v, _ in values]), np.array([g for _, g in values], np.int64)
    expected = np.zeros(10)
    np.minimum.at(expected, groups, numbers)
    # Equal values (0.0 and -0.0): the sign of zero may differ, which no sum of them sees.
    assert np.array_equal(kernel.group_minima(numbers, groups, 10), expected)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="out of range"):
        kernel.group_minima(numbers, groups, int(groups.max()))  # type: ignore[attr-defined]


def test_the_cut_is_the_same_with_and_without_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    _kernel()
    generator = np.random.default_rng(7)
    pages = [(generator.random(n), generator.integers(1, 300, n), generator.integers(0, max(1, n // 4), n)) for n in (1, 2, 9, 40, 300)]
    cuts = [page_threshold(p, w, np.unique(g, return_inverse=True)[1]) for p, w, g in pages]
    monkeypatch.setattr(decision, "KERNEL", None)
    assert cuts == [page_threshold(p, w, np.unique(g, return_inverse=True)[1]) for p, w, g in pages]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PROBABILITIES, st.integers(0, 500), st.integers(0, 80)), min_size=1, max_size=60),
    st.sampled_from([0.5, 1.0, 2.0]),
)
def test_the_kernel_finds_the_cut_numpy_finds(blocks: list[tuple[float, int, int]], beta: float) -> None:
    """`page_threshold` with groups: the kernel's sort (ties in block order), weights, scores,
    best score and group minima give the cut of the numpy reference, to the bit."""
    _kernel()
    p, w = np.array([b[0] for b in blocks]), np.array([float(b[1]) for b in blocks])
    groups = np.unique([b[2] for b in blocks], return_inverse=True)[1].astype(np.int64)
    compiled = page_threshold(p, w, groups, beta=beta)
    kernel, decision.KERNEL = decision.KERNEL, None
    try:
        reference = page_threshold(p, w, groups, beta=beta)
    finally:
        decision.KERNEL = kernel
    assert np.float64(compiled).tobytes() == np.float64(reference).tobytes()


def test_a_page_with_a_nan_is_left_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = _kernel()
    p, w, groups = np.array([0.2, np.nan, 0.9]), np.array([3.0, 4.0, 5.0]), np.array([0, 1, 1], np.int64)
    never = np.log1p(-np.minimum(p, 1.0 - 1e-12))
    assert kernel.grouped_cut(p, w, groups, never, 1.0, CORRELATED_DRAWS) is None  # type: ignore[attr-defined]
    assert kernel.grouped_cut(p[[0, 2, 2]], np.array([1.0, np.nan, 1.0]), groups, never, 1.0, CORRELATED_DRAWS) is None  # type: ignore[attr-defined]
    with np.errstate(invalid="ignore"):  # the NaN, in numpy
        compiled = page_threshold(p, w, groups)
        monkeypatch.setattr(decision, "KERNEL", None)
        assert compiled == page_threshold(p, w, groups)


def test_the_kernel_refuses_arrays_that_do_not_fit() -> None:
    kernel = _kernel()
    p, w = np.array([0.5, 0.7]), np.array([3.0, 4.0])
    with pytest.raises(ValueError, match="one weight"):
        kernel.grouped_scores(p, w[:1], np.zeros(2, np.int64), 1.0, CORRELATED_DRAWS)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="negative group"):
        kernel.grouped_scores(p, w, np.array([0, -1], np.int64), 1.0, CORRELATED_DRAWS)  # type: ignore[attr-defined]
    never = np.log1p(-p)
    with pytest.raises(ValueError, match="one token count"):
        kernel.grouped_cut(p, w[:1], np.zeros(2, np.int64), never, 1.0, CORRELATED_DRAWS)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="negative group"):
        kernel.grouped_cut(p, w, np.array([0, -1], np.int64), never, 1.0, CORRELATED_DRAWS)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="no blocks"):
        kernel.grouped_cut(p[:0], w[:0], np.zeros(0, np.int64), never[:0], 1.0, CORRELATED_DRAWS)  # type: ignore[attr-defined]


# Pieces of pages whose blocks repeat (in one container and in another), are short, or are the
# line-number gutter of a code listing laid out as a table.
_PIECES = st.sampled_from(
    [
        "<p>The bridge will close on Monday for repairs.</p>",
        "<div class='mobile'><p>The bridge will close on Monday for repairs.</p></div>",
        "<p>Yes.</p>",
        "<ul><li>Home</li><li>The bridge will close on Monday for repairs.</li></ul>",
        "<table><tr><td><pre>1\n2\n3</pre></td><td><pre>x = 1\ny = 2</pre></td></tr></table>",
        "<table><tr><td>1 2 3</td><td>Monday, Tuesday and Wednesday</td></tr></table>",
        "<pre>10\n11</pre>",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8), st.data())
def test_the_kernel_decides_as_python_does(pieces: list[str], data: st.DataObject) -> None:
    kernel = _kernel()
    blocks, _ = blocks_from_html("".join(pieces))
    probabilities = np.array(data.draw(st.lists(_PROBABILITIES, min_size=len(blocks), max_size=len(blocks))), dtype=np.float64)
    threshold = data.draw(_PROBABILITIES)
    compiled = decide(blocks, probabilities, threshold)
    decision.KERNEL = None
    try:
        reference = decide(blocks, probabilities, threshold)
    finally:
        decision.KERNEL = kernel  # type: ignore[assignment]
    assert compiled.dtype == reference.dtype == np.bool_
    assert compiled.tolist() == reference.tolist()


def test_the_kernel_refuses_a_probability_per_block_that_does_not_fit() -> None:
    kernel = _kernel()
    blocks, _ = blocks_from_html("<p>One.</p><p>Two.</p>")
    with pytest.raises(ValueError, match="2 blocks but 3 probabilities"):
        kernel.decide(blocks, np.ones(3), 0.5, decision._LINE_NUMBERS.fullmatch, decision.MIN_DUPLICATE_CHARS, 1)  # type: ignore[attr-defined]
