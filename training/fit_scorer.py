"""`python -m training.fit_scorer`: cross-validate, then train and write the page scorer.

Real labelled pages (`data/farm`) are split by site with `GroupKFold`; semi-synthetic positives
(`training.farm.semi_synthetic`) join the training folds only, never a test fold. The
out-of-fold probabilities of the real pages give every reported figure: precision, recall and
F1 at the flag threshold, average precision, the precision/recall curve, recall per kind of
evidence, false positives among the hard negatives, recall with disclaimer sentences removed,
and calibration (reliability by probability bin). The flag threshold is the lowest one whose
cross-validated precision is at least `--precision` (default 0.95).

The model is a logistic regression with sign-constrained weights, written as JSON (`classifier/models/
page_scorer.json`): named weights, so it loads without running code and explains itself.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from classifier.extraction.model import SHIPPED_MODEL, load_model
from classifier.scoring.scorer import SHIPPED_SCORER, ScorerModel
from classifier.scoring.signals import SIGNAL_NAMES

from .farm import FARM, FarmPage, load_farm, semi_synthetic, without_disclaimers

C = 2.0
FOLDS = 5
# No crawl-level labelled data exists to learn what the same text on N registered domains is
# worth; this prior (log-odds per unit of ln N) is set by hand, stated in the card, and only
# matters in bulk runs with --syndication: N=2 adds 0.69, N=5 adds 1.61, N=20 adds 3.0.
DUP_DOMAINS_PRIOR = 1.0
# Evidence may only raise the score, counter-evidence only lower it; content_share is free.
SIGNAL_SIGNS = {
    **dict.fromkeys(SIGNAL_NAMES, 1),
    **dict.fromkeys(("agency_own_site", "with_agency_inputs", "agency_in_credit_only", "staff_byline", "datelined_teasers"), -1),
    "content_share": 0,
}


class SignedLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression whose weights keep the sign evidence has.

    With a few dozen positives an unconstrained fit gives counter-evidence ("with inputs from
    agencies", an agency only in photo credits) a positive weight whenever a positive happens
    to carry it. `signs[i]` is +1 (the weight may only be >= 0), -1 (<= 0) or 0 (free).
    Fitted with L-BFGS-B under those bounds.
    """

    def __init__(self, C: float = 1.0, signs: tuple[int, ...] | None = None) -> None:
        self.C = C
        self.signs = signs

    def fit(self, X: np.ndarray, y: np.ndarray) -> SignedLogisticRegression:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, d = X.shape
        signs = self.signs if self.signs is not None else (0,) * d

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:d], theta[d]
            z = X @ w + b
            p = expit(z)
            value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 / self.C * w @ w
            grad_z = p - y
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


def fit_logistic(rows: np.ndarray, labels: np.ndarray) -> tuple[StandardScaler, SignedLogisticRegression]:
    # Signals are 0/1 flags and small counts: no rescaling, so a rare flag is not inflated.
    scaler = StandardScaler(with_mean=False, with_std=False).fit(rows)
    scaler.mean_ = np.zeros(rows.shape[1])
    scaler.scale_ = np.ones(rows.shape[1])
    signs = tuple(SIGNAL_SIGNS.get(name, 0) for name in SIGNAL_NAMES)
    model = SignedLogisticRegression(C=C, signs=signs).fit(rows, labels)
    return scaler, model


def to_scorer(scaler: StandardScaler, model: SignedLogisticRegression, threshold: float, card: dict) -> ScorerModel:
    weights = {n: float(w) for n, w in zip(SIGNAL_NAMES, model.coef_[0])}
    means = {n: float(m) for n, m in zip(SIGNAL_NAMES, scaler.mean_)}
    scales = {n: float(s) for n, s in zip(SIGNAL_NAMES, scaler.scale_)}
    weights["log_dup_domains"], means["log_dup_domains"], scales["log_dup_domains"] = DUP_DOMAINS_PRIOR, 0.0, 1.0
    return ScorerModel(
        weights=weights,
        intercept=float(model.intercept_[0]),
        means=means,
        scales=scales,
        threshold=threshold,
        card=card,
    )


def _probability(scaler: StandardScaler, model: SignedLogisticRegression, rows: np.ndarray) -> np.ndarray:
    return model.predict_proba(scaler.transform(rows))[:, 1]


def choose_threshold(labels: np.ndarray, probabilities: np.ndarray, precision: float) -> float:
    """A flag threshold with at least `precision` on these pages and the most recall there.

    Of the cuts that reach that recall, the one halfway between the lowest-scored positive it
    flags and the next lower score, so that small shifts on new pages do not cross it.
    """
    scores = np.unique(probabilities)[::-1]
    best_recall, best_cut = -1.0, 1.0
    for cut in scores:
        flagged = probabilities >= cut
        if labels[flagged].mean() >= precision:
            recall = labels[flagged].sum() / max(labels.sum(), 1)
            if recall > best_recall:
                best_recall, best_cut = recall, cut
    lower = scores[scores < best_cut]
    return float((best_cut + lower[0]) / 2) if len(lower) else float(best_cut)


def prf(labels: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    fn = int((~flagged & (labels == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def cross_validate(real: list[FarmPage], synthetic: list[FarmPage], *, folds: int = FOLDS) -> dict:
    labels = np.array([p.label for p in real])
    rows = np.array([p.row for p in real])
    sites = np.array([p.site for p in real])
    oof = np.zeros(len(real))
    oof_stripped = np.zeros(len(real))
    stripped_rows = np.array([without_disclaimers(p).row for p in real])
    synthetic_rows = np.array([p.row for p in synthetic]) if synthetic else np.zeros((0, rows.shape[1]))
    synthetic_sites = np.array([p.site for p in synthetic])
    for train, test in GroupKFold(n_splits=folds).split(rows, labels, sites):
        test_sites = set(sites[test])
        extra = np.array([s not in test_sites for s in synthetic_sites], dtype=bool)
        train_rows = np.vstack([rows[train], synthetic_rows[extra]]) if len(synthetic_rows) else rows[train]
        train_labels = np.concatenate([labels[train], np.ones(int(extra.sum()), dtype=int)])
        scaler, model = fit_logistic(train_rows, train_labels)
        oof[test] = _probability(scaler, model, rows[test])
        oof_stripped[test] = _probability(scaler, model, stripped_rows[test])
    return {"labels": labels, "oof": oof, "oof_stripped": oof_stripped}


def report(real: list[FarmPage], cv: dict, threshold: float) -> dict:
    labels, oof = cv["labels"], cv["oof"]
    flagged = oof >= threshold
    precision, recall, cuts = precision_recall_curve(labels, oof)
    curve = [
        {"threshold": round(float(t), 4), "precision": round(float(p), 4), "recall": round(float(r), 4)}
        for p, r, t in zip(precision[:-1], recall[:-1], cuts)
    ]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for page, hit in zip(real, flagged):
        if page.label == 1:
            for kind in page.kinds or ("none",):
                by_kind[kind].append(bool(hit))
    hard = [bool(hit) for page, hit in zip(real, flagged) if page.hard_negative]
    bins = []
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (oof >= low) & (oof < low + 0.2 + (1e-9 if low >= 0.8 else 0))
        if inside.any():
            bins.append(
                {
                    "bin": f"{low:.1f}-{low + 0.2:.1f}",
                    "pages": int(inside.sum()),
                    "mean_probability": round(float(oof[inside].mean()), 3),
                    "share_positive": round(float(labels[inside].mean()), 3),
                }
            )
    stripped = cv["oof_stripped"] >= threshold
    return {
        "pages": len(real),
        "positives": int(labels.sum()),
        "threshold": threshold,
        "at_threshold": prf(labels, flagged),
        "average_precision": round(float(average_precision_score(labels, oof)), 4),
        "brier": round(float(np.mean((oof - labels) ** 2)), 4),
        "recall_by_evidence": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())},
        "hard_negatives_flagged": f"{sum(hard)}/{len(hard)}",
        "recall_disclaimer_removed": prf(labels, stripped)["recall"],
        "positives_with_disclaimer": int(
            sum(1 for p in real if p.label == 1 and any(s.code == "disclaimer" for s in p.signals))
        ),
        "calibration": bins,
        "curve": curve,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.fit_scorer", description=__doc__.split("\n")[0])
    parser.add_argument("--farm", type=Path, default=FARM, help="folder with labels.jsonl and pages/")
    parser.add_argument("--out", type=Path, default=SHIPPED_SCORER)
    parser.add_argument("--precision", type=float, default=0.95, help="CV precision the flag threshold must reach")
    parser.add_argument("--no-synthetic", action="store_true", help="train on real pages only")
    parser.add_argument("--report", type=Path, default=Path("build/scorer-cv.json"))
    parser.add_argument(
        "--model", type=Path, default=SHIPPED_MODEL, help="the block model the page signals come from (default: the shipped one)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    block_model = load_model(args.model)
    real = load_farm(args.farm, model=block_model)
    synthetic = [] if args.no_synthetic else semi_synthetic(real)
    print(f"{len(real)} labelled pages ({sum(p.label for p in real)} positive), {len(synthetic)} semi-synthetic for training")
    cv = cross_validate(real, synthetic)
    threshold = choose_threshold(cv["labels"], cv["oof"], args.precision)
    summary = report(real, cv, threshold)
    printable = {k: v for k, v in summary.items() if k != "curve"}
    print(json.dumps(printable, indent=1))
    rows = np.array([p.row for p in real] + [p.row for p in synthetic])
    labels = np.array([p.label for p in real] + [1] * len(synthetic))
    scaler, model = fit_logistic(rows, labels)
    card = {
        "trained_on": {"real_pages": len(real), "positives": int(sum(p.label for p in real)), "semi_synthetic": len(synthetic)},
        "block_model_data": block_model.card.get("data", {}).get("sha256"),
        "cv": printable,
        "model": f"SignedLogisticRegression(C={C}): logistic regression, weights sign-constrained",
        "signs": {name: SIGNAL_SIGNS.get(name, 0) for name in SIGNAL_NAMES},
        "priors": {"log_dup_domains": f"{DUP_DOMAINS_PRIOR} (set by hand: no crawl-level training data)"},
    }
    scorer = to_scorer(scaler, model, threshold, card)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(scorer.to_json(), indent=1, sort_keys=True) + "\n")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {args.out} and {args.report} ({time.perf_counter() - started:.0f}s)")
    return 0


__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
