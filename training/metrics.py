"""Evaluation metrics for main-content extraction.

This module owns the scoring definitions that the project reports, so that
our model and the peer extractors are always scored by the same code:

* **WCXB word F1** (:func:`wcxb_tokens`, :func:`word_f1`, :func:`macro_by_type`):
  the metric of *WCXB: A Multi-Type Web Content Extraction Benchmark*
  (M. Foley, 2026).  Its README defines it as word-level F1 between the
  extracted text and ``ground_truth.main_content``, with tokens
  ``re.findall(r'\\w+', text.lower())`` and *multiset* overlap, averaged over
  pages (macro) and reported overall and per page type.

  Edge cases are not spelled out in the WCXB README; we use the usual
  SQuAD-style convention: both token lists empty -> P = R = F1 = 1.0 (an
  extractor that returns nothing for a page whose gold main content is empty
  is right); exactly one empty -> 0.0 for all three.

* **Article Extraction Benchmark (AEB) shingle metric** (:func:`aeb_tokens`,
  :func:`aeb_shingles`, :func:`aeb_page_counts`, :func:`aeb_score`): the
  metric of ScrapingHub/Zyte's ``article-extraction-benchmark``
  (``evaluate.py``, MIT, (c) 2020 Scrapinghub).  The dataset README fixes the
  outline (4-word shingles, per-page tp/fp/fn normalised so each page weighs
  the same, summed over pages, bootstrap error bars).  The details below are
  reconstructed from memory of that ``evaluate.py`` and are the points to
  re-check against the original if a number looks off:

  - ``_tokenize``: ``re.findall(r'\\w+', text)`` with the flags
    ``UNICODE | MULTILINE | IGNORECASE | DOTALL``.  ``IGNORECASE`` does not
    change what ``\\w+`` matches, so tokens are **case-sensitive** and
    punctuation is dropped (no lower-casing, unlike WCXB).
  - ``_ngrams(text, n=4)``: ``tuple(tokens[i:i + n])`` for
    ``i in range(max(1, len(tokens) - n + 1))``, dropping empty tuples.  So a
    text with 1-3 tokens yields a single shorter shingle, and an empty text
    yields none.  Shingles are counted as a multiset (``Counter``).
  - per page: over the union of shingles, ``tp += min(t, p)``,
    ``fp += max(0, p - t)``, ``fn += max(0, t - p)``; then ``(tp, fp, fn)``
    are divided by their sum when the sum is > 0 (a page where both texts are
    empty contributes ``(0, 0, 0)``).
  - corpus: sum tp, fp, fn over pages; precision = tp / (tp + fp),
    recall = tp / (tp + fn), F1 = harmonic mean (0.0 where a denominator is 0,
    a guard of ours).
  - error bars: 1000 bootstrap resamples of the pages (with replacement),
    recomputing the corpus metrics each time; the reported ``*_std`` is the
    sample standard deviation (``statistics.stdev``) of the resampled values.
    Here the resampling uses a seeded ``random.Random`` so runs are
    reproducible (the original used the unseeded global ``random``).
  - ``accuracy``: share of pages whose token list equals the gold token list
    exactly (reported by ``evaluate.py`` alongside P/R/F1).

* **Character F1** (:func:`character_f1`): the same multiset overlap as the
  WCXB word F1, over the non-whitespace characters instead of ``\\w+``
  tokens, for text written without spaces between words (Chinese, Japanese),
  where a ``\\w+`` token is a whole run of characters. Ours, used by
  ``training.forms``; compare it only with itself.

Nothing here keeps global mutable state; regexes are module-level constants.
"""

from __future__ import annotations

import math
import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AEB_NGRAM_N",
    "PRF",
    "AebResult",
    "aeb_corpus_prf",
    "aeb_page_counts",
    "aeb_score",
    "aeb_shingles",
    "aeb_tokens",
    "character_f1",
    "macro_by_type",
    "wcxb_tokens",
    "word_f1",
]

_WCXB_TOKEN_RE = re.compile(r"\w+")
_AEB_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

#: Shingle length used by the article-extraction-benchmark.
AEB_NGRAM_N = 4


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 of one comparison."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class AebResult:
    """Corpus-level AEB shingle metrics with bootstrap standard deviations."""

    precision: float
    recall: float
    f1: float
    f1_std: float
    n: int
    precision_std: float = 0.0
    recall_std: float = 0.0
    accuracy: float = 0.0


# ---------------------------------------------------------------------------
# WCXB word F1
# ---------------------------------------------------------------------------


def wcxb_tokens(text: str | None) -> list[str]:
    """Tokenise as WCXB does: ``re.findall(r'\\w+', text.lower())``.

    ``None`` (an extractor that returned nothing) is treated as ``""``.
    """
    return _WCXB_TOKEN_RE.findall((text or "").lower())


def _f1(precision: float, recall: float) -> float:
    if precision + recall <= 0.0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def word_f1(predicted: str | None, gold: str | None) -> PRF:
    """WCXB word-level precision/recall/F1 with multiset (``Counter``) overlap.

    Both texts without tokens -> ``PRF(1, 1, 1)``; exactly one without
    tokens -> ``PRF(0, 0, 0)``.
    """
    return _multiset_prf(Counter(wcxb_tokens(predicted)), Counter(wcxb_tokens(gold)))


def _multiset_prf(pred: Counter[str], ref: Counter[str]) -> PRF:
    """Precision/recall/F1 of the multiset overlap; both empty -> 1.0, one empty -> 0.0."""
    n_pred = sum(pred.values())
    n_ref = sum(ref.values())
    if n_pred == 0 and n_ref == 0:
        return PRF(1.0, 1.0, 1.0)
    common = sum((pred & ref).values())
    if common == 0:  # one of them empty, or nothing shared
        return PRF(0.0, 0.0, 0.0)
    precision = common / n_pred
    recall = common / n_ref
    return PRF(precision, recall, _f1(precision, recall))


def character_f1(predicted: str | None, gold: str | None) -> PRF:
    """Precision/recall/F1 of the multisets of non-whitespace characters, with the edge cases
    of :func:`word_f1`."""
    return _multiset_prf(Counter("".join((predicted or "").split())), Counter("".join((gold or "").split())))


def macro_by_type(scores: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Macro-average ``(page_type, score)`` pairs.

    Returns ``{"overall": mean of all scores, <type>: mean for that type, ...}``
    with the page types in sorted order after ``"overall"``.  An empty input
    gives ``{"overall": nan}``.
    """
    by_type: dict[str, list[float]] = {}
    everything: list[float] = []
    for page_type, score in scores:
        by_type.setdefault(page_type, []).append(score)
        everything.append(score)
    result: dict[str, float] = {
        "overall": math.fsum(everything) / len(everything) if everything else math.nan
    }
    for page_type in sorted(by_type):
        values = by_type[page_type]
        result[page_type] = math.fsum(values) / len(values)
    return result


# ---------------------------------------------------------------------------
# Article-extraction-benchmark shingle metric
# ---------------------------------------------------------------------------


def aeb_tokens(text: str | None) -> list[str]:
    """AEB ``_tokenize``: ``\\w+`` runs, case preserved, punctuation dropped."""
    return _AEB_TOKEN_RE.findall(text or "")


def aeb_shingles(text: str | None, n: int = AEB_NGRAM_N) -> Counter[tuple[str, ...]]:
    """AEB ``_ngrams`` counted as a multiset.

    Texts with fewer than ``n`` (but at least one) tokens give one shorter
    shingle holding all their tokens; an empty text gives no shingle.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    tokens = aeb_tokens(text)
    shingles: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            shingles[shingle] += 1
    return shingles


def aeb_page_counts(
    predicted: str | None, gold: str | None, n: int = AEB_NGRAM_N
) -> tuple[float, float, float]:
    """Per-page ``(tp, fp, fn)`` over shingles, normalised to sum to 1.

    A page where neither text has a shingle gives ``(0.0, 0.0, 0.0)``.
    """
    true = aeb_shingles(gold, n)
    pred = aeb_shingles(predicted, n)
    tp = fp = fn = 0.0
    for key in true.keys() | pred.keys():
        t = true.get(key, 0)
        p = pred.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total > 0:
        return (tp / total, fp / total, fn / total)
    return (tp, fp, fn)


def aeb_corpus_prf(counts: Sequence[tuple[float, float, float]]) -> PRF:
    """Sum per-page ``(tp, fp, fn)`` and derive precision/recall/F1."""
    tp = math.fsum(c[0] for c in counts)
    fp = math.fsum(c[1] for c in counts)
    fn = math.fsum(c[2] for c in counts)
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    return PRF(precision, recall, _f1(precision, recall))


def aeb_score(
    pairs: Iterable[tuple[str | None, str | None]],
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    n: int = AEB_NGRAM_N,
) -> AebResult:
    """Score ``(predicted, gold)`` text pairs with the AEB shingle metric.

    ``n_bootstrap`` resamples of the pages give the ``*_std`` fields (0.0
    when ``n_bootstrap < 2`` or there are fewer than 2 pages).
    """
    counts: list[tuple[float, float, float]] = []
    exact: list[float] = []
    for predicted, gold in pairs:
        counts.append(aeb_page_counts(predicted, gold, n))
        exact.append(float(aeb_tokens(predicted) == aeb_tokens(gold)))
    n_pages = len(counts)
    if n_pages == 0:
        return AebResult(0.0, 0.0, 0.0, 0.0, 0)
    point = aeb_corpus_prf(counts)
    accuracy = math.fsum(exact) / n_pages

    p_std = r_std = f_std = 0.0
    if n_bootstrap >= 2 and n_pages >= 2:
        rng = random.Random(seed)
        ps: list[float] = []
        rs: list[float] = []
        fs: list[float] = []
        for _ in range(n_bootstrap):
            sample = [counts[rng.randrange(n_pages)] for _ in range(n_pages)]
            prf = aeb_corpus_prf(sample)
            ps.append(prf.precision)
            rs.append(prf.recall)
            fs.append(prf.f1)
        p_std = statistics.stdev(ps)
        r_std = statistics.stdev(rs)
        f_std = statistics.stdev(fs)

    return AebResult(
        precision=point.precision,
        recall=point.recall,
        f1=point.f1,
        f1_std=f_std,
        n=n_pages,
        precision_std=p_std,
        recall_std=r_std,
        accuracy=accuracy,
    )
