"""training.fragments: pages' main content alone, made into pages that train beside them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.dom import blocks_from_html
from classifier.model import N_STAGE_ONE
from training.corpus import load_wcxb
from training.crossval import cross_validate
from training.dataset import build_dataset
from training.fit import make_model
from training.fragments import build_fragments, fragment_html

WCXB = Path(__file__).resolve().parents[2] / "data" / "wcxb-dev"


@pytest.fixture(scope="module")
def pages_and_dataset():
    pages = [page for _, page in zip(range(12), load_wcxb(WCXB))]
    return pages, build_dataset(pages, n_jobs=1)


def test_fragment_html_keeps_the_blocks_and_their_kinds() -> None:
    source = blocks_from_html(
        "<h2>Title &amp; more</h2><p>First <b>para</b>.</p><ul><li>one</li><li>two</li></ul>"
        "<pre>x = 1\ny = 2</pre><div>tail</div>"
    )[0]
    bare = fragment_html(source, bare=True)
    assert bare.startswith("<h2>Title &amp; more</h2>") and "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in bare
    assert "<html" not in bare and "<p>tail</p>" in bare
    wrapped = fragment_html(source, bare=False)
    assert wrapped.startswith("<!doctype html>") and "<article>" in wrapped
    # Read back, a fragment gives the same blocks, in order.
    assert [b.text for b in blocks_from_html(bare)[0]] == [b.text for b in source]
    assert [b.text for b in blocks_from_html(wrapped)[0]] == [b.text for b in source]


def test_fragments_are_content_and_keep_their_pages_apart(pages_and_dataset) -> None:
    pages, dataset = pages_and_dataset
    fragments = build_fragments(pages, dataset, weight=0.1, n_jobs=1)
    with_content = [n for n, page in enumerate(dataset.pages) if page.labels.any()]
    assert list(fragments.origin) == with_content
    assert fragments.dataset.y.mean() > 0.95
    # Page keys past the pages' own; site groups those of the page each was made from.
    assert fragments.dataset.X[:, N_STAGE_ONE].min() >= len(dataset.pages)
    for number, origin in enumerate(fragments.origin):
        rows = fragments.dataset.page_index == number
        assert set(fragments.dataset.groups[rows]) <= {dataset.page_groups[origin]}
    # One page in three is cut to one block, one to two.
    sizes = [len(page.blocks) for page in fragments.dataset.pages]
    assert all(size <= 2 for size, origin in zip(sizes, fragments.origin) if origin % 3 == 1)


def test_training_takes_only_the_fragments_of_its_pages(pages_and_dataset) -> None:
    pages, dataset = pages_and_dataset
    fragments = build_fragments(pages, dataset, weight=0.1, n_jobs=1)
    train_pages = np.array([0, 1, 2, 5])
    rows = dataset.rows_of(train_pages)
    X, y, weights, groups = fragments.with_pages(dataset, rows, train_pages)
    extra = fragments.rows_of(train_pages)
    assert len(X) == len(rows) + len(extra) == len(y) == len(weights) == len(groups)
    assert set(fragments.origin[fragments.dataset.page_index[extra]]) <= set(train_pages)
    assert weights[len(rows) :].sum() == pytest.approx(0.1 * len(set(fragments.dataset.page_index[extra])))


def test_cross_validation_scores_fragments_of_held_out_sites(pages_and_dataset) -> None:
    pages, dataset = pages_and_dataset
    fragments = build_fragments(pages, dataset, weight=0.1, n_jobs=1)
    cv = cross_validate(dataset, lambda: make_model(max_iter=10), folds=3, log=lambda _: None, fragments=fragments)
    assert cv.fragment_probabilities is not None
    assert cv.fragment_probabilities.shape == fragments.dataset.y.shape
    assert (cv.fragment_probabilities > 0).all()  # every fragment was predicted by some fold
