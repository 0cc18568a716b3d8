"""Per-page prediction of a fitted binary `HistGradientBoostingClassifier`, equal to its
`predict_proba` and cheaper on the few hundred rows of one page.

scikit-learn's `predict_proba` validates its input, looks up the thread count and builds
partial functions on every call; on one page that is a quarter of the model's time. The
`BoostedTrees` here does that once, when the model is loaded, and then adds the trees' leaf
values to the baseline in scikit-learn's order and applies the same link (`expit`), so the
probabilities are bit for bit those of `predict_proba` (a test checks it). Each tree runs on
one thread: one page is too small for OpenMP to pay, and no thread pool is touched.

It reads scikit-learn's fitted internals (`_predictors`, `_baseline_prediction`,
`_bin_mapper`), which the model card pins to one scikit-learn release. `BoostedTrees.of`
returns None for any model it cannot reproduce exactly (another estimator, categorical
features, multi-class, internals that moved: it checks itself against `predict_proba` on probe
rows of zeros, missing values, infinities and the trees' own thresholds), and callers then use
`predict_proba`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier


@dataclass(frozen=True)
class BoostedTrees:
    """The trees of a fitted binary `HistGradientBoostingClassifier`, ready to predict."""

    predictors: tuple[Any, ...]
    baseline: float
    known_categories: np.ndarray
    feature_map: np.ndarray
    n_features: int
    source: Any  # the estimator's `_predictors` list: a refit replaces it (see `is_of`)

    @classmethod
    def of(cls, estimator: Any) -> BoostedTrees | None:
        """The trees of `estimator`, or None when this path would not equal `predict_proba`."""
        if type(estimator) is not HistGradientBoostingClassifier:
            return None
        try:
            if estimator.n_trees_per_iteration_ != 1 or len(estimator.classes_) != 2:
                return None
            if estimator.is_categorical_ is not None and np.any(estimator.is_categorical_):
                return None
            if estimator._baseline_prediction.shape != (1, 1):
                return None
            known_categories, feature_map = estimator._bin_mapper.make_known_categories_bitsets()
            predictors = tuple(iteration[0] for iteration in estimator._predictors)
            if not all(callable(getattr(tree, "predict", None)) for tree in predictors):
                return None
            trees = cls(
                predictors=predictors,
                baseline=float(estimator._baseline_prediction[0, 0]),
                known_categories=known_categories,
                feature_map=feature_map,
                n_features=int(estimator.n_features_in_),
                source=estimator._predictors,
            )
            probes = _probe_rows(predictors, trees.n_features)
            if not np.array_equal(trees.probability(probes), estimator.predict_proba(probes)[:, 1]):
                return None
            return trees
        except Exception:  # noqa: BLE001  (whatever moved inside scikit-learn: use predict_proba)
            return None

    def is_of(self, estimator: Any) -> bool:
        """Whether these are still `estimator`'s trees (not refitted since)."""
        return getattr(estimator, "_predictors", None) is self.source

    def probability(self, X: np.ndarray) -> np.ndarray:
        """P(class 1) of every row of `X` (n_samples, n_features)."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} feature columns, got shape {X.shape}")
        raw = np.full(len(X), self.baseline)
        for tree in self.predictors:
            raw += tree.predict(X, self.known_categories, self.feature_map, 1)
        return expit(raw)


def _probe_rows(predictors: Sequence[Any], n_features: int) -> np.ndarray:
    """Rows that take every kind of branch: zeros, missing values, both infinities, and each
    split's threshold and the numbers beside it in the first tree."""
    rows = [np.zeros(n_features), np.full(n_features, np.nan), np.full(n_features, np.inf), np.full(n_features, -np.inf)]
    nodes = predictors[0].nodes if predictors else None
    if nodes is not None:
        for node in nodes[~nodes["is_leaf"].astype(bool)]:
            threshold = float(node["num_threshold"])
            for value in (threshold, np.nextafter(threshold, -np.inf), np.nextafter(threshold, np.inf)):
                row = np.zeros(n_features)
                row[int(node["feature_idx"])] = value
                rows.append(row)
    return np.vstack(rows)
