"""Template text: sentences in one mould with different numbers and names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.scoring.template import MAX_SKELETONS, MIN_REPEATS, skeleton, stable_hash, story_skeletons, template_sentences

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


def test_story_skeletons_keep_sentences_with_a_number_slot_once_each() -> None:
    text = (
        "There were 412 total arrests in Fulton County in 2019, according to figures the State Police published. "
        "There were 388 total arrests in Travis County in 2019, according to figures the State Police published. "
        "Amazon did not immediately respond to a request for comment on the new figures. "
        "The council met for 3 hours."
    )
    found = story_skeletons([(0, text)])
    assert len(found) == 1  # one skeleton (its first sentence); names alone and short sentences are left out
    assert found[0].sentence.startswith("There were 412 total arrests in Fulton County")
    assert found[0].key == stable_hash(skeleton(found[0].sentence)[0])
    assert found[0].filling == stable_hash("\x1f".join(skeleton(found[0].sentence)[1]))


def test_story_skeletons_are_at_most_the_limit_in_page_order() -> None:
    blocks = [(i, f"Line {i} of the list: {'word ' * i}there were 12 cases in Cook County during the week.") for i in range(80)]
    found = story_skeletons(blocks)
    assert len(found) == MAX_SKELETONS
    assert found == story_skeletons(blocks)
    assert [s.sentence for s in found] == [s.sentence for s in story_skeletons(blocks[:MAX_SKELETONS])]


def test_the_hash_is_stable_across_processes_and_runs() -> None:
    """Not Python's salted hash(): the same skeleton has the same key in every worker and run."""
    assert stable_hash("N gave # to N.") == 4838767669491337039
    assert 0 <= stable_hash("") < 2**63
