"""The `clean` and single-page `score` commands (bulk runs: test_bulk; explain: test_explain)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from classifier import clean
from classifier.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "go-blog-defer-panic-recover.html.gz"


def test_clean_prints_the_main_text_with_the_chosen_leaning(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURE.read_bytes()
    assert main(["clean", str(FIXTURE), "--favor", "precision"]) == 0
    assert capsys.readouterr().out == clean(gzip.decompress(page), favor="precision") + "\n"


def test_clean_refuses_a_threshold_with_a_leaning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(FIXTURE), "--favor", "recall", "--threshold", "0.4"]) == 1
    assert "not both" in capsys.readouterr().err


def test_score_one_page_takes_the_leaning_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(FIXTURE), "--favor", "precision"]) == 0
    assert capsys.readouterr().out.startswith("probability ")
