"""The block model as it is fitted: a scikit-learn estimator, and its export to plain arrays.

`BlockModel` follows scikit-learn's conventions (parameters stored by `__init__`, `fit` returns
self, fitted attributes end in `_`). Its input rows are a block's features followed by two key
columns, the page and the block's DOM path on it (`KEY_NAMES`, see `attach_keys`), which
`predict_proba` needs for path smoothing: each probability blended with the mean over the
blocks on the same path of the same page (`classifier.extraction.model.smooth`).

`export(model, card)` turns a fitted model into the `LoadedModel` the runtime reads (trees as
plain arrays: `training.export_trees`), which `classifier.extraction.model.save_model` writes;
no pickle is ever written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier

from classifier.extraction.dom import BlockColumns, RawBlock
from classifier.extraction.features import STAGE_ONE_NAMES
from classifier.extraction.model import LoadedModel, smooth
from classifier.extraction.roles import RoleModel

from .export_trees import ensemble_of

N_FEATURES = len(STAGE_ONE_NAMES)
KEY_NAMES = ("page_key", "path_key")
N_KEYS = len(KEY_NAMES)


def default_estimator(random_state: int = 0, max_iter: int = 100) -> HistGradientBoostingClassifier:
    """The gradient-boosting settings (deterministic: no early stop)."""
    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=0.2,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=random_state,
    )


def attach_keys(features: np.ndarray, blocks: Sequence[RawBlock], page_key: int = 0) -> np.ndarray:
    """Model input for one page: its features, then its page key and each block's path number."""
    n = len(blocks)
    page = np.full((n, 1), page_key, dtype=np.float32)
    paths = BlockColumns.of(blocks).path_ids.astype(np.float32)[:, None]
    return np.hstack([features.astype(np.float32, copy=False), page, paths])


class BlockModel(ClassifierMixin, BaseEstimator):
    """Block classifier: a gradient-boosting model over the features, with path smoothing.

    Parameters
    ----------
    estimator : scikit-learn classifier with `predict_proba`, default None
        The model over the features; None means `default_estimator()`. Only a binary
        `HistGradientBoostingClassifier` can be exported (`export`).
    threshold : float, default 0.5
        Probability at or above which `predict` calls a block content.
    path_smoothing : float, default 0.0
        Share of each block's probability taken from the mean probability of the blocks on
        the same DOM path of the same page (0: none, 1: the path's mean alone).
    """

    def __init__(self, estimator: Any = None, threshold: float = 0.5, path_smoothing: float = 0.0) -> None:
        self.estimator = estimator
        self.threshold = threshold
        self.path_smoothing = path_smoothing

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> BlockModel:
        """Fit on blocks of many pages (`X`: features and keys, see the module docstring)."""
        X = _checked(X)
        y = np.asarray(y).astype(np.int64)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        model = clone(self.estimator) if self.estimator is not None else default_estimator()
        self.estimator_ = model.fit(X[:, :N_FEATURES], y, sample_weight=weight)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of the rows of `X` (features and keys, as in `fit`)."""
        X = _checked(X)
        if len(X) == 0:
            return np.zeros((0, 2))
        probability = self.estimator_.predict_proba(X[:, :N_FEATURES])[:, 1]
        page, path = X[:, N_FEATURES].astype(np.int64), X[:, N_FEATURES + 1].astype(np.int64)
        _, groups = np.unique(page * (int(path.max()) + 1) + path, return_inverse=True)
        probability = smooth(probability, groups, self.path_smoothing)
        return np.column_stack([1.0 - probability, probability])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(np.int64)


def _checked(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != N_FEATURES + N_KEYS:
        raise ValueError(f"expected {N_FEATURES + N_KEYS} columns (features and keys), got {X.shape}")
    return X


def export(model: BlockModel, card: dict[str, Any], *, threshold: float | None, roles: RoleModel | None = None) -> LoadedModel:
    """The fitted `model` as the runtime's plain-data model, with `card`, the decision rule
    (`threshold` None: the per-page expected-F1 cut) and the role model, if any."""
    return LoadedModel(
        trees=ensemble_of(model.estimator_),
        threshold=threshold,
        path_smoothing=float(model.path_smoothing),
        card=card,
        roles=roles,
    )
