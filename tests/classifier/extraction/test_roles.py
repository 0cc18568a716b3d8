"""`classifier.extraction.roles`: the role model's plain arrays, the roles it assigns, and the
blocks `clean()` adds by role."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from classifier.extraction.roles import ROLES, Inclusions, RoleModel, assign_roles, role_arrays
from classifier.extraction.trees import TreeError
from training.export_trees import class_ensembles_of


def _role_model(n_features: int = 4) -> tuple[RoleModel, np.ndarray, HistGradientBoostingClassifier]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(900, n_features)).astype(np.float32)
    y = (np.floor((X[:, 0] + 3) * 1.5).clip(0, len(ROLES) - 1)).astype(int)
    y[: len(ROLES)] = np.arange(len(ROLES))  # every role present
    estimator = HistGradientBoostingClassifier(max_iter=10, max_leaf_nodes=7, random_state=0).fit(X, y)
    return RoleModel(ROLES, class_ensembles_of(estimator)), X, estimator


def test_role_probabilities_are_the_estimators_and_survive_the_file_arrays() -> None:
    model, X, estimator = _role_model()
    assert np.max(np.abs(model.probabilities(X) - estimator.predict_proba(X))) <= 1e-9
    content, roles = role_arrays({"feature": np.zeros(1), **model.arrays()})
    assert list(content) == ["feature"] and all(key.startswith("roles.") for key in roles)
    again = RoleModel.from_arrays(ROLES, roles)
    assert np.array_equal(again.probabilities(X), model.probabilities(X))
    assert model.probabilities(X[:0]).shape == (0, len(ROLES))


def test_a_role_model_without_its_trees_or_body_is_refused() -> None:
    model, _, _ = _role_model()
    arrays = model.arrays()
    with pytest.raises(TreeError, match="no trees for role 'other'"):
        RoleModel.from_arrays(ROLES, {key: value for key, value in arrays.items() if not key.startswith("roles.8.")})
    with pytest.raises(TreeError, match="'body'"):
        RoleModel(("a", "b"), model.ensembles[:2])
    with pytest.raises(TreeError, match="one tree ensemble per role"):
        RoleModel(ROLES, model.ensembles[:3])


def test_kept_blocks_are_body_and_the_others_take_their_likeliest_other_role() -> None:
    probabilities = np.array([[0.1, 0, 0, 0.8, 0.1, 0, 0, 0, 0], [0, 0, 0, 0.9, 0, 0, 0.1, 0, 0], [0.5, 0, 0, 0, 0, 0, 0, 0.5, 0]])
    assert assign_roles(ROLES, probabilities, np.array([True, False, False])) == ["body", "related", "title"]
    assert assign_roles(ROLES, probabilities[:0], np.zeros(0, bool)) == []


def test_inclusions_name_the_roles_they_add() -> None:
    assert Inclusions().roles == frozenset()
    assert Inclusions(title=True, comments=True).roles == {"title", "comment"}
    assert Inclusions(captions=True).roles == {"caption"}
