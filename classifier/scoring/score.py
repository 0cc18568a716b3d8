"""`score()`: the probability that a page is unreviewed auto-published copy, with reasons.

The page's signals (`classifier.scoring.signals`) become one feature row; the scorer's logistic
model (`classifier.scoring.scorer`) turns it into a calibrated probability, and every signal
that moved it becomes a `Reason` with its weight. `score()` uses the default scorer: the file
`$CLASSIFIER_SCORER` names, else the shipped one, loaded when first needed and kept while that
variable names the same file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from ..extraction.document import Document
from ..extraction.extract import ModelArgument, extract
from .page_score import PageScore, Reason
from .scorer import PageScorer, ScorerModel, default_scorer_path
from .signals import REASON_CODES, SIGNAL_NAMES, PageEvidence, Signal, find_signals, signal_vector

DUP_REASON = "same_text_on_N_domains"
ScorerArgument = PageScorer | ScorerModel | str | os.PathLike[str] | None


class _DefaultScorer:
    """The scorer of the default scorer file, made when first needed and kept while
    `$CLASSIFIER_SCORER` names the same file (read-only data)."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._scorer: PageScorer | None = None

    def get(self) -> PageScorer:
        path = default_scorer_path()
        if self._scorer is None or path != self._path:
            self._scorer = PageScorer(path)
            self._path = path
        return self._scorer


_DEFAULT = _DefaultScorer()


def scorer_for(scorer: ScorerArgument = None) -> PageScorer:
    """The default scorer for None, else a `PageScorer` of `scorer`."""
    if isinstance(scorer, PageScorer):
        return scorer
    return _DEFAULT.get() if scorer is None else PageScorer(scorer)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def page_signals(document: Document, scorer: PageScorer) -> tuple[list[Signal], float]:
    """The signals of an extracted page and the share of its text that is main content."""
    analysis = document.analysis
    if analysis is None:
        raise ValueError("this Document carries no analysis: make it with classifier.extract()")
    evidence = PageEvidence(
        blocks=analysis.blocks,
        is_content=[block.is_content for block in document.blocks],
        meta=analysis.page.meta,
        canonical=analysis.metadata.canonical_url or "",
        json_ld=analysis.json_ld,
        url=analysis.metadata.url,
    )
    return find_signals(evidence, scorer.patterns), document.content_share


def score(
    page: str | bytes | Document,
    url: str | None = None,
    *,
    threshold: float | None = None,
    dup_domains: int = 0,
    scorer: ScorerArgument = None,
    model: ModelArgument = None,
    http_charset: str | None = None,
) -> PageScore:
    """Score a page (HTML, or a `Document` from `extract()` so it is not parsed again).

    `threshold` (default: the scorer's high-precision choice, in its card) decides `flagged`.
    `dup_domains` is how many registered domains of a crawl carry the same text (bulk runs
    with `--syndication` fill it in). `scorer` is a `PageScorer`, a `ScorerModel`, a scorer
    file's path, or None for the default. `model` and `http_charset` are as in `extract()`.
    """
    document = page if isinstance(page, Document) else extract(page, url, model=model, http_charset=http_charset)
    page_scorer = scorer_for(scorer)
    signals, content_share = page_signals(document, page_scorer)
    if dup_domains >= 2:
        signals.append(Signal(DUP_REASON, dup_domains_evidence(dup_domains)))
    weights = page_scorer.model
    row = signal_vector(signals, content_share=content_share, dup_domains=dup_domains)
    contributions = weights.contributions(row)
    probability = _sigmoid(weights.baseline_logit() + sum(contributions.values()))
    cut = weights.threshold if threshold is None else float(threshold)
    weight_of = {**contributions, DUP_REASON: contributions["log_dup_domains"]}
    # Reasons of the signals that moved the score (a signal weighted 0 by the scorer is not one).
    reasons = sorted(
        (
            Reason(code=s.code, evidence=s.evidence, weight=round(weight_of.get(s.code, 0.0), 4), match=s.match)
            for s in signals
            if s.code in REASON_CODES and round(weight_of.get(s.code, 0.0), 4) != 0
        ),
        key=lambda reason: (-reason.weight, reason.code),
    )
    return PageScore(probability=probability, flagged=probability >= cut, threshold=cut, reasons=tuple(reasons))


def dup_domains_evidence(dup_domains: int, domains: Sequence[str] = ()) -> str:
    shown = ", ".join(domains[:5]) + (", ..." if len(domains) > 5 else "")
    return f"the same text is on {dup_domains} registered domains" + (f": {shown}" if shown else "")


def rescore_with_dup_domains(
    page_score: PageScore, dup_domains: int, domains: Sequence[str] = (), *, scorer: ScorerArgument = None
) -> PageScore:
    """Add the cross-crawl term to a finished score: the same probability and flag that
    `score(document, dup_domains=N)` gives, without the document (bulk runs use this after
    the pass over the crawl, when the MinHash clusters are known)."""
    if dup_domains < 2:
        return page_score
    weights = scorer_for(scorer).model
    row = [0.0] * len(SIGNAL_NAMES)
    row[SIGNAL_NAMES.index("log_dup_domains")] = math.log(dup_domains)
    added = weights.contributions(row)["log_dup_domains"]
    p = min(max(page_score.probability, 1e-12), 1 - 1e-12)
    probability = _sigmoid(math.log(p / (1 - p)) + added)
    reason = Reason(DUP_REASON, dup_domains_evidence(dup_domains, domains), round(added, 4))
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
