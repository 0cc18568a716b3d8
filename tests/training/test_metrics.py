"""Tests for training.metrics: WCXB word F1 and the AEB shingle metric."""

from __future__ import annotations

import dataclasses
import math

import pytest

from training.metrics import (
    PRF,
    aeb_corpus_prf,
    aeb_page_counts,
    aeb_score,
    aeb_shingles,
    aeb_tokens,
    character_f1,
    macro_by_type,
    wcxb_tokens,
    word_f1,
)


def words(n: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


# --------------------------------------------------------------------------- WCXB


def test_wcxb_tokens_lowercases_and_drops_punctuation() -> None:
    assert wcxb_tokens("Hello, World! It's 2025_v2.") == ["hello", "world", "it", "s", "2025_v2"]
    assert wcxb_tokens("CAFÉ naïve") == ["café", "naïve"]
    assert wcxb_tokens(None) == []


def test_character_f1_counts_characters_not_spaces() -> None:
    # pred: 中 文 本 x2 (4, the spaces do not count); gold: 中 文 字 本 (4); overlap 3
    prf = character_f1("中文 本本", "中文字本")
    assert (prf.precision, prf.recall) == (pytest.approx(0.75), pytest.approx(0.75))
    assert character_f1("", " \n") == PRF(1.0, 1.0, 1.0)
    assert character_f1("abc", None) == PRF(0.0, 0.0, 0.0) == character_f1("abc", "xyz")
    # Unlike word F1, text without spaces between words is not one long token.
    assert word_f1("中文字本", "中文 字本").f1 == 0.0 and character_f1("中文字本", "中文 字本").f1 == 1.0


def test_word_f1_hand_computed() -> None:
    # pred: the x2, cat, sat, on, mat (6); gold: the x2, cat, dog (4); overlap 3
    prf = word_f1("The cat sat on the mat.", "the CAT, the dog")
    assert prf.precision == pytest.approx(0.5)
    assert prf.recall == pytest.approx(0.75)
    assert prf.f1 == pytest.approx(0.6)


def test_word_f1_counts_multisets_not_sets() -> None:
    prf = word_f1("a a a", "a")
    assert prf.precision == pytest.approx(1 / 3)
    assert prf.recall == pytest.approx(1.0)
    assert prf.f1 == pytest.approx(0.5)
    assert word_f1("a b", "a a b b").recall == pytest.approx(0.5)


def test_word_f1_ignores_case_punctuation_and_layout() -> None:
    assert word_f1("Hello,\n\nWorld!", "hello world").f1 == 1.0
    assert word_f1("foo_bar", "foo bar").f1 == 0.0  # \w includes "_"


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        ("", "", 1.0),
        (None, "", 1.0),
        ("!!! ...", "", 1.0),  # no tokens on either side
        ("", "some gold text", 0.0),
        ("some output", "", 0.0),
        ("x y", "a b", 0.0),
    ],
)
def test_word_f1_edge_cases(predicted: str | None, gold: str, expected: float) -> None:
    prf = word_f1(predicted, gold)
    assert prf == PRF(expected, expected, expected)


def test_prf_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        word_f1("a", "a").f1 = 0.0  # type: ignore[misc]


def test_macro_by_type_averages_pages_not_types() -> None:
    result = macro_by_type([("a", 1.0), ("a", 0.0), ("a", 0.5), ("b", 0.1)])
    assert list(result) == ["overall", "a", "b"]
    assert result["overall"] == pytest.approx(0.4)  # mean over 4 pages, not (0.5 + 0.1) / 2
    assert result["a"] == pytest.approx(0.5)
    assert result["b"] == pytest.approx(0.1)


def test_macro_by_type_empty() -> None:
    result = macro_by_type([])
    assert list(result) == ["overall"] and math.isnan(result["overall"])


# --------------------------------------------------------------------------- AEB


def test_aeb_tokens_keep_case_and_drop_punctuation() -> None:
    assert aeb_tokens("The the, THE!") == ["The", "the", "THE"]
    assert aeb_tokens(None) == []


def test_aeb_shingles_regular_and_repeated() -> None:
    assert aeb_shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert aeb_shingles("a b c d") == {("a", "b", "c", "d"): 1}
    assert aeb_shingles("x x x x x x") == {("x", "x", "x", "x"): 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", {}), ("...", {}), ("a", {("a",): 1}), ("a, b c", {("a", "b", "c"): 1})],
)
def test_aeb_shingles_short_texts_give_one_short_shingle(
    text: str, expected: dict[tuple[str, ...], int]
) -> None:
    assert aeb_shingles(text) == expected


def test_aeb_page_counts_are_normalised_per_page() -> None:
    assert aeb_page_counts("a b c d", "a b c d") == (1.0, 0.0, 0.0)
    # pred has shingles abcd + bcde, gold has abcd: tp 1, fp 1, fn 0 -> halves
    assert aeb_page_counts("a b c d e", "a b c d") == pytest.approx((0.5, 0.5, 0.0))
    assert aeb_page_counts("", words(50)) == (0.0, 0.0, 1.0)
    assert aeb_page_counts("", "") == (0.0, 0.0, 0.0)
    # short texts: ("a","b") vs ("a","b","c") never match
    assert aeb_page_counts("a b", "a b c") == pytest.approx((0.0, 0.5, 0.5))
    # case sensitive
    assert aeb_page_counts("A b c d", "a b c d") == pytest.approx((0.0, 0.5, 0.5))


def test_aeb_page_counts_multiset() -> None:
    # pred has shingle xxxx three times, gold once -> tp 1, fp 2
    assert aeb_page_counts("x x x x x x", "x x x x") == pytest.approx((1 / 3, 2 / 3, 0.0))


def test_aeb_score_weighs_pages_equally() -> None:
    short = words(5)  # 2 shingles, extracted perfectly
    long = words(50, "v")  # 47 shingles, missed entirely
    result = aeb_score([(short, short), ("", long)], n_bootstrap=0)
    assert result.precision == pytest.approx(1.0)
    assert result.recall == pytest.approx(0.5)  # unweighted by length would be 2/49
    assert result.f1 == pytest.approx(2 / 3)
    assert result.n == 2
    assert result.accuracy == pytest.approx(0.5)
    assert result.f1_std == 0.0


def test_aeb_score_hand_computed_sum() -> None:
    # page 1: (0.5, 0.5, 0); page 2: (1, 0, 0) -> tp 1.5, fp 0.5, fn 0
    result = aeb_score([("a b c d e", "a b c d"), ("p q r s", "p q r s")], n_bootstrap=0)
    assert result.precision == pytest.approx(0.75)
    assert result.recall == pytest.approx(1.0)
    assert result.f1 == pytest.approx(2 * 0.75 / 1.75)


def test_aeb_score_both_empty_page_adds_nothing() -> None:
    result = aeb_score([("", ""), ("a b c d", "a b c d")], n_bootstrap=0)
    assert (result.precision, result.recall, result.f1, result.n) == (1.0, 1.0, 1.0, 2)
    assert result.accuracy == 1.0


def test_aeb_score_empty_and_degenerate() -> None:
    assert aeb_score([]).n == 0
    assert aeb_score([("", "")], n_bootstrap=10).f1 == 0.0
    assert aeb_corpus_prf([]) == PRF(0.0, 0.0, 0.0)


def test_aeb_bootstrap_is_seeded_and_sensible() -> None:
    pairs = [(words(10), words(10)), ("", words(10)), (words(12), words(10)), (words(6), words(10))]
    first = aeb_score(pairs, n_bootstrap=200, seed=7)
    again = aeb_score(pairs, n_bootstrap=200, seed=7)
    assert first == again
    assert 0.0 < first.f1_std < 0.5
    assert first.precision_std > 0.0 and first.recall_std > 0.0
    same = aeb_score([(words(8), words(8))] * 5, n_bootstrap=50)
    assert same.f1_std == 0.0 and same.f1 == 1.0
