"""A fitted `HistGradientBoostingClassifier` as plain node arrays (`TreeEnsemble`; one per class
for a multi-class model).

This reads scikit-learn's fitted internals (`_predictors`, `_baseline_prediction`), which differ
between releases: it runs only when a model is trained, never when one is used, and the result
is checked against the estimator's own `predict_proba` (`check_export`), so an internal that
moved fails loudly at training time instead of giving other numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from classifier.extraction.trees import TreeEnsemble


class ExportError(ValueError):
    """A model this exporter cannot turn into plain arrays exactly."""


def _checked_estimator(estimator: Any) -> None:
    if type(estimator) is not HistGradientBoostingClassifier:
        raise ExportError(f"only a HistGradientBoostingClassifier can be exported, not {type(estimator).__name__}")
    if estimator.is_categorical_ is not None and np.any(estimator.is_categorical_):
        raise ExportError("categorical features cannot be exported")


def ensemble_of(estimator: Any) -> TreeEnsemble:
    """The trees of a fitted binary `HistGradientBoostingClassifier` without categorical
    features, as one `TreeEnsemble` (every tree's nodes one after the other)."""
    _checked_estimator(estimator)
    if estimator.n_trees_per_iteration_ != 1 or len(estimator.classes_) != 2:
        raise ExportError("only a binary classifier can be exported")
    baseline = np.asarray(estimator._baseline_prediction)
    if baseline.size != 1:
        raise ExportError("expected one baseline score")
    return _ensemble([iteration[0] for iteration in estimator._predictors], float(baseline.ravel()[0]), estimator)


def class_ensembles_of(estimator: Any) -> tuple[TreeEnsemble, ...]:
    """The trees of a fitted multi-class `HistGradientBoostingClassifier`, one `TreeEnsemble`
    per class (in `classes_` order): the class probabilities are the softmax of their raw
    scores."""
    _checked_estimator(estimator)
    n_classes = len(estimator.classes_)
    if n_classes < 3 or estimator.n_trees_per_iteration_ != n_classes:
        raise ExportError("expected a classifier of three classes or more, one tree per class and iteration")
    baseline = np.asarray(estimator._baseline_prediction).ravel()
    if baseline.size != n_classes:
        raise ExportError("expected one baseline score per class")
    return tuple(
        _ensemble([iteration[k] for iteration in estimator._predictors], float(baseline[k]), estimator) for k in range(n_classes)
    )


def _ensemble(predictors: list[Any], baseline: float, estimator: Any) -> TreeEnsemble:
    """Trees (scikit-learn `TreePredictor`s) one after the other as one `TreeEnsemble`."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ("feature", "threshold", "missing_left", "left", "right", "value", "cover")}
    roots = []
    offset = 0
    for predictor in predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        roots.append(offset)
        parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32))
        parts["threshold"].append(np.where(leaf, 0.0, nodes["num_threshold"]).astype(np.float64))
        parts["missing_left"].append(np.where(leaf, 0, nodes["missing_go_to_left"]).astype(np.uint8))
        parts["left"].append(np.where(leaf, -1, nodes["left"].astype(np.int64) + offset).astype(np.int32))
        parts["right"].append(np.where(leaf, -1, nodes["right"].astype(np.int64) + offset).astype(np.int32))
        parts["value"].append(np.where(leaf, nodes["value"], 0.0).astype(np.float64))
        parts["cover"].append(nodes["count"].astype(np.float64))
        offset += len(nodes)
    return TreeEnsemble(
        **{name: np.ascontiguousarray(np.concatenate(arrays)) for name, arrays in parts.items()},
        roots=np.asarray(roots, dtype=np.int32),
        baseline=baseline,
        n_features=int(estimator.n_features_in_),
    )


def check_export(estimator: Any, trees: TreeEnsemble, X: np.ndarray, tolerance: float = 1e-9) -> float:
    """The largest difference between the exported trees' probabilities and the estimator's
    `predict_proba` on `X`; `ExportError` when it exceeds `tolerance`."""
    expected = estimator.predict_proba(np.asarray(X, dtype=np.float32))[:, 1]
    got = trees.probability(X)
    difference = float(np.max(np.abs(expected - got))) if len(X) else 0.0
    if difference > tolerance:
        raise ExportError(f"exported trees differ from predict_proba by {difference:g} (> {tolerance:g})")
    return difference
