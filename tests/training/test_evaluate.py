"""Tests for training.evaluate's tables (the figures themselves come from cross-validation)."""

from __future__ import annotations

from training.evaluate import PAGE_TYPES, markdown_table, role_lines


def test_the_table_has_one_row_per_tool_and_dashes_for_corpora_it_lacks() -> None:
    ours = {
        "version": "(out of fold)",
        "wcxb": {"f1": {"overall": 0.88, **dict.fromkeys(PAGE_TYPES, 0.5)}},
        "aeb": {"shingle": {"precision": 0.95, "recall": 0.97, "f1": 0.96, "f1_std": 0.004}},
        "farm": {"f1": {"overall": 0.93}, "shingle": {"f1": 0.94}},
    }
    peer = {"version": "2.0", "aeb": {"shingle": {"precision": 0.9, "recall": 0.8, "f1": 0.85, "f1_std": 0.01}}}
    lines = markdown_table({"pagesieve": ours, "peer": peer}).splitlines()
    assert len(lines) == 4 and lines[0].count("|") == lines[2].count("|") == lines[3].count("|")
    assert lines[2].startswith("| pagesieve (out of fold) | 0.880 |") and "0.960 ± 0.004 | 0.930 | 0.940 |" in lines[2]
    assert lines[3].startswith("| peer 2.0 | - |") and lines[3].endswith("| 0.850 ± 0.010 | - | - |")


def test_role_lines_come_from_the_card_and_are_empty_without_roles() -> None:
    card = {
        "cv": {"folds": 5},
        "roles_cv": {"accuracy": 0.9, "per_role": {"title": {"blocks": 90, "precision": 0.8, "recall": 0.7, "f1": 0.7467}}},
    }
    lines = role_lines(card)
    assert "block accuracy 0.900" in lines[0] and lines[-1] == "| title | 90 | 0.800 | 0.700 | 0.747 |"
    assert role_lines({"cv": {"folds": 5}}) == []
