"""Page evidence of unreviewed auto-publication: one page -> its pieces of `Evidence`.

`find_evidence` reads the page as a `PageContext` (the story zone found from the text, the
compiled tables and grammar, the page's domain and brand), runs the detectors (agency evidence
with the attribution grammar: `agency_signals`; provenance phrases and metadata:
`phrase_signals`; template text: `template`), and keeps one piece of evidence per reason code,
the surest (`evidence.strongest`). The scorer's feature row is the sum of their terms
(`evidence.page_row`). `evidence_in` does the same for a `PageContext` already made, and
`page_skeletons` reads the skeletons of its story's sentences (`template.story_skeletons`:
what a bulk run with ``--site-templates`` counts across the pages of a site).
"""

from __future__ import annotations

from .agency_signals import agency_evidence
from .attribution import Grammar
from .context import PageContext, PageEvidence
from .evidence import REASON_CODES, Evidence, snippet, strongest
from .patterns import Patterns
from .phrase_signals import disclaimers, other_sources, press_releases, table_phrases
from .template import Skeleton, skeletons_in, template_in


def template_evidence(ctx: PageContext) -> list[Evidence]:
    """Sentences of the story sharing one skeleton with different numbers and names."""
    found = template_in(ctx.story_sentences)
    if found is None:
        return []
    text = found.sentence
    return [
        Evidence(
            "template_text",
            f"{found.count} sentences in one mould: " + snippet(text, 0, len(text)),
            match=" ".join(text.split()),
            where=ctx.where(found.block),
            form=f"{found.count}_sentences",
            block=found.block,
        )
    ]


# Codes whose detectors stand alone: a scorer that weighs them 0 need not run them (`skip`).
SKIPPABLE = frozenset({"template_text", "agency_in_credit_only", "cross_domain_canonical", "syndication_meta", "based_on_other_source"})
_METADATA_CODES = frozenset({"cross_domain_canonical", "syndication_meta", "based_on_other_source"})


def find_evidence(page: PageEvidence, patterns: Patterns, grammar: Grammar, *, skip: frozenset[str] = frozenset()) -> list[Evidence]:
    """Every piece of evidence on the page, one per reason code (see the module docstring).
    `skip` (default none) names codes of `SKIPPABLE` not to look for."""
    if not page.blocks:
        return []
    return evidence_in(PageContext.of(page, patterns, grammar), skip=skip)


def evidence_in(ctx: PageContext, *, skip: frozenset[str] = frozenset()) -> list[Evidence]:
    """`find_evidence` of a page read as `ctx`."""
    if not ctx.page.blocks:
        return []
    items = [
        *disclaimers(ctx),
        *agency_evidence(ctx, credits="agency_in_credit_only" not in skip),
        *press_releases(ctx),
        *table_phrases(ctx),
        *(template_evidence(ctx) if "template_text" not in skip else ()),
        *(other_sources(ctx) if not skip >= _METADATA_CODES else ()),
    ]
    items = [item for item in items if item.code not in skip]
    if ctx.own_site:
        items = [item for item in items if item.code not in ("via_wire", "licence_line")]
    return strongest(items)


def page_skeletons(ctx: PageContext) -> tuple[Skeleton, ...]:
    """The skeletons of the sentences of the story's paragraphs (the zone's body: not its
    lead, its closing lines or anything outside the story)."""
    return skeletons_in(ctx.story_sentences)


__all__ = ["REASON_CODES", "SKIPPABLE", "Evidence", "PageEvidence", "evidence_in", "find_evidence", "page_skeletons", "template_evidence"]
