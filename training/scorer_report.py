"""The page scorer's cross-validated figures, from out-of-fold probabilities.

`figures()` gives: precision, recall and F1 at the flag threshold; the best precision at recall
>= 0.90; average precision; the Brier score; calibration by probability bin; recall per cause
(the seven causes of issue 20, each positive tagged by the forms of the evidence found on it,
`causes_of`); recall with each positive's strongest piece of evidence removed; real hard
negatives and borderline pages flagged. `choose_threshold` picks the flag threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

from classifier.scoring.evidence import Evidence

# The seven causes of misses in issue 20, and the forms of evidence that belong to each.
CAUSES = (
    "1 byline forms",
    "2 dateline forms",
    "3 layout",
    "4 wires, via, licence",
    "5 press releases",
    "6 template text",
    "7 found then lost",
)
_BASIC_BYLINES = frozenset({"agency", "agency_short", "label_agency"})
_LAYOUT_REACH = 6  # blocks under the headline the old fixed window read


def causes_of(items: Sequence[Evidence], anchor: int) -> set[str]:
    """The causes a positive's evidence belongs to (see `CAUSES`); "0 basic forms" when its
    evidence is only of the forms the scorer read before."""
    found = set()
    for item in items:
        code, form = item.code, item.form
        if code in ("agency_byline", "agency_author") and form not in _BASIC_BYLINES:
            found.add(CAUSES[0])
        if code == "agency_dateline" and (form not in ("city_marker", "late_paragraph") or not item.exact_case):
            found.add(CAUSES[1])
        if form == "late_paragraph" or (item.where == "lead" and item.block - anchor > _LAYOUT_REACH):
            found.add(CAUSES[2])
        if code in ("via_wire", "licence_line") or form in ("composite_marker", "table_marker"):
            found.add(CAUSES[3])
        if code in ("press_release", "press_release_weak"):
            found.add(CAUSES[4])
        if code in ("template_text", "machine_text"):
            found.add(CAUSES[5])
        if code in ("cross_domain_canonical", "agency_story_id") or (code == "agency_signature" and item.match.startswith("-")):
            found.add(CAUSES[6])
    return found or {"0 basic forms"}


def choose_threshold(labels: np.ndarray, probabilities: np.ndarray, precision: float) -> float:
    """A flag threshold with at least `precision` on these pages and the most recall there:
    halfway between the lowest-scored positive it flags and the next lower score."""
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


def precision_at_recall(labels: np.ndarray, probabilities: np.ndarray, recall: float) -> dict[str, float]:
    """The best precision among the cuts whose recall is at least `recall`, and that cut."""
    precisions, recalls, cuts = precision_recall_curve(labels, probabilities)
    ok = [(p, r, t) for p, r, t in zip(precisions[:-1], recalls[:-1], cuts) if r >= recall]
    if not ok:
        return {"precision": 0.0, "recall": 0.0, "threshold": 1.0}
    p, r, t = max(ok, key=lambda x: (x[0], x[1]))
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "threshold": round(float(t), 4)}


def calibration(labels: np.ndarray, probabilities: np.ndarray) -> list[dict[str, Any]]:
    bins = []
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (probabilities >= low) & (probabilities < low + 0.2 + (1e-9 if low >= 0.8 else 0))
        if inside.any():
            bins.append(
                {
                    "bin": f"{low:.1f}-{low + 0.2:.1f}",
                    "pages": int(inside.sum()),
                    "mean_probability": round(float(probabilities[inside].mean()), 3),
                    "share_positive": round(float(labels[inside].mean()), 3),
                }
            )
    return bins


def _share(hits: Sequence[bool]) -> str:
    return f"{sum(hits)}/{len(hits)}"


def figures(
    labels: np.ndarray,
    oof: np.ndarray,
    oof_without_strongest: np.ndarray,
    causes: Sequence[set[str]],
    hard: Sequence[bool],
    borderline: Sequence[bool],
    threshold: float,
) -> dict[str, Any]:
    """Every cross-validated figure (see the module docstring)."""
    flagged = oof >= threshold
    by_cause: dict[str, list[bool]] = defaultdict(list)
    for label, hit, tags in zip(labels, flagged, causes):
        if label == 1:
            for tag in tags:
                by_cause[tag].append(bool(hit))
    stripped = oof_without_strongest >= threshold
    return {
        "pages": len(labels),
        "positives": int(labels.sum()),
        "threshold": round(threshold, 4),
        "at_threshold": prf(labels, flagged),
        "precision_at_recall_0.90": precision_at_recall(labels, oof, 0.90),
        "average_precision": round(float(average_precision_score(labels, oof)), 4),
        "brier": round(float(np.mean((oof - labels) ** 2)), 4),
        "recall_by_cause": {tag: _share(hits) for tag, hits in sorted(by_cause.items())},
        "recall_strongest_evidence_removed": prf(labels, stripped)["recall"],
        "hard_negatives_flagged": _share([bool(hit) for hit, is_hard in zip(flagged, hard) if is_hard]),
        "borderline_flagged": _share([bool(hit) for hit, is_border in zip(flagged, borderline) if is_border]),
        "calibration": calibration(labels, oof),
    }
