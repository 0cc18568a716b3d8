"""Scoring: an extracted page -> the probability that it is unreviewed auto-published copy.

`patterns` (the pattern tables) -> `signals` (the evidence on the page) -> `scorer` (the
logistic model file) -> `score` (`score()`, the probability and its reasons); `page_score`
holds the results.
"""
