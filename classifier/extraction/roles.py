"""Block roles: what each block is on its page, from a multi-class tree model beside the
content model.

The roles are those of the news labelling convention (`docs/news-labelling.md`): the page's
title, the standfirst under it, bylines and datelines, the body, captions and credits,
comments, related and teaser links, navigation, and other boilerplate. The content model
decides what is main text; a block it keeps is `body`, and every other block gets the likeliest
of the other roles. `clean()` and `extract()` can then add the title, the captions or the
comments to the main text on request (`Inclusions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .trees import TreeEnsemble, TreeError

ROLES: tuple[str, ...] = ("title", "standfirst", "byline", "body", "caption", "comment", "related", "navigation", "other")
BODY = "body"
_PREFIX = "roles."


@dataclass(frozen=True, slots=True)
class Inclusions:
    """Which blocks besides the main text `clean()` keeps, by role: the page's title
    (`title`), photo captions and credits (`captions`), reader comments (`comments`; a forum's
    posts are its main text, not comments). All off by default: the main text alone, as the
    gold of WCXB and of news benchmarks defines it."""

    title: bool = False
    captions: bool = False
    comments: bool = False

    @property
    def roles(self) -> frozenset[str]:
        """The roles to add to the main text."""
        chosen = (("title", self.title), ("caption", self.captions), ("comment", self.comments))
        return frozenset(role for role, wanted in chosen if wanted)


@dataclass(frozen=True, eq=False)
class RoleModel:
    """One tree ensemble per role (a multi-class gradient-boosting model's trees): the roles'
    probabilities are the softmax of the ensembles' raw scores."""

    names: tuple[str, ...]
    ensembles: tuple[TreeEnsemble, ...]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.ensembles) or len(self.names) < 2:
            raise TreeError("a role model needs one tree ensemble per role, and two roles or more")
        if BODY not in self.names:
            raise TreeError(f"a role model needs the role {BODY!r}")
        if len({ensemble.n_features for ensemble in self.ensembles}) != 1:
            raise TreeError("the roles' ensembles read different numbers of columns")

    @property
    def n_features(self) -> int:
        return self.ensembles[0].n_features

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Each block's probability of each role (n_blocks, n_roles)."""
        if len(features) == 0:
            return np.zeros((0, len(self.names)))
        raw = np.column_stack([ensemble.raw_scores(features) for ensemble in self.ensembles])
        raw -= raw.max(axis=1, keepdims=True)
        weights = np.exp(raw)
        return weights / weights.sum(axis=1, keepdims=True)

    def roles(self, features: np.ndarray, is_content: np.ndarray) -> list[str]:
        """Each block's role: `body` when the content model keeps it, else its likeliest
        other role."""
        return assign_roles(self.names, self.probabilities(features), is_content)

    def arrays(self) -> dict[str, np.ndarray]:
        """The ensembles as named arrays, "roles.K.NAME" for role number K (stored beside the
        content model's arrays in one file)."""
        return {
            f"{_PREFIX}{number}.{name}": values
            for number, ensemble in enumerate(self.ensembles)
            for name, values in ensemble.arrays().items()
        }

    @classmethod
    def from_arrays(cls, names: tuple[str, ...], arrays: dict[str, np.ndarray]) -> RoleModel:
        """The role model of `arrays()` for the roles `names`; `TreeError` when they are not one."""
        ensembles = []
        for number in range(len(names)):
            prefix = f"{_PREFIX}{number}."
            own = {key[len(prefix) :]: values for key, values in arrays.items() if key.startswith(prefix)}
            if not own:
                raise TreeError(f"no trees for role {names[number]!r}")
            ensembles.append(TreeEnsemble.from_arrays(own))
        return cls(tuple(names), tuple(ensembles))


def role_arrays(arrays: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A model file's arrays split into the content model's and the role model's."""
    content = {key: values for key, values in arrays.items() if not key.startswith(_PREFIX)}
    roles = {key: values for key, values in arrays.items() if key.startswith(_PREFIX)}
    return content, roles


def assign_roles(names: tuple[str, ...], probabilities: np.ndarray, is_content: np.ndarray) -> list[str]:
    """`body` for the blocks kept as content; for the others, the likeliest role but `body`."""
    if len(probabilities) == 0:
        return []
    others = np.array(probabilities, dtype=np.float64, copy=True)
    others[:, names.index(BODY)] = -1.0
    best = others.argmax(axis=1)
    return [BODY if kept else names[choice] for kept, choice in zip(np.asarray(is_content, dtype=bool).tolist(), best.tolist())]
