"""`python -m training.evaluate`: our numbers and the peers', from one run, as Markdown.

Every corpus the model trains on is scored out of fold: each page by a model of the grouped
5-fold cross-validation by site that never saw its site (the predictions are read from the file
`python -m training.fit` writes, `build/block-cv.npz`, when it matches the corpora and weights;
computed here otherwise).

- WCXB dev pages: word-level F1, macro over pages, overall and per page type.
- The ScrapingHub/Zyte article-extraction benchmark (AEB, news): its shingle precision, recall
  and F1 (with bootstrap standard deviations). It trains beside WCXB, so only its out-of-fold
  figure is reported, never an in-sample one.
- The farm set's news pages labelled block by block (`docs/news-labelling.md`): word F1 macro
  over pages, and shingle F1.
- The same with the per-page cut leaning to precision and to recall (`favor`).
- The peers installed (trafilatura, resiliparse, jusText, readability; `pip install
  'pagesieve[peers]'`) on the same pages in the same run, at their defaults.
- The precision/recall curve over `threshold` on WCXB and AEB.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from classifier import load_model
from classifier.extraction.decision import Favor
from classifier.extraction.model import SHIPPED_MODEL

from .corpus import LabelledPage, load_corpus
from .crossval import corpus_scores, cross_validate, page_texts
from .dataset import Dataset, build_dataset
from .fit import CV_OUTPUT, DEFAULT_CORPORA, make_model
from .fragments import build_fragments
from .metrics import aeb_score, macro_by_type, word_f1
from .peers import available_peers, peer_version, run_peer

ROOT = Path(__file__).resolve().parent.parent
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
CURVE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _cv_probabilities(pages: list[LabelledPage], dataset: Dataset, path: Path, fragment_weight: float) -> np.ndarray:
    """The out-of-fold probabilities `training.fit` saved for these pages, weights and fragment
    weight (the model card's), or computed here as it computes them."""
    if path.exists():
        saved = np.load(path)
        if (
            str(saved["data_hash"]) == dataset.data_hash
            and len(saved["probabilities"]) == len(dataset.y)
            and "fragment_weight" in saved
            and float(saved["fragment_weight"]) == fragment_weight
            and "weights_sum" in saved
            and np.isclose(float(saved["weights_sum"]), float(dataset.weights.sum()))
        ):
            print(f"using the cross-validation predictions in {path}", file=sys.stderr)
            return saved["probabilities"]
    print("no matching cross-validation predictions: running 5-fold CV (tens of minutes)", file=sys.stderr)
    fragments = build_fragments(pages, dataset, weight=fragment_weight) if fragment_weight > 0 else None
    return cross_validate(dataset, make_model, log=lambda line: print(line, file=sys.stderr), fragments=fragments).probabilities


def _scores(pages: list[LabelledPage], texts: list[str]) -> dict[str, Any]:
    """One tool's figures on one corpus: word F1 macro over pages (overall and per page type),
    macro precision and recall, and shingle precision/recall/F1 over the pages."""
    per_page = [word_f1(text, page.main_text) for page, text in zip(pages, texts)]
    shingles = aeb_score(zip(texts, (page.main_text for page in pages)))
    return {
        "f1": macro_by_type((page.page_type, result.f1) for page, result in zip(pages, per_page)),
        "precision": float(np.mean([result.precision for result in per_page])),
        "recall": float(np.mean([result.recall for result in per_page])),
        "shingle": {"precision": shingles.precision, "recall": shingles.recall, "f1": shingles.f1, "f1_std": shingles.f1_std},
        "n": len(pages),
    }


def _with_gold(pages: list[LabelledPage], dataset: Dataset) -> list[LabelledPage]:
    """The pages with their gold text as training read it (a page labelled block by block has
    its `body` blocks as gold)."""
    return [dataclasses.replace(page, main_text=data.gold) for page, data in zip(pages, dataset.pages)]


def _by_corpus(pages: list[LabelledPage]) -> dict[str, list[int]]:
    numbers: dict[str, list[int]] = {}
    for number, page in enumerate(pages):
        numbers.setdefault(page.corpus, []).append(number)
    return numbers


def _tool_entry(version: str, pages: list[LabelledPage], texts: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"version": version}
    for corpus, numbers in _by_corpus(pages).items():
        entry[corpus] = _scores([pages[i] for i in numbers], [texts[i] for i in numbers])
    return entry


def _curve(dataset: Dataset, pages: list[LabelledPage], probabilities: np.ndarray, corpus: str) -> list[dict[str, float]]:
    """Precision, recall and F1 of one corpus over fixed thresholds (WCXB: macro word F1 over
    pages; AEB: shingles)."""
    numbers = _by_corpus(pages).get(corpus, [])
    curve = []
    for cut in CURVE_THRESHOLDS:
        texts = page_texts(dataset, probabilities, cut)
        scores = _scores([pages[i] for i in numbers], [texts[i] for i in numbers])
        if corpus == "wcxb":
            point = {"precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"]["overall"]}
        else:
            point = {key: scores["shingle"][key] for key in ("precision", "recall", "f1")}
        curve.append({"threshold": cut, **point})
    return curve


def markdown_table(results: dict[str, Any]) -> str:
    """One row per tool: WCXB word F1 overall and per type, AEB shingle P/R/F1, the farm news
    pages' word F1 and shingle F1."""
    header = ["tool", "WCXB F1", *PAGE_TYPES, "AEB P", "AEB R", "AEB F1", "news F1 (words)", "news F1 (shingles)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, entry in results.items():
        wcxb = entry.get("wcxb", {}).get("f1", {})
        aeb = entry.get("aeb", {}).get("shingle", {})
        farm = entry.get("farm", {})
        cells = [f"{name} {entry.get('version') or ''}".strip()]
        cells.append(f"{wcxb['overall']:.3f}" if "overall" in wcxb else "-")
        cells += [f"{wcxb[t]:.3f}" if t in wcxb else "-" for t in PAGE_TYPES]
        cells += [f"{aeb['precision']:.3f}", f"{aeb['recall']:.3f}", f"{aeb['f1']:.3f} ± {aeb['f1_std']:.3f}"] if aeb else ["-"] * 3
        cells += [f"{farm['f1']['overall']:.3f}", f"{farm['shingle']['f1']:.3f}"] if farm else ["-"] * 2
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _curve_lines(curves: dict[str, list[dict[str, float]]]) -> list[str]:
    lines = [
        "Precision/recall over `threshold` (out of fold; WCXB: word level, macro over pages; AEB: shingles):",
        "",
        "| threshold | WCXB P | WCXB R | WCXB F1 | AEB P | AEB R | AEB F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    aeb_by_cut = {point["threshold"]: point for point in curves.get("aeb", [])}
    for point in curves.get("wcxb", []):
        aeb = aeb_by_cut.get(point["threshold"])
        aeb_cells = f"{aeb['precision']:.3f} | {aeb['recall']:.3f} | {aeb['f1']:.3f}" if aeb else "- | - | -"
        lines.append(f"| {point['threshold']:.1f} | {point['precision']:.3f} | {point['recall']:.3f} | {point['f1']:.3f} | {aeb_cells} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpora, as training.fit takes them (default: its corpora)")
    parser.add_argument("--cv", type=Path, default=CV_OUTPUT, help="out-of-fold predictions of training.fit")
    parser.add_argument("--peers", default="trafilatura,resiliparse", help="comma-separated peers ('' for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "evaluation.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "build" / "evaluation.md")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="the model whose card gives the decision and weights")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    card = load_model(args.model).card
    threshold = card.get("decision", {}).get("threshold")
    loaded = [page for corpus in (args.corpus or DEFAULT_CORPORA) for page in load_corpus(corpus)]
    dataset = build_dataset(loaded, corpus_weights=card.get("data", {}).get("corpus_weights"))
    pages = _with_gold(loaded, dataset)
    fragment_weight = float(card.get("fragments", {}).get("weight", 0.0))
    probabilities = _cv_probabilities(loaded, dataset, args.cv, fragment_weight)

    version = "(out of fold, per-page cut)" if threshold is None else f"(out of fold, threshold {threshold})"
    results: dict[str, Any] = {"pagesieve": _tool_entry(version, pages, page_texts(dataset, probabilities, threshold))}
    leanings: tuple[Favor, ...] = ("precision", "recall")
    for favor in leanings:
        texts = page_texts(dataset, probabilities, None, favor)
        results[f"pagesieve favor={favor}"] = _tool_entry("(out of fold, per-page cut)", pages, texts)
    check = corpus_scores(dataset, probabilities, threshold)  # the card's figures, from the same predictions
    curves: dict[str, list[dict[str, float]]] = {
        corpus: _curve(dataset, pages, probabilities, corpus) for corpus in ("wcxb", "aeb") if corpus in check
    }

    for name in available_peers([name for name in args.peers.split(",") if name]):
        print(f"running {name} on {len(pages)} pages", file=sys.stderr)
        results[name] = _tool_entry(peer_version(name) or "", pages, run_peer(name, pages))

    lines = [
        "Every corpus out of fold for pagesieve (grouped 5-fold cross-validation by site); the peers at their defaults on",
        "the same pages in the same run. WCXB: word F1, macro over pages. AEB: shingle precision/recall/F1 (± bootstrap",
        "standard deviation). News: the farm set's news pages labelled block by block (docs/news-labelling.md).",
        "",
        markdown_table(results),
        "",
        *_curve_lines(curves),
    ]
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
