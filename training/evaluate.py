"""`python -m training.evaluate`: our numbers and the peers', from one run, as Markdown.

- WCXB (development pages): word-level F1, macro over pages, overall and per page type, of the
  out-of-fold predictions of grouped 5-fold cross-validation by site (read from the file
  `python -m training.fit` writes, `build/block-cv.npz`, when it matches the corpus; computed
  here otherwise). Our model never saw a page's site when predicting it.
- ScrapingHub/Zyte article-extraction benchmark (`../shared/data/aeb`, evaluation only: nothing
  is trained or tuned on it): shingle precision/recall/F1 of `clean()` with the shipped model.
- The same with the per-page cut leaning to precision and to recall (`favor`).
- The peers installed (trafilatura, resiliparse, jusText, readability; `pip install
  'pagesieve[peers]'`) on the same pages in the same run, at their defaults.
- The precision/recall curve over `threshold` on both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from classifier import Document, extract, load_model
from classifier.extraction.decision import Favor, choose_cut, decide
from classifier.extraction.layout import assemble
from classifier.extraction.model import SHIPPED_MODEL

from .corpus import load_aeb, load_wcxb
from .crossval import cross_validate, threshold_curve, wcxb_scores
from .dataset import build_dataset
from .fit import CV_OUTPUT, DEFAULT_CORPUS, make_model
from .fragments import build_fragments
from .metrics import aeb_score
from .peers import available_peers, markdown_table, peer_version, run_peer, score_aeb, score_wcxb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AEB = ROOT.parent / "shared" / "data" / "aeb"
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
CURVE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _cv_probabilities(pages: list[Any], dataset: Any, path: Path, fragment_weight: float) -> np.ndarray:
    """The out-of-fold probabilities `training.fit` saved for this corpus and fragment weight
    (the model card's), or computed here as it computes them."""
    if path.exists():
        saved = np.load(path)
        if (
            str(saved["data_hash"]) == dataset.data_hash
            and len(saved["probabilities"]) == len(dataset.y)
            and "fragment_weight" in saved
            and float(saved["fragment_weight"]) == fragment_weight
        ):
            print(f"using the cross-validation predictions in {path}", file=sys.stderr)
            return saved["probabilities"]
    print("no matching cross-validation predictions: running 5-fold CV (a few minutes)", file=sys.stderr)
    fragments = build_fragments(pages, dataset, weight=fragment_weight) if fragment_weight > 0 else None
    return cross_validate(
        dataset, make_model, log=lambda line: print(line, file=sys.stderr), fragments=fragments
    ).probabilities


def _wcxb_entry(
    version: str, dataset: Any, probabilities: np.ndarray, threshold: float | None, favor: Favor = "balanced"
) -> dict[str, Any]:
    """Our WCXB F1 (overall and per type) and macro precision and recall, as a results entry."""
    scores, per_page = wcxb_scores(dataset, probabilities, threshold, favor)
    return {
        "version": version,
        "wcxb": {
            "f1": scores,
            "precision": float(np.mean([p for p, _, _ in per_page])),
            "recall": float(np.mean([r for _, r, _ in per_page])),
        },
    }


def _texts(documents: list[Document], threshold: float | None, favor: Favor = "balanced") -> list[str]:
    """The documents' texts at another cut (fixed, or per page leaning as `favor` says),
    from the probabilities they already hold: no page is extracted again."""
    texts = []
    for document in documents:
        analysis = document.analysis
        assert analysis is not None
        blocks = analysis.blocks
        probabilities = np.array([block.probability for block in document.blocks])
        cut = choose_cut(probabilities, analysis.tokens, analysis.paths, threshold, favor)
        texts.append(assemble(blocks, decide(blocks, probabilities, cut)))
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--aeb", type=Path, default=DEFAULT_AEB, help="AEB folder (evaluation only)")
    parser.add_argument("--cv", type=Path, default=CV_OUTPUT, help="out-of-fold predictions of training.fit")
    parser.add_argument("--peers", default="trafilatura,resiliparse", help="comma-separated peers ('' for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "evaluation.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "build" / "evaluation.md")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="the model evaluated on AEB (default: the shipped one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = load_model(args.model)
    threshold = model.threshold
    results: dict[str, Any] = {}

    wcxb_pages = list(load_wcxb(args.wcxb))
    dataset = build_dataset(wcxb_pages)
    fragment_weight = float(model.card.get("fragments", {}).get("weight", 0.0))
    probabilities = _cv_probabilities(wcxb_pages, dataset, args.cv, fragment_weight)
    version = "(CV, per-page cut)" if threshold is None else f"(CV, threshold {threshold})"
    ours = _wcxb_entry(version, dataset, probabilities, threshold)
    # The per-page cut leaning toward precision or recall (`favor`), on the same predictions.
    leanings: tuple[Favor, ...] = ("precision", "recall")
    leaning = {
        favor: _wcxb_entry("(CV, per-page cut)", dataset, probabilities, None, favor) for favor in leanings
    }
    curves: dict[str, list[dict[str, float]]] = {
        "wcxb": threshold_curve(dataset, probabilities, CURVE_THRESHOLDS)
    }

    aeb_pages = list(load_aeb(args.aeb)) if (args.aeb / "ground-truth.json").exists() else []
    if aeb_pages:
        documents_start = time.perf_counter()
        documents = [extract(page.html, page.url, model=model) for page in aeb_pages]
        print(f"AEB: {len(aeb_pages)} pages in {time.perf_counter() - documents_start:.0f}s", file=sys.stderr)
        ours["aeb"] = score_aeb(aeb_pages, [document.text for document in documents])
        for favor, entry in leaning.items():
            entry["aeb"] = score_aeb(aeb_pages, _texts(documents, None, favor))
        aeb_curve = []
        for cut in CURVE_THRESHOLDS:
            texts = _texts(documents, cut)
            result = aeb_score(zip(texts, (page.main_text for page in aeb_pages)))
            aeb_curve.append(
                {"threshold": cut, "precision": result.precision, "recall": result.recall, "f1": result.f1}
            )
        curves["aeb"] = aeb_curve
    results["pagesieve"] = ours
    for favor, entry in leaning.items():
        results[f"pagesieve favor={favor}"] = entry

    wanted = [name for name in args.peers.split(",") if name]
    for name in available_peers(wanted):
        print(f"running {name}", file=sys.stderr)
        peer: dict[str, Any] = {"version": peer_version(name)}
        peer["wcxb"] = score_wcxb(wcxb_pages, run_peer(name, wcxb_pages))
        if aeb_pages:
            peer["aeb"] = score_aeb(aeb_pages, run_peer(name, aeb_pages))
        results[name] = peer

    lines = [
        "WCXB: word F1, macro over pages (ours: out-of-fold, grouped 5-fold CV by site). "
        "AEB: shingle precision/recall/F1 (evaluation only).",
        "",
        markdown_table(results, PAGE_TYPES),
        "",
        "Precision/recall over `threshold` (WCXB: macro over pages, CV; AEB: shingles):",
        "",
        "| threshold | WCXB P | WCXB R | WCXB F1 | AEB P | AEB R | AEB F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    aeb_by_cut = {point["threshold"]: point for point in curves.get("aeb", [])}
    for point in curves["wcxb"]:
        aeb = aeb_by_cut.get(point["threshold"])
        aeb_cells = (
            f"{aeb['precision']:.3f} | {aeb['recall']:.3f} | {aeb['f1']:.3f}" if aeb else "- | - | -"
        )
        lines.append(
            f"| {point['threshold']:.1f} | {point['precision']:.3f} | {point['recall']:.3f} | "
            f"{point['f1']:.3f} | {aeb_cells} |"
        )
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"results": results, "curves": curves}, indent=1) + "\n")
    args.markdown.write_text(markdown)
    print(f"wrote {args.out} and {args.markdown} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)
    return 0


__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
