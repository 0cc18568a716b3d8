"""classifier.forest: the per-page path equals scikit-learn's predict_proba, bit for bit."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from classifier.extract import analyse
from classifier.forest import BoostedTrees
from classifier.model import get_model

N_FEATURES = 6
GO_BLOG = Path(__file__).resolve().parents[1] / "fixtures" / "go-blog-defer-panic-recover.html.gz"


def _training_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, N_FEATURES))
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values take their own branch
    y = ((np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) ** 2 + rng.normal(0, 0.3, 600)) > 0.4)
    return X, y.astype(int)


@pytest.fixture(scope="module")
def fitted() -> HistGradientBoostingClassifier:
    X, y = _training_data()
    return HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0).fit(X, y)


@settings(max_examples=60, deadline=None)
@given(
    rows=arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.just(N_FEATURES)),
        elements=st.one_of(
            st.floats(-1e6, 1e6, allow_nan=False), st.just(np.nan), st.just(np.inf), st.just(-np.inf)
        ),
    ),
    as_float32=st.booleans(),
)
def test_probability_equals_predict_proba(fitted, rows: np.ndarray, as_float32: bool) -> None:
    X = rows.astype(np.float32) if as_float32 else rows
    trees = BoostedTrees.of(fitted)
    assert trees is not None
    assert np.array_equal(trees.probability(X), fitted.predict_proba(X)[:, 1])


def test_the_shipped_model_takes_the_fast_path_and_agrees() -> None:
    model = get_model()
    assert model.trees is not None
    features = analyse(gzip.decompress(GO_BLOG.read_bytes())).features
    assert len(features) > 20
    assert np.array_equal(model.trees.probability(features), model.estimator.stage_one_.predict_proba(features)[:, 1])


def test_models_it_cannot_reproduce_are_left_to_predict_proba() -> None:
    X, y = _training_data()
    assert BoostedTrees.of(LogisticRegression().fit(np.nan_to_num(X), y)) is None
    assert BoostedTrees.of(None) is None
    multiclass = HistGradientBoostingClassifier(max_iter=5).fit(X, y + (X[:, 2] > 1))
    assert BoostedTrees.of(multiclass) is None
    categorical = np.column_stack([np.nan_to_num(X[:, :2]), (np.arange(len(X)) % 4)])
    with_categories = HistGradientBoostingClassifier(max_iter=5, categorical_features=[2]).fit(categorical, y)
    assert BoostedTrees.of(with_categories) is None


def test_wrong_column_count_is_a_clear_error(fitted) -> None:
    trees = BoostedTrees.of(fitted)
    with pytest.raises(ValueError, match="feature columns"):
        trees.probability(np.zeros((3, N_FEATURES + 1)))


def test_trees_that_disagree_with_predict_proba_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _training_data(1)
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    exact = BoostedTrees.probability
    monkeypatch.setattr(BoostedTrees, "probability", lambda self, rows: exact(self, rows) + 1e-12)
    assert BoostedTrees.of(model) is None  # the probe rows catch a last-bit difference


def test_internals_that_moved_fall_back_instead_of_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _training_data(1)
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    predictor_type = type(model._predictors[0][0])
    monkeypatch.setattr(predictor_type, "predict", lambda self, X, *, context: np.zeros(len(X)))
    assert BoostedTrees.of(model) is None


def test_a_refitted_estimator_is_noticed() -> None:
    X, y = _training_data(2)
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    trees = BoostedTrees.of(model)
    assert trees is not None and trees.is_of(model)
    model.fit(X, 1 - y)
    assert not trees.is_of(model)
