"""`classifier.extraction.trees`: the plain-array ensemble, its C kernel and its numpy path.

Exactness against scikit-learn is checked where models are exported
(`tests/training/test_export_trees.py`); here, the predictor's own behaviour: both paths agree
to the last bit, and arrays that are not a valid ensemble are refused before any walk.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from classifier import load_model
from classifier.extraction import trees as trees_module
from classifier.extraction.extract import analyse
from classifier.extraction.trees import TreeEnsemble, TreeError

GO_BLOG = Path(__file__).resolve().parents[2] / "fixtures" / "go-blog-defer-panic-recover.html.gz"


def small_ensemble() -> TreeEnsemble:
    """Two trees over two columns: x0 <= 0.5 (missing: left) -> -1 | +2; x1 <= -1 (missing:
    right) -> 0.5 | (x0 <= 3 -> 0.25 | 4)."""
    return TreeEnsemble(
        feature=np.array([0, 0, 0, 1, 0, 0, 0, 0, 0], np.int32),
        threshold=np.array([0.5, 0, 0, -1.0, 0, 3.0, 0, 0, 0], np.float64),
        missing_left=np.array([1, 0, 0, 0, 0, 0, 0, 0, 0], np.uint8),
        left=np.array([1, -1, -1, 4, -1, 6, -1, -1, -1], np.int32),
        right=np.array([2, -1, -1, 5, -1, 7, -1, -1, -1], np.int32),
        value=np.array([0, -1.0, 2.0, 0, 0.5, 0, 0.25, 4.0, 0], np.float64),
        roots=np.array([0, 3], np.int32),
        baseline=0.1,
        n_features=2,
    )


def test_a_hand_made_ensemble_gives_its_leaves() -> None:
    ensemble = small_ensemble()
    X = np.array([[0.0, -2.0], [1.0, 0.0], [np.nan, np.nan], [5.0, 0.0], [0.5, -1.0]], np.float32)
    expected = 0.1 + np.array([-1.0 + 0.5, 2.0 + 0.25, -1.0 + 4.0, 2.0 + 4.0, -1.0 + 0.5])
    assert np.array_equal(ensemble.raw_scores(X), expected)
    assert np.array_equal(ensemble.raw_scores_numpy(X), expected)
    assert np.allclose(ensemble.probability(X), 1 / (1 + np.exp(-expected)))


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(0, 30), st.just(2)),
        elements=st.one_of(st.floats(-10, 10, width=32), st.just(np.nan), st.just(np.inf), st.just(-np.inf)),
    )
)
def test_the_kernel_and_numpy_agree_to_the_last_bit(X: np.ndarray) -> None:
    ensemble = small_ensemble()
    assert np.array_equal(ensemble.raw_scores(X), ensemble.raw_scores_numpy(X))


@pytest.mark.skipif(trees_module.KERNEL is None, reason="the C kernel is not built here")
def test_the_shipped_model_on_a_real_page_agrees_on_both_paths() -> None:
    model = load_model()
    features = analyse(gzip.decompress(GO_BLOG.read_bytes())).features
    assert len(features) > 20
    assert np.array_equal(model.trees.raw_scores(features), model.trees.raw_scores_numpy(features))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"left": np.array([0, -1, -1, 4, -1, 6, -1, -1, -1], np.int32)}, "before its parent"),  # a loop
        ({"right": np.array([2, -1, -1, 5, -1, 60, -1, -1, -1], np.int32)}, "one child|out of range"),
        ({"feature": np.array([0, 0, 0, 7, 0, 0, 0, 0, 0], np.int32)}, "column"),
        ({"roots": np.array([0, 30], np.int32)}, "out of range"),
        ({"value": np.array([0, np.nan, 2.0, 0, 0.5, 0, 0.25, 4.0, 0], np.float64)}, "finite"),
        ({"threshold": np.zeros(9, np.float32)}, "float64"),
        ({"value": np.zeros(8)}, "entries"),
    ],
)
def test_arrays_that_are_not_a_valid_ensemble_are_refused(change: dict, message: str) -> None:
    ensemble = small_ensemble()
    arrays_ = {**{name: getattr(ensemble, name) for name in ("feature", "threshold", "missing_left", "left", "right", "value", "roots")}, **change}
    with pytest.raises(TreeError, match=message):
        TreeEnsemble(**arrays_, baseline=0.1, n_features=2)


def test_wrong_column_count_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="feature columns"):
        small_ensemble().raw_scores(np.zeros((3, 5), np.float32))


def test_arrays_round_trip() -> None:
    ensemble = small_ensemble()
    again = TreeEnsemble.from_arrays(ensemble.arrays())
    X = np.array([[0.2, -3.0], [4.0, 1.0]], np.float32)
    assert np.array_equal(again.raw_scores(X), ensemble.raw_scores(X))
    with pytest.raises(TreeError, match="missing arrays"):
        TreeEnsemble.from_arrays({"feature": ensemble.feature})


def test_contributions_add_up_to_the_raw_score() -> None:
    model = load_model()
    features = analyse(gzip.decompress(GO_BLOG.read_bytes())).features
    contributions, bias = model.trees.contributions(features)
    assert contributions.shape == features.shape
    assert np.allclose(contributions.sum(axis=1) + bias, model.trees.raw_scores(features), rtol=0, atol=1e-9)
    ensemble = small_ensemble()
    with pytest.raises(TreeError, match="no cover"):
        ensemble.contributions(np.zeros((1, 2), np.float32))
