"""One piece of evidence and the model terms it carries.

An `Evidence` is what a reader would point at on a page: its reason code, the snippet it was
found in, the words themselves (`match`), and what tells how far to trust it: where it was found
(`where`: lead, body, end of the story, elsewhere on the page, metadata), the form it took
(`form`, the grammar's name of the line's shape), whether the agency was written in its exact
case, and whether it sits inside the story zone. `terms()` turns that into the scorer's terms:
its code, the shared `attribution` term for attribution to an agency, wire or press-release wire
(one weight pooled over those codes, so a form that few labelled pages show still weighs what
attribution weighs), and the reliability terms `outside_story`, `inexact_case` and `weak_form`
that the model may weigh down. A page's feature row is the sum of its pieces' terms
(`page_row`), so each reason's weight is its own terms' share of the log-odds, and the reasons
add up to the score.

`snippet()` cuts the text around a match at word boundaries, on one line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# Evidence of unreviewed auto-publication (weights >= 0).
EVIDENCE_CODES = (
    "disclaimer",
    "machine_text",
    "template_text",
    "agency_dateline",
    "agency_byline",
    "agency_author",
    "agency_signature",
    "agency_copyright",
    "licence_line",
    "agency_story_id",
    "via_wire",
    "press_release",
    "press_release_weak",
    "cross_domain_canonical",
    "syndication_meta",
    "based_on_other_source",
    "same_text_on_N_domains",
    "template_across_pages",
)
# Counter-evidence (weights <= 0).
COUNTER_EVIDENCE_CODES = (
    "agency_own_site",
    "with_agency_inputs",
    "agency_in_credit_only",
    "staff_byline",
    "datelined_teasers",
)
# Stable codes of `PageScore.reasons`.
REASON_CODES = EVIDENCE_CODES + COUNTER_EVIDENCE_CODES
AGENCY_CODES = ("agency_dateline", "agency_byline", "agency_author", "agency_signature", "agency_copyright", "agency_story_id", "via_wire")
# Evidence that the text is someone else's copy: an agency, wire or press-release wire named as
# its source. Each such piece also carries the `attribution` term, whose weight is learned from
# all of them together; its code's own weight (>= 0) is what that code adds to it. Release
# boilerplate (`press_release_weak`: "About <Company>", a media contact) names no wire: a
# company's own release on its own site says the same, so it is not pooled.
ATTRIBUTION_CODES = (*AGENCY_CODES, "press_release")
# How far to trust a piece of evidence (weights <= 0, added to its code's weight).
RELIABILITY_TERMS = ("outside_story", "inexact_case", "weak_form")
# The scorer's terms: every code (the cross-crawl one as ln N, the site-template one as ln n),
# the pooled attribution term, then the reliability terms.
TERM_NAMES = (
    *(code for code in EVIDENCE_CODES if code != "same_text_on_N_domains"),
    "log_dup_domains",
    *COUNTER_EVIDENCE_CODES,
    "attribution",
    *RELIABILITY_TERMS,
)
DUP_REASON = "same_text_on_N_domains"
SITE_TEMPLATE_REASON = "template_across_pages"
# Forms that are less sure than the usual ones: a bare two-letter agency, a marker closing a
# line with no dash, an agency name closing a sentence, a dateline past the first paragraph,
# the licence sentence with no agency's copyright line, press-release boilerplate seen once.
WEAK_FORMS = frozenset(
    {
        "agency_short",
        "marker_line_end",
        "marker_headline_end",
        "city_marker_nodash",
        "sentence_agency",
        "agency_initials",
        "late_paragraph",
        "licence_alone",
        "one_phrase",
        "name_only",
    }
)

_CONTEXT_BEFORE, _CONTEXT_AFTER = 60, 100
_EVIDENCE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence (see the module docstring). `value` is the strength of the code's
    term (1, or ln N for the counts of a bulk run); `block` the block it was found in (-1: none)."""

    code: str
    evidence: str
    match: str = ""
    where: str = "body"  # "lead", "body", "end", "page", "meta", "crawl"
    form: str = ""
    exact_case: bool = True
    in_story: bool = True
    agency: str = ""
    value: float = 1.0
    block: int = -1

    @property
    def counter(self) -> bool:
        return self.code in COUNTER_EVIDENCE_CODES

    def terms(self) -> dict[str, float]:
        """The model terms of this piece of evidence: its code, `attribution` for the codes of
        `ATTRIBUTION_CODES`, and for evidence (not counter-evidence) the reliability terms that
        apply."""
        code = "log_dup_domains" if self.code == DUP_REASON else self.code
        terms = {code: self.value}
        if self.code in ATTRIBUTION_CODES:
            terms["attribution"] = 1.0
        if not self.counter:
            if not self.in_story:
                terms["outside_story"] = 1.0
            if not self.exact_case:
                terms["inexact_case"] = 1.0
            if self.form in WEAK_FORMS:
                terms["weak_form"] = 1.0
        return terms

    @property
    def doubt(self) -> int:
        """How many reliability terms apply (the fewer, the surer)."""
        return sum(1 for name in self.terms() if name in RELIABILITY_TERMS)


def strongest(items: Iterable[Evidence]) -> list[Evidence]:
    """One piece of evidence per code: the surest (fewest reliability terms), the first found
    among equals; in the order the codes were first found."""
    best: dict[str, Evidence] = {}
    for item in items:
        kept = best.get(item.code)
        if kept is None or item.doubt < kept.doubt:
            best[item.code] = item
    return list(best.values())


def page_row(items: Iterable[Evidence]) -> list[float]:
    """The scorer's feature row (`TERM_NAMES`): the sum of the pieces' terms."""
    values = dict.fromkeys(TERM_NAMES, 0.0)
    for item in items:
        for name, value in item.terms().items():
            values[name] += value
    return [values[name] for name in TERM_NAMES]


def dup_domains_evidence(dup_domains: int) -> Evidence:
    """The cross-crawl count as a piece of evidence (ln N)."""
    return Evidence(DUP_REASON, f"the same text is on {dup_domains} registered domains", where="crawl", value=math.log(dup_domains))


def site_template_evidence(pages: int, domain: str = "", sentence: str = "") -> Evidence:
    """A skeleton of the page's story that `pages` pages of its site (`domain`) share with other
    numbers and names, in a bulk run, as a piece of evidence (ln pages); `sentence` is the
    page's own sentence in that mould."""
    site = f" of {domain}" if domain else ""
    text = f"{pages} pages{site} have a sentence in this mould, with other numbers and names"
    return Evidence(
        SITE_TEMPLATE_REASON,
        text + (f": {sentence}" if sentence else ""),
        match=sentence,
        where="crawl",
        form=f"{pages}_pages",
        value=math.log(pages),
    )


def snippet(text: str, start: int, end: int) -> str:
    """The evidence at `text[start:end]` in its context: the rest of its line, at most 60
    characters before it and 100 after, cut at word boundaries ("…" where cut), on one line,
    at most 200 characters."""
    end = max(end, start)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left, right = max(line_start, start - _CONTEXT_BEFORE), min(line_end, end + _CONTEXT_AFTER)
    if left > line_start and not text[left - 1].isspace():
        space = text.find(" ", left, start)
        left = start if space < 0 else space + 1
    if right < line_end and not text[right].isspace():
        space = text.rfind(" ", end, right)
        right = end if space < 0 else space
    cut = " ".join(text[left:right].split())
    if len(cut) > _EVIDENCE_CHARS:
        space = cut.rfind(" ", 0, _EVIDENCE_CHARS)
        cut = cut[: space if space > 0 else _EVIDENCE_CHARS]
        right = line_end - 1
    return ("…" if left > line_start else "") + cut + ("…" if right < line_end else "")


def words_cut(text: str, limit: int = 120) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters ("…" where cut)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    space = line.rfind(" ", 0, limit)
    return line[: space if space > 0 else limit] + "…"
