"""Reasons: one per piece of evidence, every model term among them, adding up to the score; and
evidence found in generated page variants (bylines, datelines, sign-offs) but not in credits,
table sources or teaser boxes."""

from __future__ import annotations

import html
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import extract, score
from classifier.scoring.evidence import TERM_NAMES, Evidence
from classifier.scoring.score import page_evidence, score_evidence, scorer_for
from classifier.scoring.scorer import PageScorer, ScorerModel

ROOT = Path(__file__).resolve().parents[3]
NOTICE = (
    "Disclaimer: This post has been auto-published from an agency feed without any modifications to the text "
    "and has not been reviewed by an editor"
)
SENTENCES = [
    "The city council voted on Tuesday to extend the hours of the public library through the winter.",
    "Residents who spoke at the meeting said the change would help students who work after school.",
    "The budget for the extension comes from a fund that was set aside for community programmes last year.",
    "Council members debated for nearly two hours before the measure passed by a narrow margin.",
    "Local business owners have asked for more parking near the main square since the renovation began.",
]
READER = PageScorer(ScorerModel(weights={}, intercept=0.0, threshold=0.5), read_all=True)


def page(lead: str = "", first: str = "", after: str = "", figure: str = "", aside: str = "", head: str = "") -> str:
    paragraphs = [first + SENTENCES[0], *SENTENCES[1:]]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    fig = f"<figure><img src='a.jpg'><figcaption>{html.escape(figure)}</figcaption></figure>" if figure else ""
    side = f"<aside class='related'><ul>{aside}</ul></aside>" if aside else ""
    return (
        f"<html><head><title>Library hours extended | Courier</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
        f"<main><article><h1>Library hours extended</h1>{lead}{fig}{body}{after}</article>{side}</main></body></html>"
    )


def codes(html_text: str, url: str = "https://www.courier-example.com/news/1") -> set[str]:
    return {item.code for item in page_evidence(extract(html_text, url), READER)}


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


# -- reasons -----------------------------------------------------------------------------------


def test_one_disclaimer_sentence_gives_one_reason_cut_at_words() -> None:
    result = score(page(after=f"<p>{NOTICE}</p>"), "https://www.courier-example.com/news/1")
    disclaimers = [reason for reason in result.reasons if reason.code == "disclaimer"]
    assert len(disclaimers) == 1
    assert disclaimers[0].match.startswith("Disclaimer: This post") and disclaimers[0].match.endswith("by an editor")


def test_the_agency_feed_example_gives_one_disclaimer_reason() -> None:
    example = ROOT / "tests" / "fixtures" / "agency-feed-page.txt"
    lines = [line for line in example.read_text(encoding="utf-8").splitlines() if line.strip()]
    headline = html.escape(lines[2])
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[3:])
    rebuilt = f"<html><head><title>{headline}</title></head><body><h1>{headline}</h1>{body}</body></html>"
    result = score(rebuilt, "https://www.lokmattimes.com/international/xi-putin/")
    assert [reason.code for reason in result.reasons].count("disclaimer") == 1
    assert result.flagged


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(list(TERM_NAMES)), unique=True, max_size=6),
    st.dictionaries(st.sampled_from(list(TERM_NAMES)), st.floats(-3, 3), max_size=len(TERM_NAMES)),
    st.floats(-4, 1),
)
def test_reasons_and_baseline_add_up_to_the_log_odds(terms, weights, intercept) -> None:
    items = [Evidence(name, f"evidence of {name}", in_story=k % 2 == 0, exact_case=k % 3 != 0) for k, name in enumerate(terms)]
    model = ScorerModel(weights=weights, intercept=intercept, threshold=0.5)
    result = score_evidence(items, model)
    total = result.baseline + sum(reason.weight for reason in result.reasons)
    assert _logit(min(max(result.probability, 1e-12), 1 - 1e-12)) == pytest.approx(total, abs=1e-3 * (len(items) + 1))
    assert len(result.reasons) <= len(items)  # one reason per piece of evidence at most


def test_every_term_of_the_shipped_scorer_is_some_reasons() -> None:
    """The reliability terms are not reasons of their own: they change the weight of the
    evidence they belong to (a dateline outside the story weighs less than inside it)."""
    model = scorer_for().model
    inside = Evidence("agency_dateline", "x", in_story=True)
    outside = Evidence("agency_dateline", "x", in_story=False)
    assert model.contribution(outside) == pytest.approx(model.contribution(inside) + model.weights.get("outside_story", 0.0))
    assert model.weights.get("outside_story", 0.0) <= 0
    assert set(model.weights) <= set(TERM_NAMES)


def test_skipping_what_the_model_weighs_0_changes_no_score() -> None:
    from classifier.scoring.score import score_evidence

    model = scorer_for().model
    shipped = PageScorer(model)
    assert shipped.skip  # the shipped scorer weighs some codes 0
    for html_text in (page(lead="<p>By Jane Smith</p>", figure="A caption (AP Photo/Jane Doe)"), page(first="PARIS (AFP) — ")):
        document = extract(html_text, "https://www.courier-example.com/news/1")
        every = score_evidence(page_evidence(document, PageScorer(model, read_all=True)), model)
        assert score(document, scorer=shipped) == every


def test_counter_evidence_lowers_the_score() -> None:
    model = scorer_for().model
    staff = score(page(lead="<p>By Jane Smith</p>"), "https://www.courier-example.com/news/1")
    assert all(reason.weight < 0 for reason in staff.reasons if reason.code == "staff_byline")
    assert model.weights["staff_byline"] <= 0 and model.weights["agency_own_site"] <= 0


# -- evidence in generated variants -------------------------------------------------------------

_PEOPLE = st.sampled_from(["Jane Doe", "Gary B. Graves", "TOM KRISHER", "María López", "Hillel Italie"])
_AGENCIES = st.sampled_from(["Associated Press", "The Associated Press", "AP", "Reuters", "REUTERS", "AFP", "dpa", "PTI", "EFE"])
_SEPARATORS = st.sampled_from([", ", " - ", " | ", " / ", " "])


@st.composite
def agency_bylines(draw: st.DrawFn) -> str:
    person, agency = draw(_PEOPLE), draw(_AGENCIES)
    form = draw(st.sampled_from(["by_agency", "name_agency", "role", "label"]))
    if form == "by_agency":
        return f"By {agency}"
    if form == "label":
        return draw(st.sampled_from(["Article from: ", "Source: ", "Quelle: "])) + agency
    if form == "role":
        role = draw(st.sampled_from(["Sports Writer", "Correspondent", "National Writer"]))
        return f"{person}, {agency if len(agency) > 2 else 'AP'} {role}"
    separator = draw(_SEPARATORS)
    if separator == " " and " " not in agency:
        separator = ", "
    return f"By {person}{separator}{agency}"


@settings(max_examples=60, deadline=None)
@given(agency_bylines())
def test_agency_bylines_in_the_lead_are_found_and_in_a_caption_are_not(byline: str) -> None:
    assert "agency_byline" in codes(page(lead=f"<p class='byline'>{html.escape(byline)}</p>"))
    assert codes(page(figure=f"Volunteers at work. {byline}")) & {"agency_byline", "agency_dateline", "agency_signature"} == set()


_CITIES = st.sampled_from(["WASHINGTON", "SANTA FE, N.M.", "Bamberg", "NEW DELHI, Nov 20", "MADRID, 1 may"])
_MARKERS = st.sampled_from(["(AP)", "( Reuters )", "(dpa/lby)", "(EFE)", "(efe-epa)", "(PTI)", "(AFP)"])
_DASHES = st.sampled_from([" —", " -", " --", " –", ".-", " :"])


@settings(max_examples=60, deadline=None)
@given(_CITIES, _MARKERS, _DASHES)
def test_datelines_open_the_story_and_teaser_datelines_do_not_count(city: str, marker: str, dash: str) -> None:
    dateline = f"{city} {marker}{dash} "
    assert "agency_dateline" in codes(page(first=dateline))
    teasers = "".join(f"<li><a href='/s{k}'>{html.escape(dateline + SENTENCES[k])}</a></li>" for k in range(3))
    assert "agency_dateline" not in codes(page(lead="<p>By Jane Smith</p>", aside=teasers))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["— AFP", "- AFP", "--IANS", "(ANSA).", "PTI", "(Quelle: APA/sda/dpa)", "— Reuters"]))
def test_sign_offs_with_any_dash_close_the_story(signoff: str) -> None:
    assert "agency_signature" in codes(page(after=f"<p>The games start on August 11. {html.escape(signoff)}</p>"))


@settings(max_examples=40, deadline=None)
@given(
    _PEOPLE,
    st.sampled_from(["(AP Photo/{})", "Photo: {}/AFP via Getty Images", "© dpa | {}", "{}/Reuters", "Quelle: dpa", "Source: AP"]),
)
def test_credits_and_table_sources_are_not_agency_copy(person: str, credit: str) -> None:
    line = credit.format(person)
    table = "<table><tr><th>Name</th><th>Points</th></tr><tr><td>Lee</td><td>12</td></tr></table>"
    for variant in (page(figure=f"Volunteers at work. {line}"), page(after=f"{table}<p>{html.escape(line)}</p>")):
        found = codes(variant)
        assert not found & {"agency_byline", "agency_dateline", "agency_signature", "agency_copyright"}, (line, found)


@pytest.mark.parametrize(
    "note", ["(With inputs from agencies)", "With Additional Inputs from PTI", "The Associated Press contributed to this report."]
)
def test_with_inputs_is_counter_evidence_not_agency_copy(note: str) -> None:
    found = codes(page(lead="<p>By Jane Smith</p>", after=f"<p>{html.escape(note)}</p>"))
    assert "with_agency_inputs" in found and "agency_signature" not in found


def test_short_aliases_count_only_in_their_case_and_own_brand_is_no_wire() -> None:
    assert "agency_byline" not in codes(page(lead="<div>NaN / NaN</div><p>By Jane Smith</p>"))
    brand = page(first="SINGAPORE (CNA) — ", head="<meta property='og:site_name' content='CNA'>")
    assert "agency_dateline" not in codes(brand, "https://www.channelnewsasia.com/news/1")
    assert "agency_dateline" in codes(page(first="TAIPEI (CNA) — "), "https://www.courier-example.com/news/1")


def test_org_bylines_are_not_staff_and_wire_services_are_wires() -> None:
    assert "staff_byline" not in codes(page(lead="<p>By Capital News Service</p>"))
    assert "agency_byline" in codes(page(lead="<p>Detroit News wire services</p>"))
    assert "agency_byline" not in codes(page(lead="<p>Staff and wire reports</p>"))
