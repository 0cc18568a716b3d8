"""The page scorer: probabilities, reasons and the cross-crawl term, with a scorer built by hand
(so the tests do not depend on the shipped weights) and with the shipped one."""

from __future__ import annotations

import html
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import ModelError, extract, load_scorer, score
from classifier.scoring import template
from classifier.scoring.evidence import TERM_NAMES
from classifier.scoring.score import ScorerModel, rescore_with_dup_domains, rescore_with_site_templates, score_and_skeletons
from tests.classifier.strategies import json_values

STORY = (
    "<html><body><h1>Budget passes</h1><p>By Associated Press</p>"
    "<p>INDIANAPOLIS (AP) — A messy state budget deal gained the endorsement of the governor on Friday.</p>"
    "<p>Republican leaders scrambled for much of Thursday to add school funding to the package.</p>"
    "<p>The revised deal finally got House and Senate votes in the early hours of the morning.</p>"
    "</body></html>"
)
PLAIN = STORY.replace("By Associated Press", "By Jane Smith").replace("INDIANAPOLIS (AP) — ", "")


def hand_scorer(threshold: float = 0.5) -> ScorerModel:
    weights = dict.fromkeys(TERM_NAMES, 0.0)
    weights.update({"agency_dateline": 2.0, "agency_byline": 1.0, "agency_own_site": -3.0})
    weights.update({"log_dup_domains": 1.0, "template_across_pages": 0.5})
    return ScorerModel(weights=weights, intercept=-2.0, threshold=threshold)


def test_probability_is_the_logistic_of_the_reasons() -> None:
    result = score(STORY, scorer=hand_scorer())
    weights = {reason.code: reason.weight for reason in result.reasons}
    assert weights["agency_dateline"] == pytest.approx(2.0)
    assert weights["agency_byline"] == pytest.approx(1.0)
    assert result.probability == pytest.approx(1 / (1 + math.exp(-(-2.0 + 3.0))))
    assert result.flagged


def test_page_without_evidence_is_not_flagged() -> None:
    result = score(PLAIN, scorer=hand_scorer())
    assert result.probability == pytest.approx(1 / (1 + math.exp(2.0)))
    assert not result.flagged
    assert "agency_dateline" not in result.codes


def test_threshold_decides_the_flag() -> None:
    assert not score(STORY, scorer=hand_scorer(), threshold=0.99).flagged


def test_document_is_scored_without_parsing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    document = extract(STORY)
    expected = score(STORY, scorer=hand_scorer())

    def no_second_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was parsed again")

    monkeypatch.setattr("classifier.extraction.extract.blocks_and_columns_from_html", no_second_parse)
    assert score(document, scorer=hand_scorer()) == expected


def test_rescore_with_dup_domains_equals_scoring_with_them() -> None:
    scorer = hand_scorer()
    direct = score(PLAIN, scorer=scorer, dup_domains=5)
    later = rescore_with_dup_domains(score(PLAIN, scorer=scorer), 5, scorer=scorer)
    assert later.probability == pytest.approx(direct.probability)
    assert later.flagged == direct.flagged
    assert "same_text_on_N_domains" in later.codes and "same_text_on_N_domains" in direct.codes
    assert rescore_with_dup_domains(score(PLAIN, scorer=scorer), 1, scorer=scorer).codes == score(PLAIN, scorer=scorer).codes


def test_rescore_with_site_templates_adds_the_prior_times_ln_pages_from_five_pages_on() -> None:
    scorer = hand_scorer()
    before = score(PLAIN, scorer=scorer)
    assert rescore_with_site_templates(before, 4, "ledger.com", "There were 12 arrests.", scorer=scorer) == before
    after = rescore_with_site_templates(before, 8, "ledger.com", "There were 12 arrests.", scorer=scorer)
    (reason,) = [r for r in after.reasons if r.code == "template_across_pages"]
    assert reason.weight == pytest.approx(0.5 * math.log(8), abs=1e-4)
    assert "8 pages of ledger.com" in reason.evidence and reason.evidence.endswith("There were 12 arrests.")
    logit = math.log(after.probability / (1 - after.probability))
    assert logit == pytest.approx(after.baseline + sum(r.weight for r in after.reasons), abs=1e-3)
    with_dup = rescore_with_dup_domains(after, 3, scorer=scorer)
    assert set(with_dup.codes) == {"template_across_pages", "same_text_on_N_domains"}


def test_score_and_skeletons_gives_what_score_gives() -> None:
    document = extract(STORY)
    page_score, skeletons = score_and_skeletons(document, scorer=hand_scorer())
    assert page_score == score(document, scorer=hand_scorer())
    assert skeletons == ()  # no sentence of the story has a number slot
    page_score, skeletons = score_and_skeletons(extract(""), scorer=hand_scorer())
    assert skeletons == () and page_score.reasons == ()


def test_score_and_skeletons_split_the_story_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The template evidence and the skeletons read one list of the story's sentences."""
    splits = []
    split = template.sentences
    monkeypatch.setattr(template, "sentences", lambda blocks: splits.append(1) or split(blocks))
    numbered = STORY.replace("on Friday.", "on Friday, 12 May 2023, by 51 votes to 49.")
    # A scorer that reads the template evidence too (the shipped one gives it no weight).
    reads_templates = ScorerModel(weights={**hand_scorer().weights, "template_text": 1.0}, intercept=-2.0, threshold=0.5)
    page_score, skeletons = score_and_skeletons(extract(numbered), scorer=reads_templates)
    assert len(splits) == 1
    assert len(skeletons) == 1 and "12 May 2023" in skeletons[0].sentence


def test_scorer_json_round_trip_and_version_check(tmp_path) -> None:
    scorer = hand_scorer()
    data = scorer.to_json()
    assert ScorerModel.from_json(data) == scorer
    data["terms"] = data["terms"][:-1]
    with pytest.raises(ModelError, match="other page signals: train it"):
        ScorerModel.from_json(data)
    with pytest.raises(ModelError, match="no page scorer"):
        load_scorer(tmp_path / "missing.json")
    for bad in ("[1, 2]", "{not json", '{"scorer_version": 1}', '{"scorer_version": 2}'):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(ModelError):
            load_scorer(tmp_path / "bad.json")
    data = scorer.to_json()
    data["weights"] = {"agency_dateline": "high"}
    with pytest.raises(ModelError, match="not a valid page scorer"):
        ScorerModel.from_json(data)


def test_shipped_scorer_flags_the_bundled_example() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "data" / "examples" / "ap-story-washingtontimes.html").read_bytes()
    result = score(page, "https://www.washingtontimes.com/news/2023/apr/28/indiana-governor-endorses-revised-gop-state-budget/")
    assert 0.0 <= result.probability <= 1.0
    assert result.flagged
    assert "agency_dateline" in result.codes


_JSON = json_values(
    ["AP", "Reuters", "https://apnews.com/x", "http://[::1", "Organization"],
    ["@type", "@graph", "author", "name", "url", "isBasedOn", "sourceOrganization", "isBasedOnUrl"],
)
_HEAD_VALUES = st.sampled_from(["AP", "By Reuters", "https://apnews.com/a", "http://[::1", "//x", ""]) | st.text(max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    _JSON,
    st.lists(st.tuples(st.sampled_from(["author", "article:author", "syndication-source", "original-source"]), _HEAD_VALUES), max_size=4),
    _HEAD_VALUES,
    st.sampled_from([None, "https://www.example.com/2020/01/02/x", "http://[::1", "not a url"]),
)
def test_any_head_evidence_gives_a_probability(value, metas, canonical: str, url) -> None:
    head = f'<script type="application/ld+json">{json.dumps(value)}</script>'
    head += "".join(f'<meta name="{name}" content="{html.escape(content)}">' for name, content in metas)
    head += f'<link rel="canonical" href="{html.escape(canonical)}">'
    result = score(f"<html><head>{head}</head><body>{STORY}</body></html>", url)
    assert 0.0 <= result.probability <= 1.0
    assert all(math.isfinite(reason.weight) for reason in result.reasons)


def test_reasons_are_the_signals_that_moved_the_score() -> None:
    scorer = hand_scorer()
    weighted = {name for name, weight in scorer.weights.items() if weight}
    page_score = score(STORY, scorer=scorer)
    assert page_score.reasons and all(reason.weight != 0 for reason in page_score.reasons)
    assert all(reason.code in weighted or reason.code == "same_text_on_N_domains" for reason in page_score.reasons)
