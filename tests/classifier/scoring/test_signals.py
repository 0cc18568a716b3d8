"""Page evidence: the pattern tables and the evidence found in (small, real-shaped) pages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction.dom import IN_NAV, blocks_from_html
from classifier.scoring.attribution import Grammar
from classifier.scoring.context import JoinedText, outside_notes, searched_fold
from classifier.scoring.evidence import REASON_CODES, TERM_NAMES, page_row, snippet
from classifier.scoring.patterns import (
    fold,
    load_patterns,
    markers_pattern,
    phrases_in,
    provenance_rows,
    trie_pattern,
)
from classifier.scoring.signals import PageEvidence, find_evidence
from training.farm import make_block

PATTERNS = load_patterns()
GRAMMAR = Grammar.of(PATTERNS)


def _signals(html: str, *, content: set[int] | None = None, url: str | None = None, **kwargs):
    blocks, page = blocks_from_html(html)
    is_content = [i in content if content is not None else len(b.text) > 40 for i, b in enumerate(blocks)]
    evidence = PageEvidence(
        blocks,
        is_content,
        meta=kwargs.get("meta", page.meta),
        canonical=kwargs.get("canonical", page.canonical),
        json_ld=kwargs.get("json_ld", []),
        url=url,
        title=kwargs.get("title", page.title),
    )
    return find_evidence(evidence, PATTERNS, GRAMMAR)


def _codes(signals) -> set[str]:
    return {signal.code for signal in signals}


STORY = (
    "<html><body><nav><a href='/'>Home</a></nav><h1>Budget passes</h1>"
    "<p class='byline'>By Associated Press</p>"
    "<p>INDIANAPOLIS (AP) — A messy state budget deal gained the endorsement of the governor on Friday.</p>"
    "<p>Republican leaders scrambled for much of Thursday to add school funding to the package.</p>"
    "<p>The revised deal finally got House and Senate votes in the early hours of the morning.</p>"
    "<footer>© 2024 Example News</footer></body></html>"
)


def _examples() -> list[tuple[str, str]]:
    return [(row["pattern"], row["example"].replace("\\n", "\n").replace("\\\\", "\\")) for row in provenance_rows()]


def test_every_pattern_matches_its_own_example() -> None:
    examples = _examples()
    for pattern, example in examples:
        assert re.search(pattern, example, re.IGNORECASE), (pattern, example)
    assert len(examples) >= 50


@settings(max_examples=200, deadline=None)
@given(
    row=st.sampled_from(_examples()),
    spaces=st.lists(st.sampled_from([" ", "  ", "\n", "\t ", "\u00a0"]), min_size=1, max_size=8),
    upper=st.booleans(),
    padding=st.text(max_size=30),
)
def test_the_prefilter_never_hides_a_match(row, spaces, upper, padding) -> None:
    """A phrase found by its pattern is found through the prefilter too, whatever the
    whitespace and case of the text."""
    pattern, example = row
    words = example.split(" ")
    text = padding + "".join(word + spaces[i % len(spaces)] for i, word in enumerate(words))
    text = text.upper() if upper else text
    patterns = PATTERNS
    phrase = next(p for p in patterns.provenance if p.pattern.pattern == pattern)
    if phrase.pattern.search(text):
        assert phrase in phrases_in(fold(text), patterns)
        assert phrase in phrases_in(fold("Other words.\n" + text + "\nMore."), patterns)


def test_phrases_in_finds_only_phrases_whose_literals_are_all_there() -> None:
    patterns = PATTERNS
    found = phrases_in(fold("As an AI  language\nmodel, I cannot help. Media contact: Jane"), patterns)
    codes = [phrase.code for phrase in found]
    assert "machine_text" in codes and "press_release" in codes
    assert phrases_in(fold("A plain story on the weather in Paris."), patterns) == []


@settings(max_examples=200, deadline=None)
@given(
    row=st.sampled_from(_examples()),
    before=st.lists(st.text(max_size=40), max_size=3),
    after=st.lists(st.text(max_size=40), max_size=3),
    other=st.lists(st.text(max_size=40), max_size=3),
    in_zone=st.booleans(),
)
def test_the_prefilter_of_the_searched_text_never_hides_a_match(row, before, after, other, in_zone) -> None:
    """A phrase that matches in the story zone's text or in the notes outside it is among the
    phrases of `searched_fold`, whichever of them holds it."""
    pattern, example = row
    phrase = next(p for p in PATTERNS.provenance if p.pattern.pattern == pattern)
    holder = [*before, example, *after]
    texts = [*holder, *other] if in_zone else [*other, *holder]
    blocks = [make_block(text, i, None) for i, text in enumerate(texts)]
    zone = range(len(holder)) if in_zone else range(len(other))
    zone_text = JoinedText.of(blocks, zone)
    notes = JoinedText.of(blocks, outside_notes(blocks, zone_text.indices))
    if phrase.pattern.search(zone_text.text) or phrase.pattern.search(notes.text):
        assert phrase in phrases_in(searched_fold(zone_text, notes), PATTERNS)


def _searched(blocks, zone_text: JoinedText) -> str:
    """`searched_fold` of a zone and the notes outside it, as `PageContext.of` makes them."""
    return searched_fold(zone_text, JoinedText.of(blocks, outside_notes(blocks, zone_text.indices)))


def test_the_searched_fold_leaves_out_navigation_and_runs_no_literal_across() -> None:
    """The word "via" closing the zone and "SyndiGate.info" in a note after it are no "via
    SyndiGate" (they are in no text searched together); a note in navigation is not searched."""
    story, note = make_block("The story ends here via", 0, None), make_block("SyndiGate.info", 1, None)
    via_syndigate = next(p for p in PATTERNS.provenance if "SyndiGate(?:" in p.pattern.pattern)
    together = JoinedText.of([story, note], [0, 1])
    assert via_syndigate.pattern.search(together.text)
    assert via_syndigate in phrases_in(_searched([story, note], together), PATTERNS)
    assert via_syndigate not in phrases_in(_searched([story, note], JoinedText.of([story, note], [0])), PATTERNS)
    footer = make_block("Via SyndiGate.info", 1, None, flags=IN_NAV)
    assert via_syndigate not in phrases_in(_searched([story, footer], JoinedText.of([story, footer], [0])), PATTERNS)
    assert via_syndigate in phrases_in(fold("\n".join([story.text, footer.text])), PATTERNS)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.text(alphabet="ABab./ -", min_size=1, max_size=5), min_size=1, max_size=12),
    text=st.text(alphabet="ABab./ -x", max_size=60),
)
def test_trie_pattern_matches_like_the_longest_first_alternation(words, text) -> None:
    flat = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    trie = trie_pattern(words)
    assert [m.span() for m in re.finditer(rf"(?<!\w)(?:{trie})(?!\w)", text)] == [
        m.span() for m in re.finditer(rf"(?<!\w)(?:{flat})(?!\w)", text)
    ]


def test_markers_share_their_parenthesis_only_where_that_keeps_the_pattern() -> None:
    markers = [r"\(AP\)", r"\((?:MNA|Mehr)\)", r"\(X\)|Y", r"[-–—]\s*RIA", ""]
    pattern = markers_pattern(markers)
    assert pattern.startswith(r"(?:\((?:(?:AP\))|(?:(?:MNA|Mehr)\))")
    for text in ["(AP)", "(Mehr)", "(X)", "Y", "— RIA", "(Y)", "AP", "(MNA"]:
        flat = re.search("|".join(f"(?:{m})" for m in markers if m), text)
        assert bool(re.search(pattern, text)) == bool(flat), text


def test_agency_table_loads_with_datelines_and_own_domains() -> None:
    patterns = PATTERNS
    assert len(patterns.agencies) > 50
    assert patterns.own_domains["apnews.com"].name == "Associated Press"
    assert GRAMMAR.parse_dateline("PARIS (Reuters) - Protesters gathered")
    assert GRAMMAR.parse_dateline("Bamberg (dpa/lby) - Die Stadtwerke")
    assert GRAMMAR.parse_dateline("WASHINGTON, Aug. 20 (Yonhap) -- North Korea's newspaper")
    assert GRAMMAR.parse_dateline("(ANSA) - ROMA, 28 LUG - Sarà Ghersini")
    assert not GRAMMAR.parse_dateline("The meeting (which was long) - ended")
    assert not GRAMMAR.parse_dateline("Officials said on Monday that 12 people (AP) - the count")


def test_mentions_are_case_sensitive() -> None:
    patterns = PATTERNS
    assert patterns.alias_search.findall("Mehr als 10 und mehr") == []
    assert patterns.alias_search.findall("said the AP, citing Reuters") == ["AP", "Reuters"]


def test_wire_story_gives_dateline_and_byline() -> None:
    codes = _codes(_signals(STORY))
    assert {"agency_dateline", "agency_byline"} <= codes


def test_agency_own_site_cancels_agency_evidence() -> None:
    codes = _codes(_signals(STORY, url="https://apnews.com/article/budget"))
    assert "agency_own_site" in codes
    assert not codes & {"agency_dateline", "agency_byline"}


def test_photo_credit_is_not_a_signature() -> None:
    html = (
        "<h1>Title</h1><p>" + "Staff reporting on the city council meeting. " * 3 + "</p>"
        "<p>" + "The council voted to approve the new budget for parks. " * 3 + "</p>"
        "<p>Nathan Ellgren/AP</p>"
    )
    assert "agency_signature" not in _codes(_signals(html))


def test_signature_and_copyright_close_the_story() -> None:
    body = "".join(f"<p>Paragraph {i} of the story about the championships in Munich next year.</p>" for i in range(4))
    signed = _signals("<h1>Games</h1>" + body + "<p>The games start on August 11. — AFP</p>")
    assert "agency_signature" in _codes(signed)
    copyrighted = _signals("<h1>Results</h1>" + body + "<div>© dpa-AFX | Abb.: Fraport</div>")
    assert "agency_copyright" in _codes(copyrighted)
    credit = _signals("<h1>Virus</h1>" + body + "<div>© dpa/Spektrum der Wissenschaft</div>")
    assert "agency_copyright" not in _codes(credit)


def test_several_datelined_teasers_are_a_listing_not_a_story() -> None:
    teasers = "".join(f"<p>WASHINGTON (AP) — Teaser number {i} about a different story, with enough words to count.</p>" for i in range(3))
    codes = _codes(_signals("<h1>Topic: Car rental</h1>" + teasers))
    assert "datelined_teasers" in codes
    assert "agency_dateline" not in codes


def test_disclaimer_anywhere_on_the_page() -> None:
    html = STORY.replace(
        "<footer>",
        "<div>Disclaimer: This post has been auto-published from an agency feed without any "
        "modifications to the text and has not been reviewed by an editor</div><footer>",
    )
    assert "disclaimer" in _codes(_signals(html))


def test_cross_domain_canonical_needs_another_registered_domain() -> None:
    html = "<html><head><link rel='canonical' href='https://business.financialpost.com/x'></head><body><p>x</p></body></html>"
    assert "cross_domain_canonical" in _codes(_signals(html, url="https://vancouversun.com/x"))
    same = html.replace("business.financialpost.com", "www.vancouversun.com")
    assert "cross_domain_canonical" not in _codes(_signals(same, url="https://vancouversun.com/x"))


def test_with_inputs_is_counter_evidence() -> None:
    html = STORY.replace("<footer>", "<p>(With inputs from agencies)</p><footer>")
    assert "with_agency_inputs" in _codes(_signals(html))


def test_page_row_is_the_sum_of_the_pieces_terms() -> None:
    items = _signals(STORY)
    row = page_row(items)
    assert len(row) == len(TERM_NAMES)
    for item in items:
        for name, value in item.terms().items():
            assert row[TERM_NAMES.index(name)] >= value
    assert sum(row) == pytest.approx(sum(sum(item.terms().values()) for item in items))
    assert set(REASON_CODES) - {"same_text_on_N_domains"} <= set(TERM_NAMES)


@pytest.mark.parametrize("html", ["", "<html></html>", "plain text", "<p>\x00</p>"])
def test_empty_and_odd_pages_give_no_agency_evidence(html: str) -> None:
    codes = _codes(_signals(html))
    assert not codes & {"agency_dateline", "agency_byline", "agency_signature", "disclaimer"}


def test_evidence_is_one_line_cut_at_words_and_its_match_is_the_evidence_itself() -> None:
    text = "Menu\nSome words before the line. PARIS (Reuters) - Protesters gathered in the city\ncentre on Sunday.\nFooter"
    start = text.index("PARIS")
    end = text.index("- Protesters") + 1
    cut_text = snippet(text, start, end)
    assert "\n" not in cut_text and "Footer" not in cut_text and "Menu" not in cut_text
    assert cut_text.startswith("Some words") and cut_text.endswith("in the city")
    long_line = "intro " * 30 + "(AFP) - " + "after " * 40
    cut = snippet(long_line, long_line.index("(AFP)"), long_line.index("(AFP)") + 7)
    assert cut.startswith("…intro") and cut.endswith("after…") and " intro" in cut
    assert len(cut) <= 202
    signals = _signals(STORY, url="https://news.example/story")
    dateline = next(signal for signal in signals if signal.code == "agency_dateline")
    assert dateline.match == "INDIANAPOLIS (AP) —"
