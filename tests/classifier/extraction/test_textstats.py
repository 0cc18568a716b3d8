"""`classifier.extraction.textstats`: the per-page character statistics and tokens against their one-block
definitions, written the slow and obvious way, on both implementations (the compiled kernel and
numpy)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import classifier.extraction.textstats as textstats
from classifier.extraction.textstats import (
    CHAR_SAMPLE,
    COMMA_CHARS,
    COPYRIGHT,
    DATE_LIKE,
    PUNCT_END,
    SENTENCE_END_CHARS,
    SEPARATOR_CHARS,
    numpy_block_tokens,
    numpy_text_statistics,
    statistics_and_tokens,
    token_hashes,
)
from tests.classifier.extraction.compiled_parts import unavailable

KERNEL = textstats.KERNEL


@pytest.fixture(autouse=True, params=["kernel", "numpy"])
def implementation(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test runs on the compiled kernel and on numpy (`textstats.KERNEL` None)."""
    if request.param == "kernel" and KERNEL is None:
        unavailable("the text kernel is not built here (pip install -e . with a C compiler builds it)")
    textstats.KERNEL = KERNEL if request.param == "kernel" else None
    try:
        yield request.param
    finally:
        textstats.KERNEL = KERNEL

# Letters of several scripts and cases, digits of several systems, punctuation the statistics
# count, whitespace of several kinds, a character beyond the BMP and a lone surrogate.
def text_statistics(texts: list[str]) -> textstats.TextStatistics:
    """The statistics half of `statistics_and_tokens`."""
    return statistics_and_tokens(texts)[0]


ALPHABET = st.sampled_from(
    list("aZé ßİΣяЖ中あ١²_-.,!?。，、|»/>:)\"'\n\t\u00a0\u2003") + ["\U0001d400", "\U0001f600", "\ud800"]
)
TEXTS = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=40), min_size=1, max_size=8)


def _expected(text: str) -> dict[str, float]:
    """The statistics of one block, written the slow and obvious way."""
    sample = text[:CHAR_SAMPLE]
    alpha = [c for c in sample if c.isalpha()]
    return {
        "words": len(text.split()),
        "alpha": len(alpha),
        "upper": sum(c.isupper() for c in alpha),
        "digits": sum(c.isdigit() and not c.isalpha() for c in sample),
        "non_ascii": sum(c > "\x7f" for c in alpha),
        "sentence_ends": sum(c in SENTENCE_END_CHARS for c in text),
        "commas": sum(c in COMMA_CHARS for c in text),
        "separators": sum(c in SEPARATOR_CHARS for c in text),
        "newlines": text.count("\n"),
        "ends_with_punctuation": float(text[-1] in PUNCT_END),
        "starts_lower": float(text[0].islower()),
    }


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_page_statistics_equal_the_per_block_definitions(texts: list[str]) -> None:
    stats = text_statistics(texts)
    for i, text in enumerate(texts):
        got = {name: float(getattr(stats, name)[i]) for name in _expected(text)}
        assert got == _expected(text), (text, got)
        assert stats.chars[i] == len(text)


def test_statistics_read_only_the_sample_for_character_shares() -> None:
    long_text = "a" * CHAR_SAMPLE + "B" * 100 + "."
    stats = text_statistics([long_text, "Xy"])
    assert stats.alpha[0] == CHAR_SAMPLE and stats.upper[0] == 0
    assert stats.sampled[0] == CHAR_SAMPLE and stats.sentence_ends[0] == 1
    assert (stats.alpha[1], stats.upper[1]) == (2, 1)


TOKEN = re.compile(r"\w+")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tokens_are_those_of_findall(texts: list[str]) -> None:
    token_block, counts, hashes = statistics_and_tokens(texts)[1]
    expected = [TOKEN.findall(text.lower()) for text in texts]
    assert counts.tolist() == [len(found) for found in expected]
    assert token_block.tolist() == [i for i, found in enumerate(expected) for _ in found]
    # A token's hash does not depend on where it stands: equal tokens, equal hashes.
    alone = [int(token_hashes(token)[1][0]) for found in expected for token in found]
    assert hashes.tolist() == alone


def _same_statistics_and_tokens(texts: list[str]) -> None:
    """The kernel's `statistics_and_tokens` gives numpy's statistics and the tokens of
    `str.lower()`."""
    statistics, tokens = statistics_and_tokens(texts)
    expected = numpy_text_statistics(texts)
    for name in expected.__dataclass_fields__:
        assert getattr(statistics, name).tolist() == getattr(expected, name).tolist(), name
    for got, want in zip(tokens, numpy_block_tokens([text.lower() for text in texts]), strict=True):
        assert got.dtype == want.dtype and got.tolist() == want.tolist()


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_kernel_gives_numpys_statistics_and_tokens(texts: list[str]) -> None:
    if textstats.KERNEL is None:
        pytest.skip("numpy is the reference")
    _same_statistics_and_tokens(texts)


def test_the_kernels_class_table_is_the_one_of_pythons_predicates() -> None:
    """Every code point of the table the kernel builds at import has the bits `_char_bits`
    gives it from `str.isalpha()` and the others (the table the plain path builds)."""
    if textstats.KERNEL is None:
        pytest.skip("numpy is the reference")
    built = textstats.char_table(textstats.KERNEL[0])
    reference = textstats.char_table(None)
    differing = np.flatnonzero(built != reference)
    assert not differing.size, [(hex(code), int(built[code]), int(reference[code])) for code in differing[:5]]
    assert textstats._CHAR_TABLE.tolist() == reference.tolist()


def test_tokens_in_one_pass_lower_every_character_as_str_lower() -> None:
    """Every code point, 512 at a time (the kernel lowers one character at a time where
    `str.lower()` maps U+0130 to two and U+03A3 by its neighbours), and sigmas in context."""
    if textstats.KERNEL is None:
        pytest.skip("numpy is the reference: it lowers with str.lower() itself")
    texts = ["".join(map(chr, range(start, min(start + 512, 0x110000)))) for start in range(0, 0x110000, 512)]
    _same_statistics_and_tokens([*texts, "ΣΑΣ Σ ΟΔΟΣ. σΣ", "İSTANBUL i̇", "Straße ΣΣ"])
    # Each U+0130 lowers to a letter and a combining mark, which is no word character: one
    # token per character, twice what a text of that length could hold otherwise.
    _same_statistics_and_tokens(["İ" * 1000, "x", "İ" * 3, "İ" * 2000 + "Σ"])


def test_distinct_tokens_hash_apart() -> None:
    words = "the a an this that rain drought officials said monday rivers rose 2024 été été_ x1 1x".split()
    hashes = token_hashes(" ".join(words))[1]
    assert len(set(hashes.tolist())) == len(set(words))


def test_each_block_with_a_date_or_a_copyright_sign_is_marked() -> None:
    stats = text_statistics(["© 2024 Example", "no date here", "posted 12.03.2021", "(C) Example", "&COPY; x", "1999x"])
    assert stats.date_like.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert stats.has_copyright.tolist() == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]


# Digits of two systems and one that is a digit but not decimal (²), the date separators, word
# characters, and the characters of the copyright forms in both cases.
DATE_ALPHABET = st.sampled_from(list("0123456789./-_a ١²©()cC&oOpPyY;\nİK"))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=DATE_ALPHABET, min_size=1, max_size=25), min_size=1, max_size=6))
def test_dates_and_copyright_signs_are_found_where_the_patterns_match(texts: list[str]) -> None:
    stats = text_statistics(texts)
    assert stats.date_like.tolist() == [float(DATE_LIKE.search(text) is not None) for text in texts]
    assert stats.has_copyright.tolist() == [float(COPYRIGHT.search(text) is not None) for text in texts]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80), st.integers(min_value=1, max_value=12))
def test_token_hashes_do_not_depend_on_the_chunking(text: str, chunk: int) -> None:
    whole = token_hashes(text)
    saved = textstats.HASH_CHUNK
    textstats.HASH_CHUNK = chunk
    try:
        chunked = token_hashes(text)
    finally:
        textstats.HASH_CHUNK = saved
    assert whole[0].tolist() == chunked[0].tolist() and whole[1].tolist() == chunked[1].tolist()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("\x00\x01\x08\t\n\x0b\x0c\r\x0e\x1f \x7f\x80\xa0aZé\ufffd\ufffe中\U0001f600"), max_size=60))
def test_characters_that_are_not_text_are_counted_as_defined(text: str) -> None:
    expected = sum(1 for char in text if (ord(char) < 0x20 and char not in "\t\n\x0c\r") or char == "\ufffd")
    assert textstats.count_not_text(text) == expected
