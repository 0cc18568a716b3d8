"""`classifier.features`: the feature matrix of small pages, and the patterns it reads."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.dom import blocks_from_html
from classifier.features import _DATE_LIKE, STAGE_ONE_NAMES, block_features

READABLE_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789./-a _\n١")), max_size=30))
def test_fast_date_pattern_matches_like_the_readable_one(text: str) -> None:
    assert [m.span() for m in _DATE_LIKE.finditer(text)] == [m.span() for m in READABLE_DATE.finditer(text)]


def test_feature_matrix_of_a_small_page() -> None:
    blocks, page = blocks_from_html(
        "<html><body><nav><a href='/'>Home</a> | <a href='/n'>News</a></nav>"
        "<article><h1>Rain at last</h1><p>The drought ended on Monday, officials said. Rivers rose.</p>"
        "<p>The drought ended on Monday, officials said. Rivers rose.</p></article></body></html>"
    )
    matrix = block_features(blocks, page, title="Rain at last | Example News")
    assert matrix.shape == (len(blocks), len(STAGE_ONE_NAMES)) and matrix.dtype == np.float32
    column = {name: matrix[:, i] for i, name in enumerate(STAGE_ONE_NAMES)}
    nav, title, first, second = range(4)
    assert column["link_density"][nav] > 0.5 and column["link_density"][first] == 0
    assert column["in_title"][title] == 1 and column["title_overlap"][title] == 1
    assert column["log_duplicates"][first] == column["log_duplicates"][second] > 0
    assert column["log_sentence_ends"][first] == np.float32(np.log1p(2))
    assert np.isfinite(matrix).all()
