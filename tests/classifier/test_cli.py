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


def test_clean_adds_the_roles_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    page = gzip.decompress(FIXTURE.read_bytes())
    assert main(["clean", str(FIXTURE), "--include-title", "--include-captions"]) == 0
    assert capsys.readouterr().out == clean(page, include_title=True, include_captions=True) + "\n"
    assert main(["clean", str(FIXTURE), "--json"]) == 0
    assert '"role": "body"' in capsys.readouterr().out


@pytest.mark.parametrize("command", ["clean", "score", "explain"])
def test_a_threshold_with_a_leaning_is_a_usage_error(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, str(FIXTURE), "--favor", "recall", "--threshold", "0.4"])
    assert exit_info.value.code == 2
    assert "not both" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags",
    [
        ["clean", str(FIXTURE), "--threshold", "5"],
        ["clean", str(FIXTURE), "--threshold", "nan"],
        ["score", str(FIXTURE), "--threshold", "-0.1"],
        ["score", str(FIXTURE), "--limit", "0"],
        ["score", str(FIXTURE), "--limit", "-1"],
        ["score", str(FIXTURE), "--workers", "-1"],
        ["score", str(FIXTURE), "--timeout", "-5"],
        ["score", str(FIXTURE), "--timeout", "inf"],
    ],
)
def test_numbers_out_of_range_are_refused(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(flags)
    assert exit_info.value.code == 2
    assert "not a" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.bin", "pages.jsonl"])
def test_clean_refuses_a_crawl_file(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(record) if name.endswith(".gz") else record if name != "pages.jsonl" else b'{"html": "<p>x</p>"}\n')
    assert main(["clean", str(path)]) == 1
    assert "crawl file, not one page" in capsys.readouterr().err
    assert main(["explain", str(path), "-o", str(tmp_path / "view.html")]) == 1


def test_score_one_page_takes_the_leaning_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(FIXTURE), "--favor", "precision"]) == 0
    assert capsys.readouterr().out.startswith("probability ")


def test_version_names_the_walker_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    from classifier.extraction import decision, features, layout, textstats, trees, walk
    from classifier.extraction.features import FEATURE_VERSION

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("pagesieve ") and f"features {FEATURE_VERSION}" in printed
    assert ("walker compiled" in printed) == walk.COMPILED
    assert ("trees compiled" in printed) == (trees.KERNEL is not None)
    assert ("text statistics compiled" in printed) == (textstats.KERNEL is not None)
    assert ("feature columns compiled" in printed) == (features.KERNEL is not None)
    assert ("per-page cut compiled" in printed) == (decision.KERNEL is not None)
    assert ("text layout compiled" in printed) == (layout.KERNEL is not None)
