"""`classifier.features`: the per-page character statistics against their one-block definitions,
and the feature matrix of small pages."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.dom import blocks_from_html
from classifier.features import (
    _CHAR_SAMPLE,
    _COMMA_CHARS,
    _DATE_LIKE,
    _PUNCT_END,
    _SENTENCE_END_CHARS,
    _SEPARATOR_CHARS,
    STAGE_ONE_NAMES,
    _block_tokens,
    _blocks_matching,
    _text_statistics,
    _token_hashes,
    block_features,
)

# Letters of several scripts and cases, digits of several systems, punctuation the statistics
# count, whitespace of several kinds, a character beyond the BMP and a lone surrogate.
ALPHABET = st.sampled_from(
    list("aZé ßİΣяЖ中あ١²_-.,!?。，、|»/>:)\"'\n\t\u00a0\u2003") + ["\U0001d400", "\U0001f600", "\ud800"]
)
TEXTS = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=40), min_size=1, max_size=8)


def _expected(text: str) -> dict[str, float]:
    """The statistics of one block, written the slow and obvious way."""
    sample = text[:_CHAR_SAMPLE]
    alpha = [c for c in sample if c.isalpha()]
    return {
        "words": len(text.split()),
        "alpha": len(alpha),
        "upper": sum(c.isupper() for c in alpha),
        "digits": sum(c.isdigit() and not c.isalpha() for c in sample),
        "non_ascii": sum(c > "\x7f" for c in alpha),
        "sentence_ends": sum(c in _SENTENCE_END_CHARS for c in text),
        "commas": sum(c in _COMMA_CHARS for c in text),
        "separators": sum(c in _SEPARATOR_CHARS for c in text),
        "newlines": text.count("\n"),
        "ends_with_punctuation": float(text[-1] in _PUNCT_END),
        "starts_lower": float(text[0].islower()),
    }


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_page_statistics_equal_the_per_block_definitions(texts: list[str]) -> None:
    stats = _text_statistics(texts)
    for i, text in enumerate(texts):
        got = {name: float(getattr(stats, name)[i]) for name in _expected(text)}
        assert got == _expected(text), (text, got)
        assert stats.chars[i] == len(text)


def test_statistics_read_only_the_sample_for_character_shares() -> None:
    long_text = "a" * _CHAR_SAMPLE + "B" * 100 + "."
    stats = _text_statistics([long_text, "Xy"])
    assert stats.alpha[0] == _CHAR_SAMPLE and stats.upper[0] == 0
    assert stats.sampled[0] == _CHAR_SAMPLE and stats.sentence_ends[0] == 1
    assert (stats.alpha[1], stats.upper[1]) == (2, 1)


TOKEN = re.compile(r"\w+")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tokens_are_those_of_findall(texts: list[str]) -> None:
    lowered = [text.lower() for text in texts]
    token_block, counts, hashes = _block_tokens(lowered)
    expected = [TOKEN.findall(text) for text in lowered]
    assert counts.tolist() == [len(found) for found in expected]
    assert token_block.tolist() == [i for i, found in enumerate(expected) for _ in found]
    # A token's hash does not depend on where it stands: equal tokens, equal hashes.
    alone = [int(_token_hashes(token)[1][0]) for found in expected for token in found]
    assert hashes.tolist() == alone


def test_distinct_tokens_hash_apart() -> None:
    words = "the a an this that rain drought officials said monday rivers rose 2024 été été_ x1 1x".split()
    hashes = _token_hashes(" ".join(words))[1]
    assert len(set(hashes.tolist())) == len(set(words))


READABLE_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789./-a _\n١")), max_size=30))
def test_fast_date_pattern_matches_like_the_readable_one(text: str) -> None:
    assert [m.span() for m in _DATE_LIKE.finditer(text)] == [m.span() for m in READABLE_DATE.finditer(text)]


def test_blocks_matching_marks_each_block_with_a_match() -> None:
    stats = _text_statistics(["© 2024 Example", "no date here", "posted 12.03.2021", "(c)"])
    assert _blocks_matching(_DATE_LIKE, stats).tolist() == [1.0, 0.0, 1.0, 0.0]


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


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80), st.integers(min_value=1, max_value=12))
def test_token_hashes_do_not_depend_on_the_chunking(text: str, chunk: int) -> None:
    import classifier.features as features

    whole = _token_hashes(text)
    saved = features._HASH_CHUNK
    features._HASH_CHUNK = chunk
    try:
        chunked = _token_hashes(text)
    finally:
        features._HASH_CHUNK = saved
    assert whole[0].tolist() == chunked[0].tolist() and whole[1].tolist() == chunked[1].tolist()
