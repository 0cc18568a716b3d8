"""`python -m training.fit_scorer`: cross-validate, then train and write the page scorer.

Real labelled pages (`data/farm`, `training.farm`) are split by site with `GroupKFold`;
semi-synthetic positives (`training.farm.semi_synthetic`) join the training folds only, never a
test fold, and only those made from pages of the training folds' sites. The out-of-fold
probabilities of the real pages give every reported figure (`training.scorer_report`):
precision/recall at the flag threshold, the best precision at recall >= 0.90, average
precision, Brier score, calibration, recall per cause, recall with each positive's strongest
piece of evidence removed, real hard negatives and borderline pages flagged. The generated hard
negatives (`training.hard_negatives`) are scored with the final scorer. The flag threshold is the
lowest whose cross-validated precision is at least `--precision` (default 0.95).

The model (`training.scorer_model`) is written as JSON (`classifier/models/page_scorer.json`):
named weights, loaded without running code, every term some reason's.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from classifier.extraction.model import SHIPPED_MODEL, load_model
from classifier.scoring.evidence import TERM_NAMES, page_row
from classifier.scoring.scorer import SHIPPED_SCORER, PageScorer, ScorerModel
from classifier.scoring.zone import story_zone

from .farm import FARM, FarmPage, load_farm, semi_synthetic
from .hard_negatives import flagged_share
from .scorer_model import PRIOR_NOTES, PRIORS, TERM_SIGNS, C, SignedLogisticRegression, fit_terms, to_scorer
from .scorer_report import causes_of, choose_threshold, figures

FOLDS = 5


def _rows(pages: list[FarmPage]) -> np.ndarray:
    return np.array([page_row(page.items) for page in pages]) if pages else np.zeros((0, len(TERM_NAMES)))


def _without_strongest(page: FarmPage, model: SignedLogisticRegression) -> list[float]:
    """The page's row without its piece of evidence that weighs most (if any weighs > 0)."""
    weights = dict(zip(TERM_NAMES, model.coef_[0]))
    contributions = [sum(weights[name] * value for name, value in item.terms().items()) for item in page.items]
    if not contributions or max(contributions) <= 0:
        return page_row(page.items)
    strongest = int(np.argmax(contributions))
    return page_row([item for k, item in enumerate(page.items) if k != strongest])


def cross_validate(real: list[FarmPage], synthetic: list[FarmPage], *, folds: int = FOLDS) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of the real pages, with and without their strongest evidence."""
    labels = np.array([p.label for p in real])
    rows = _rows(real)
    sites = np.array([p.site for p in real])
    synthetic_rows = _rows(synthetic)
    synthetic_sites = np.array([p.site for p in synthetic])
    oof = np.zeros(len(real))
    stripped = np.zeros(len(real))
    for train, test in GroupKFold(n_splits=folds).split(rows, labels, sites):
        test_sites = set(sites[test])
        extra = np.array([site not in test_sites for site in synthetic_sites], dtype=bool)
        train_rows = np.vstack([rows[train], synthetic_rows[extra]])
        train_labels = np.concatenate([labels[train], np.ones(int(extra.sum()), dtype=int)])
        model = fit_terms(train_rows, train_labels)
        oof[test] = model.predict_proba(rows[test])[:, 1]
        stripped[test] = model.predict_proba(np.array([_without_strongest(real[i], model) for i in test]))[:, 1]
    return {"labels": labels, "oof": oof, "stripped": stripped}


def _causes(page: FarmPage) -> set[str]:
    anchor = story_zone(page.blocks, page.is_content, page.title).anchor
    return causes_of(page.items, anchor)


def report(real: list[FarmPage], cv: dict[str, np.ndarray], threshold: float) -> dict[str, Any]:
    summary = figures(
        cv["labels"],
        cv["oof"],
        cv["stripped"],
        [_causes(page) if page.label else set() for page in real],
        [page.hard_negative for page in real],
        [page.borderline for page in real],
        threshold,
    )
    missed = [p.page_id for p, q in zip(real, cv["oof"]) if p.label and q < threshold]
    false = [p.page_id for p, q in zip(real, cv["oof"]) if not p.label and q >= threshold]
    return {**summary, "missed": missed, "false_positives": false}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.fit_scorer", description=__doc__.split("\n")[0])
    parser.add_argument("--farm", type=Path, default=FARM, help="folder with the label files (and pages/)")
    parser.add_argument("--out", type=Path, default=SHIPPED_SCORER)
    parser.add_argument("--precision", type=float, default=0.95, help="CV precision the flag threshold must reach")
    parser.add_argument("--no-synthetic", action="store_true", help="train on real pages only")
    parser.add_argument("--report", type=Path, default=Path("build/scorer-cv.json"))
    parser.add_argument(
        "--model", type=Path, default=SHIPPED_MODEL, help="the block model the evidence comes from (default: the shipped one)"
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
    model = fit_terms(np.vstack([_rows(real), _rows(synthetic)]), np.array([p.label for p in real] + [1] * len(synthetic)))
    scorer = to_scorer(model, threshold, {})
    summary["generated_hard_negatives_flagged"] = flagged_share(PageScorer(scorer), model=block_model)
    print(json.dumps({k: v for k, v in summary.items() if k != "calibration"}, indent=1))
    card = {
        "trained_on": {"real_pages": len(real), "positives": int(sum(p.label for p in real)), "semi_synthetic": len(synthetic)},
        "block_model_data": block_model.card.get("data", {}).get("sha256"),
        "cv": {k: v for k, v in summary.items() if k not in ("missed", "false_positives")},
        "model": f"SignedLogisticRegression(C={C}): logistic regression over evidence terms, weights sign-constrained; "
        "the attribution codes share the pooled term `attribution` (classifier.scoring.evidence.ATTRIBUTION_CODES)",
        "signs": {name: 0 if name in PRIORS else TERM_SIGNS[name] for name in TERM_NAMES},
        "priors": {name: f"{weight} {PRIOR_NOTES[name]} (set by hand: no crawl-level training data)" for name, weight in PRIORS.items()},
    }
    scorer = replace(scorer, card=card)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(scorer.to_json(), indent=1, sort_keys=True) + "\n")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {args.out} and {args.report} ({time.perf_counter() - started:.0f}s)")
    return 0


__all__ = ["ScorerModel", "cross_validate", "main", "report"]

if __name__ == "__main__":
    raise SystemExit(main())
