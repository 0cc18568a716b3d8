"""`training.export_trees`: a fitted scikit-learn model as plain arrays gives its probabilities.

The plain-data predictor must match scikit-learn's `predict_proba` on the training matrix to
1e-9 (issue 16); on float32 rows, as the block features are, it matches to the last bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from training.export_trees import ExportError, check_export, class_ensembles_of, ensemble_of

N_FEATURES = 6


def _training_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, N_FEATURES)).astype(np.float32)
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values take their own branch
    y = (np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) ** 2 + rng.normal(0, 0.3, 600)) > 0.4
    return X, y.astype(int)


@pytest.fixture(scope="module")
def fitted() -> HistGradientBoostingClassifier:
    X, y = _training_data()
    return HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0).fit(X, y)


def test_the_training_matrix_gives_predict_proba(fitted: HistGradientBoostingClassifier) -> None:
    X, _ = _training_data()
    trees = ensemble_of(fitted)
    assert check_export(fitted, trees, X) <= 1e-9
    assert np.array_equal(trees.probability(X), fitted.predict_proba(X)[:, 1])


@settings(max_examples=60, deadline=None)
@given(
    rows=arrays(
        np.float32,
        st.tuples(st.integers(1, 40), st.just(N_FEATURES)),
        elements=st.one_of(st.floats(-1e6, 1e6, allow_nan=False, width=32), st.just(np.nan), st.just(np.inf), st.just(-np.inf)),
    )
)
def test_any_rows_give_predict_proba_to_the_last_bit(fitted: HistGradientBoostingClassifier, rows: np.ndarray) -> None:
    trees = ensemble_of(fitted)
    assert np.array_equal(trees.probability(rows), fitted.predict_proba(rows)[:, 1])
    assert np.array_equal(trees.raw_scores_numpy(rows), trees.raw_scores(rows))


def test_models_it_cannot_export_exactly_are_refused() -> None:
    X, y = _training_data()
    with pytest.raises(ExportError, match="HistGradientBoostingClassifier"):
        ensemble_of(LogisticRegression().fit(np.nan_to_num(X), y))
    with pytest.raises(ExportError, match="binary"):
        ensemble_of(HistGradientBoostingClassifier(max_iter=5).fit(X, y + (np.nan_to_num(X[:, 2]) > 1)))
    categorical = np.column_stack([np.nan_to_num(X[:, :2]), (np.arange(len(X)) % 4)])
    with pytest.raises(ExportError, match="categorical"):
        ensemble_of(HistGradientBoostingClassifier(max_iter=5, categorical_features=[2]).fit(categorical, y))


def test_a_difference_from_predict_proba_fails_the_check(fitted: HistGradientBoostingClassifier) -> None:
    X, _ = _training_data()
    trees = ensemble_of(fitted)
    shifted = dataclasses.replace(trees, baseline=trees.baseline + 1e-6)  # packed again, with the new baseline
    with pytest.raises(ExportError, match="differ"):
        check_export(fitted, shifted, X)


def test_a_multi_class_model_exports_one_ensemble_per_class() -> None:
    X, _ = _training_data(1)
    # Three roles from two columns, with missing values.
    y = np.digitize(np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 2]), [-0.5, 0.7])
    estimator = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=7, random_state=0).fit(X, y)
    ensembles = class_ensembles_of(estimator)
    assert len(ensembles) == 3
    raw = np.column_stack([ensemble.raw_scores(X) for ensemble in ensembles])
    softmax = np.exp(raw - raw.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    assert np.max(np.abs(softmax - estimator.predict_proba(X))) <= 1e-9
    with pytest.raises(ExportError, match="binary"):
        ensemble_of(estimator)
    with pytest.raises(ExportError, match="three classes"):
        class_ensembles_of(HistGradientBoostingClassifier(max_iter=5).fit(X, (y > 0).astype(int)))
