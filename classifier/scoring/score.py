"""`score()`: the probability that a page is unreviewed auto-published copy, with reasons.

The page's pieces of evidence (`classifier.scoring.signals`) each weigh the sum of their terms'
weights in the scorer's logistic model (`classifier.scoring.scorer`); the intercept and those
weights add up to the log-odds, and every piece that moved it becomes one `Reason`. `score()` uses the default scorer: the file
`$CLASSIFIER_SCORER` names, else the shipped one, loaded when first needed and kept while that
variable names the same file.

Bulk runs add what only the whole run shows to a finished score: `rescore_with_dup_domains` (the
same text on N registered domains, ``--syndication``) and `rescore_with_site_templates` (a
skeleton of the story shared by n pages of the site with other fillings, ``--site-templates``;
`score_and_skeletons` gives a page's score and its story's skeletons in one reading).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from ..extraction.document import Document
from ..extraction.extract import ModelArgument, extract
from .context import PageContext
from .evidence import Evidence, dup_domains_evidence, site_template_evidence
from .page_score import PageScore, Reason
from .scorer import PageScorer, ScorerModel, default_scorer_path
from .signals import PageEvidence, evidence_in, page_skeletons
from .template import SITE_MIN_PAGES, Skeleton

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


def page_context(document: Document, scorer: PageScorer) -> PageContext:
    """An extracted page as the detectors read it."""
    analysis = document.analysis
    if analysis is None:
        raise ValueError("this Document carries no analysis: make it with classifier.extract()")
    page = PageEvidence(
        blocks=analysis.blocks,
        is_content=[block.is_content for block in document.blocks],
        meta=analysis.page.meta,
        canonical=analysis.metadata.canonical_url or "",
        json_ld=analysis.json_ld,
        url=analysis.metadata.url,
        title=analysis.page.title or "",
    )
    return PageContext.of(page, scorer.patterns, scorer.grammar)


def page_evidence(document: Document, scorer: PageScorer) -> list[Evidence]:
    """The pieces of evidence of an extracted page."""
    return evidence_in(page_context(document, scorer), skip=scorer.skip)


def score_evidence(items: Sequence[Evidence], model: ScorerModel, *, threshold: float | None = None) -> PageScore:
    """The page score of its pieces of evidence: the probability of the intercept plus each
    piece's contribution, and one reason per piece that moved it (every term of the model is
    some reason's, so the baseline and the reasons add up to the log-odds)."""
    weighted = [(item, model.contribution(item)) for item in items]
    logit = model.intercept + sum(weight for _, weight in weighted)
    probability = _sigmoid(logit)
    cut = model.threshold if threshold is None else float(threshold)
    reasons = sorted(
        (
            Reason(code=item.code, evidence=item.evidence, weight=round(weight, 4), match=item.match)
            for item, weight in weighted
            if round(weight, 4) != 0
        ),
        key=lambda reason: (-reason.weight, reason.code),
    )
    return PageScore(probability=probability, flagged=probability >= cut, threshold=cut, reasons=tuple(reasons), baseline=model.intercept)


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
    items = page_evidence(document, page_scorer)
    if dup_domains >= 2:
        items.append(dup_domains_evidence(dup_domains))
    return score_evidence(items, page_scorer.model, threshold=threshold)


def score_and_skeletons(
    document: Document, *, threshold: float | None = None, scorer: ScorerArgument = None
) -> tuple[PageScore, tuple[Skeleton, ...]]:
    """`score(document)` and the skeletons of its story's sentences (`template.story_skeletons`,
    what a bulk run with ``--site-templates`` counts per site), from one reading of the page."""
    page_scorer = scorer_for(scorer)
    ctx = page_context(document, page_scorer)
    items = evidence_in(ctx, skip=page_scorer.skip)
    skeletons = page_skeletons(ctx) if ctx.page.blocks else ()
    return score_evidence(items, page_scorer.model, threshold=threshold), skeletons


def rescore_with_dup_domains(
    page_score: PageScore, dup_domains: int, domains: Sequence[str] = (), *, scorer: ScorerArgument = None
) -> PageScore:
    """Add the cross-crawl term to a finished score: the same probability and flag that
    `score(document, dup_domains=N)` gives, without the document (bulk runs use this after
    the pass over the crawl, when the MinHash clusters are known)."""
    if dup_domains < 2:
        return page_score
    item = dup_domains_evidence(dup_domains)
    shown = ", ".join(domains[:5]) + (", ..." if len(domains) > 5 else "")
    return _rescore(page_score, item, item.evidence + (f": {shown}" if shown else ""), scorer)


def rescore_with_site_templates(
    page_score: PageScore, pages: int, domain: str = "", sentence: str = "", *, scorer: ScorerArgument = None
) -> PageScore:
    """Add the site-template term to a finished score: a skeleton of the page's story that
    `pages` pages of its site (`domain`) share with other numbers and names in a bulk run
    (`sentence`: the page's own sentence in that mould). Fewer than `SITE_MIN_PAGES` pages
    change nothing. Bulk runs with ``--site-templates`` use this after the pass over the run."""
    if pages < SITE_MIN_PAGES:
        return page_score
    item = site_template_evidence(pages, domain, sentence)
    return _rescore(page_score, item, item.evidence, scorer)


def _rescore(page_score: PageScore, item: Evidence, evidence: str, scorer: ScorerArgument) -> PageScore:
    """`page_score` with `item` added (its reason replacing one of the same code)."""
    added = scorer_for(scorer).model.contribution(item)
    p = min(max(page_score.probability, 1e-12), 1 - 1e-12)
    probability = _sigmoid(math.log(p / (1 - p)) + added)
    reason = Reason(item.code, evidence, round(added, 4), match=item.match)
    reasons = sorted(
        (*(r for r in page_score.reasons if r.code != reason.code), reason),
        key=lambda r: (-r.weight, r.code),
    )
    return PageScore(
        probability=probability,
        flagged=probability >= page_score.threshold,
        threshold=page_score.threshold,
        reasons=tuple(reasons),
        baseline=page_score.baseline,
    )
