"""`classifier.extraction.trees`: the plain-array ensemble, its C kernel and its numpy path.

Exactness against scikit-learn is checked where models are exported
(`tests/training/test_export_trees.py`); here, the predictor's own behaviour: both paths agree
to the last bit, and arrays that are not a valid ensemble are refused before any walk.
"""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from classifier import load_model
from classifier.extraction import trees as trees_module
from classifier.extraction.extract import analyse
from classifier.extraction.trees import TreeEnsemble, TreeError

GO_BLOG = Path(__file__).resolve().parents[2] / "fixtures" / "go-blog-defer-panic-recover.html.gz"


def small_ensemble() -> TreeEnsemble:
    """Two trees over two columns: x0 <= 0.5 (missing: left) -> -1 | +2; x1 <= -1 (missing:
    right) -> 0.5 | (x0 <= 3 -> 0.25 | 4)."""
    return TreeEnsemble(
        feature=np.array([0, 0, 0, 1, 0, 0, 0, 0, 0], np.int32),
        threshold=np.array([0.5, 0, 0, -1.0, 0, 3.0, 0, 0, 0], np.float64),
        missing_left=np.array([1, 0, 0, 0, 0, 0, 0, 0, 0], np.uint8),
        left=np.array([1, -1, -1, 4, -1, 6, -1, -1, -1], np.int32),
        right=np.array([2, -1, -1, 5, -1, 7, -1, -1, -1], np.int32),
        value=np.array([0, -1.0, 2.0, 0, 0.5, 0, 0.25, 4.0, 0], np.float64),
        roots=np.array([0, 3], np.int32),
        baseline=0.1,
        n_features=2,
    )


def test_a_hand_made_ensemble_gives_its_leaves() -> None:
    ensemble = small_ensemble()
    X = np.array([[0.0, -2.0], [1.0, 0.0], [np.nan, np.nan], [5.0, 0.0], [0.5, -1.0]], np.float32)
    expected = 0.1 + np.array([-1.0 + 0.5, 2.0 + 0.25, -1.0 + 4.0, 2.0 + 4.0, -1.0 + 0.5])
    assert np.array_equal(ensemble.raw_scores(X), expected)
    assert np.array_equal(ensemble.raw_scores_numpy(X), expected)
    assert np.allclose(ensemble.probability(X), 1 / (1 + np.exp(-expected)))


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(0, 30), st.just(2)),
        elements=st.one_of(st.floats(-10, 10, width=32), st.just(np.nan), st.just(np.inf), st.just(-np.inf)),
    )
)
def test_the_kernel_and_numpy_agree_to_the_last_bit(X: np.ndarray) -> None:
    ensemble = small_ensemble()
    assert np.array_equal(ensemble.raw_scores(X), ensemble.raw_scores_numpy(X))


@pytest.mark.skipif(trees_module.KERNEL is None, reason="the C kernel is not built here")
def test_the_shipped_model_on_a_real_page_agrees_on_both_paths() -> None:
    model = load_model()
    features = analyse(gzip.decompress(GO_BLOG.read_bytes())).features
    assert len(features) > 20
    assert np.array_equal(model.trees.raw_scores(features), model.trees.raw_scores_numpy(features))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"left": np.array([0, -1, -1, 4, -1, 6, -1, -1, -1], np.int32)}, "before its parent"),  # a loop
        ({"right": np.array([2, -1, -1, 5, -1, 60, -1, -1, -1], np.int32)}, "one child|out of range"),
        ({"feature": np.array([0, 0, 0, 7, 0, 0, 0, 0, 0], np.int32)}, "column"),
        ({"roots": np.array([0, 30], np.int32)}, "out of range"),
        ({"value": np.array([0, np.nan, 2.0, 0, 0.5, 0, 0.25, 4.0, 0], np.float64)}, "finite"),
        ({"threshold": np.zeros(9, np.float32)}, "float64"),
        ({"value": np.zeros(8)}, "entries"),
    ],
)
def test_arrays_that_are_not_a_valid_ensemble_are_refused(change: dict, message: str) -> None:
    ensemble = small_ensemble()
    arrays_ = {**{name: getattr(ensemble, name) for name in ("feature", "threshold", "missing_left", "left", "right", "value", "roots")}, **change}
    with pytest.raises(TreeError, match=message):
        TreeEnsemble(**arrays_, baseline=0.1, n_features=2)


def test_wrong_column_count_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="feature columns"):
        small_ensemble().raw_scores(np.zeros((3, 5), np.float32))


def test_arrays_round_trip() -> None:
    ensemble = small_ensemble()
    again = TreeEnsemble.from_arrays(ensemble.arrays())
    X = np.array([[0.2, -3.0], [4.0, 1.0]], np.float32)
    assert np.array_equal(again.raw_scores(X), ensemble.raw_scores(X))
    with pytest.raises(TreeError, match="missing arrays"):
        TreeEnsemble.from_arrays({"feature": ensemble.feature})


def test_contributions_add_up_to_the_raw_score() -> None:
    model = load_model()
    features = analyse(gzip.decompress(GO_BLOG.read_bytes())).features
    contributions, bias = model.trees.contributions(features)
    assert contributions.shape == features.shape
    assert np.allclose(contributions.sum(axis=1) + bias, model.trees.raw_scores(features), rtol=0, atol=1e-9)
    ensemble = small_ensemble()
    with pytest.raises(TreeError, match="no cover"):
        ensemble.contributions(np.zeros((1, 2), np.float32))


# The compiled kernel compares in float32 against `float32_floor` of each threshold, walks rows
# in tiles and packs the ensemble once: checked here against numpy on ensembles and inputs
# built around float32 boundaries.

FLOAT32_MAX = float(np.finfo(np.float32).max)
EDGE_THRESHOLDS = np.array(
    [
        0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 1 / 3, 0.5 + 2.0**-25,  # representable, not, halfway between two float32
        1.0 + 2.0**-24, 1.0 - 2.0**-25, float(np.nextafter(np.float32(1.0), np.float32(2.0))) - 2.0**-60,
        FLOAT32_MAX, -FLOAT32_MAX, FLOAT32_MAX * (1 + 2.0**-25), 3.5e38, -3.5e38, 1e300, -1e300,  # at and beyond the range
        np.inf, -np.inf, 1e-45, -1e-45, 2.0**-149, 2.0**-150, -(2.0**-150), 1e-300, -1e-300,  # subnormals and below
    ]
)  # fmt: skip


def edge_values(thresholds: np.ndarray) -> np.ndarray:
    """float32 values at and around each threshold (its float32 roundings and their neighbours),
    with NaN and the infinities."""
    with np.errstate(over="ignore"):
        rounded = thresholds.astype(np.float32)
        around = [rounded, np.nextafter(rounded, np.float32(np.inf)), np.nextafter(rounded, np.float32(-np.inf))]
    return np.unique(np.concatenate([*around, np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], np.float32)]))


def random_ensemble(rng: np.random.Generator, n_trees: int, n_features: int, max_depth: int) -> TreeEnsemble:
    """Random trees (children after parents, some single leaves) with thresholds drawn from
    `EDGE_THRESHOLDS` and random float64s, missing values sent either way."""
    columns: dict[str, list] = {name: [] for name in ("feature", "threshold", "missing_left", "left", "right", "value")}
    roots = []

    def grow(depth: int) -> int:
        node = len(columns["feature"])
        for name in columns:
            columns[name].append(0)
        if depth == max_depth or rng.random() < 0.25:
            columns["left"][node] = columns["right"][node] = -1
            columns["value"][node] = float(rng.normal())
            return node
        columns["feature"][node] = int(rng.integers(n_features))
        pick = rng.integers(3)
        columns["threshold"][node] = float(rng.choice(EDGE_THRESHOLDS) if pick == 0 else rng.normal() * 10.0 ** rng.integers(-3, 4))
        columns["missing_left"][node] = int(rng.integers(2))
        columns["left"][node] = grow(depth + 1)
        columns["right"][node] = grow(depth + 1)
        return node

    for _ in range(n_trees):
        roots.append(grow(0))
    dtypes = {"feature": np.int32, "missing_left": np.uint8, "left": np.int32, "right": np.int32}  # the rest float64
    arrays_ = {name: np.array(values, dtypes.get(name, np.float64)) for name, values in columns.items()}
    return TreeEnsemble(**arrays_, roots=np.array(roots, np.int32), baseline=float(rng.normal()), n_features=n_features)


def random_rows(rng: np.random.Generator, ensemble: TreeEnsemble, n_rows: int) -> np.ndarray:
    """Rows mixing values at the ensemble's thresholds (and around them) with random ones and NaN."""
    pool = edge_values(ensemble.threshold)
    shape = (n_rows, ensemble.n_features)
    X = np.where(rng.random(shape) < 0.6, rng.choice(pool, shape), rng.normal(size=shape))
    return X.astype(np.float32)


def next_float32_up(value: np.float32) -> np.float32:
    with np.errstate(over="ignore"):
        return np.nextafter(value, np.float32(np.inf))


def bits(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.uint64)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2, 7, 8, 9, 17, 40]), st.integers(1, 12))
def test_random_ensembles_agree_with_numpy_to_the_last_bit(seed: int, n_rows: int, max_depth: int) -> None:
    rng = np.random.default_rng(seed)
    ensemble = random_ensemble(rng, n_trees=int(rng.integers(1, 8)), n_features=int(rng.integers(1, 6)), max_depth=max_depth)
    X = random_rows(rng, ensemble, n_rows)
    assert trees_module.KERNEL is None or ensemble.packed is not None
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(ensemble.raw_scores_numpy(X)))
    assert np.array_equal(bits(ensemble.probability(X)), bits(trees_module._expit(ensemble.raw_scores_numpy(X))))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 12, 13, 30]))
def test_trees_stored_in_any_order_or_sharing_nodes_agree_with_numpy(seed: int, n_rows: int) -> None:
    """The kernel lays each tree out again from its root: trees listed out of order, listed
    twice, or starting inside another tree (so sharing its nodes) are walked as the arrays say."""
    rng = np.random.default_rng(seed)
    grown = random_ensemble(rng, n_trees=int(rng.integers(1, 6)), n_features=3, max_depth=6)
    extra = rng.choice(len(grown.feature), size=int(rng.integers(0, 4)))  # any node starts a subtree
    roots = np.concatenate([rng.permutation(grown.roots), extra])
    ensemble = TreeEnsemble(
        **{name: getattr(grown, name) for name in trees_module.NODE_ARRAYS},
        roots=roots.astype(np.int32), baseline=grown.baseline, n_features=3,
    )  # fmt: skip
    X = random_rows(rng, ensemble, n_rows)
    assert trees_module.KERNEL is None or ensemble.packed is not None
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(ensemble.raw_scores_numpy(X)))


@pytest.mark.skipif(trees_module.KERNEL is None, reason="the C kernel is not built here")
def test_trees_sharing_nodes_many_times_over_are_left_to_numpy() -> None:
    """A chain of nodes whose two children are the same node has 2**depth paths: the kernel
    would copy every one, so it refuses, and numpy walks it."""
    depth = 20
    ensemble = TreeEnsemble(
        feature=np.zeros(depth + 1, np.int32), threshold=np.zeros(depth + 1), missing_left=np.zeros(depth + 1, np.uint8),
        left=np.array([*range(1, depth + 1), -1], np.int32), right=np.array([*range(1, depth + 1), -1], np.int32),
        value=np.array([0.0] * depth + [1.5]), roots=np.array([0], np.int32), baseline=0.0, n_features=1,
    )  # fmt: skip
    assert ensemble.packed is None
    assert np.array_equal(ensemble.raw_scores(np.zeros((2, 1), np.float32)), [1.5, 1.5])


@pytest.mark.parametrize("baseline", [0.0, -0.0])
@pytest.mark.parametrize("leaf", [0.0, -0.0])
def test_signed_zeros_add_up_as_in_numpy(baseline: float, leaf: float) -> None:
    """A row passes inner nodes on its way to a leaf; they must leave every sum as it is, a
    -0.0 too."""
    ensemble = TreeEnsemble(
        feature=np.zeros(3, np.int32), threshold=np.zeros(3), missing_left=np.zeros(3, np.uint8),
        left=np.array([1, -1, -1], np.int32), right=np.array([2, -1, -1], np.int32), value=np.array([0.0, leaf, leaf]),
        roots=np.array([0, 0], np.int32), baseline=baseline, n_features=1,
    )  # fmt: skip
    X = np.array([[-1.0], [1.0], [np.nan]], np.float32)
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(ensemble.raw_scores_numpy(X)))
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(np.full(3, baseline + leaf + leaf)))


@pytest.mark.parametrize("leaf", [-1000.0, -745.5, -36.7, -1e-300, 0.0, 1e-300, 19.3, 709.0, 710.0, 1000.0])
def test_probabilities_are_the_logistic_of_the_raw_scores_on_both_paths(leaf: float) -> None:
    ensemble = TreeEnsemble(
        feature=np.zeros(1, np.int32), threshold=np.zeros(1), missing_left=np.zeros(1, np.uint8),
        left=np.full(1, -1, np.int32), right=np.full(1, -1, np.int32), value=np.array([leaf]),
        roots=np.array([0], np.int32), baseline=0.0, n_features=1,
    )  # fmt: skip
    probability = ensemble.probability(np.zeros((3, 1), np.float32))
    assert np.array_equal(bits(probability), bits(trees_module._expit(np.full(3, leaf))))
    assert np.all((probability >= 0) & (probability <= 1))
    assert np.sign(probability[0] - 0.5) in (0.0, np.sign(leaf))


@pytest.mark.parametrize("n_rows", [0, 1, 8, 13])
def test_single_leaf_trees_give_the_baseline_and_leaves(n_rows: int) -> None:
    ensemble = TreeEnsemble(
        feature=np.zeros(2, np.int32), threshold=np.zeros(2), missing_left=np.zeros(2, np.uint8),
        left=np.full(2, -1, np.int32), right=np.full(2, -1, np.int32), value=np.array([0.25, -1.5]),
        roots=np.array([0, 1], np.int32), baseline=0.1, n_features=3,
    )  # fmt: skip
    X = np.full((n_rows, 3), np.nan, np.float32)
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(np.full(n_rows, 0.1 + 0.25 - 1.5)))
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(ensemble.raw_scores_numpy(X)))


def test_every_edge_value_against_every_edge_threshold() -> None:
    """One split per edge threshold, each way for missing values, over every edge value: each
    row lands in the leaf the float64 comparison says."""
    thresholds = np.repeat(EDGE_THRESHOLDS, 2)
    n = len(thresholds)
    values = edge_values(EDGE_THRESHOLDS)
    ensemble = TreeEnsemble(
        feature=np.tile(np.array([0, 0, 0], np.int32), n),
        threshold=np.stack([thresholds, np.zeros(n), np.zeros(n)], axis=1).ravel(),
        missing_left=np.stack([np.arange(n) % 2, np.zeros(n), np.zeros(n)], axis=1).ravel().astype(np.uint8),
        left=np.stack([np.arange(n) * 3 + 1, np.full(n, -1), np.full(n, -1)], axis=1).ravel().astype(np.int32),
        right=np.stack([np.arange(n) * 3 + 2, np.full(n, -1), np.full(n, -1)], axis=1).ravel().astype(np.int32),
        value=np.stack([np.zeros(n), np.full(n, 2.0) ** -np.arange(n), np.zeros(n)], axis=1).ravel(),
        roots=(np.arange(n) * 3).astype(np.int32), baseline=0.0, n_features=1,
    )  # fmt: skip
    X = values[:, None]
    missing_left = (np.arange(n) % 2 == 1)[None, :]
    go_left = np.where(np.isnan(X), missing_left, X.astype(np.float64) <= thresholds[None, :])
    expected = np.zeros(len(values))
    for tree in range(n):  # tree after tree, the order of the sums
        expected += np.where(go_left[:, tree], 2.0**-tree, 0.0)
    assert np.array_equal(bits(ensemble.raw_scores(X)), bits(expected))
    assert np.array_equal(bits(ensemble.raw_scores_numpy(X)), bits(expected))


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(width=32, allow_nan=False))
def test_float32_floor_is_the_largest_float32_at_most_the_threshold(threshold: float, x: float) -> None:
    """For every float32 x that is not NaN: x <= floor exactly when float64(x) <= threshold."""
    floor = trees_module.float32_floor(np.array([threshold]))[0]
    assert floor.dtype == np.float32
    if np.isnan(threshold):
        assert np.isnan(floor)
        return
    assert float(floor) <= threshold
    assert floor == np.inf or float(next_float32_up(floor)) > threshold
    assert (np.float32(x) <= floor) == (float(np.float32(x)) <= threshold)


def test_float32_floor_on_edge_values() -> None:
    floors = trees_module.float32_floor(EDGE_THRESHOLDS)
    for threshold, floor in zip(EDGE_THRESHOLDS.tolist(), floors.tolist(), strict=True):
        assert floor <= threshold
        assert floor == np.inf or float(next_float32_up(np.float32(floor))) > threshold
    as_python = dict(zip(EDGE_THRESHOLDS.tolist(), floors.tolist(), strict=False))
    assert as_python[1e300] == FLOAT32_MAX and as_python[3.5e38] == FLOAT32_MAX
    assert as_python[-3.5e38] == -np.inf and as_python[-np.inf] == -np.inf and as_python[np.inf] == np.inf
    assert as_python[2.0**-150] == 0.0 and as_python[-(2.0**-150)] == -(2.0**-149)
    assert as_python[1.0] == 1.0 and as_python[1.0 - 2.0**-25] == 1.0 - 2.0**-24


def test_pickling_keeps_the_ensemble_and_packs_it_again() -> None:
    ensemble = small_ensemble()
    again = pickle.loads(pickle.dumps(ensemble))
    X = np.array([[0.2, -3.0], [4.0, 1.0], [np.nan, 0.0]], np.float32)
    assert np.array_equal(bits(again.raw_scores(X)), bits(ensemble.raw_scores(X)))
    assert (again.packed is None) == (ensemble.packed is None)


@pytest.mark.skipif(trees_module.KERNEL is None, reason="the C kernel is not built here")
def test_the_kernel_refuses_what_it_cannot_walk_safely() -> None:
    kernel = trees_module.KERNEL
    ensemble = small_ensemble()
    arrays_ = [ensemble.feature, trees_module.float32_floor(ensemble.threshold), ensemble.missing_left, ensemble.left,
               ensemble.right, ensemble.value, ensemble.roots]  # fmt: skip
    for position, bad in (
        (3, np.array([0, -1, -1, 4, -1, 6, -1, -1, -1], np.int32)),  # a loop
        (4, np.array([2, -1, -1, 5, -1, 60, -1, -1, -1], np.int32)),  # out of range
        (0, np.array([0, 0, 0, -1, 0, 0, 0, 0, 0], np.int32)),  # a negative column
        (6, np.array([0, 9], np.int32)),  # a tree starting past the end
        (5, np.zeros(8)),  # one value short
        (1, ensemble.threshold),  # float64 thresholds
    ):
        with pytest.raises((ValueError, TypeError)):
            kernel.pack(*arrays_[:position], bad, *arrays_[position + 1 :], 0.0)
    packed = kernel.pack(*arrays_, 0.1)
    with pytest.raises(ValueError, match="columns"):
        kernel.raw_scores(packed, np.zeros((3, 1), np.float32), np.empty(3))
    with pytest.raises(ValueError, match="one row per output"):
        kernel.raw_scores(packed, np.zeros((3, 2), np.float32), np.empty(2))
    with pytest.raises(ValueError):
        kernel.raw_scores(object(), np.zeros((3, 2), np.float32), np.empty(3))
    out = np.empty(2)
    kernel.raw_scores(packed, np.array([[0.0, -2.0], [5.0, 0.0]], np.float32), out)
    assert np.array_equal(out, 0.1 + np.array([-1.0 + 0.5, 2.0 + 4.0]))
