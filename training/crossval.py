"""Grouped cross-validation of the block model and WCXB scores of its predictions.

Folds are `GroupKFold` over registered domains, so no site is on both sides of a split. The
out-of-fold probabilities give the scores reported in the model card, the default decision
(the fixed threshold or the per-page expected-F1 cut, whichever has the best cross-validated
F1) and the precision/recall curve of `training.evaluate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold

from classifier.extraction.decision import Favor, choose_cut, decide
from classifier.extraction.layout import assemble

from .dataset import Dataset
from .estimator import BlockModel
from .fragments import Fragments, training_input
from .metrics import aeb_score, macro_by_type, word_f1

THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.1, 0.91, 0.05))


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold probabilities for every block and the fold of every page."""

    probabilities: np.ndarray
    page_folds: np.ndarray
    seconds: float
    other_probabilities: tuple[np.ndarray, ...] = ()
    fragment_probabilities: np.ndarray | None = None  # out-of-fold, when fragments trained too


def cross_validate(
    dataset: Dataset,
    make_model: Callable[[], BlockModel],
    *,
    folds: int = 5,
    log: Callable[[str], None] = print,
    also_predict: Sequence[Dataset] = (),
    fragments: Fragments | None = None,
) -> CrossValidation:
    """Fit on all folds but one, predict the one left out, for each of `folds` folds.

    `also_predict`: datasets of the same pages in the same order (another form of them): each
    fold's model also predicts their held-out pages (`CrossValidation.other_probabilities`).
    `fragments` (`training.fragments`): each fold also trains on the fragments of its training
    pages, and predicts those of its held-out pages (`CrossValidation.fragment_probabilities`).
    """
    start = time.perf_counter()
    probabilities = np.zeros(len(dataset.y))
    others = tuple(np.zeros(len(other.y)) for other in also_predict)
    fragment_probabilities = None if fragments is None else np.zeros(len(fragments.dataset.y))
    page_folds = np.full(len(dataset.pages), -1)
    splitter = GroupKFold(n_splits=folds)
    page_numbers = np.arange(len(dataset.pages))
    for fold, (train_pages, test_pages) in enumerate(
        splitter.split(page_numbers, groups=dataset.page_groups)
    ):
        train = dataset.rows_of(train_pages)
        test = dataset.rows_of(test_pages)
        X, y, weights, _ = training_input(dataset, train, train_pages, fragments)
        model = make_model().fit(X, y, sample_weight=weights)
        probabilities[test] = model.predict_proba(dataset.X[test])[:, 1]
        if fragments is not None and fragment_probabilities is not None:
            rows = fragments.rows_of(test_pages)
            if len(rows):
                fragment_probabilities[rows] = model.predict_proba(fragments.dataset.X[rows])[:, 1]
        for other, predicted in zip(also_predict, others):
            rows = other.rows_of(test_pages)
            predicted[rows] = model.predict_proba(other.X[rows])[:, 1]
        page_folds[test_pages] = fold
        log(f"  fold {fold + 1}/{folds}: {len(test_pages)} pages, {time.perf_counter() - start:.0f}s")
    return CrossValidation(probabilities, page_folds, time.perf_counter() - start, others, fragment_probabilities)


def page_texts(
    dataset: Dataset, probabilities: np.ndarray, threshold: float | None, favor: Favor = "balanced"
) -> list[str]:
    """The text `clean()` would return for every page, given block probabilities and a
    threshold (None: each page's expected-F1 cut, `classifier.extraction.decision.page_threshold`, leaning
    as `favor` says)."""
    texts = []
    for page, rows in zip(dataset.pages, dataset.page_rows()):
        cut = choose_cut(probabilities[rows], page.token_counts, page.paths, threshold, favor)
        texts.append(assemble(page.blocks, decide(page.blocks, probabilities[rows], cut)))
    return texts


def wcxb_scores(
    dataset: Dataset, probabilities: np.ndarray, threshold: float | None, favor: Favor = "balanced"
) -> tuple[dict[str, float], list[tuple[float, float, float]]]:
    """Macro word F1 overall and per page type, and (precision, recall, f1) per page."""
    per_page = []
    for page, text in zip(dataset.pages, page_texts(dataset, probabilities, threshold, favor)):
        result = word_f1(text, page.gold)
        per_page.append((result.precision, result.recall, result.f1))
    by_type = macro_by_type((page.page_type, f1) for page, (_, _, f1) in zip(dataset.pages, per_page))
    return by_type, per_page


def threshold_curve(
    dataset: Dataset, probabilities: np.ndarray, thresholds: Sequence[float] = THRESHOLDS
) -> list[dict[str, float]]:
    """Macro precision, recall and F1 at each threshold."""
    curve = []
    for threshold in thresholds:
        by_type, per_page = wcxb_scores(dataset, probabilities, threshold)
        curve.append(
            {
                "threshold": float(threshold),
                "precision": float(np.mean([p for p, _, _ in per_page])),
                "recall": float(np.mean([r for _, r, _ in per_page])),
                "f1": by_type["overall"],
            }
        )
    return curve


def corpus_scores(
    dataset: Dataset, probabilities: np.ndarray, threshold: float | None, favor: Favor = "balanced"
) -> dict[str, dict[str, float]]:
    """Each corpus's figure, the way it is published: WCXB word F1 macro over pages (overall and
    per page type); AEB shingle precision/recall/F1; the farm news pages' word F1 (macro) and
    shingle F1. `probabilities` of every page are out of fold when they come from
    `cross_validate`."""
    texts = page_texts(dataset, probabilities, threshold, favor)
    by_corpus: dict[str, list[int]] = {}
    for number, page in enumerate(dataset.pages):
        by_corpus.setdefault(page.corpus, []).append(number)
    out: dict[str, dict[str, float]] = {}
    for corpus, numbers in sorted(by_corpus.items()):
        pages = [dataset.pages[i] for i in numbers]
        chosen = [texts[i] for i in numbers]
        words = macro_by_type((page.page_type, word_f1(text, page.gold).f1) for page, text in zip(pages, chosen))
        shingles = aeb_score(zip(chosen, (page.gold for page in pages)), n_bootstrap=200)
        out[corpus] = {**words, "shingle_precision": shingles.precision, "shingle_recall": shingles.recall,
                       "shingle_f1": shingles.f1, "shingle_f1_std": shingles.f1_std}  # fmt: skip
    return out
