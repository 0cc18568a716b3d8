"""What the page scorer returns: `Reason` and `PageScore`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence that a page was published without review.

    `code` is a stable identifier (see `classifier.scoring.evidence.REASON_CODES`), `evidence`
    the text or attribute it was found in (on one line, cut at words), `weight` how much it
    moved the page score (log-odds), `match` the evidence itself as it stands on the page ("" for
    what is read from metadata or counted), which the explain view highlights.
    """

    code: str
    evidence: str
    weight: float = 0.0
    match: str = ""


@dataclass(frozen=True, slots=True)
class PageScore:
    """The probability that a page is unreviewed auto-published copy, with its reasons."""

    probability: float
    flagged: bool
    threshold: float
    reasons: tuple[Reason, ...] = ()
    # The log-odds of a page with no evidence: `baseline` plus the reasons' weights is the
    # log-odds of `probability` (to the rounding of the weights).
    baseline: float = 0.0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)
