"""`training.pattern_literals`: what every match of a phrase contains, and the table's cells."""

from __future__ import annotations

from classifier.scoring.patterns import patterns_folder
from training.pattern_literals import required_literals, rewritten_table


def test_required_literals_read_runs_spaces_and_alternatives() -> None:
    assert required_literals(r"\bas\s+an\s+AI\b") == (("as an ai",),)
    assert required_literals(r"\b(?:this|the)\s+story") == (("the story", "this story"),)
    assert required_literals(r"\b(?:Press|PR)\s+contacts?") == (("pr contact", "press contact"),)  # "contacts" holds "contact"
    assert required_literals(r"th(?:is|e)[^a]") == (("the", "this"),)
    # The alternatives' trailing runs go on into what follows: " end" after "xy\w" (and "the end" holds it).
    assert required_literals(r"(?:xy\w|the)\s+end") == ((" end",), ("the", "xy"))
    # A lookahead is zero-width: "About " and "x" are next to each other.
    assert required_literals(r"(?:^|\n)About[ \t]+(?!the\s+author)x") == (("about x",),)
    assert required_literals(r"ab?c") == (("abc", "ac"),)  # an optional character: with it, or without
    assert required_literals(r"(?:news|\w+)\s+wire") == ((" wire",),)


def test_required_literals_keep_required_edge_spaces_classes_and_repetitions() -> None:
    # A space the pattern requires before "via" is kept: "trivia" or "Olivia" lack " via ".
    assert required_literals(r"(?:\w+\s+){1,5}via\s+AP") == ((" via ap",),)
    assert required_literals(r"\d{4},?\s+(?:PR\s+Newswire|Cision)") == ((" cision", " pr newswire"),)  # not "decision"
    # A class of a few characters is each of them; a repetition's last character leads on.
    assert required_literals(r"[-–]{2,3}\s*End") == (("- end", "-end", "– end", "–end"),)
    assert required_literals(r"foo(?!bar)baz") == (("foobaz",),)
    assert required_literals(r"[^-]{2}ab") == (("ab",),)  # a wide class breaks the run
    assert required_literals(r"(?:x\w|\w)yz") == (("yz",),)
    assert required_literals(r"\s+a\b") == ()  # one character besides spaces is too little


def test_every_table_phrase_has_its_literals_in_its_example_alone_and_inside_text() -> None:
    """The literals are found wherever the pattern matches: in the example as a whole text
    (whose edge spaces `fold` takes off) and inside other text."""
    from classifier.scoring.patterns import fold, load_patterns, provenance_rows

    patterns = load_patterns()
    examples = [row["example"].replace("\\n", "\n").replace("\\\\", "\\") for row in provenance_rows()]
    for phrase, example in zip(patterns.provenance, examples):
        match = phrase.pattern.search(example)
        assert match, phrase.pattern.pattern
        for text in (match.group(0), example, "Other words.\n" + example + "\nMore."):
            assert phrase.possible(f" {fold(text)} "), (phrase.pattern.pattern, text)


def test_the_provenance_table_cells_are_up_to_date() -> None:
    """Edit a pattern, then run `python -m training.pattern_literals --write`."""
    text = (patterns_folder() / "provenance.tsv").read_text(encoding="utf-8")
    assert rewritten_table(text) == text
