"""The block-role model: fitted on the pages labelled block by block (`training.corpus`'s farm
news pages, `docs/news-labelling.md`), cross-validated by site, scored per role.

A block's role at run time combines two models (`classifier.extraction.roles`): `body` when the
content model keeps it, else the role model's likeliest other role. The per-role figures here
are of that combination, with both models' probabilities out of fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from classifier.extraction.decision import Favor, choose_cut, decide
from classifier.extraction.roles import ROLES, RoleModel, assign_roles

from .dataset import Dataset
from .estimator import N_FEATURES
from .export_trees import ExportError, class_ensembles_of

ROLE_MAX_ITER = 60


def role_estimator(random_state: int = 0, max_iter: int = ROLE_MAX_ITER) -> HistGradientBoostingClassifier:
    """The role model's settings (deterministic: no early stop). Smaller than the content
    model's: fewer pages are labelled with roles, and it runs once per role."""
    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=0.15,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=random_state,
    )


@dataclass(frozen=True)
class RoleData:
    """The blocks of the pages labelled with roles: their rows in the dataset, their role
    numbers (`ROLES`) and their pages' site groups."""

    rows: np.ndarray
    roles: np.ndarray
    pages: np.ndarray  # the page number of each row

    @classmethod
    def of(cls, dataset: Dataset) -> RoleData:
        rows, roles = [], []
        for page, page_rows in zip(dataset.pages, dataset.page_rows()):
            if page.roles is not None:
                rows.append(np.arange(page_rows.start, page_rows.stop))
                roles.append(np.asarray(page.roles, dtype=np.int64))
        if not rows:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        all_rows = np.concatenate(rows)
        return cls(all_rows, np.concatenate(roles), dataset.page_index[all_rows])


def fit_roles(dataset: Dataset, *, max_iter: int = ROLE_MAX_ITER) -> RoleModel | None:
    """The role model fitted on every page labelled with roles; None when there are none."""
    data = RoleData.of(dataset)
    if len(data.rows) == 0:
        return None
    estimator = role_estimator(max_iter=max_iter).fit(dataset.X[data.rows, :N_FEATURES], data.roles)
    return export_roles(estimator, dataset.X[data.rows[:2000], :N_FEATURES])


def export_roles(estimator: HistGradientBoostingClassifier, X: np.ndarray, tolerance: float = 1e-9) -> RoleModel:
    """The fitted estimator as a `RoleModel`, checked against its own `predict_proba` on `X`."""
    classes = [int(k) for k in estimator.classes_]
    if classes != list(range(len(ROLES))):
        raise ExportError(f"the role model must be fitted on every role, got classes {classes}")
    model = RoleModel(ROLES, class_ensembles_of(estimator))
    difference = float(np.max(np.abs(model.probabilities(X) - estimator.predict_proba(np.asarray(X, np.float32)))))
    if difference > tolerance:
        raise ExportError(f"exported role trees differ from predict_proba by {difference:g} (> {tolerance:g})")
    return model


def cross_validate_roles(dataset: Dataset, *, folds: int = 5, max_iter: int = ROLE_MAX_ITER) -> np.ndarray:
    """Out-of-fold role probabilities of every row of `RoleData.of(dataset)`, folds grouped by
    site."""
    data = RoleData.of(dataset)
    out = np.zeros((len(data.rows), len(ROLES)))
    groups = np.asarray([dataset.pages[page].domain for page in data.pages])
    for train, test in GroupKFold(n_splits=folds).split(data.rows, groups=groups):
        estimator = role_estimator(max_iter=max_iter).fit(dataset.X[data.rows[train], :N_FEATURES], data.roles[train])
        probabilities = estimator.predict_proba(dataset.X[data.rows[test], :N_FEATURES])
        out[np.ix_(test, estimator.classes_.astype(np.int64))] = probabilities
    return out


@dataclass(frozen=True)
class RoleScore:
    """One role's figures over blocks: how many blocks carry it in the labels (`support`),
    precision and recall of the blocks given it."""

    role: str
    support: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def role_scores(
    dataset: Dataset, role_probabilities: np.ndarray, content_probabilities: np.ndarray, favor: Favor = "balanced"
) -> tuple[list[RoleScore], float]:
    """Each role's precision and recall, and the accuracy over blocks, of the roles assigned
    the way the runtime assigns them (`assign_roles` after the content model's per-page
    decision), from out-of-fold probabilities of both models."""
    data = RoleData.of(dataset)
    rows_of_page = dataset.page_rows()
    predicted = np.empty(len(data.rows), dtype=np.int64)
    for page in np.unique(data.pages):
        page_data = dataset.pages[page]
        rows = rows_of_page[page]
        probabilities = content_probabilities[rows]
        cut = choose_cut(probabilities, page_data.token_counts, page_data.paths, None, favor)
        keep = decide(page_data.blocks, probabilities, cut)
        where = np.flatnonzero(data.pages == page)
        names = assign_roles(ROLES, role_probabilities[where], keep)
        predicted[where] = [ROLES.index(name) for name in names]
    scores = []
    for number, role in enumerate(ROLES):
        truth, given = data.roles == number, predicted == number
        hits = int((truth & given).sum())
        scores.append(RoleScore(role, int(truth.sum()), hits / max(int(given.sum()), 1), hits / max(int(truth.sum()), 1)))
    return scores, float((predicted == data.roles).mean()) if len(predicted) else 0.0
