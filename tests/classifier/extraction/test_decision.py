"""`classifier.extraction.decision.decide`: which blocks are kept at a cut, each text once
unless its copies share one container."""

from __future__ import annotations

import numpy as np

from classifier.extraction.decision import decide
from classifier.extraction.dom import blocks_from_html


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
