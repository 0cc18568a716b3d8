"""Tests for training.corpus loaders on tiny corpora built in tmp_path."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from classifier.extraction.roles import ROLES
from training.corpus import (
    LabelledPage,
    expand_roles,
    load_aeb,
    load_corpus,
    load_farm_news,
    load_jsonl,
    load_wcxb,
    registered_domain,
)
from training.dataset import analyse_page

FARM = Path(__file__).resolve().parents[2] / "data" / "farm"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.bbc.co.uk/news/a?b=c", "bbc.co.uk"),
        ("HTTPS://WWW.Example.COM/Path", "example.com"),
        ("sub.deep.example.org", "example.org"),
        ("https://user:pw@shop.example.com:8080/p", "example.com"),
        ("https://someone.github.io/x", "github.io"),  # private suffixes are not used
        ("http://localhost:8000/", "localhost"),
        ("10.0.0.1", "10.0.0.1"),
        ("", ""),
    ],
)
def test_registered_domain(value: str, expected: str) -> None:
    assert registered_domain(value) == expected


def _gz(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as handle:
        handle.write(data)


def _json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj), encoding="utf-8")


def _truth(url: str, main: str | None, page_type: str | None) -> dict[str, Any]:
    gold: dict[str, Any] = {"title": "t", "with": [], "without": []}
    if main is not None:
        gold["main_content"] = main
    record: dict[str, Any] = {"schema_version": "2.0", "url": url, "ground_truth": gold}
    record["_internal"] = {"page_type": {"primary": page_type}} if page_type else {}
    return record


@pytest.fixture()
def wcxb_dir(tmp_path: Path) -> Path:
    root = tmp_path / "wcxb"
    files = {
        "0002": {
            "url": "https://www.bbc.co.uk/news/1",
            "domain": "www.bbc.co.uk",
            "page_type": "article",
        },
        "0001": {
            "url": "https://shop.example.com/p/9",
            "domain": "shop.example.com",
            "page_type": "product",
        },
        "0003": {
            "url": "https://forum.example.net/t/5",
            "domain": "forum.example.net",
            "page_type": "forum",
        },
        "0004": {
            "url": "https://gone.example.com/",
            "domain": "gone.example.com",
            "page_type": "listing",
        },
    }
    _json(root / "metadata.json", {"name": "tiny", "files": files})
    _gz(root / "html" / "0001.html.gz", "<html><p>Prix: 9 €</p></html>".encode())
    _gz(root / "html" / "0002.html.gz", b"<html><p>News body</p></html>")
    _gz(root / "html" / "0003.html.gz", b"<html><p>Thread</p></html>")
    # 0004 has ground truth but no HTML: skipped
    _json(root / "ground-truth" / "0001.json", _truth(files["0001"]["url"], "Prix: 9 €", "product"))
    _json(root / "ground-truth" / "0002.json", _truth(files["0002"]["url"], "News body", None))
    _json(root / "ground-truth" / "0003.json", _truth(files["0003"]["url"], None, "forum"))
    _json(root / "ground-truth" / "0004.json", _truth(files["0004"]["url"], "x", "listing"))
    return root


def test_load_wcxb(wcxb_dir: Path) -> None:
    pages = list(load_wcxb(wcxb_dir))
    assert [p.page_id for p in pages] == ["0001", "0002", "0003"]
    first = pages[0]
    assert first == LabelledPage(
        page_id="0001",
        url="https://shop.example.com/p/9",
        domain="example.com",
        page_type="product",
        html="<html><p>Prix: 9 €</p></html>".encode(),
        main_text="Prix: 9 €",
        corpus="wcxb",
    )
    assert pages[1].page_type == "article"  # no _internal type: falls back to metadata.json
    assert pages[1].domain == "bbc.co.uk"
    assert pages[2].main_text == ""  # missing main_content


def test_load_wcxb_skip_empty_gold(wcxb_dir: Path) -> None:
    assert [p.page_id for p in load_wcxb(wcxb_dir, skip_empty_gold=True)] == ["0001", "0002"]


def test_load_wcxb_without_metadata(wcxb_dir: Path) -> None:
    (wcxb_dir / "metadata.json").unlink()
    pages = list(load_wcxb(wcxb_dir))
    assert [p.page_id for p in pages] == ["0001", "0002", "0003"]
    assert pages[1].page_type == "unknown"
    assert pages[2].domain == "example.net"


def _rows() -> list[dict[str, Any]]:
    return [
        {
            "url": "https://a.example.com/1",
            "html": "<p>é</p>",
            "main_text": "é",
            "page_type": "article",
            "id": 7,
        },
        {"url": "https://b.example.org/2", "html": "<p>two</p>", "main_text": "two"},
    ]


def test_load_jsonl_plain_and_gz(tmp_path: Path) -> None:
    text = "\n".join(json.dumps(r) for r in _rows()[:1]) + "\n\n" + json.dumps(_rows()[1]) + "\n"
    plain = tmp_path / "pages.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "more.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as handle:
        handle.write(text)

    for path, stem in ((plain, "pages"), (packed, "more")):
        pages = list(load_jsonl(path))
        assert len(pages) == 2
        assert pages[0].page_id == "7"
        assert pages[0].html == "<p>é</p>".encode()
        assert pages[0].domain == "example.com"
        assert pages[0].page_type == "article"
        assert pages[1].page_id == f"{stem}:3"  # line number; the blank line 2 is skipped
        assert pages[1].page_type == "unknown"
        assert pages[1].domain == "example.org"

    assert [p.page_id for p in load_jsonl(tmp_path)] == ["7", "more:3", "7", "pages:3"]
    assert len(list(load_corpus(plain))) == 2


def test_load_jsonl_missing_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"url": "https://x.com", "html": "<p/>"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1.*main_text"):
        list(load_jsonl(bad))


def test_load_aeb(tmp_path: Path) -> None:
    root = tmp_path / "aeb"
    _json(
        root / "ground-truth.json",
        {
            "bbb": {"articleBody": "Second body", "url": "https://www.nytimes.com/a"},
            "aaa": {"articleBody": "First body", "url": "https://news.example.co.uk/b"},
            "ccc": {"articleBody": "no html file", "url": "https://x.com"},
        },
    )
    _gz(root / "html" / "aaa.html.gz", b"<p>First body</p>")
    _gz(root / "html" / "bbb.html.gz", b"<p>Second body</p>")
    pages = list(load_aeb(root))
    assert [(p.page_id, p.domain, p.page_type, p.main_text) for p in pages] == [
        ("aaa", "example.co.uk", "article", "First body"),
        ("bbb", "nytimes.com", "article", "Second body"),
    ]
    assert pages[1].html == b"<p>Second body</p>"
    assert [p.page_id for p in load_corpus(root)] == ["aaa", "bbb"]


def test_role_ranges_expand_in_order_and_bad_ranges_are_refused() -> None:
    assert expand_roles([[0, 1, "title"], [2, 2, "body"]], 3, "p") == ("title", "title", "body")
    for ranges in ([[0, 1, "title"]], [[1, 2, "body"]], [[0, 2, "headline"]], [[0, 0, "body"], [0, 2, "body"]]):
        with pytest.raises(ValueError, match="^p: "):
            expand_roles(ranges, 3, "p")


def test_every_farm_news_page_is_cut_as_it_was_labelled() -> None:
    """The labels are per block: a walker change that cuts a labelled page otherwise must be
    seen here (the page then needs labelling again, docs/news-labelling.md)."""
    pages = list(load_farm_news(FARM))
    assert len(pages) == 93 and all(page.corpus == "farm" and page.roles for page in pages)
    for page in pages:
        data = analyse_page(page)  # raises ValueError when the digest or the block count differs
        assert data.roles is not None and [ROLES[number] for number in data.roles] == list(page.roles)
    tampered = dataclasses.replace(pages[0], html=pages[0].html.replace(b"</p>", b"</p><p>An added paragraph.</p>", 1))
    with pytest.raises(ValueError, match="relabel"):
        analyse_page(tampered)
