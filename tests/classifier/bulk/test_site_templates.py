"""Template text across the pages of one site (``--site-templates``): the pages of a site written
from one template with other numbers and names get `template_across_pages`; fewer pages, pages
of other sites, boilerplate repeated word for word and runs without the option do not; the order
of the records changes nothing.

The pages are written here: a local paper's machine-written crime-data stories (one mould, a
county and its numbers filled in) and hand-written stories of the same site.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.bulk.cli import add_score_arguments, options_from_args
from classifier.bulk.engine import run
from classifier.bulk.output import apply_site_templates
from classifier.bulk.rows import BulkOptions, PageOptions
from classifier.bulk.site_templates import SharedTemplate, SiteSkeletons
from classifier.scoring.scorer import load_scorer
from classifier.scoring.template import SITE_MIN_PAGES
from tests.classifier.bulk.helpers import fake_page, read_rows, write_jsonl

REASON = "template_across_pages"
FAST = BulkOptions(progress=False, resume=False, timeout=None, workers=0)
SITE = PageOptions(site_templates=True)
COUNTIES = [
    ("Fulton County", 412, 425),
    ("Cook County", 1290, 1184),
    ("Travis County", 388, 402),
    ("Orange County", 733, 692),
    ("Dane County", 215, 198),
    ("Kings County", 2051, 2230),
]
STORIES = [
    ("Library hours to grow", "The city council voted on Tuesday to keep the main library open on Sunday afternoons from next month."),
    ("Harbor bridge closes", "Crews will close the harbor bridge overnight while they replace the worn joints on the eastern span."),
    ("School board picks chief", "The school board chose a former teacher from the valley to lead the district after a long search."),
    ("Farmers market moves", "The farmers market is moving to the old rail yard, where vendors say there is room for more stalls."),
    ("New clinic opens", "A walk-in clinic opened on the east side, the first the neighborhood has had since the hospital closed."),
    ("Ferry fares rise", "Riders of the island ferry will pay more from the spring, the transit board decided after a hearing."),
]


def _page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Lakeview Ledger</title><meta property="og:site_name" content="Lakeview Ledger"></head>
<body><header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/data">Data</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Ledger Staff</p>
{body}
<p>Subscribe today for $1 a week and get unlimited access to all of our local reporting and data.</p>
</article></main>
<footer><p>Sign up for our newsletter to get the latest local news every morning.</p>
<p>Copyright 2024 Lakeview Ledger. All rights reserved. 12 Harbor Street, Lakeview.</p></footer></body></html>"""


def data_story(county: str, arrests: int, before: int) -> str:
    """A machine-written data story: one mould, the county and its numbers filled in."""
    change = round(100 * (arrests - before) / before)
    return _page(
        f"Arrests in {county} in 2019",
        [
            f"There were {arrests} total arrests in {county} in 2019, according to figures the State Police published this spring.",
            f"That is {abs(change)}% {'more' if change > 0 else 'fewer'} than the {before} arrests the county recorded the year before.",
            "The figures cover arrests for violent crimes, property crimes and drug offenses made by every police department.",
        ],
    )


def own_story(title: str, lead: str) -> str:
    """A story of the site's own, sharing only its boilerplate with the others."""
    return _page(title, [lead, f"Residents can read more about {title.lower()} at the next public meeting, officials said."])


def _run(tmp_path: Path, lines: list[dict[str, Any]], page: PageOptions, name: str = "o") -> list[dict[str, Any]]:
    write_jsonl(tmp_path / f"{name}.jsonl", lines)
    out = tmp_path / f"{name}-out.jsonl"
    summary = run([str(tmp_path / f"{name}.jsonl")], str(out), dataclasses.replace(FAST, page=page))
    assert summary.reconciles and summary.rows_written == len(lines)
    return read_rows(out)


def _data_lines(count: int, hosts: list[str] | None = None) -> list[dict[str, Any]]:
    hosts = hosts or ["www.lakeviewledger.com", "data.lakeviewledger.com"]
    return [
        {"html": data_story(*COUNTIES[i]), "url": f"https://{hosts[i % len(hosts)]}/data/arrests-{i}"}
        for i in range(count)
    ]


def _own_lines() -> list[dict[str, Any]]:
    return [{"html": own_story(title, lead), "url": f"https://www.lakeviewledger.com/local/{i}"} for i, (title, lead) in enumerate(STORIES)]


def _reasons(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [reason for reason in row["reasons"] if reason["code"] == REASON]


def test_pages_of_one_site_from_one_template_get_the_reason_and_a_higher_probability(tmp_path: Path) -> None:
    lines = _data_lines(6)
    plain = _run(tmp_path, lines, PageOptions(), "plain")
    found = _run(tmp_path, lines, SITE, "site")
    prior = load_scorer().weights[REASON]
    for before, after in zip(plain, found):
        assert not _reasons(before)
        (reason,) = _reasons(after)
        assert "6 pages of lakeviewledger.com" in reason["evidence"] and "total arrests in" in reason["evidence"]
        assert reason["weight"] == pytest.approx(prior * math.log(6), abs=1e-4)
        assert after["farm_probability"] > before["farm_probability"]
        logit = math.log(after["farm_probability"] / (1 - after["farm_probability"]))
        assert logit == pytest.approx(math.log(before["farm_probability"] / (1 - before["farm_probability"])) + reason["weight"], abs=1e-3)
        assert not any(key.startswith("_") for key in after)


def test_the_reasons_of_the_run_are_cut_as_the_pages_own_are(tmp_path: Path) -> None:
    rows = _run(tmp_path, _data_lines(6), dataclasses.replace(SITE, evidence_chars=30, syndication=True), "cut")
    added = [reason for row in rows for reason in row["reasons"] if reason["code"] in (REASON, "same_text_on_N_domains")]
    assert {reason["code"] for reason in added} >= {REASON}
    assert all(len(reason["evidence"]) <= 30 for row in rows for reason in row["reasons"])


def test_fewer_than_five_pages_or_pages_of_other_sites_do_not_count(tmp_path: Path) -> None:
    assert SITE_MIN_PAGES == 5
    few = _run(tmp_path, _data_lines(4), SITE, "few")
    spread = _run(tmp_path, _data_lines(6, [f"ledger-{i}.com" for i in range(6)]), SITE, "spread")
    assert not any(_reasons(row) for row in few + spread)


def test_boilerplate_repeated_word_for_word_does_not_count(tmp_path: Path) -> None:
    """Six stories of one site share a subscription line with a price in the story and a
    dated copyright line in the footer, word for word: that is no template."""
    lines = _own_lines()
    rows = _run(tmp_path, lines, SITE, "boiler")
    assert not any(_reasons(row) for row in rows)
    mixed = _run(tmp_path, lines + _data_lines(5), SITE, "mixed")
    assert [bool(_reasons(row)) for row in mixed] == [False] * 6 + [True] * 5
    assert all("5 pages of lakeviewledger.com" in _reasons(row)[0]["evidence"] for row in mixed[6:])


def test_the_order_of_the_records_changes_nothing(tmp_path: Path) -> None:
    lines = _data_lines(6) + _own_lines()
    forward = _run(tmp_path, lines, SITE, "forward")
    backward = _run(tmp_path, lines[::-1], SITE, "backward")

    def by_url(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {row["url"]: {k: v for k, v in row.items() if k not in ("source", "offset")} for row in rows}

    assert by_url(forward) == by_url(backward)
    assert sum(bool(_reasons(row)) for row in forward) == 6


def test_error_rows_and_pages_without_a_url_are_left_as_they_are(tmp_path: Path) -> None:
    lines = _data_lines(5) + ["{not json", {"html": data_story("Marion County", 547, 561)}]
    write_jsonl(tmp_path / "e.jsonl", lines)
    summary = run([str(tmp_path / "e.jsonl")], str(tmp_path / "e-out.jsonl"), dataclasses.replace(FAST, page=SITE))
    rows = read_rows(tmp_path / "e-out.jsonl")
    assert summary.reconciles and len(rows) == 7
    assert [bool(_reasons(row)) for row in rows] == [True] * 5 + [False, False]
    assert rows[5]["error"] and rows[5]["farm_probability"] is None


def test_the_fake_page_function_carries_skeletons_too(tmp_path: Path) -> None:
    """The engine's path with any page function: the skeletons travel in the row's hidden field."""
    write_jsonl(tmp_path / "f.jsonl", _data_lines(6))
    out = tmp_path / "f-out.jsonl"
    run([str(tmp_path / "f.jsonl")], str(out), dataclasses.replace(FAST, page=SITE), page_fn=fake_page, model_loader=None)
    assert all(_reasons(row) for row in read_rows(out))


def test_the_cli_flag_switches_it_on() -> None:
    def page_options(*flags: str) -> PageOptions:
        return options_from_args(add_score_arguments(argparse.ArgumentParser()).parse_args(["in.jsonl", "-o", "o.jsonl", *flags])).page

    assert page_options("--site-templates").site_templates and not page_options().site_templates


# --------------------------------------------------------------------------- SiteSkeletons


def _skel(key: int, filling: int) -> list[Any]:
    return [key, filling, f"sentence {key}/{filling}"]


def test_one_page_counts_once_however_often_it_is_crawled() -> None:
    index = SiteSkeletons()
    for filling in range(6):
        index.add("a.com", "https://a.com/same", [_skel(1, filling)])  # a live page crawled six times
    for _ in range(6):
        index.add("a.com", "https://a.com/other", [_skel(2, 7)])
    assert index.pages("a.com", 1) == 1 and index.pages("a.com", 2) == 1
    assert index.pages("b.org", 1) == 0


def test_malformed_skeletons_of_a_page_function_are_left_out() -> None:
    index = SiteSkeletons()
    index.add("a.com", "https://a.com/1", [["x"], [1, 2], None, [True, 2, "s"], [3, 4, "ok"]])  # type: ignore[list-item]
    index.add("a.com", "https://a.com/2", "not a list")  # type: ignore[arg-type]
    assert index.pages("a.com", 3) == 1 and index.pages("a.com", 1) == 0
    assert index.shared("a.com", "https://a.com/1", [[3, 4, "ok"]]) == SharedTemplate(1, "a.com", "ok")


_HOSTS = {"a.com": "a.com", "www.a.com": "a.com", "news.a.com": "a.com", "b.org": "b.org"}
_ROWS = st.lists(st.tuples(st.sampled_from(sorted(_HOSTS)), st.integers(0, 6), st.integers(0, 2), st.integers(0, 5)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(_ROWS, st.randoms(use_true_random=False))
def test_the_count_is_the_smaller_of_distinct_pages_and_fillings_in_any_order(rows, rng) -> None:
    """Per site (registered domain) and skeleton: min(distinct URLs, distinct fillings),
    whatever the order of the rows."""

    def counted(order: list[tuple[str, int, int, int]]) -> dict[tuple[str, int], int]:
        index = SiteSkeletons()
        for host, page, key, filling in order:
            index.add(host, f"https://{host}/p{page}", [_skel(key, filling)])
        return {(host, key): index.pages(host, key) for host, _, key, _ in rows}

    shuffled = list(rows)
    rng.shuffle(shuffled)
    expected = {}
    for host, _, key, _ in rows:
        same = [(h, p, f) for h, p, k, f in rows if k == key and _HOSTS[h] == _HOSTS[host]]
        expected[(host, key)] = min(len({(h, p) for h, p, _ in same}), len({f for _, _, f in same}))
    assert counted(rows) == counted(shuffled) == expected


def test_apply_site_templates_leaves_error_rows_and_small_counts_alone() -> None:
    row = {"farm_probability": 0.1, "flagged": False, "reasons": [], "error": None, "_threshold": 0.5}
    assert apply_site_templates(dict(row), SharedTemplate(4, "a.com", "s")) == row
    assert apply_site_templates(dict(row), None) == row
    error = {"farm_probability": None, "flagged": None, "reasons": [], "error": "timeout"}
    assert apply_site_templates(dict(error), SharedTemplate(9, "a.com", "s")) == error
    after = apply_site_templates(dict(row), SharedTemplate(9, "a.com", "s"))
    assert after["farm_probability"] > 0.1 and [r["code"] for r in after["reasons"]] == [REASON]
