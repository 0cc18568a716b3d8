"""The page scorer's learner: a logistic regression over the evidence terms with signed weights.

`SignedLogisticRegression` follows scikit-learn's conventions. The rows are the sums of the
pages' evidence terms (`classifier.scoring.evidence.page_row`), among them the `attribution`
term every piece of attribution carries, so the attribution codes share one learned weight and
each code's own weight adds to it. Each weight keeps the sign its term has (`TERM_SIGNS`:
evidence >= 0, counter-evidence and the reliability terms <= 0), so a reason never says the
opposite of what its evidence means. `to_scorer` writes the fitted model
as the runtime's `ScorerModel` (named weights; the two terms of bulk runs, the cross-crawl
count and the site-template count, are priors set by hand: `PRIORS`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin

from classifier.scoring.evidence import COUNTER_EVIDENCE_CODES, RELIABILITY_TERMS, TERM_NAMES
from classifier.scoring.scorer import ScorerModel

C = 2.0
# No crawl-level labelled data exists to learn what the same text on N registered domains is
# worth; this prior (log-odds per unit of ln N) is set by hand, stated in the card, and only
# matters in bulk runs with --syndication: N=2 adds 0.69, N=5 adds 1.61, N=20 adds 3.0.
DUP_DOMAINS_PRIOR = 1.0
# Nor is there a labelled crawl to learn what a skeleton of the story shared by n >= 5 pages of
# one site, with other numbers and names, is worth (`template_across_pages`, value ln n, bulk
# runs with --site-templates). Set by hand, weaker than the cross-crawl prior: within one page
# the same evidence (`template_text`) weighs 0, since it fires on 1% of the labelled negatives
# (spec lines, reference lists), and a large site's pages share stock sentences by chance more
# than two sites share a whole text. n=5 adds 1.21, n=20 adds 2.25, n=100 adds 3.45: with no
# other evidence a page is flagged (intercept -3.20, threshold 0.601) only when about 120 pages
# of its site share the mould; 5 pages take it from 0.04 to 0.12, and add to what else it shows.
SITE_TEMPLATE_PRIOR = 0.75
# The terms whose weights are set by hand (not learned: their columns are zero in training).
PRIORS = MappingProxyType({"log_dup_domains": DUP_DOMAINS_PRIOR, "template_across_pages": SITE_TEMPLATE_PRIOR})
# What each prior is worth per unit, for the scorer's card.
PRIOR_NOTES = MappingProxyType(
    {
        "log_dup_domains": "per unit of ln N, N registered domains of the run with near-identical text (--syndication)",
        "template_across_pages": "per unit of ln n, n pages of the site sharing a story sentence's mould (--site-templates)",
    }
)
TERM_SIGNS = {
    **dict.fromkeys(TERM_NAMES, 1),
    **dict.fromkeys(COUNTER_EVIDENCE_CODES, -1),
    **dict.fromkeys(RELIABILITY_TERMS, -1),
}


class SignedLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression whose weights keep the sign evidence has.

    Parameters
    ----------
    C : float, default 2.0
        Inverse strength of the L2 penalty on the weights (not on the intercept).
    signs : tuple of int or None, default None
        Per column: +1 (the weight may only be >= 0), -1 (<= 0), 0 (free); None: all free.
    """

    def __init__(self, C: float = C, signs: tuple[int, ...] | None = None) -> None:
        self.C = C
        self.signs = signs

    def fit(self, X: np.ndarray, y: np.ndarray) -> SignedLogisticRegression:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        d = X.shape[1]
        signs = self.signs if self.signs is not None else (0,) * d

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:d], theta[d]
            z = X @ w + b
            value = float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 / self.C * w @ w)
            grad_z = expit(z) - y
            return value, np.concatenate([X.T @ grad_z + w / self.C, [grad_z.sum()]])

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]
        result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)])
        self.coef_ = result.x[:d].reshape(1, -1)
        self.intercept_ = result.x[d:]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = expit(np.asarray(X, dtype=np.float64) @ self.coef_[0] + self.intercept_[0])
        return np.column_stack([1 - p, p])


def fit_terms(rows: np.ndarray, labels: np.ndarray) -> SignedLogisticRegression:
    """Fit on feature rows over `TERM_NAMES` (the columns of `PRIORS` are not learned)."""
    signs = tuple(0 if name in PRIORS else TERM_SIGNS[name] for name in TERM_NAMES)
    rows = np.array(rows, dtype=np.float64)
    for name in PRIORS:
        rows[:, TERM_NAMES.index(name)] = 0.0
    return SignedLogisticRegression(C=C, signs=signs).fit(rows, labels)


def to_scorer(model: SignedLogisticRegression, threshold: float, card: dict[str, Any]) -> ScorerModel:
    """The runtime scorer of a fitted model (the weights of `PRIORS` are the priors)."""
    weights = {name: round(float(w), 6) for name, w in zip(TERM_NAMES, model.coef_[0])}
    weights.update(PRIORS)
    return ScorerModel(weights=weights, intercept=round(float(model.intercept_[0]), 6), threshold=threshold, card=card)
