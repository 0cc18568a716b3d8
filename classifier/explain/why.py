"""Why the model called a block what it did, in words: each feature's share of the block's
score (`classifier.extraction.trees.TreeEnsemble.contributions`) and a phrase for each feature.

The shares are the trees' own: path smoothing (the blend with the block's DOM-path siblings)
then moves the score to the probability shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_WORDS = {
    "log_chars": "its length",
    "log_words": "its words",
    "log_tokens": "its word tokens",
    "mean_word_length": "its mean word length",
    "link_density": "its share of text in links",
    "log_links": "its links",
    "text_density": "its words per line",
    "log_sentence_ends": "its sentence ends",
    "ends_with_punctuation": "ending with punctuation",
    "digit_share": "its share of digits",
    "upper_share": "its share of capitals",
    "alpha_share": "its share of letters",
    "comma_per_word": "its commas per word",
    "separator_share": "its separators (|, », /)",
    "non_ascii_share": "its letters beyond ASCII",
    "has_copyright": "a copyright sign",
    "date_like": "a date in it",
    "log_lines": "its lines",
    "starts_lower": "starting in lower case",
    "relative_index": "its place in the page",
    "relative_char_position": "the share of the page's text before it",
    "depth": "its depth in the DOM",
    "relative_depth": "its depth against the deepest block",
    "is_heading": "being a heading",
    "char_share": "its share of the page's text",
    "chars_over_max": "its length against the longest block",
    "log_duplicates": "its text repeated on the page",
    "title_overlap": "its words in the title",
    "structured_overlap": "its words in the page's JSON-LD description",
    "in_title": "being part of the title",
    "path_log_count": "blocks on its DOM path",
    "path_char_share": "its DOM path's share of the text",
    "path_link_density": "its DOM path's links",
    "path_mean_log_chars": "its DOM path's block length",
    "own_log_blocks": "blocks in its element",
    "row_log_cells": "cells in its table row",
    "distance_to_long_block": "its distance to a long paragraph",
    "long_blocks_before": "long paragraphs before it",
    "long_blocks_after": "long paragraphs after it",
    "chars_percentile": "its length rank",
    "log_chars_minus_median": "its length against the median block",
    "link_density_minus_mean": "its links against the page's mean",
    "url_depth": "the URL's depth",
    "url_has_year": "a year in the URL",
    "url_has_long_number": "a long number in the URL",
}
_CONTAINERS = {"parent": "its parent element", "grandparent": "its grandparent element",
               "parent_path": "its parent path", "grandparent_path": "its grandparent path"}  # fmt: skip
_MEASURES = {"char_share": "share of the text", "link_density": "links", "log_blocks": "blocks",
             "mean_block_chars": "block length", "log_count": "repeats"}  # fmt: skip
_NEIGHBOURS = {"-2": "two blocks before", "-1": "the block before", "+1": "the block after", "+2": "two blocks after"}


def phrase(name: str) -> str:
    """A feature column's name in words ("kw_near_nav" -> "its element or parents named nav")."""
    if (neighbour := re.fullmatch(r"(.+)@([-+]\d)", name)) is not None:
        return f"{phrase(neighbour.group(1)).replace('its ', '')} of {_NEIGHBOURS.get(neighbour.group(2), 'a neighbour')}"
    if (window := re.fullmatch(r"(.+)~(\d+)", name)) is not None:
        return f"{phrase(window.group(1)).replace('its ', '')} around it ({window.group(2)} blocks each side)"
    for prefix, words in (("kw_all_", "an ancestor named"), ("kw_near_", "its element or parents named"),
                          ("in_", "inside"), ("tag_", "a block of tag"), ("declares_", "the page declaring itself"),
                          ("url_", "the URL saying")):  # fmt: skip
        if name.startswith(prefix) and name not in _WORDS:
            return f"{words} {name[len(prefix):].replace('_', ' ')}"
    if name.startswith("page_"):
        return "the page's " + name[len("page_") :].replace("log_", "").replace("_", " ")
    for container, words in _CONTAINERS.items():
        for measure, measured in _MEASURES.items():
            if name == f"{container}_{measure}":
                return f"{words}'s {measured}"
    if (ancestor := re.fullmatch(r"(levels_to_share|link_density_at_share|share_at_level)_(\d+)", name)) is not None:
        kind, number = ancestor.groups()
        return {
            "levels_to_share": f"levels up to a container of {number}% of the text",
            "link_density_at_share": f"links of its container of {number}% of the text",
            "share_at_level": f"the text share of its container {number} levels up",
        }[kind]
    return _WORDS.get(name, name.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Push:
    """One feature's share of a block's score: `weight` in log-odds (positive: toward content)."""

    name: str
    words: str
    value: float
    weight: float


def strongest(contributions: np.ndarray, values: np.ndarray, names: tuple[str, ...], count: int = 4) -> list[Push]:
    """The `count` features that moved one block's score most, either way, strongest first."""
    order = np.argsort(-np.abs(contributions), kind="stable")[:count]
    return [Push(names[i], phrase(names[i]), float(values[i]), float(contributions[i])) for i in order if contributions[i] != 0]
