"""The block model: a two-stage scikit-learn classifier, its model card, saving and loading.

`BlockModel` follows scikit-learn's conventions (parameters stored by `__init__`, `fit` returns
self, fitted attributes end in `_`). Its input rows are a block's stage-one features followed by
`N_KEYS` structural key columns (page, DOM path, parent, grandparent; see `attach_keys`), so
the second stage can look at a block's neighbours and containers on the same page:

1. stage one classifies each block from its own features;
2. (optional, `second_pass=True`) stage two sees the stage-one probabilities of the block's neighbours, path siblings,
   containers and page, and revises the verdict. It is trained on out-of-fold stage-one
   probabilities (grouped folds), so it learns from verdicts as they look on unseen sites;
3. (`path_smoothing`) each probability is blended with the mean probability of the blocks on
   the same DOM path of the same page (the items of one list, the paragraphs of one body): such
   blocks are nearly always all content or all boilerplate, and the blend keeps one doubtful
   item from going the other way of its siblings.

A saved model is a joblib file plus a JSON card (library versions, `FEATURE_VERSION`, the
training data hash, cross-validated scores, the default threshold). Loading reads the card
first and refuses a model made for other features or another scikit-learn release, with the
command to retrain. joblib files run code when loaded: only the shipped model and files the
user names (argument or `CLASSIFIER_MODEL`) are ever loaded. One page's stage-one probabilities
go through `classifier.forest.BoostedTrees`, which gives `predict_proba`'s numbers without its
per-call overhead.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from threadpoolctl import ThreadpoolController

from .dom import RawBlock
from .forest import BoostedTrees
from .features import (
    FEATURE_VERSION,
    KEY_NAMES,
    STAGE_ONE_NAMES,
    STAGE_TWO_NAMES,
    context_features,
    path_ids,
    structural_keys,
)

MODEL_DIR = Path(__file__).parent / "models"
SHIPPED_MODEL = MODEL_DIR / "block_model.joblib"
MODEL_ENV = "CLASSIFIER_MODEL"
N_STAGE_ONE = len(STAGE_ONE_NAMES)
N_KEYS = 1 + len(KEY_NAMES)  # page key, then the structural keys
RETRAIN_HINT = "retrain it with `python -m training.fit` (see README.md, 'Retraining')"


class ModelError(RuntimeError):
    """A model file that cannot be used here (missing, or made for other features/libraries)."""


def default_estimator(random_state: int = 0, max_iter: int = 100) -> HistGradientBoostingClassifier:
    """The gradient-boosting settings both stages start from (deterministic: no early stop)."""
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
    """Model input for one page: its stage-one features, then the page and structural keys."""
    n = len(blocks)
    page = np.full((n, 1), page_key, dtype=np.float32)
    return np.hstack([features.astype(np.float32, copy=False), page, structural_keys(blocks)])


def _page_slices(page_keys: np.ndarray) -> list[np.ndarray]:
    """Row indices of each page, in order of first appearance."""
    if len(page_keys) == 0:
        return []
    order = np.argsort(page_keys, kind="stable")
    sorted_keys = page_keys[order]
    cuts = np.flatnonzero(np.diff(sorted_keys)) + 1
    return np.split(order, cuts)


def _stage_two_input(X: np.ndarray, probability: np.ndarray) -> np.ndarray:
    stage_one = X[:, :N_STAGE_ONE]
    context = np.zeros((len(X), len(STAGE_TWO_NAMES)), dtype=np.float32)
    for rows in _page_slices(X[:, N_STAGE_ONE]):
        context[rows] = context_features(
            stage_one[rows], probability[rows], X[rows, N_STAGE_ONE + 1 :]
        )
    return np.hstack([stage_one, context])


class BlockModel(ClassifierMixin, BaseEstimator):
    """Block classifier, with an optional second pass over neighbours (module docstring).

    Parameters
    ----------
    estimator : scikit-learn classifier with `predict_proba`, default None
        The stage-one model; None means `default_estimator()`.
    second_pass : bool, default False
        Add stage two, which revises each verdict from the stage-one probabilities of the
        block's neighbours, containers and page. (On WCXB it did not improve the
        cross-validated score, so the shipped model does not use it; see the model card.)
    second_estimator : classifier, default None
        The stage-two model; None means `default_estimator()`.
    inner_folds : int, default 4
        Grouped folds for the out-of-fold stage-one probabilities that train stage two.
    threshold : float, default 0.5
        Probability at or above which `predict` calls a block content.
    path_smoothing : float, default 0.0
        Share of each block's probability taken from the mean probability of the blocks on
        the same DOM path of the same page (0: none, 1: the path's mean alone). Needs the key
        columns in `predict_proba`'s input.
    """

    def __init__(
        self,
        estimator: Any = None,
        second_pass: bool = False,
        second_estimator: Any = None,
        inner_folds: int = 4,
        threshold: float = 0.5,
        path_smoothing: float = 0.0,
    ) -> None:
        self.estimator = estimator
        self.second_pass = second_pass
        self.second_estimator = second_estimator
        self.inner_folds = inner_folds
        self.threshold = threshold
        self.path_smoothing = path_smoothing

    @property
    def needs_keys(self) -> bool:
        """Whether `predict_proba` reads the page and structural key columns."""
        return self.stage_two_ is not None or self.path_smoothing > 0

    @staticmethod
    def _make(estimator: Any) -> Any:
        return clone(estimator) if estimator is not None else default_estimator()

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> BlockModel:
        """Fit on blocks of many pages; `groups` (default: the page key) splits inner folds."""
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y).astype(np.int64)
        if X.ndim != 2 or X.shape[1] != N_STAGE_ONE + N_KEYS:
            raise ValueError(
                f"expected {N_STAGE_ONE + N_KEYS} columns (features and keys), got {X.shape}"
            )
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        stage_one = X[:, :N_STAGE_ONE]
        self.stage_one_ = self._make(self.estimator).fit(stage_one, y, sample_weight=weight)
        self.stage_two_ = None
        if self.second_pass:
            groups = X[:, N_STAGE_ONE] if groups is None else np.asarray(groups)
            out_of_fold = np.zeros(len(X))
            folds = GroupKFold(n_splits=min(self.inner_folds, len(np.unique(groups))))
            for train, test in folds.split(stage_one, y, groups):
                inner = self._make(self.estimator).fit(
                    stage_one[train],
                    y[train],
                    sample_weight=None if weight is None else weight[train],
                )
                out_of_fold[test] = inner.predict_proba(stage_one[test])[:, 1]
            self.stage_two_ = self._make(self.second_estimator).fit(
                _stage_two_input(X, out_of_fold), y, sample_weight=weight
            )
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities; `X` as in `fit`, or its stage-one columns alone when the
        model has no second pass."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.zeros((0, 2))
        if X.shape[1] != N_STAGE_ONE + N_KEYS and (self.needs_keys or X.shape[1] != N_STAGE_ONE):
            raise ValueError(f"expected {N_STAGE_ONE + N_KEYS} columns (features and keys), got {X.shape}")
        probability = self.stage_one_.predict_proba(X[:, :N_STAGE_ONE])[:, 1]
        if self.stage_two_ is not None:
            probability = self.stage_two_.predict_proba(_stage_two_input(X, probability))[:, 1]
        if self.path_smoothing > 0:
            page, path = X[:, N_STAGE_ONE].astype(np.int64), X[:, N_STAGE_ONE + 1].astype(np.int64)
            _, groups = np.unique(page * (int(path.max()) + 1) + path, return_inverse=True)
            probability = self.smooth(probability, groups)
        return np.column_stack([1.0 - probability, probability])

    def smooth(self, probability: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Blend each probability with the mean over its group (numbered from 0: the blocks of
        one page and DOM path) by `path_smoothing`."""
        if self.path_smoothing <= 0 or len(probability) == 0:
            return probability
        group_mean = (np.bincount(groups, weights=probability) / np.bincount(groups))[groups]
        return (1.0 - self.path_smoothing) * probability + self.path_smoothing * group_mean

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(np.int64)


@dataclass
class LoadedModel:
    """A fitted `BlockModel` with its card, as `extract()` uses it."""

    estimator: BlockModel
    card: dict[str, Any] = field(default_factory=dict)
    # Stage one's trees for the per-page path (`classifier.forest`); None: use predict_proba.
    trees: BoostedTrees | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.trees = BoostedTrees.of(getattr(self.estimator, "stage_one_", None))

    @property
    def threshold(self) -> float | None:
        """The card's default block threshold; None means a cut per page (expected F1)."""
        value = self.card.get("threshold", self.estimator.threshold)
        return None if value is None else float(value)

    def page_probabilities(
        self, features: np.ndarray, blocks: Sequence[RawBlock], paths: np.ndarray | None = None
    ) -> np.ndarray:
        """Content probability of every block of one page.

        One page is a few hundred rows: OpenMP threads cost more than they bring, and on a busy
        machine their barriers turn a millisecond into seconds, so prediction runs on one.
        """
        if len(blocks) == 0:
            return np.zeros(0)
        estimator = self.estimator
        if estimator.stage_two_ is None and self.trees is not None and self.trees.is_of(estimator.stage_one_):
            probability = self.trees.probability(features)  # equal to predict_proba, one thread
        else:
            with _openmp_controller().limit(limits=1, user_api="openmp"):
                if estimator.stage_two_ is not None:  # it reads every structural key
                    return estimator.predict_proba(attach_keys(features, blocks))[:, 1]
                probability = estimator.stage_one_.predict_proba(features)[:, 1]
        # As predict_proba does: on one page the groups are its DOM paths (`paths`, when the
        # caller has them already: `features.path_ids(blocks)`).
        return estimator.smooth(probability, path_ids(blocks) if paths is None else paths)


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
    }


def card_path(model_path: str | os.PathLike[str]) -> Path:
    path = Path(model_path)
    return path.with_name(path.name.removesuffix(".joblib") + ".card.json")


def save_model(estimator: BlockModel, path: str | os.PathLike[str], card: dict[str, Any]) -> Path:
    """Write the model and its card (versions and feature version are filled in here)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    card = {
        **card,
        "feature_version": FEATURE_VERSION,
        "stage_one_features": list(STAGE_ONE_NAMES),
        "stage_two_features": list(STAGE_TWO_NAMES),
        "libraries": library_versions(),
    }
    joblib.dump(estimator, path, compress=3)
    card_path(path).write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")
    return path


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def check_card(card: dict[str, Any], path: Path) -> None:
    """Refuse a model made for other features or another scikit-learn release."""
    version = card.get("feature_version")
    if version != FEATURE_VERSION:
        raise ModelError(
            f"{path} was trained for features version {version!r}, this code computes "
            f"{FEATURE_VERSION!r}: {RETRAIN_HINT}."
        )
    if card.get("stage_one_features") != list(STAGE_ONE_NAMES):
        raise ModelError(
            f"{path} was trained on other feature columns than this code computes (same "
            f"version {version!r}: the features changed without a version bump): {RETRAIN_HINT}."
        )
    trained_with = card.get("libraries", {}).get("scikit-learn", "unknown")
    if _minor(trained_with) != _minor(sklearn.__version__):
        raise ModelError(
            f"{path} was trained with scikit-learn {trained_with}, this is "
            f"{sklearn.__version__}: install that release or {RETRAIN_HINT}."
        )


def default_model_path() -> Path:
    """The file `$CLASSIFIER_MODEL` names when it is set, else the shipped model."""
    return Path(os.environ.get(MODEL_ENV) or SHIPPED_MODEL)


def load_model(path: str | os.PathLike[str] | None = None) -> LoadedModel:
    """Load a model file you trust after checking its card (None: `default_model_path()`)."""
    path = Path(path) if path is not None else default_model_path()
    card_file = card_path(path)
    if not path.exists() or not card_file.exists():
        raise ModelError(f"no model at {path} (with its card {card_file.name}): {RETRAIN_HINT}.")
    card = json.loads(card_file.read_text())
    check_card(card, path)
    estimator = joblib.load(path)
    if not isinstance(estimator, BlockModel):
        raise ModelError(f"{path} does not hold a BlockModel: {RETRAIN_HINT}.")
    return LoadedModel(estimator=estimator, card=card)


@lru_cache(maxsize=1)
def _openmp_controller() -> ThreadpoolController:
    # Inspecting the loaded native libraries is the slow part; limiting is then ~15 µs.
    return ThreadpoolController()


@lru_cache(maxsize=2)
def _load_named(path: str) -> LoadedModel:
    # At most two models stay loaded (the shipped one and one named in CLASSIFIER_MODEL).
    return load_model(path)


def get_model(model: LoadedModel | str | os.PathLike[str] | None = None) -> LoadedModel:
    """The model to use: the one given, else `$CLASSIFIER_MODEL`, else the shipped model.

    A path given as an argument is loaded on every call: load it once with `load_model()`
    and pass the result when extracting many pages.
    """
    if isinstance(model, LoadedModel):
        return model
    if model is not None:
        return load_model(model)
    return _load_named(str(default_model_path()))
