"""training.fragments: pages' main content alone, made into pages that train beside them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.extraction.dom import blocks_from_html
from training.corpus import load_wcxb
from training.crossval import cross_validate
from training.dataset import build_dataset
from training.estimator import N_FEATURES as N_STAGE_ONE
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
    assert fragments.dataset.y.all()
    # Page keys past the pages' own; site groups those of the page each was made from.
    assert fragments.dataset.X[:, N_STAGE_ONE].min() >= len(dataset.pages)
    for number, origin in enumerate(fragments.origin):
        rows = fragments.dataset.page_index == number
        assert set(fragments.dataset.groups[rows]) <= {dataset.page_groups[origin]}
    # One page in three whole, one cut to two blocks, one to one block.
    for page, origin in zip(fragments.dataset.pages, fragments.origin):
        content = [block.text for block, label in zip(dataset.pages[origin].blocks, dataset.pages[origin].labels) if label]
        expected = content[: (None, 2, 1)[origin % 3]]
        assert page.gold == "\n\n".join(expected)
        assert [block.text for block in page.blocks] == expected


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


class _Spy:
    """A model that records the page keys it is fitted on."""

    def __init__(self, seen: list[set[int]]) -> None:
        self.seen = seen
        self.model = make_model(max_iter=5)

    def fit(self, X, y, sample_weight=None):
        self.seen.append(set(X[:, N_STAGE_ONE].astype(int)))
        self.model.fit(X, y, sample_weight=sample_weight)
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(X)


def test_cross_validation_scores_fragments_of_held_out_sites(pages_and_dataset) -> None:
    pages, dataset = pages_and_dataset
    fragments = build_fragments(pages, dataset, weight=0.1, n_jobs=1)
    seen: list[set[int]] = []
    cv = cross_validate(dataset, lambda: _Spy(seen), folds=3, log=lambda _: None, fragments=fragments)
    # No fold trains on a held-out page, nor on a held-out page's fragment.
    fragment_key = {n: int(fragments.dataset.X[fragments.dataset.page_index == n][0, N_STAGE_ONE]) for n in range(len(fragments.origin))}
    for fold, keys in enumerate(seen):
        held_out = set(np.flatnonzero(cv.page_folds == fold))
        assert not keys & held_out
        assert not keys & {fragment_key[n] for n, origin in enumerate(fragments.origin) if origin in held_out}
        assert keys & set(fragment_key.values())  # and it does train on fragments
    assert cv.fragment_probabilities is not None
    assert cv.fragment_probabilities.shape == fragments.dataset.y.shape
    assert (cv.fragment_probabilities > 0).all()  # every fragment was predicted by some fold
