"""`training.pattern_literals`: what every match of a phrase contains, and the table's cells."""

from __future__ import annotations

from classifier.scoring.patterns import patterns_folder
from training.pattern_literals import required_literals, rewritten_table


def test_required_literals_read_runs_spaces_and_alternatives() -> None:
    assert required_literals(r"\bas\s+an\s+AI\b") == (("as an ai",),)
    assert required_literals(r"\b(?:this|the)\s+story") == (("the story", "this story"),)
    assert required_literals(r"\b(?:Press|PR)\s+contacts?:") == (("pr contact", "press contact"),)
    assert required_literals(r"th(?:is|e)[^a]") == (("the", "this"),)
    assert required_literals(r"(?:xy\w|the)\s+end") == (("end",), ("the", "xy"))
    assert required_literals(r"(?:^|\n)About[ \t]+(?!the\s+author)x") == (("about",),)
    assert required_literals(r"ab?c") == ()  # an optional character breaks the run
    assert required_literals(r"(?:news|\w+)\s+wire") == (("wire",),)


def test_the_provenance_table_cells_are_up_to_date() -> None:
    """Edit a pattern, then run `python -m training.pattern_literals --write`."""
    text = (patterns_folder() / "provenance.tsv").read_text(encoding="utf-8")
    assert rewritten_table(text) == text
