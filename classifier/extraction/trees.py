"""The block model's trees as plain arrays, and their prediction (no scikit-learn needed).

A binary gradient-boosted ensemble (scikit-learn's `HistGradientBoostingClassifier`, exported
by `training.export`) is held as flat node arrays: for node i, the feature it splits on, the
threshold (go left when the value is at most it), where a missing value goes, its two children
and, for a leaf, its value. A row's raw score is the baseline plus its leaf value in each tree,
added tree after tree (scikit-learn's order, so the sum is the same to the last bit), and its
probability is the logistic function of that (the C library's exp on both paths).

Prediction runs in the compiled kernel `_trees` (C, built by setup.py) when it is installed,
else in numpy, every tree at once level by level. Both give the same numbers (a test). The
kernel reads a packed copy of the nodes, checked and made once per ensemble (`packed`), that
compares in float32: each threshold becomes the largest float32 at most it (`float32_floor`),
which sends every float32 value the same way as the float64 threshold does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from types import ModuleType
from typing import Any

import numpy as np

from . import compiled

NODE_ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "value")
KERNEL_SOURCES = ("_trees.c",)  # what setup.py stamps the kernel with
KERNEL: ModuleType | None = compiled.load("_trees", KERNEL_SOURCES)


class TreeError(ValueError):
    """Node arrays that do not make a valid ensemble."""


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """A binary tree ensemble: node arrays (`NODE_ARRAYS`, one entry per node, every tree's
    nodes one after the other), the first node of each tree, and the baseline raw score. The
    arrays are not to be changed in place once it is made: the kernel reads its packed copy."""

    feature: np.ndarray  # int32: the column a split reads (unused at leaves)
    threshold: np.ndarray  # float64: go left when the value <= threshold
    missing_left: np.ndarray  # uint8: 1 when a missing value (NaN) goes left
    left: np.ndarray  # int32: the left child's node index, -1 at a leaf
    right: np.ndarray  # int32: the right child's node index, -1 at a leaf
    value: np.ndarray  # float64: the leaf's raw score (0 at inner nodes)
    roots: np.ndarray  # int32: each tree's first node
    baseline: float
    n_features: int
    cover: np.ndarray | None = None  # float64: training samples that reached each node (explanations)
    packed: Any = field(default=None, init=False, repr=False, compare=False)  # the kernel's copy (`_pack`)

    def __post_init__(self) -> None:
        self.check()
        object.__setattr__(self, "packed", self._pack())

    def _pack(self) -> Any:
        """The kernel's checked, packed copy of the nodes (float32 thresholds), or None: no kernel,
        or an ensemble too large for it (for its offsets, or trees sharing many nodes, which it
        would copy once per path): numpy then."""
        if KERNEL is None:
            return None
        try:
            return KERNEL.pack(self.feature, float32_floor(self.threshold), self.missing_left, self.left, self.right,
                               self.value, self.roots, self.baseline)  # fmt: skip
        except OverflowError:
            return None

    def __reduce__(self) -> tuple[type[TreeEnsemble], tuple[Any, ...]]:
        """Pickled as its arrays (the packed copy is made again where it is unpickled)."""
        return type(self), tuple(getattr(self, each.name) for each in fields(self) if each.init)

    def check(self) -> None:
        """Refuse arrays that are not an ensemble this code can walk safely: wrong types or
        lengths, a child that does not come after its parent (so every walk ends), a split
        on a column the input does not have."""
        n = len(self.feature)
        for name, dtype in (("feature", np.int32), ("threshold", np.float64), ("missing_left", np.uint8),
                            ("left", np.int32), ("right", np.int32), ("value", np.float64), ("roots", np.int32)):  # fmt: skip
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.dtype != dtype or array.ndim != 1:
                raise TreeError(f"{name} must be a one-dimensional {np.dtype(dtype).name} array")
            if name != "roots" and len(array) != n:
                raise TreeError(f"{name} has {len(array)} entries for {n} nodes")
            if not array.flags.c_contiguous:
                raise TreeError(f"{name} must be contiguous")
        leaf = self.left < 0
        inner = ~leaf
        index = np.arange(n)
        if np.any(leaf != (self.right < 0)):
            raise TreeError("a node has one child")
        if np.any(self.left[inner] <= index[inner]) or np.any(self.right[inner] <= index[inner]):
            raise TreeError("a child comes before its parent")
        if np.any(self.left[inner] >= n) or np.any(self.right[inner] >= n):
            raise TreeError("a child index is out of range")
        if np.any((self.feature[inner] < 0) | (self.feature[inner] >= self.n_features)):
            raise TreeError("a split reads a column the input does not have")
        if len(self.roots) and (np.any(self.roots < 0) or np.any(self.roots >= n)):
            raise TreeError("a tree starts out of range")
        if not np.isfinite(self.baseline) or not np.all(np.isfinite(self.value)):
            raise TreeError("a leaf value or the baseline is not a finite number")
        if self.cover is not None and (
            not isinstance(self.cover, np.ndarray) or self.cover.shape != (n,) or self.cover.dtype != np.float64
            or not np.all(self.cover >= 0) or not np.all(np.isfinite(self.cover))
        ):  # fmt: skip
            raise TreeError("cover must be one non-negative float64 per node")

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """The raw score (log-odds) of every row of `X` (n_rows, n_features)."""
        return self._scores(X, probability=False)

    def probability(self, X: np.ndarray) -> np.ndarray:
        """P(class 1) of every row of `X`: the logistic function of its raw score."""
        return self._scores(X, probability=True)

    def _scores(self, X: np.ndarray, *, probability: bool) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} feature columns, got shape {X.shape}")
        if KERNEL is not None and self.packed is not None:
            out = np.empty(len(X), dtype=np.float64)
            (KERNEL.probabilities if probability else KERNEL.raw_scores)(self.packed, X, out)
            return out
        raw = self.raw_scores_numpy(X)
        return _expit(raw) if probability else raw

    def raw_scores_numpy(self, X: np.ndarray) -> np.ndarray:
        """`raw_scores` in numpy: every row through every tree at once, one level per step."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        raw = np.full(len(X), self.baseline, dtype=np.float64)
        if len(X) == 0 or self.n_trees == 0:
            return raw
        node = np.broadcast_to(self.roots, (len(X), self.n_trees)).copy()
        rows = np.arange(len(X))[:, None]
        active = self.left[node] >= 0
        while active.any():
            at = node[active]
            values = X[np.broadcast_to(rows, node.shape)[active], self.feature[at]].astype(np.float64)
            go_left = np.where(np.isnan(values), self.missing_left[at] == 1, values <= self.threshold[at])
            node[active] = np.where(go_left, self.left[at], self.right[at])
            active[active] = self.left[node[active]] >= 0
        leaf_values = self.value[node]
        for tree in range(self.n_trees):  # tree after tree, as scikit-learn adds them
            raw += leaf_values[:, tree]
        return raw

    def expected_values(self) -> np.ndarray:
        """Each node's expected raw score over the training samples that reached it: a leaf's
        value, an inner node's the cover-weighted mean of its children's (needs `cover`)."""
        if self.cover is None:
            raise TreeError("this model has no cover: retrain it to explain its trees")
        expected = self.value.copy()
        for node in range(len(expected) - 1, -1, -1):  # children come after their parents
            left, right = self.left[node], self.right[node]
            if left >= 0:
                total = self.cover[left] + self.cover[right]
                expected[node] = (
                    (self.cover[left] * expected[left] + self.cover[right] * expected[right]) / total if total else 0.0
                )
        return expected

    def contributions(self, X: np.ndarray) -> tuple[np.ndarray, float]:
        """Each feature's share of each row's raw score, and the share of no feature (the
        baseline and the trees' expected values): along a row's path in a tree, every split
        moves the expected value from the node to the child taken, and that move is its
        feature's. The shares and the bias add up to `raw_scores(X)`."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        expected = self.expected_values()
        out = np.zeros((len(X), self.n_features))
        bias = self.baseline + float(expected[self.roots].sum())
        rows = np.arange(len(X))
        for root in self.roots:
            node = np.full(len(X), root)
            active = self.left[node] >= 0
            while active.any():
                at, who = node[active], rows[active]
                values = X[who, self.feature[at]].astype(np.float64)
                go_left = np.where(np.isnan(values), self.missing_left[at] == 1, values <= self.threshold[at])
                child = np.where(go_left, self.left[at], self.right[at])
                np.add.at(out, (who, self.feature[at]), expected[child] - expected[at])
                node[active] = child
                active = self.left[node] >= 0
        return out, bias

    def arrays(self) -> dict[str, np.ndarray]:
        """The ensemble as named arrays (what a model file stores)."""
        out = {name: getattr(self, name) for name in NODE_ARRAYS}
        out["roots"] = self.roots
        out["baseline"] = np.asarray(self.baseline, dtype=np.float64)
        out["n_features"] = np.asarray(self.n_features, dtype=np.int64)
        if self.cover is not None:
            out["cover"] = self.cover
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TreeEnsemble:
        """The ensemble of `arrays()`; `TreeError` when they are not one."""
        missing = [name for name in (*NODE_ARRAYS, "roots", "baseline", "n_features") if name not in arrays]
        if missing:
            raise TreeError(f"missing arrays: {', '.join(missing)}")
        for name in ("baseline", "n_features"):
            if np.shape(arrays[name]) != ():
                raise TreeError(f"{name} must be a single number")
        return cls(
            **{name: np.ascontiguousarray(arrays[name]) for name in (*NODE_ARRAYS, "roots")},
            baseline=float(arrays["baseline"]),
            n_features=int(arrays["n_features"]),
            cover=np.ascontiguousarray(arrays["cover"]) if "cover" in arrays else None,
        )


def float32_floor(threshold: np.ndarray) -> np.ndarray:
    """The largest float32 at most each float64 of `threshold` (-inf below the float32 range,
    NaN for NaN). For a float32 x that is not NaN, `float64(x) <= t` exactly when
    `x <= float32_floor(t)`: x is a float32 at most t, so at most the largest one."""
    threshold = np.asarray(threshold, dtype=np.float64)
    with np.errstate(over="ignore"):
        floor = threshold.astype(np.float32)  # to nearest: at most one float32 step above
    above = floor.astype(np.float64) > threshold
    floor[above] = np.nextafter(floor[above], np.float32(-np.inf))
    return floor


def _expit(x: np.ndarray) -> np.ndarray:
    """The logistic function as scipy's `expit` (and so scikit-learn) computes it, 1 / (1 +
    exp(-x)) with the C library's exp: numpy's exp runs its own vector code on some CPUs, which
    can differ from it in the last bit."""
    return 1.0 / (1.0 + np.fromiter(map(_c_exp, (-np.asarray(x, dtype=np.float64)).tolist()), np.float64, len(x)))


def _c_exp(value: float) -> float:
    """The C library's exp (`math.exp`), inf where it overflows (x > 709.78) instead of an error."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf
