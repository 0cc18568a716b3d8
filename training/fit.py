"""`python -m training.fit`: cross-validate, then train and write the block model and the page scorer.

Steps: load the corpora (default: WCXB dev `data/wcxb-dev`, the news benchmark `data/aeb` and
the farm set's news pages labelled block by block `data/farm`; or any WCXB/AEB-format folders
and JSONL files), analyse and label every page (`training.dataset`), each corpus weighted
(`CORPUS_WEIGHTS`), report the label oracle (the ceiling of any classifier over these blocks),
make the fragment pages that train beside them (`training.fragments`), run grouped 5-fold
cross-validation by site, choose the default decision (the fixed threshold with the best
cross-validated F1, or a cut per page that maximises its expected F1, whichever is better; the
per-page cut without cross-validation), cross-validate the block-role model the same way
(`training.roles`), fit both on everything, and write them as plain arrays with the card
(versions, FEATURE_VERSION, data hash, oracle, out-of-fold scores per corpus and page type,
role figures, decision, training time). Seeded and deterministic: the same corpus gives the
same model.

Then the page scorer is trained on the labelled pages in `data/farm` (`training.fit_scorer`),
unless `--skip-scorer`. By default both overwrite the shipped model files in
`classifier/models/`; with `--out DIR/NAME.npz` both go to DIR instead (the scorer as
`DIR/page_scorer.json`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.cliargs import weight
from classifier.extraction.model import SHIPPED_MODEL, save_model
from classifier.scoring.scorer import SHIPPED_SCORER

from . import fit_scorer
from .corpus import LabelledPage, load_corpus
from .crossval import THRESHOLDS, corpus_scores, cross_validate, threshold_curve, wcxb_scores
from .dataset import Dataset, build_dataset, oracle_scores
from .estimator import BlockModel, default_estimator, export
from .export_trees import check_export
from .fragments import FRAGMENT_WEIGHT, Fragments, build_fragments, training_input
from .metrics import macro_by_type
from .roles import ROLE_MAX_ITER, cross_validate_roles, fit_roles, role_scores

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WCXB = ROOT / "data" / "wcxb-dev"
DEFAULT_AEB = ROOT / "data" / "aeb"
DEFAULT_CORPORA = (DEFAULT_WCXB, DEFAULT_AEB, ROOT / "data" / "farm")
# Each page weighs 1 in training, times its corpus's weight: chosen by cross-validation on all
# corpora so that the news pages teach the model without lowering WCXB's out-of-fold F1
# (docs/news-pages.md).
CORPUS_WEIGHTS = {"wcxb": 1.0, "aeb": 1.0, "farm": 1.0}
CV_OUTPUT = ROOT / "build" / "block-cv.npz"
PATH_SMOOTHING = 0.5


def make_model(max_iter: int = 100, path_smoothing: float = PATH_SMOOTHING) -> BlockModel:
    """The shipped configuration (chosen by grouped CV on WCXB; see docs/model-history.md)."""
    return BlockModel(estimator=default_estimator(max_iter=max_iter), path_smoothing=path_smoothing)


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 4) for key, value in scores.items()}


def _corpus_weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if not name or not value:
        raise argparse.ArgumentTypeError(f"expected CORPUS=WEIGHT, got {text!r}")
    return name, weight(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.fit", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus", action="append", type=Path,
        help="a WCXB or AEB folder, a farm folder with extraction-labels.jsonl, or JSONL (repeatable; default: "
        + ", ".join(str(path.relative_to(ROOT)) for path in DEFAULT_CORPORA) + ")",
    )
    parser.add_argument(
        "--corpus-weight", action="append", type=_corpus_weight, default=[], metavar="CORPUS=WEIGHT",
        help="a corpus's page weight (wcxb, aeb, farm, jsonl; repeatable; default "
        + ", ".join(f"{name}={value}" for name, value in CORPUS_WEIGHTS.items()) + ")",
    )
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL, help="model file to write (NAME.npz; default: the shipped model)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=100, help="boosting iterations")
    parser.add_argument("--role-max-iter", type=int, default=ROLE_MAX_ITER, help="boosting iterations of the role model")
    parser.add_argument("--path-smoothing", type=float, default=PATH_SMOOTHING, help="share of the DOM path's mean probability")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages")
    parser.add_argument("--skip-cv", action="store_true", help="fit without cross-validation (decision: the per-page cut)")
    parser.add_argument("--threshold", type=float, default=None, help="default threshold (else chosen by CV)")
    parser.add_argument("--cv-output", type=Path, default=CV_OUTPUT, help="out-of-fold predictions file")
    parser.add_argument("--skip-scorer", action="store_true", help="do not train the page scorer")
    parser.add_argument("--n-jobs", type=int, default=-1, help="processes for page analysis")
    parser.add_argument(
        "--fragment-weight", type=weight, default=FRAGMENT_WEIGHT,
        help="weight of a fragment page against a page (training.fragments; 0: no fragments)",
    )  # fmt: skip
    return parser


@dataclass
class Training:
    """The data of one training run."""

    args: argparse.Namespace
    corpora: list[Path]
    pages: list[LabelledPage]
    dataset: Dataset
    fragments: Fragments | None


def _load(args: argparse.Namespace) -> Training | None:
    corpora = args.corpus or list(DEFAULT_CORPORA)
    pages = [page for corpus in corpora for page in load_corpus(corpus)]
    if args.limit:
        pages = pages[: args.limit]
    if not pages:
        return None
    print(f"analysing and labelling {len(pages)} pages from {', '.join(map(str, corpora))}")
    dataset = build_dataset(pages, n_jobs=args.n_jobs, corpus_weights=_weights(args))
    print(f"  {len(dataset.y)} blocks, {dataset.y.mean():.1%} content")
    fragments = None
    if args.fragment_weight > 0:
        fragments = build_fragments(pages, dataset, weight=args.fragment_weight, n_jobs=args.n_jobs)
        print(f"  {len(fragments.dataset.pages)} fragment pages, weight {args.fragment_weight}")
    return Training(args, list(corpora), pages, dataset, fragments)


def _weights(args: argparse.Namespace) -> dict[str, float]:
    return {**CORPUS_WEIGHTS, **dict(args.corpus_weight)}


def _card(run: Training) -> dict[str, Any]:
    """The card's data and label sections."""
    args, dataset = run.args, run.dataset
    oracle = _rounded(macro_by_type((p.page_type, f) for p, f in zip(dataset.pages, oracle_scores(dataset))))
    print(f"label oracle (perfect block classifier): {oracle}")

    def shown(corpus: Path) -> str:
        resolved = Path(corpus).resolve()
        return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(corpus)

    return {
        "model": "BlockModel: HistGradientBoostingClassifier over the block features, with path smoothing (training.estimator)",
        "params": {k: repr(v) for k, v in make_model(args.max_iter, args.path_smoothing).get_params(deep=False).items()},
        "data": {
            "corpora": [shown(corpus) for corpus in run.corpora],
            "pages": len(dataset.pages),
            "blocks": int(len(dataset.y)),
            "sites": int(len(np.unique(dataset.page_groups))),
            "sha256": dataset.data_hash,
            "corpus_weights": _weights(args),
            "role_pages": sum(page.roles is not None for page in dataset.pages),
        },
        "labels": {"alignment": "seq50", "oracle_wcxb_f1": oracle},
        "fragments": {
            "pages": 0 if run.fragments is None else len(run.fragments.dataset.pages),
            "weight": args.fragment_weight,
        },
    }


def _cross_validate(run: Training, card: dict[str, Any]) -> float | None:
    """Grouped cross-validation: the default decision (a threshold, or None for the per-page
    cut), the card's `cv` section, and the out-of-fold predictions file."""
    args, dataset, fragments = run.args, run.dataset, run.fragments
    print(f"grouped {args.folds}-fold cross-validation by site")
    cv = cross_validate(dataset, lambda: make_model(args.max_iter, args.path_smoothing), folds=args.folds, fragments=fragments)
    curve = threshold_curve(dataset, cv.probabilities, THRESHOLDS)
    threshold = args.threshold
    if threshold is None:
        best = max(curve, key=lambda point: point["f1"])
        per_page, _ = wcxb_scores(dataset, cv.probabilities, None)
        print(f"  CV F1: best fixed threshold {best['threshold']}: {best['f1']:.4f}; per-page expected-F1 cut: {per_page['overall']:.4f}")
        threshold = None if per_page["overall"] > best["f1"] else best["threshold"]
    by_corpus = corpus_scores(dataset, cv.probabilities, threshold)
    for corpus, scores in by_corpus.items():
        print(f"  CV {corpus} ({'per-page cut' if threshold is None else f'threshold {threshold}'}): {_rounded(scores)}")
    card["cv"] = {
        "folds": args.folds,
        "grouping": "registered domain (GroupKFold)",
        "metric": "word-level F1, macro over pages (overall and per page type); shingle F1 over all pages (AEB's metric)",
        "out_of_fold": {corpus: _rounded(scores) for corpus, scores in by_corpus.items()},
        "curve": [{k: round(v, 4) for k, v in point.items()} for point in curve],
        "seconds": round(cv.seconds),
    }
    _cross_validate_roles(run, card, cv.probabilities)
    if fragments is not None and cv.fragment_probabilities is not None and len(fragments.dataset.pages):
        fragment_scores, _ = wcxb_scores(fragments.dataset, cv.fragment_probabilities, threshold)
        card["fragments"]["cv_wcxb_f1"] = round(fragment_scores["overall"], 4)
        print(f"  CV WCXB F1 of the fragments of held-out sites: {fragment_scores['overall']:.4f}")
    args.cv_output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.cv_output,
        probabilities=cv.probabilities,
        page_folds=cv.page_folds,
        page_ids=np.asarray([p.page_id for p in dataset.pages]),
        data_hash=np.asarray(dataset.data_hash),
        fragment_weight=np.asarray(args.fragment_weight if fragments is not None else 0.0),
        weights_sum=np.asarray(dataset.weights.sum()),
    )
    return threshold


def _cross_validate_roles(run: Training, card: dict[str, Any], content_probabilities: np.ndarray) -> None:
    """The role model's out-of-fold figures per role (with the content model's out-of-fold
    decisions: a kept block is `body`), in the card's `roles` section."""
    dataset = run.dataset
    sites = {page.domain for page in dataset.pages if page.roles is not None}
    if len(sites) < run.args.folds:
        return
    print("grouped cross-validation of the block roles")
    role_probabilities = cross_validate_roles(dataset, folds=run.args.folds, max_iter=run.args.role_max_iter)
    scores, accuracy = role_scores(dataset, role_probabilities, content_probabilities)
    card["roles_cv"] = {
        "accuracy": round(accuracy, 4),
        "per_role": {
            s.role: {"blocks": s.support, "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}
            for s in scores
        },
    }
    print(f"  block accuracy {accuracy:.4f}; " + ", ".join(f"{s.role} F1 {s.f1:.3f}" for s in scores))


def _fit_and_write(run: Training, card: dict[str, Any], threshold: float | None) -> Path:
    """Fit on every page, check the exported trees against scikit-learn, write the model."""
    args, dataset = run.args, run.dataset
    print("fitting the final model on every page")
    started = time.perf_counter()
    model = make_model(args.max_iter, args.path_smoothing)
    model.threshold = 0.5 if threshold is None else threshold
    X, y, weights, _ = training_input(dataset, np.arange(len(dataset.y)), np.arange(len(dataset.pages)), run.fragments)
    model.fit(X, y, sample_weight=weights)
    card["fit_seconds"] = round(time.perf_counter() - started)
    card["decision_rule"] = (
        "per page: the cut that maximises the expected F1 (classifier.extraction.decision.page_threshold)"
        if threshold is None
        else f"probability >= {threshold}"
    )
    roles = fit_roles(dataset, max_iter=args.role_max_iter)
    loaded = export(model, card, threshold=threshold, roles=roles)
    difference = check_export(model.estimator_, loaded.trees, X[:, : loaded.trees.n_features])
    card["export_max_difference"] = difference
    return save_model(loaded, args.out)


def scorer_path_for(model_path: Path) -> Path:
    """Where the page scorer goes: the shipped file beside the shipped model, else beside the
    model written."""
    if model_path.resolve() == SHIPPED_MODEL.resolve():
        return SHIPPED_SCORER
    return model_path.with_name("page_scorer.json")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    run = _load(args)
    if run is None:
        print("no labelled pages found", file=sys.stderr)
        return 2
    card = _card(run)
    threshold: float | None = args.threshold
    if not args.skip_cv and len(np.unique(run.dataset.page_groups)) >= args.folds:
        threshold = _cross_validate(run, card)
    card["total_seconds"] = round(time.perf_counter() - started)
    path = _fit_and_write(run, card, threshold)
    print(f"wrote {path} and its card ({round(time.perf_counter() - started)}s in all)")
    print(json.dumps(card.get("cv", {}).get("out_of_fold", {}), indent=None))
    if args.skip_scorer:
        return 0
    return fit_scorer.main(["--model", str(path), "--out", str(scorer_path_for(path))])


if __name__ == "__main__":
    raise SystemExit(main())
