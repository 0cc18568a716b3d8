"""`score()`: the probability that a page is unreviewed auto-published copy, with reasons.

The page's signals (`classifier.signals`) become one feature row; a logistic model turns it into
a calibrated probability. The model is a JSON file of named weights (`models/page_scorer.json`,
written by `python -m training.fit_scorer`): it cannot run code when loaded, and each reason's
weight is its contribution to the log-odds, so the reasons explain the probability exactly.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .extract import extract
from .model import MODEL_DIR, ModelError
from .signals import REASON_CODES, SIGNAL_NAMES, Patterns, Signal, find_signals, signal_vector
from .types import Document, PageScore, Reason

SHIPPED_SCORER = MODEL_DIR / "page_scorer.json"
SCORER_ENV = "CLASSIFIER_SCORER"
SCORER_VERSION = 1


@dataclass(frozen=True)
class ScorerModel:
    """Standardised logistic regression over `SIGNAL_NAMES`, with its card."""

    weights: dict[str, float]
    intercept: float
    means: dict[str, float]
    scales: dict[str, float]
    threshold: float
    card: dict[str, Any] = field(default_factory=dict)

    def contributions(self, row: list[float]) -> dict[str, float]:
        """Each feature's share of the log-odds (zero for features that are off)."""
        out = {}
        for name, value in zip(SIGNAL_NAMES, row):
            centred = (value - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            baseline = (0.0 - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            # Relative to the feature being absent, so absent features contribute nothing.
            out[name] = self.weights.get(name, 0.0) * (centred - baseline)
        return out

    def baseline_logit(self) -> float:
        """The log-odds of a page with no signal at all."""
        return self.intercept + sum(
            self.weights.get(name, 0.0) * (0.0 - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            for name in SIGNAL_NAMES
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scorer_version": SCORER_VERSION,
            "features": list(SIGNAL_NAMES),
            "weights": self.weights,
            "intercept": self.intercept,
            "means": self.means,
            "scales": self.scales,
            "threshold": self.threshold,
            "card": self.card,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "scorer") -> ScorerModel:
        if data.get("scorer_version") != SCORER_VERSION or data.get("features") != list(SIGNAL_NAMES):
            raise ModelError(
                f"{source} was made for other page signals: retrain it with "
                "`python -m training.fit_scorer`."
            )
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            intercept=float(data["intercept"]),
            means={k: float(v) for k, v in data["means"].items()},
            scales={k: float(v) for k, v in data["scales"].items()},
            threshold=float(data["threshold"]),
            card=dict(data.get("card", {})),
        )


def load_scorer(path: str | os.PathLike[str] | None = None) -> ScorerModel:
    """Load a page-scorer file (JSON: safe to load from anywhere); None for the shipped one."""
    path = Path(path) if path is not None else SHIPPED_SCORER
    if not path.exists():
        raise ModelError(f"no page scorer at {path}: train it with `python -m training.fit_scorer`.")
    return ScorerModel.from_json(json.loads(path.read_text()), source=str(path))


@lru_cache(maxsize=2)
def _load_named(path: str) -> ScorerModel:
    return load_scorer(path)


def get_scorer(scorer: ScorerModel | str | os.PathLike[str] | None = None) -> ScorerModel:
    if isinstance(scorer, ScorerModel):
        return scorer
    if scorer is not None:
        return load_scorer(scorer)
    return _load_named(os.environ.get(SCORER_ENV) or str(SHIPPED_SCORER))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def page_signals(document: Document, *, patterns: Patterns | None = None) -> tuple[list[Signal], float]:
    """The signals of an extracted page and the share of its text that is main content."""
    analysis = document.analysis
    if analysis is None:
        raise ValueError("this Document carries no analysis: make it with classifier.extract()")
    is_content = [block.is_content for block in document.blocks]
    signals = find_signals(
        analysis.blocks,
        is_content,
        meta=analysis.page.meta,
        canonical=analysis.metadata.canonical_url or "",
        json_ld=analysis.json_ld,
        url=analysis.metadata.url,
        patterns=patterns,
    )
    total = sum(len(block.text) for block in document.blocks)
    content = sum(len(block.text) for block in document.blocks if block.is_content)
    return signals, (content / total if total else 0.0)


def score(
    page: str | bytes | Document,
    url: str | None = None,
    *,
    threshold: float | None = None,
    dup_domains: int = 0,
    scorer: ScorerModel | str | None = None,
    model: Any = None,
    http_charset: str | None = None,
) -> PageScore:
    """Score a page (HTML, or a `Document` from `extract()` so it is not parsed again).

    `threshold` (default: the scorer's high-precision choice, in its card) decides `flagged`.
    `dup_domains` is how many registered domains of a crawl carry the same text (bulk runs
    with `--syndication` fill it in). `model` and `http_charset` are as in `extract()`.
    """
    document = page if isinstance(page, Document) else extract(page, url, model=model, http_charset=http_charset)
    page_scorer = get_scorer(scorer)
    signals, content_share = page_signals(document)
    if dup_domains >= 2:
        signals.append(Signal("same_text_on_N_domains", dup_domains_evidence(dup_domains)))
    row = signal_vector(signals, content_share=content_share, dup_domains=dup_domains)
    contributions = page_scorer.contributions(row)
    logit = page_scorer.baseline_logit() + sum(contributions.values())
    probability = _sigmoid(logit)
    cut = page_scorer.threshold if threshold is None else float(threshold)
    weight_of = {**contributions, "same_text_on_N_domains": contributions["log_dup_domains"]}
    reasons = sorted(
        (
            Reason(code=s.code, evidence=s.evidence, weight=round(weight_of.get(s.code, 0.0), 4))
            for s in signals
            if s.code in REASON_CODES
        ),
        key=lambda reason: (-reason.weight, reason.code),
    )
    return PageScore(
        probability=probability,
        flagged=probability >= cut,
        threshold=cut,
        reasons=tuple(reasons),
    )


def dup_domains_evidence(dup_domains: int, domains: Sequence[str] = ()) -> str:
    shown = ", ".join(domains[:5]) + (", ..." if len(domains) > 5 else "")
    return f"the same text is on {dup_domains} registered domains" + (f": {shown}" if shown else "")


def rescore_with_dup_domains(
    page_score: PageScore,
    dup_domains: int,
    domains: Sequence[str] = (),
    *,
    scorer: ScorerModel | str | None = None,
) -> PageScore:
    """Add the cross-crawl term to a finished score: the same probability and flag that
    `score(document, dup_domains=N)` gives, without the document (bulk runs use this after
    the pass over the crawl, when the MinHash clusters are known)."""
    if dup_domains < 2:
        return page_score
    page_scorer = get_scorer(scorer)
    row = [0.0] * len(SIGNAL_NAMES)
    row[SIGNAL_NAMES.index("log_dup_domains")] = math.log(dup_domains)
    added = page_scorer.contributions(row)["log_dup_domains"]
    p = min(max(page_score.probability, 1e-12), 1 - 1e-12)
    probability = _sigmoid(math.log(p / (1 - p)) + added)
    reason = Reason("same_text_on_N_domains", dup_domains_evidence(dup_domains, domains), round(added, 4))
    reasons = sorted(
        (*(r for r in page_score.reasons if r.code != reason.code), reason),
        key=lambda r: (-r.weight, r.code),
    )
    return PageScore(
        probability=probability,
        flagged=probability >= page_score.threshold,
        threshold=page_score.threshold,
        reasons=tuple(reasons),
    )
