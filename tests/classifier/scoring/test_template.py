"""Template text: sentences in one mould with different numbers and names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.scoring.template import MIN_REPEATS, skeleton, template_sentences

_NAMES = st.sampled_from(["Ann Lee", "Jim Roe", "Kay Poe", "Omar Haddad", "Li Wei", "Sofia Rossi"])
_PLACES = st.sampled_from(["Fulton County", "Cook County", "Travis County", "Orange County"])


def test_skeleton_slots_numbers_and_names() -> None:
    shape, values = skeleton("Ann Lee gave $5 to Bob Smith during May, according to FEC records.")
    assert shape == "N gave # to N during N, according to N records."
    assert "$5" in values and "Ann" in values


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(_NAMES, st.integers(1, 5000), _NAMES), min_size=MIN_REPEATS, max_size=8, unique=True))
def test_donation_sentences_share_one_skeleton(rows) -> None:
    text = " ".join(f"{a} donated ${n} to {b} during the month, according to the filings." for a, n, b in rows)
    found = template_sentences([(0, text)])
    assert found is not None and found.count == len(rows)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 900), _PLACES, st.integers(2000, 2020)), min_size=1, max_size=MIN_REPEATS - 1))
def test_fewer_than_three_are_no_template(rows) -> None:
    text = " ".join(f"There were {n} total arrests in {p} in {y}, which is unchanged from the year before." for n, p, y in rows)
    assert template_sentences([(0, text)]) is None


def test_the_same_sentence_repeated_is_no_template_and_prose_is_none() -> None:
    same = "The council voted on the budget for the library and the pool this week."
    assert template_sentences([(k, same) for k in range(5)]) is None
    prose = (
        "The city council voted on Tuesday to extend the hours of the public library. Residents who spoke said "
        "the change would help students. The budget comes from a fund that was set aside last year."
    )
    assert template_sentences([(0, prose)]) is None
